// The status document of the contract (GET /api/requests/{id}, `provision --json`), which is also
// the status monitor of the Azure REST API guidelines for long-running operations: `status` and an
// `error` with `target` and `details[]` sit beside the contract's own `state`, which stays.
import type { ErrorInfo, RequestRecord, RequestState, StepRecord, StepState } from "../domain/records.js";

export interface StepStatus {
  name: string;
  state: StepState;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  resourceId?: string;
  error?: ErrorInfo;
  // Extensions beyond the v1 contract: what the step does and waits for, and its retries.
  dependsOn: string[];
  description: string;
  lastError?: ErrorInfo;
  waitingFor?: string;
  /** The request this step is queued behind: it holds the cluster (one writer per cluster). */
  waitingForRequest?: string;
  nextCheckAt?: string;
  armWrites: number;
  /** Times the step waited for ARM's rate limits (paced or answered 429). */
  throttled?: number;
}

/** The status values of the Azure REST API guidelines' status monitor. */
export type OperationStatus = "NotStarted" | "Running" | "Succeeded" | "Failed" | "Canceled";

export const OPERATION_STATUS: Record<RequestState, OperationStatus> = {
  Accepted: "NotStarted",
  Running: "Running",
  Succeeded: "Succeeded",
  Failed: "Failed",
  Rejected: "Failed",
  Canceled: "Canceled",
};

export const TERMINAL_STATES: readonly RequestState[] = ["Succeeded", "Failed", "Rejected", "Canceled"];
export const isTerminal = (state: RequestState) => TERMINAL_STATES.includes(state);

/** An error as the Azure REST API guidelines shape it; `path` and `source` are the contract's. */
export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  path?: string;
  source?: string;
}
export interface ApiError {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
}

/** The contract's status document: the request row's public fields, its steps, its warnings. */
export interface StatusDocument extends Pick<RequestRecord, "id" | "operation" | "target" | "state" | "createdAt" | "updatedAt" | "outputs" | "cancelRequestedAt" | "requestedBy"> {
  status: OperationStatus;
  steps: StepStatus[];
  error?: ApiError;
  warnings?: string[];
  /** Why an Accepted request has not started (its first messages could not be sent), and what starts it. */
  waitingFor?: string;
  lastError?: ErrorInfo;
}

export function statusDocument(req: RequestRecord, rows: StepRecord[]): StatusDocument {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const steps = req.plan.map((p): StepStatus => {
    const r = byName.get(p.name);
    const active = r?.state === "Running" || r?.state === "Pending";
    return clean({
      name: p.name,
      state: r?.state ?? "Pending",
      attempts: r?.attempts ?? 0,
      startedAt: r?.startedAt,
      finishedAt: r?.finishedAt,
      resourceId: r?.resourceId ?? p.resourceId,
      error: r?.error,
      dependsOn: p.dependsOn,
      description: p.describe,
      lastError: r?.state === "Succeeded" ? undefined : r?.lastError,
      // A step queued behind another request for its cluster waits before it starts (still Pending).
      waitingFor: active ? r?.waitReason : undefined,
      waitingForRequest: active ? r?.waitingForRequest : undefined,
      nextCheckAt: active ? r?.nextCheckAt : undefined,
      armWrites: r?.writes ?? 0,
      throttled: r?.throttled,
    });
  });
  return clean({
    id: req.id,
    operation: req.operation,
    target: req.target,
    state: req.state,
    status: OPERATION_STATUS[req.state],
    createdAt: req.createdAt,
    updatedAt: [req.updatedAt, ...rows.map((r) => r.finishedAt ?? r.startedAt ?? "")].sort().at(-1)!,
    cancelRequestedAt: req.cancelRequestedAt,
    requestedBy: req.requestedBy,
    steps,
    error: req.error && apiError(req.error, steps),
    outputs: req.outputs,
    warnings: req.warnings?.length ? req.warnings : undefined,
    ...(req.state === "Accepted" && req.notStarted
      ? {
          waitingFor: `not started: the first send of its steps failed ${req.notStarted.attempts} time(s), last at ${req.notStarted.at}; Service Bus's redelivery of the message, or the same POST again, starts it`,
          lastError: { code: req.notStarted.code, message: req.notStarted.message },
        }
      : {}),
  });
}

/**
 * The guidelines' error: validation problems become details targeting their field path; a failed
 * step is the target (its resource id, or its name), with ARM's code and message as the detail.
 */
function apiError(e: ErrorInfo, steps: StepStatus[]): ApiError {
  const failed = steps.find((s) => s.state === "Failed" && s.error);
  const details: ErrorDetail[] = e.details
    ? e.details.map((d) => clean({ code: "InvalidValue", message: d.message, target: d.path, path: d.path, source: d.source }))
    : failed
      ? [{ code: failed.error!.code, message: failed.error!.message, target: failed.resourceId ?? failed.name }]
      : [];
  return clean({ code: e.code, message: e.message, target: failed ? (failed.resourceId ?? failed.name) : undefined, details });
}

/** Seconds until the next step re-check is due (the `Retry-After` of the status monitor); undefined when finished. */
export function retryAfterSeconds(doc: StatusDocument, now: Date): number | undefined {
  if (isTerminal(doc.state)) return undefined;
  const due = doc.steps.map((s) => (s.nextCheckAt ? Date.parse(s.nextCheckAt) : NaN)).filter(Number.isFinite);
  const next = due.length ? Math.min(...due) : now.getTime();
  return Math.min(60, Math.max(1, Math.ceil((next - now.getTime()) / 1000)));
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
