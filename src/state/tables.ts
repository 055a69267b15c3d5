// Table clients: managed identity in Azure (AzureWebJobsStorage__accountName / __tableServiceUri),
// as the Functions host itself connects; the emulator's connection string under Core Tools; the
// local host brings its own (Azurite) client factory.
import { TableClient } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import type { ClusterStore, LeaseStore, PacingStore, RequestStore, UpgradeStore } from "../app/stores.js";
import { TableClusterStore } from "./cluster-store.js";
import { TableRequestStore } from "./request-store.js";
import { TableUpgradeStore } from "./upgrade-store.js";
import { TablePacingStore } from "./pacing-store.js";
import { TableLeaseStore } from "./lease-store.js";

export const TABLES = { requests: "requests", clusters: "clusters", upgrades: "upgrades", pacing: "pacing", leases: "leases" } as const;

export interface StateStores {
  requests: RequestStore;
  clusters: ClusterStore;
  upgrades: UpgradeStore;
  pacing: PacingStore;
  leases: LeaseStore;
  tableClient(name: string): TableClient;
}

/**
 * The table endpoint and the identity; or the storage emulator's connection string (plain HTTP on
 * loopback, checked by src/storage-emulator.ts); or (the local host, tests) a factory of clients.
 */
export type TableConnection = { endpoint: string; credential: TokenCredential } | { emulator: string } | { clientFor: (table: string) => TableClient };

function clientOf(conn: TableConnection, table: string): TableClient {
  if ("clientFor" in conn) return conn.clientFor(table);
  if ("emulator" in conn) return TableClient.fromConnectionString(conn.emulator, table, { allowInsecureConnection: true });
  return new TableClient(conn.endpoint, table, conn.credential);
}

export async function openStores(conn: TableConnection, tablePrefix = ""): Promise<StateStores> {
  const client = (name: string) => clientOf(conn, tablePrefix + name);
  const clients = new Map<string, TableClient>();
  const tableClient = (name: string) => {
    if (!clients.has(name)) clients.set(name, client(name));
    return clients.get(name)!;
  };
  // createTable answers 409 when the table exists; the SDK swallows that for us.
  await Promise.all(Object.values(TABLES).map((t) => tableClient(t).createTable()));
  return {
    requests: new TableRequestStore(tableClient(TABLES.requests)),
    clusters: new TableClusterStore(tableClient(TABLES.clusters)),
    upgrades: new TableUpgradeStore(tableClient(TABLES.upgrades)),
    pacing: new TablePacingStore(tableClient(TABLES.pacing)),
    leases: new TableLeaseStore(tableClient(TABLES.leases)),
    tableClient,
  };
}
