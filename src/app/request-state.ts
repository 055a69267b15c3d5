// Request-row transitions, with ETag concurrency: parallel steps finishing at the same time each
// re-read and retry instead of overwriting each other.
import type { ErrorInfo, RequestRecord, RequestState } from "../domain/records.js";
import type { AppDeps } from "./deps.js";
import { withRetryOnConflict } from "./optimistic.js";
import { isTerminal } from "./status.js";
import { releaseClusterLease } from "./cluster-lease.js";
import { holdDesiredState, releaseMadeBy } from "./drift.js";
import type { DeleteRequest } from "../domain/contract.js";

export function updateRequest(deps: AppDeps, id: string, change: (r: RequestRecord) => RequestRecord | undefined): Promise<void> {
  return withRetryOnConflict(`request ${id}`, async () => {
    const current = await deps.requests.getRequest(id);
    const next = current && change(current);
    if (next) await deps.requests.saveRequest({ ...next, updatedAt: deps.now().toISOString() });
  });
}

export async function markRequestRunning(deps: AppDeps, id: string): Promise<void> {
  await updateRequest(deps, id, (r) => (r.state === "Accepted" ? { ...r, state: "Running" } : undefined));
}

/**
 * A delete's own removals are not drift: what it removes stops being held before its first steps
 * are sent (accept.ts), and again at its end.
 */
export const releaseDeleted = (deps: AppDeps, req: RequestRecord) => (req.operation === "delete" ? releaseMadeBy(deps, (req.body as DeleteRequest).deletes) : Promise.resolve());

/**
 * Terminal states are final: a late success never overwrites a failure. A request that has ended
 * gives its cluster back (again, harmlessly, when its last message is redelivered).
 */
export async function finishRequest(deps: AppDeps, id: string, state: Extract<RequestState, "Succeeded" | "Failed" | "Canceled">, error?: ErrorInfo, outputs?: Record<string, unknown>): Promise<void> {
  let finished: RequestRecord | undefined;
  await updateRequest(deps, id, (r) => {
    finished = r;
    return isTerminal(r.state) ? undefined : { ...r, state, error, outputs: outputs ?? r.outputs };
  });
  if (!finished) return;
  // Before the lease goes: what it established is held before anyone else may change the cluster.
  // A repeat (the last message redelivered) after a Succeeded that was recorded finds it held.
  if (state === "Succeeded" && (finished.state === "Succeeded" || !isTerminal(finished.state))) await holdDesiredState(deps, finished);
  // Again at its end: what a restore that was already running made meanwhile is released too.
  await releaseDeleted(deps, finished);
  await releaseClusterLease(deps, id, finished.target);
}

/**
 * A cancel-requested request ends Canceled once no step has an ARM write in flight (those finish:
 * ARM offers no way to stop them, and abandoning one would leave its resource half-known).
 */
export async function settleCancel(deps: AppDeps, id: string): Promise<void> {
  const rows = await deps.requests.getSteps(id);
  if (rows.some((r) => r.state === "Running" && r.operation?.pollerState)) return;
  await finishRequest(deps, id, "Canceled");
}
