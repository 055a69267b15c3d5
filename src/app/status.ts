// The status document of the contract: GET /api/requests/{id} and `provision --json`.
import type { ErrorInfo, RequestRecord, StepRecord, StepState } from "../state/request-store.js";

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
  nextCheckAt?: string;
  armWrites: number;
}

/** The contract's status document: the request row's public fields, its steps, its warnings. */
export interface StatusDocument extends Pick<RequestRecord, "id" | "operation" | "target" | "state" | "createdAt" | "updatedAt" | "error" | "outputs"> {
  steps: StepStatus[];
  warnings?: string[];
}

export function statusDocument(req: RequestRecord, rows: StepRecord[]): StatusDocument {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const steps = req.plan.map((p): StepStatus => {
    const r = byName.get(p.name);
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
      waitingFor: r?.state === "Running" ? r?.waitReason : undefined,
      nextCheckAt: r?.state === "Running" ? r?.nextCheckAt : undefined,
      armWrites: r?.writes ?? 0,
    });
  });
  return clean({
    id: req.id,
    operation: req.operation,
    target: req.target,
    state: req.state,
    createdAt: req.createdAt,
    updatedAt: [req.updatedAt, ...rows.map((r) => r.finishedAt ?? r.startedAt ?? "")].sort().at(-1)!,
    steps,
    error: req.error,
    outputs: req.outputs,
    warnings: req.warnings?.length ? req.warnings : undefined,
  });
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
