// Request-row transitions, with ETag concurrency: parallel steps finishing at the same time each
// re-read and retry instead of overwriting each other.
import { ConcurrencyError, type ErrorInfo, type RequestRecord, type RequestState } from "../state/request-store.js";
import type { AppDeps } from "./deps.js";

async function updateRequest(deps: AppDeps, id: string, change: (r: RequestRecord) => RequestRecord | undefined): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const current = await deps.requests.getRequest(id);
    if (!current) return;
    const next = change(current);
    if (!next) return;
    try {
      await deps.requests.saveRequest({ ...next, updatedAt: deps.now().toISOString() });
      return;
    } catch (e) {
      if (!(e instanceof ConcurrencyError)) throw e;
    }
  }
  throw new ConcurrencyError(`request ${id}: too much contention on the request row`);
}

export const markRequestRunning = (deps: AppDeps, id: string) =>
  updateRequest(deps, id, (r) => (r.state === "Accepted" ? { ...r, state: "Running" } : undefined));

/** Terminal states are final: a late success never overwrites a failure. */
export const finishRequest = (deps: AppDeps, id: string, state: Extract<RequestState, "Succeeded" | "Failed">, error?: ErrorInfo, outputs?: Record<string, unknown>) =>
  updateRequest(deps, id, (r) =>
    r.state === "Succeeded" || r.state === "Failed" || r.state === "Rejected" ? undefined : { ...r, state, error, outputs: outputs ?? r.outputs },
  );
