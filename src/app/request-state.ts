// Request-row transitions, with ETag concurrency: parallel steps finishing at the same time each
// re-read and retry instead of overwriting each other.
import type { ErrorInfo, RequestRecord, RequestState } from "../state/request-store.js";
import type { AppDeps } from "./deps.js";
import { withRetryOnConflict } from "./optimistic.js";

function updateRequest(deps: AppDeps, id: string, change: (r: RequestRecord) => RequestRecord | undefined): Promise<void> {
  return withRetryOnConflict(`request ${id}`, async () => {
    const current = await deps.requests.getRequest(id);
    const next = current && change(current);
    if (next) await deps.requests.saveRequest({ ...next, updatedAt: deps.now().toISOString() });
  });
}

export const markRequestRunning = (deps: AppDeps, id: string) =>
  updateRequest(deps, id, (r) => (r.state === "Accepted" ? { ...r, state: "Running" } : undefined));

/** Terminal states are final: a late success never overwrites a failure. */
export const finishRequest = (deps: AppDeps, id: string, state: Extract<RequestState, "Succeeded" | "Failed">, error?: ErrorInfo, outputs?: Record<string, unknown>) =>
  updateRequest(deps, id, (r) =>
    r.state === "Succeeded" || r.state === "Failed" || r.state === "Rejected" ? undefined : { ...r, state, error, outputs: outputs ?? r.outputs },
  );
