// Long-running operations as ARM runs them: an operation id per write or action, a status resource
// at {endpoint}/subscriptions/{s}/providers/{Ns}/locations/{location}/operations/{id} (the URL of
// the Azure-AsyncOperation header), and for actions a result at …/operationresults/{id} (the
// Location header). Completion is evaluated lazily on every read: no timers, so a test's clock is
// the only clock, and an operation's "on done" runs exactly once, in completion order.
import { randomUUID } from "node:crypto";
import { ArmError } from "./errors.js";
import { isSameOrUnder } from "./ids.js";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

/**
 * A test fault: the next `times` (default 1) operations started on a resource whose id matches
 * `resourceId` end `status` with ARM's error code and message, as an AKS create that hits a quota
 * or is canceled by another client does, instead of succeeding.
 */
export interface OperationFault {
  resourceId?: RegExp;
  status: "Failed" | "Canceled";
  code: string;
  message: string;
  times?: number;
}

export interface Operation {
  id: string;
  /** The resource the operation runs on. */
  resourceId: string;
  /** The id the operation holds busy: the resource itself, or its parent for types ARM serialises per parent. */
  lockId: string;
  /** What ARM calls the operation in its 409 messages ("update managed cluster", "upgrade node image version"). */
  label: string;
  namespace: string;
  subscription: string;
  location: string;
  startedAt: number;
  doneAt: number;
  status: OperationStatus;
  error?: { code: string; message: string };
  /** Runs once when the time has come; an ArmError thrown here fails the operation. */
  complete: () => void;
  /** Runs instead of complete when an injected fault ends the operation. */
  abort?: (status: "Failed" | "Canceled") => void;
  /** The outcome an injected fault chose at the start. */
  fault?: { status: "Failed" | "Canceled"; error: { code: string; message: string } };
  /** For actions: the body of the operation result (the Location URL) once done; undefined = 204. */
  result?: () => unknown;
}

export interface OperationSpec {
  resourceId: string;
  lockId?: string;
  label: string;
  namespace: string;
  subscription: string;
  location: string;
  durationMs: number;
  complete: () => void;
  /** Runs instead of complete when an injected fault ends the operation (Failed or Canceled). */
  abort?: (status: "Failed" | "Canceled") => void;
  result?: () => unknown;
}

export class Operations {
  private readonly ops = new Map<string, Operation>();
  /** The operations still InProgress: what every request checks, kept apart from the (growing) history. */
  private readonly running = new Set<Operation>();
  private readonly faults: (OperationFault & { left: number })[] = [];

  constructor(
    private readonly now: () => number,
    private readonly timeScale: number,
  ) {}

  addFault(rule: OperationFault): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  start(spec: OperationSpec): Operation {
    const startedAt = this.now();
    const fault = this.faults.find((f) => f.left > 0 && (!f.resourceId || f.resourceId.test(spec.resourceId)));
    if (fault) fault.left--;
    const op: Operation = {
      id: randomUUID(),
      resourceId: spec.resourceId,
      lockId: spec.lockId ?? spec.resourceId,
      label: spec.label,
      namespace: spec.namespace,
      subscription: spec.subscription,
      location: spec.location.toLowerCase().replace(/\s+/g, ""),
      startedAt,
      doneAt: startedAt + Math.max(0, spec.durationMs * this.timeScale),
      status: "InProgress",
      complete: spec.complete,
      abort: spec.abort,
      fault: fault && { status: fault.status, error: { code: fault.code, message: fault.message } },
      result: spec.result,
    };
    this.ops.set(op.id.toLowerCase(), op);
    this.running.add(op);
    return op;
  }

  /** Every operation started so far, in order. */
  all(): Operation[] {
    return [...this.ops.values()];
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  /** Completes every operation whose time has come, earliest first. */
  settle(): void {
    const now = this.now();
    const due = [...this.running].filter((op) => op.doneAt <= now).sort((a, b) => a.doneAt - b.doneAt);
    for (const op of due) {
      if (op.fault) {
        op.status = op.fault.status;
        op.error = op.fault.error;
        op.abort?.(op.fault.status);
        this.running.delete(op);
        continue;
      }
      try {
        op.complete();
        op.status = "Succeeded";
      } catch (e) {
        if (!(e instanceof ArmError)) throw e;
        op.status = "Failed";
        op.error = { code: e.code, message: e.message };
      }
      this.running.delete(op);
    }
  }

  /**
   * The running operation that keeps a write on `id` waiting: one on the resource itself, on an
   * ancestor (a pool while its cluster updates, a subnet while its VNet updates) or on a
   * descendant (a cluster while one of its pools upgrades).
   */
  blocking(id: string): Operation | undefined {
    return [...this.running].find((op) => isSameOrUnder(id, op.lockId) || isSameOrUnder(op.lockId, id) || isSameOrUnder(op.resourceId, id));
  }

  /** The running operation on exactly this resource. */
  runningOn(id: string): Operation | undefined {
    return [...this.running].find((op) => isSameOrUnder(id, op.resourceId) && isSameOrUnder(op.resourceId, id));
  }

  statusUrl(endpoint: string, op: Operation, apiVersion: string): string {
    return `${endpoint}/subscriptions/${op.subscription}/providers/${op.namespace}/locations/${op.location}/operations/${op.id}?api-version=${apiVersion}`;
  }

  resultUrl(endpoint: string, op: Operation, apiVersion: string): string {
    return `${endpoint}/subscriptions/${op.subscription}/providers/${op.namespace}/locations/${op.location}/operationresults/${op.id}?api-version=${apiVersion}`;
  }

  /**
   * Retry-After (whole seconds, at least 1: what ARM sends and what core-lro reads) and
   * retry-after-ms (the real remaining time at this time scale, at least 50 ms) for a poller that
   * wants to come back exactly when the operation will be done.
   */
  retryHeaders(op: Operation): Record<string, string> {
    const remaining = Math.max(0, op.doneAt - this.now());
    return { "retry-after": String(Math.max(1, Math.ceil(remaining / 1000))), "retry-after-ms": String(Math.max(50, Math.round(remaining))) };
  }

  /** The operation status resource (GET on the Azure-AsyncOperation URL). */
  statusDocument(op: Operation, path: string): Record<string, unknown> {
    return {
      id: path,
      name: op.id,
      status: op.status,
      startTime: new Date(op.startedAt).toISOString(),
      ...(op.status !== "InProgress" ? { endTime: new Date(Math.max(op.doneAt, op.startedAt)).toISOString() } : {}),
      ...(op.error ? { error: op.error } : {}),
    };
  }
}
