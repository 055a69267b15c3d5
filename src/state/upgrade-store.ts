// Node-image upgrades, one row per (cluster, change, pool): the row key makes "one upgrade per pool
// per change" a storage fact, whoever asks for it (a request's step, a cluster event, the timer).
import type { TableClient } from "@azure/data-tables";
import { ConcurrencyError } from "../app/optimistic.js";
import type { UpgradeStore } from "../app/stores.js";
import type { UpgradeRecord } from "../domain/records.js";
import { encodeKey, findEntity, isStatus } from "./entity.js";

const clusterKey = (clusterId: string) => encodeKey(clusterId.toLowerCase());
const rowKey = (changeKey: string, pool: string) => encodeKey(`${changeKey}|${pool}`.toLowerCase());

export class TableUpgradeStore implements UpgradeStore {
  constructor(private readonly table: TableClient) {}

  /** Creates the row unless it exists; true when this call created it. */
  async createIfMissing(rec: UpgradeRecord): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: clusterKey(rec.clusterId), rowKey: rowKey(rec.changeKey, rec.pool), ...strip(rec) } as never);
      return true;
    } catch (e) {
      if (isStatus(e, 409)) return false;
      throw e;
    }
  }

  async get(clusterId: string, changeKey: string, pool: string): Promise<UpgradeRecord | undefined> {
    const e = await findEntity(this.table, clusterKey(clusterId), rowKey(changeKey, pool));
    return e && fromEntity(e as never);
  }

  async listForCluster(clusterId: string): Promise<UpgradeRecord[]> {
    const pk = clusterKey(clusterId).replace(/'/g, "''");
    const out: UpgradeRecord[] = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${pk}'` } })) out.push(fromEntity(e as never));
    return out.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  async save(rec: UpgradeRecord): Promise<string> {
    try {
      const entity = { partitionKey: clusterKey(rec.clusterId), rowKey: rowKey(rec.changeKey, rec.pool), ...strip(rec) } as never;
      // Without an ETag: create or replace (an upgrade started by a request has no Queued row).
      const r = rec.etag ? await this.table.updateEntity(entity, "Replace", { etag: rec.etag }) : await this.table.upsertEntity(entity, "Replace");
      return r.etag ?? "";
    } catch (e) {
      if (isStatus(e, 412)) throw new ConcurrencyError(`upgrade ${rec.pool}/${rec.changeKey} changed concurrently`);
      throw e;
    }
  }
}

function strip(rec: UpgradeRecord): Record<string, unknown> {
  const { etag: _e, ...rest } = rec;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

function fromEntity(e: Record<string, unknown>): UpgradeRecord {
  const { partitionKey: _p, rowKey: _r, timestamp: _t, "odata.metadata": _m, etag, ...rest } = e;
  return { ...(rest as unknown as UpgradeRecord), etag: etag as string };
}
