// Table clients: managed identity in Azure (AzureWebJobsStorage__accountName / __tableServiceUri),
// as the Functions host itself connects; the local host brings its own (Azurite) client factory.
import { TableClient } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import { ClusterStore } from "./cluster-store.js";
import { RequestStore } from "./request-store.js";
import { UpgradeStore } from "./upgrade-store.js";
import { LeaseStore } from "./lease-store.js";

export const TABLES = { requests: "requests", clusters: "clusters", upgrades: "upgrades", leases: "leases" } as const;

export interface StateStores {
  requests: RequestStore;
  clusters: ClusterStore;
  upgrades: UpgradeStore;
  leases: LeaseStore;
  tableClient(name: string): TableClient;
}

/** The table endpoint and the identity, or (local emulators) a factory of clients by table name. */
export type TableConnection = { endpoint: string; credential: TokenCredential } | { clientFor: (table: string) => TableClient };

export async function openStores(conn: TableConnection, tablePrefix = ""): Promise<StateStores> {
  const client = (name: string) => ("clientFor" in conn ? conn.clientFor(tablePrefix + name) : new TableClient(conn.endpoint, tablePrefix + name, conn.credential));
  const clients = new Map<string, TableClient>();
  const tableClient = (name: string) => {
    if (!clients.has(name)) clients.set(name, client(name));
    return clients.get(name)!;
  };
  // createTable answers 409 when the table exists; the SDK swallows that for us.
  await Promise.all(Object.values(TABLES).map((t) => tableClient(t).createTable()));
  return { requests: new RequestStore(tableClient(TABLES.requests)), clusters: new ClusterStore(tableClient(TABLES.clusters)), upgrades: new UpgradeStore(tableClient(TABLES.upgrades)), leases: new LeaseStore(tableClient(TABLES.leases)), tableClient };
}
