// Per-cluster state: the cluster's last-known isolation settings (what the Event Grid handler
// compares a changed cluster with), keyed by subscription / resource group / name.
import type { TableClient } from "@azure/data-tables";
import { ConcurrencyError } from "../app/optimistic.js";
import type { ClusterStore } from "../app/stores.js";
import type { ClusterRecord } from "../domain/records.js";
import type { HeldKind } from "../domain/held-target.js";
import { encodeKey, findEntity, isStatus } from "./entity.js";

// A scope's row key has its kind after the name: a cluster and a scope of one name are two rows.
const key = (sub: string, rg: string, name: string, kind?: HeldKind) => ({ pk: encodeKey(sub.toLowerCase()), rk: encodeKey(`${rg}|${name}${kind ? `|${kind}` : ""}`.toLowerCase()) });

export class TableClusterStore implements ClusterStore {
  constructor(private readonly table: TableClient) {}

  async get(sub: string, rg: string, name: string, kind?: HeldKind): Promise<ClusterRecord | undefined> {
    const { pk, rk } = key(sub, rg, name, kind);
    const e = await findEntity(this.table, pk, rk);
    if (!e) return undefined;
    const { partitionKey: _p, rowKey: _r, timestamp: _t, etag, "odata.metadata": _m, ...rest } = e as Record<string, unknown>;
    return { ...(rest as unknown as ClusterRecord), generation: Number(rest.generation ?? 0), etag: etag as string };
  }

  async list(): Promise<ClusterRecord[]> {
    const out: ClusterRecord[] = [];
    for await (const e of this.table.listEntities()) {
      const { partitionKey: _p, rowKey: _r, timestamp: _t, "odata.metadata": _m, etag, ...rest } = e as Record<string, unknown>;
      out.push({ ...(rest as unknown as ClusterRecord), generation: Number(rest.generation ?? 0), etag: etag as string });
    }
    return out;
  }

  /** Forgets a cluster (it was deleted); a row that is not there is fine. With `etag`, only if unchanged since read. */
  async remove(sub: string, rg: string, name: string, kind?: HeldKind, etag?: string): Promise<void> {
    const { pk, rk } = key(sub, rg, name, kind);
    try {
      await this.table.deleteEntity(pk, rk, etag ? { etag } : {});
    } catch (e) {
      if (isStatus(e, 412)) throw new ConcurrencyError(`cluster ${name} state changed concurrently`);
      if (!isStatus(e, 404)) throw e;
    }
  }

  /** Writes the record: a new row when it has no ETag, else only if unchanged since read. */
  async save(rec: ClusterRecord): Promise<void> {
    const { pk, rk } = key(rec.subscriptionId, rec.resourceGroup, rec.name, rec.kind);
    const { etag, ...fields } = rec;
    const entity = Object.fromEntries(Object.entries({ partitionKey: pk, rowKey: rk, ...fields }).filter(([, v]) => v !== undefined));
    try {
      if (etag) await this.table.updateEntity(entity as never, "Replace", { etag });
      else await this.table.createEntity(entity as never);
    } catch (e) {
      if (isStatus(e, 412, 409)) throw new ConcurrencyError(`cluster ${rec.name} state changed concurrently`);
      throw e;
    }
  }
}
