// Table clients: a connection string for emulators (Azurite), managed identity in Azure
// (AzureWebJobsStorage__accountName), as the Functions host itself connects.
import { TableClient } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { ClusterStore } from "./cluster-store.js";
import { RequestStore } from "./request-store.js";
import { UpgradeStore } from "./upgrade-store.js";

export const TABLES = { requests: "requests", clusters: "clusters", upgrades: "upgrades" } as const;

export interface StateStores {
  requests: RequestStore;
  clusters: ClusterStore;
  upgrades: UpgradeStore;
  tableClient(name: string): TableClient;
}

export type TableConnection = { connectionString: string } | { accountName: string; credential: TokenCredential; endpoint?: string };

export async function openStores(conn: TableConnection, tablePrefix = ""): Promise<StateStores> {
  const client = (name: string) =>
    "connectionString" in conn
      ? TableClient.fromConnectionString(conn.connectionString, tablePrefix + name, { allowInsecureConnection: true })
      : new TableClient(conn.endpoint ?? `https://${conn.accountName}.table.core.windows.net`, tablePrefix + name, conn.credential);
  const clients = new Map<string, TableClient>();
  const tableClient = (name: string) => {
    if (!clients.has(name)) clients.set(name, client(name));
    return clients.get(name)!;
  };
  // createTable answers 409 when the table exists; the SDK swallows that for us.
  await Promise.all(Object.values(TABLES).map((t) => tableClient(t).createTable()));
  return { requests: new RequestStore(tableClient(TABLES.requests)), clusters: new ClusterStore(tableClient(TABLES.clusters)), upgrades: new UpgradeStore(tableClient(TABLES.upgrades)), tableClient };
}
