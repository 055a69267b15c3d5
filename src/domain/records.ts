// The records the app keeps: a request and its steps, a cluster, its lease and node-image upgrades,
// a rate bucket. The app's store ports (src/app/stores.ts) read and write them; src/state keeps
// them in Table Storage. Plain data: no behaviour, no I/O.
import type { RequestedBy } from "./caller.js";
import type { ResourceRef } from "./step.js";
import type { HeldKind } from "./held-target.js";

/** A write that was started: what to resume, and the SDK poller's serialized state while it runs. */
export interface PendingWrite extends ResourceRef {
  method: "put" | "post" | "delete";
  action?: string;
  pollerState?: string;
}

export type RequestState = "Accepted" | "Running" | "Succeeded" | "Failed" | "Rejected" | "Canceled";
/** Canceled: the request was canceled before this step wrote anything (an ARM write in flight finishes instead). */
export type StepState = "Pending" | "Running" | "Succeeded" | "Failed" | "Canceled";

export interface ErrorInfo {
  code: string;
  message: string;
  details?: { path: string; message: string; source?: string }[];
}

export interface PlannedStep {
  name: string;
  dependsOn: string[];
  describe: string;
  resourceId?: string;
}

export interface RequestRecord {
  id: string;
  operation: string;
  target: string;
  state: RequestState;
  createdAt: string;
  updatedAt: string;
  /** The request as received (validated form), for re-planning in each invocation. */
  body: unknown;
  bodyHash: string;
  plan: PlannedStep[];
  warnings: string[];
  error?: ErrorInfo;
  outputs?: Record<string, unknown>;
  /** Set by POST /api/requests/{id}:cancel: no new step starts; the request ends Canceled once no ARM write is in flight. */
  cancelRequestedAt?: string;
  /** W3C trace context of the request's end-to-end transaction (every message and log line carries it). */
  traceparent?: string;
  /** A `delete` request: what the request it deletes recorded, as read when it was accepted. */
  source?: unknown;
  /**
   * The first messages of its steps could not be sent (Service Bus unreachable): the request is
   * Accepted and nothing ran. The message's redelivery, or a repeat POST, sends them and clears this.
   */
  notStarted?: { code: string; message: string; at: string; attempts: number };
  /** Who asked: from the caller's token, or the app itself (an event, the timer, the sweep). */
  requestedBy?: RequestedBy;
  etag?: string;
}

export interface StepRecord {
  requestId: string;
  name: string;
  state: StepState;
  /** Sequence number of the message that may act on this step next (older messages are stale). */
  seq: number;
  attempts: number;
  posts: number;
  writes: number;
  startedAt?: string;
  finishedAt?: string;
  waitingSince?: string;
  waitReason?: string;
  /** Queued behind another request that holds the cluster (cluster-lease.ts): since when, and which. */
  queuedSince?: string;
  waitingForRequest?: string;
  /** The cluster's lease, held by this step's request until then (as this step last saw it). */
  leaseUntil?: string;
  /** When the scheduled re-check message is due. */
  nextCheckAt?: string;
  resourceId?: string;
  /** Ids of the resources this step's writes brought into being (they did not exist before); what a `delete` removes. */
  created?: string[];
  operation?: PendingWrite;
  /**
   * A POST action claimed and about to be sent, until its answer is saved: the target's id and a
   * hash of what reading the target showed before. An action is not idempotent, so an attempt that
   * died after sending it must not send it again (run-step.ts settles it from the target).
   */
  postSent?: { id: string; action: string; before: string };
  error?: ErrorInfo;
  lastError?: ErrorInfo;
  outputs?: Record<string, unknown>;
  /** Times the step waited for ARM's rate limits (a paced deferral or a 429), and since when (cleared when a write goes out). */
  throttled?: number;
  throttledSince?: string;
  /** A slot reserved in the subscription's rate buckets: the step's write goes at this time. */
  paceSlotAt?: string;
  etag?: string;
}

export interface ClusterRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Absent for an AKS cluster; `privateLinkScope` for an Arc private link scope an arcPrivateLink request holds. */
  kind?: HeldKind;
  artifactSource?: string;
  containerRegistryId?: string;
  outboundType?: string;
  enableVnetIntegration?: boolean;
  enablePrivateCluster?: boolean;
  /** Counts the isolation-setting changes seen; node-image upgrades are keyed by it. */
  generation: number;
  /** The request that last changed these settings, when it was this app. */
  lastRequestId?: string;
  /** JSON: the latest AKS system-topic events by type ({ type: { time, data } }). */
  events?: string;
  /** JSON: the desired state (src/domain/desired-state.ts) the app holds this cluster to. */
  desired?: string;
  /** JSON: where ARM differs from it now (DriftEntry[]); absent when nothing drifted. */
  drift?: string;
  /** A maintenance window for automatic node-image upgrades, e.g. "Sat,Sun 01:00-05:00" (UTC). */
  maintenanceWindow?: string;
  updatedAt: string;
  etag?: string;
}

export interface ClusterLease {
  /** The cluster's ARM id as the request names it (the key is its lowercased form). */
  clusterId: string;
  /** The request (or node-image upgrade request) that holds the cluster. */
  owner: string;
  /** The owner's operation, for the status of those waiting behind it. */
  operation: string;
  acquiredAt: string;
  /** After this, another request may take the lease over (its owner stopped renewing it). */
  expiresAt: string;
  /** The owner this lease was taken over from, when it was. */
  takenOverFrom?: string;
  etag?: string;
}

export type UpgradeState = "Queued" | "Running" | "Succeeded" | "Failed";

export interface UpgradeRecord {
  clusterId: string;
  pool: string;
  /** The request that runs the upgrade: one request per change, so one upgrade per pool per change. */
  changeKey: string;
  reason: string;
  state: UpgradeState;
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  nodeImageVersion?: string;
  /** Set when AKS announced the rolling (NodePoolRolling* events). */
  rolling?: string;
  error?: string;
  etag?: string;
}

/** A bucket's stored state: its theoretical arrival time (ms since the epoch) and the row's ETag. */
export interface BucketState {
  tat: number;
  etag?: string;
}
