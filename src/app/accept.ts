// Intake: validate the whole request before anything is written to ARM, plan it, write its rows,
// and send the messages of the steps that can start. Used by the HTTP trigger, the
// `cluster-requests` queue trigger and the local CLI alike.
import { createHash, randomUUID } from "node:crypto";
import type { ClusterRequest } from "../domain/contract.js";
import { planRequest, PlanningError, readySteps } from "../domain/plan.js";
import type { Plan } from "../domain/step.js";
import { parseJson, validateRequest } from "../domain/validate.js";
import type { ValidationError } from "../domain/rules.js";
import type { RequestRecord, StepRecord } from "../state/request-store.js";
import type { AppDeps } from "./deps.js";
import { sendFirstMessages } from "./run-step.js";
import { statusDocument, type StatusDocument } from "./status.js";

export type AcceptOutcome =
  | { kind: "accepted" | "existing"; status: StatusDocument }
  | { kind: "rejected"; status: StatusDocument; errors: ValidationError[] }
  | { kind: "conflict"; status: StatusDocument; message: string };

export interface PlanDocument {
  operation: string;
  target: string;
  warnings: string[];
  steps: { name: string; dependsOn: string[]; writes: string; resourceId?: string }[];
}

/** Validates and plans without writing anything (`?whatIf=true`, `--plan`). */
export function whatIf(raw: unknown): { ok: true; plan: PlanDocument } | { ok: false; errors: ValidationError[] } {
  const checked = validateAndPlan(raw);
  if (!checked.ok) return checked;
  return { ok: true, plan: planDocument(checked.request, checked.plan) };
}

export function planDocument(req: ClusterRequest, plan: Plan): PlanDocument {
  return {
    operation: req.operation,
    target: plan.target,
    warnings: plan.warnings,
    steps: plan.steps.map((s) => ({ name: s.name, dependsOn: s.dependsOn, writes: s.describe, resourceId: s.resourceId })),
  };
}

function validateAndPlan(raw: unknown): { ok: true; request: ClusterRequest; plan: Plan } | { ok: false; errors: ValidationError[] } {
  const v = validateRequest(raw);
  if (!v.ok) return v;
  try {
    return { ok: true, request: v.request, plan: planRequest(v.request) };
  } catch (e) {
    if (e instanceof PlanningError) return { ok: false, errors: [{ path: e.path, message: e.message }] };
    throw e;
  }
}

/** Accepts a request body (already parsed JSON). `fallbackId` names a rejected request that has no usable requestId. */
export async function acceptRequest(deps: AppDeps, raw: unknown, fallbackId?: string, parseErrors?: ValidationError[]): Promise<AcceptOutcome> {
  const now = deps.now().toISOString();
  if (parseErrors) return reject(deps, raw, parseErrors, fallbackId);
  const checked = validateAndPlan(raw);
  if (!checked.ok) return reject(deps, raw, checked.errors, fallbackId);

  const { request, plan } = checked;
  const id = request.requestId ?? randomUUID();
  const bodyHash = hashOf(request);
  const existing = await deps.requests.getRequest(id);
  if (existing) return answerExisting(deps, existing, bodyHash);

  const rec: RequestRecord = {
    id,
    operation: request.operation,
    target: plan.target,
    state: "Accepted",
    createdAt: now,
    updatedAt: now,
    body: request,
    bodyHash,
    plan: plan.steps.map((s) => ({ name: s.name, dependsOn: s.dependsOn, describe: s.describe, resourceId: s.resourceId })),
    warnings: plan.warnings,
  };
  const steps: StepRecord[] = plan.steps.map((s) => ({ requestId: id, name: s.name, state: "Pending", seq: 0, attempts: 0, posts: 0, writes: 0, resourceId: s.resourceId }));
  if (!(await deps.requests.create(rec, steps))) return answerExisting(deps, (await deps.requests.getRequest(id))!, bodyHash);
  await startSteps(deps, id, plan);
  deps.log(`accepted ${request.operation} request ${id} with ${plan.steps.length} steps`);
  return { kind: "accepted", status: (await statusOf(deps, id))! };
}

/** Parses a queue message body: JSON text or an already-decoded object. */
export function parseMessageBody(body: unknown): { ok: true; value: unknown } | { ok: false; errors: ValidationError[] } {
  if (typeof body === "string") return parseJson(body);
  if (body instanceof Uint8Array) return parseJson(Buffer.from(body).toString("utf8"));
  return { ok: true, value: body };
}

async function answerExisting(deps: AppDeps, existing: RequestRecord, bodyHash: string): Promise<AcceptOutcome> {
  const status = (await statusOf(deps, existing.id))!;
  if (existing.state === "Rejected") return { kind: "existing", status };
  if (existing.bodyHash !== bodyHash)
    return { kind: "conflict", status, message: `request ${existing.id} exists with a different body: a requestId names one request` };
  // The first intake may have crashed between writing the rows and sending the first messages.
  if (existing.state === "Accepted") await startSteps(deps, existing.id, planRequest(existing.body as ClusterRequest));
  return { kind: "existing", status };
}

async function startSteps(deps: AppDeps, id: string, plan: Plan): Promise<void> {
  await sendFirstMessages(deps, id, readySteps(plan.steps, new Set(), new Set()).map((s) => s.name));
}

async function reject(deps: AppDeps, raw: unknown, errors: ValidationError[], fallbackId?: string): Promise<AcceptOutcome> {
  const asObj = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const given = typeof asObj.requestId === "string" && /^[A-Za-z0-9._:-]{1,100}$/.test(asObj.requestId) ? asObj.requestId : undefined;
  const id = given ?? fallbackId ?? randomUUID();
  const now = deps.now().toISOString();
  const rec: RequestRecord = {
    id,
    operation: typeof asObj.operation === "string" ? asObj.operation : "unknown",
    target: "",
    state: "Rejected",
    createdAt: now,
    updatedAt: now,
    body: raw,
    bodyHash: hashOf(raw),
    plan: [],
    warnings: [],
    error: { code: "ValidationFailed", message: `the request has ${errors.length} problem(s); nothing was written`, details: errors },
  };
  if (!(await deps.requests.createRejected(rec))) {
    const existing = (await deps.requests.getRequest(id))!;
    if (existing.state !== "Rejected") return { kind: "conflict", status: (await statusOf(deps, id))!, message: `request ${id} exists and this body is invalid` };
  }
  deps.log(`rejected request ${id}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return { kind: "rejected", status: (await statusOf(deps, id))!, errors };
}

export async function statusOf(deps: AppDeps, id: string): Promise<StatusDocument | undefined> {
  const req = await deps.requests.getRequest(id);
  if (!req) return undefined;
  return statusDocument(req, req.plan.length ? await deps.requests.getSteps(id) : []);
}

function hashOf(v: unknown): string {
  return createHash("sha256").update(JSON.stringify(v ?? null)).digest("hex");
}
