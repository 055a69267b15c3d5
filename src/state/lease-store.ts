// Cluster leases: one row per cluster (partition key: the cluster's lowercased ARM id), naming the
// request that may write to the cluster now. Every change is conditional: a new lease is created
// only if there is none (409 otherwise), a lease is changed or removed only with the ETag it was
// read with (412 otherwise), so two writers can never both believe they hold it.
import type { TableClient } from "@azure/data-tables";
import { ConcurrencyError } from "../app/optimistic.js";
import type { LeaseStore } from "../app/stores.js";
import type { ClusterLease } from "../domain/records.js";
import { encodeKey, findEntity, isStatus } from "./entity.js";

const LEASE_ROW = "lease";
const leaseKey = (clusterId: string) => encodeKey(clusterId.toLowerCase());

export class TableLeaseStore implements LeaseStore {
  constructor(private readonly table: TableClient) {}

  async get(clusterId: string): Promise<ClusterLease | undefined> {
    const e = await findEntity(this.table, leaseKey(clusterId), LEASE_ROW);
    if (!e) return undefined;
    const { partitionKey: _p, rowKey: _r, timestamp: _t, "odata.metadata": _m, etag, ...rest } = e as Record<string, unknown>;
    return { ...(rest as unknown as ClusterLease), etag: etag as string };
  }

  /** Creates the lease when the cluster has none; throws ConcurrencyError when it has one. */
  async create(lease: ClusterLease): Promise<ClusterLease> {
    try {
      const r = await this.table.createEntity(this.entity(lease) as never);
      return { ...lease, etag: r.etag };
    } catch (e) {
      if (isStatus(e, 409)) throw new ConcurrencyError(`cluster ${lease.clusterId} already has a lease`);
      throw e;
    }
  }

  /** Replaces the lease read with `lease.etag` (renewal, take-over); ConcurrencyError when it changed or went. */
  async replace(lease: ClusterLease): Promise<ClusterLease> {
    if (!lease.etag) throw new Error("replace needs the ETag the lease was read with");
    try {
      const r = await this.table.updateEntity(this.entity(lease) as never, "Replace", { etag: lease.etag });
      return { ...lease, etag: r.etag };
    } catch (e) {
      if (isStatus(e, 412, 404)) throw new ConcurrencyError(`lease of cluster ${lease.clusterId} changed since it was read`);
      throw e;
    }
  }

  /** Removes the lease read with `lease.etag`; ConcurrencyError when it changed since (a lease already gone is fine). */
  async remove(lease: ClusterLease): Promise<void> {
    try {
      await this.table.deleteEntity(leaseKey(lease.clusterId), LEASE_ROW, { etag: lease.etag ?? "*" });
    } catch (e) {
      if (isStatus(e, 404)) return;
      if (isStatus(e, 412)) throw new ConcurrencyError(`lease of cluster ${lease.clusterId} changed since it was read`);
      throw e;
    }
  }

  private entity(lease: ClusterLease): Record<string, unknown> {
    const { etag: _e, ...fields } = lease;
    return Object.fromEntries(Object.entries({ partitionKey: leaseKey(lease.clusterId), rowKey: LEASE_ROW, ...fields }).filter(([, v]) => v !== undefined));
  }
}
