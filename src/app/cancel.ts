// POST /api/requests/{id}:cancel: no step starts after it; ARM writes already in flight finish
// (the runner keeps polling them); the request ends Canceled when none is left (request-state.ts).
import { statusOf } from "./accept.js";
import type { AppDeps } from "./deps.js";
import { settleCancel, updateRequest } from "./request-state.js";
import { isTerminal, type StatusDocument } from "./status.js";
import { traceIdOf } from "./trace.js";

export type CancelOutcome = { kind: "canceling" | "finished"; status: StatusDocument } | { kind: "notFound" };

export async function cancelRequest(deps: AppDeps, id: string): Promise<CancelOutcome> {
  const req = await deps.requests.getRequest(id);
  if (!req) return { kind: "notFound" };
  // Asking again is the same cancel; a request that finished otherwise has nothing left to cancel.
  if (isTerminal(req.state) && req.state !== "Canceled") return { kind: "finished", status: (await statusOf(deps, id))! };
  await updateRequest(deps, id, (r) => (isTerminal(r.state) || r.cancelRequestedAt ? undefined : { ...r, cancelRequestedAt: deps.now().toISOString() }));
  await settleCancel(deps, id);
  // Logged in the request's own trace, whoever called.
  deps.log(`cancel requested for request ${id}`, { requestId: id, ...(req.traceparent ? { traceId: traceIdOf(req.traceparent) } : {}) });
  const status = (await statusOf(deps, id))!;
  return { kind: isTerminal(status.state) && status.state !== "Canceled" ? "finished" : "canceling", status };
}
