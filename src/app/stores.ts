// The stores the app keeps its records in, as ports (src/state implements them on Table Storage).
// Every conditional write that finds its row changed since it was read throws ConcurrencyError
// (src/app/optimistic.ts): the caller reads again and retries, or leaves the work to whoever won.
import type { HeldKind } from "../domain/held-target.js";
import type { RateBucket } from "../domain/arm-limits.js";
import type { BucketState, ClusterLease, ClusterRecord, RequestRecord, RequestState, StepRecord, UpgradeRecord } from "../domain/records.js";

/** A request row without what a list never shows (its body, plan and hash). */
/** What a list shows of a request: short fields only, never a body, plan or error. */
export type RequestListRow = Pick<RequestRecord, "id" | "operation" | "target" | "state" | "createdAt" | "updatedAt" | "requestedBy">;
/** A list's rows and how many rows could not be read (skipped, not fatal). */
export interface RequestList {
  rows: RequestListRow[];
  unreadable: number;
}

/** Requests and their steps: one partition per request, one row per step. */
export interface RequestStore {
  /** Creates the step rows, then the request row; false when the request exists. */
  create(rec: RequestRecord, steps: StepRecord[]): Promise<boolean>;
  /** A rejected request is a single row: it has no steps. False when the id is taken. */
  createRejected(rec: RequestRecord): Promise<boolean>;
  /** Replaces a Rejected request's row with the latest rejection of the same id. */
  replaceRejected(rec: RequestRecord, etag: string | undefined): Promise<void>;
  /** Removes a Rejected request's row so that a corrected body can take its id. */
  deleteRejected(rec: RequestRecord): Promise<void>;
  getRequest(id: string): Promise<RequestRecord | undefined>;
  getSteps(id: string): Promise<StepRecord[]>;
  getStep(id: string, name: string): Promise<StepRecord | undefined>;
  /** Request rows, optionally of one state; at most `limit` are read. */
  listRequests(state: RequestState | undefined, limit: number): Promise<RequestList>;
  /** Replaces the step row if nobody changed it since it was read; returns the new ETag. */
  saveStep(rec: StepRecord): Promise<string>;
  saveRequest(rec: RequestRecord): Promise<string>;
}

/** Per-cluster state, keyed by subscription / resource group / name. */
export interface ClusterStore {
  /** `kind`: a held Arc private link scope's row rather than a cluster's (domain/held-target.ts). */
  get(sub: string, rg: string, name: string, kind?: HeldKind): Promise<ClusterRecord | undefined>;
  list(): Promise<ClusterRecord[]>;
  /** Writes the record: a new row when it has no ETag, else only if unchanged since read. */
  save(rec: ClusterRecord): Promise<void>;
  /** Forgets a cluster (it was deleted); a row that is not there is fine. With `etag`, only if unchanged since read (else ConcurrencyError). */
  remove(sub: string, rg: string, name: string, kind?: HeldKind, etag?: string): Promise<void>;
}

/** Node-image upgrades, one row per (cluster, change, pool). */
export interface UpgradeStore {
  /** Creates the row unless it exists; true when this call created it. */
  createIfMissing(rec: UpgradeRecord): Promise<boolean>;
  get(clusterId: string, changeKey: string, pool: string): Promise<UpgradeRecord | undefined>;
  listForCluster(clusterId: string): Promise<UpgradeRecord[]>;
  save(rec: UpgradeRecord): Promise<string>;
}

/** Cluster leases: one per cluster, every change conditional. */
export interface LeaseStore {
  get(clusterId: string): Promise<ClusterLease | undefined>;
  /** Creates the lease when the cluster has none; ConcurrencyError when it has one. */
  create(lease: ClusterLease): Promise<ClusterLease>;
  /** Replaces the lease read with `lease.etag`; ConcurrencyError when it changed or went. */
  replace(lease: ClusterLease): Promise<ClusterLease>;
  /** Removes the lease read with `lease.etag`; ConcurrencyError when it changed (a lease already gone is fine). */
  remove(lease: ClusterLease): Promise<void>;
}

/** The shared rate buckets of pacing (src/app/arm-pacing.ts). */
export interface PacingStore {
  get(subscription: string, bucket: RateBucket): Promise<BucketState | undefined>;
  /** Saves only if the row is unchanged since read (else ConcurrencyError); no ETag: only if new. */
  save(subscription: string, bucket: RateBucket, state: BucketState): Promise<void>;
}
