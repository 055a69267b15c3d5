// Intake: validate the whole request before anything is written to ARM, plan it, write its rows,
// and send the messages of the steps that can start. Used by the HTTP trigger, the
// `cluster-requests` queue trigger and the local CLI alike.
import { createHash, randomUUID } from "node:crypto";
import { REQUEST_ID, restoredRequest, type ClusterRequest } from "../domain/contract.js";
import { checkDecoded } from "../domain/limits.js";
import { planRequest, PlanningError, readySteps } from "../domain/plan.js";
import type { DeleteSource } from "../domain/plans/delete.js";
import type { Plan } from "../domain/step.js";
import { parseJson, validateRequest, type Validation, type ValidationOptions } from "../domain/validate.js";
import type { ValidationError } from "../domain/validation-error.js";
import type { RequestRecord, StepRecord } from "../domain/records.js";
import type { AppDeps } from "./deps.js";
import { resolveDeleteSource } from "./delete-source.js";
import { dryRun, type DryRunEntry } from "./dry-run.js";
import { planOf } from "./plan-of.js";
import { sendFirstMessages } from "./run-step.js";
import { releaseDeleted, updateRequest } from "./request-state.js";
import { restoreAwaited } from "./drift.js";
import { redact } from "../domain/redact.js";
import { statusDocument, type StatusDocument } from "./status.js";
import { referencedResources } from "../domain/scopes.js";
import { authorizeRequest, describeRequester, LOCAL_CALLER, mayActOn, maySee, writeRefusal, type Caller, type CallerPolicy, type RequestedBy } from "../domain/caller.js";

export type AcceptOutcome =
  | { kind: "accepted" | "existing"; status: StatusDocument }
  | { kind: "rejected"; status: StatusDocument; errors: ValidationError[] }
  /** The id names another request (whose status only a caller who may see it is shown). */
  | { kind: "conflict"; status: StatusDocument; message: string }
  /** Its rows are written but its first messages could not be sent: a redelivery or a repeat POST starts it. */
  | { kind: "notStarted"; status: StatusDocument; message: string }
  /** The caller may not make it (CALLER_POLICY): recorded as Rejected for a queue message only (over HTTP the 403 says it). */
  | { kind: "forbidden"; errors: ValidationError[]; status: StatusDocument };

/**
 * Who is asking. `caller` undefined: the caller could not be established (`unauthenticated` says
 * why); with the token check off, the one local caller with every right.
 */
export interface Access {
  caller?: Caller;
  unauthenticated?: string;
}

export interface PlanDocument {
  operation: string;
  target: string;
  warnings: string[];
  steps: { name: string; dependsOn: string[]; writes: string; resourceId?: string }[];
  /** A `delete`: what each step would do to what exists now (the exact delete list). */
  deletes?: DryRunEntry[];
}

/**
 * Validates and plans without writing anything (`?whatIf=true`, `--plan`): the same checks as an
 * intake. A `delete` needs `deps`: its plan comes from the recorded request it deletes, and its list
 * from what ARM holds now.
 */
export async function whatIf(
  raw: unknown,
  opts: ValidationOptions = {},
  deps?: AppDeps,
  access: { caller: Caller; policy?: CallerPolicy } = { caller: LOCAL_CALLER },
): Promise<{ ok: true; plan: PlanDocument } | { ok: false; errors: ValidationError[]; forbidden?: boolean }> {
  const given = validateRequest(raw, opts);
  // The caller's rights first: a plan is not shown to someone who may not make the request.
  if (given.ok) {
    const refused = await refusalsFor(deps, access.caller, given.request, access.policy);
    if (refused.errors.length) return { ok: false, errors: refused.errors, forbidden: refused.forbidden };
  }
  const checked = await planValidated(given, opts, deps);
  if (!checked.ok) return checked;
  const plan = planDocument(checked.request, checked.plan);
  if (checked.request.operation === "delete" && deps) plan.deletes = await dryRun(deps, checked.request, checked.plan);
  return { ok: true, plan };
}

export function planDocument(req: ClusterRequest, plan: Plan): PlanDocument {
  return {
    operation: req.operation,
    target: plan.target,
    warnings: plan.warnings,
    steps: plan.steps.map((s) => ({ name: s.name, dependsOn: s.dependsOn, writes: s.describe, resourceId: s.resourceId })),
  };
}

type Checked = { ok: true; request: ClusterRequest; plan: Plan; source?: DeleteSource } | { ok: false; errors: ValidationError[] };

/**
 * What keeps the caller from this request (CALLER_POLICY): the operation or a resource outside its
 * roles (`forbidden`), or — a delete — a request it may not see, answered as if unknown.
 */
async function refusalsFor(deps: AppDeps | undefined, caller: Caller, req: ClusterRequest, policy: CallerPolicy | undefined): Promise<{ errors: ValidationError[]; forbidden: boolean }> {
  const errors = authorizeRequest(caller, req, policy);
  if (errors.length || req.operation !== "delete" || caller.unrestricted) return { errors, forbidden: errors.length > 0 };
  const original = await deps?.requests.getRequest(req.deletes);
  if (!original || !maySee(caller, original, policy)) return { errors: [{ path: "deletes", message: `no request with id '${req.deletes}' is known` }], forbidden: false };
  if (!mayActOn(caller, original, "delete", policy))
    return { errors: [{ path: "deletes", message: `request '${req.deletes}' is not this caller's to delete (its own requests only, or a role with requests "scopes" over its target)`, source: "CALLER_POLICY setting" }], forbidden: true };
  return { errors: [], forbidden: false };
}

/** What a record keeps of the caller: who, how, with which roles (never the token). */
export const requesterOf = ({ via, objectId, appId, userPrincipalName, displayName, roles }: Caller): RequestedBy =>
  JSON.parse(JSON.stringify({ via, objectId, appId, userPrincipalName, displayName, roles: roles?.length ? roles : undefined }));

async function planValidated(v: Validation, opts: ValidationOptions, deps?: AppDeps): Promise<Checked> {
  if (!v.ok) return v;
  let source: DeleteSource | undefined;
  if (v.request.operation === "delete") {
    if (!deps) return { ok: false, errors: [{ path: "deletes", message: "a delete is planned from the recorded request it deletes: ask the running app (POST /api/requests?whatIf=true)" }] };
    const resolved = await resolveDeleteSource(deps, v.request, opts.allowedScopes);
    if (!resolved.ok) return resolved;
    source = resolved.source;
  }
  try {
    return { ok: true, request: v.request, plan: planRequest(v.request, source), source };
  } catch (e) {
    if (e instanceof PlanningError) return { ok: false, errors: [{ path: e.path, message: e.message }] };
    throw e;
  }
}

/** Accepts a request body (already parsed JSON). `fallbackId` names a rejected request that has no usable requestId. */
export async function acceptRequest(deps: AppDeps, raw: unknown, fallbackId?: string, parseErrors?: ValidationError[], access: Access = {}): Promise<AcceptOutcome> {
  const now = deps.now().toISOString();
  const caller = access.caller ?? (deps.settings.auth ? undefined : LOCAL_CALLER);
  // Who asks comes first: an unauthenticated message is recorded Rejected and nothing else is looked at.
  if (!caller) return reject(deps, raw, [{ path: "authorization", message: access.unauthenticated ?? "the caller could not be established" }], fallbackId, { code: "Unauthenticated" });
  const requestedBy = requesterOf(caller);
  if (parseErrors) return reject(deps, raw, parseErrors, fallbackId, { requestedBy, caller });
  const opts = { allowedScopes: deps.settings.allowedScopes };
  const given = validateRequest(raw, opts);
  const forbid = async (req: ClusterRequest, errors: ValidationError[], target: string): Promise<AcceptOutcome> => {
    deps.log(`refused ${req.operation} for ${describeRequester(requestedBy)}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ").slice(0, 2000)}`, { level: "warning", requestedBy: describeRequester(requestedBy) });
    // Over HTTP the 403 is the answer; a queue message has no one to answer, so its request shows Rejected.
    const refusal = await reject(deps, raw, errors, fallbackId, { code: "Forbidden", requestedBy, caller, target, record: caller.via === "queue" });
    return { kind: "forbidden", errors, status: refusal.status };
  };
  if (given.ok) {
    const refused = await refusalsFor(deps, caller, given.request, deps.settings.callerPolicy);
    if (refused.forbidden) return forbid(given.request, refused.errors, referencedResources(given.request)[0]?.id ?? "");
    if (refused.errors.length) return reject(deps, raw, refused.errors, fallbackId, { requestedBy, caller });
  }
  // A request that exists (and was not rejected) is answered from its record: a delete's source is
  // not read again.
  const known = given.ok && given.request.requestId ? await deps.requests.getRequest(given.request.requestId) : undefined;
  if (known && known.state !== "Rejected" && given.ok) return answerExisting(deps, known, canonicalHash(given.request), caller);
  const checked = await planValidated(given, opts, deps);
  if (!checked.ok) return reject(deps, raw, checked.errors, fallbackId, { requestedBy, caller });
  // What a delete removes the deleted request named, in its caller's scopes: this caller's roles must reach all of it too.
  if (checked.request.operation === "delete") {
    const outside = [...new Set(checked.plan.steps.map((s) => s.resourceId && writeRefusal(requestedBy, "delete", s.resourceId, deps.settings.callerPolicy)).filter((m): m is string => !!m))];
    if (outside.length) return forbid(checked.request, outside.map((message) => ({ path: "deletes", message, source: "CALLER_POLICY setting" })), checked.plan.target);
  }

  const { plan } = checked;
  const id = checked.request.requestId ?? randomUUID();
  // A restore queued before its resources were released (a delete of the request that made them),
  // or put back meanwhile: it would make again what nobody holds any more.
  const restored = restoredRequest(checked.request);
  if (restored && !(await restoreAwaited(deps, id, checked.request)))
    return reject(deps, raw, [{ path: "restores", message: `no drift of what request ${restored} made waits for this restore any more (released by a delete of that request, or back as it was)` }], fallbackId, { requestedBy, caller });
  // Stored with its id: steps re-plan from it, and the tags of what it creates name the request.
  const request = { ...checked.request, requestId: id };
  const bodyHash = canonicalHash(checked.request);
  const existing = await deps.requests.getRequest(id);
  // A Rejected request never ran: a corrected body of the same caller may take its id.
  if (existing?.state === "Rejected" && mayTakeId(caller, existing)) await deps.requests.deleteRejected(existing);
  else if (existing) return answerExisting(deps, existing, bodyHash, caller);

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
    traceparent: deps.traceparent,
    source: checked.source,
    requestedBy,
  };
  const steps: StepRecord[] = plan.steps.map((s) => ({ requestId: id, name: s.name, state: "Pending", seq: 0, attempts: 0, posts: 0, writes: 0, resourceId: s.resourceId }));
  if (!(await deps.requests.create(rec, steps))) return answerExisting(deps, (await deps.requests.getRequest(id))!, bodyHash, caller);
  deps.log(`accepted ${request.operation} request ${id} with ${plan.steps.length} steps, requested by ${describeRequester(requestedBy)}`, { requestId: id, requestedBy: describeRequester(requestedBy) });
  const failed = await startSteps(deps, rec, plan);
  if (failed) return failed;
  return { kind: "accepted", status: (await statusOf(deps, id))! };
}

/**
 * The id names a request this caller may not see: this attempt is refused, not recorded, and its
 * document says only that (like a 403's); nothing of the other request is shown.
 */
function taken(deps: AppDeps, id: string, caller: Caller | undefined): Extract<AcceptOutcome, { kind: "conflict" }> {
  const message = `requestId ${id} is taken by another request: choose another requestId`;
  const now = deps.now().toISOString();
  const rec: RequestRecord = { id, operation: "unknown", target: "", state: "Rejected", createdAt: now, updatedAt: now, body: undefined, bodyHash: "", plan: [], warnings: [], error: { code: "RequestIdConflict", message }, requestedBy: caller && requesterOf(caller) };
  return { kind: "conflict", status: statusDocument(rec, []), message };
}

/** A Rejected row's id may be taken by a corrected body of its own caller (or of nobody: an unauthenticated one). */
const mayTakeId = (caller: Caller | undefined, rec: RequestRecord) => !!caller && (caller.unrestricted || !rec.requestedBy?.objectId || rec.requestedBy.objectId === caller.objectId);

/** Parses a queue message body: JSON text or an already-decoded object. */
export function parseMessageBody(body: unknown): { ok: true; value: unknown } | { ok: false; errors: ValidationError[] } {
  if (typeof body === "string") return parseJson(body);
  if (body instanceof Uint8Array) return parseJson(Buffer.from(body).toString("utf8"));
  return checkDecoded(body);
}

/**
 * The id names a request already. A caller who may not see it learns only that the id is taken:
 * never its status, and it can neither repeat it nor take its id over.
 */
async function answerExisting(deps: AppDeps, existing: RequestRecord, bodyHash: string, caller: Caller): Promise<AcceptOutcome> {
  if (!maySee(caller, existing, deps.settings.callerPolicy)) return taken(deps, existing.id, caller);
  const status = (await statusOf(deps, existing.id))!;
  if (existing.state === "Rejected") return { kind: "conflict", status, message: `request ${existing.id} was rejected and then taken by another body` };
  if (existing.bodyHash !== bodyHash)
    return { kind: "conflict", status, message: `request ${existing.id} exists with a different body: a requestId names one request` };
  // The first intake may have crashed, or failed to send, between writing the rows and sending the
  // first messages: sending them again is harmless (their message ids are deterministic, and a step
  // acts on the message of its current sequence number only once).
  if (existing.state === "Accepted") {
    const failed = await startSteps(deps, existing, planOf(existing));
    if (failed) return failed;
    if (existing.notStarted) return { kind: "existing", status: (await statusOf(deps, existing.id))! };
  }
  return { kind: "existing", status };
}

/**
 * Sends the first messages of the steps that can start. When that fails, the request says so
 * (`notStarted`, in its status document) and the outcome tells the trigger to fail: the queue
 * message is redelivered, an HTTP caller is told to POST again. A success clears it.
 */
async function startSteps(deps: AppDeps, rec: RequestRecord, plan: Plan): Promise<Extract<AcceptOutcome, { kind: "notStarted" }> | undefined> {
  const id = rec.id;
  // Before any of its steps can remove something: parallel first steps all find it released. (A
  // failure here fails the intake: the redelivery, or the same POST, comes back here.)
  await releaseDeleted(deps, rec);
  try {
    await sendFirstMessages(deps, id, readySteps(plan.steps, new Set(), new Set()).map((s) => s.name));
  } catch (e) {
    const message = `the first messages of its steps could not be sent (${redact(e instanceof Error ? e.message : String(e))}); nothing ran: the message's redelivery, or the same POST again, starts it`;
    await updateRequest(deps, id, (r) =>
      r.state === "Accepted" ? { ...r, notStarted: { code: "FirstSendFailed", message, at: deps.now().toISOString(), attempts: (r.notStarted?.attempts ?? 0) + 1 } } : undefined,
    );
    deps.log(`request ${id} not started: ${message}`, { level: "warning", requestId: id });
    return { kind: "notStarted", status: (await statusOf(deps, id))!, message };
  }
  if (rec.notStarted) {
    await updateRequest(deps, id, (r) => (r.notStarted ? { ...r, notStarted: undefined } : undefined));
    deps.log(`request ${id} started after ${rec.notStarted.attempts} failed send(s) of its first messages`, { requestId: id });
  }
  return undefined;
}

/** A Rejected row keeps the body only when it is small: a rejected body may be anything up to the size limit, or beyond it. */
const REJECTED_BODY_CHARS = 16_000;
/** What a Rejected row keeps of its problems: within one Table property, whatever the body held. */
const REJECTED_PROBLEM_CHARS = 24_000;
const PROBLEM_TEXT_CHARS = 400;

const clip = (text: string) => (text.length > PROBLEM_TEXT_CHARS ? `${text.slice(0, PROBLEM_TEXT_CHARS)}…` : text);

/**
 * The problems a Rejected row stores: each path and message clipped, as many as fit in one Table
 * property, then one line saying how many more there were.
 */
export function storedProblems(errors: ValidationError[]): ValidationError[] {
  const kept: ValidationError[] = [];
  let chars = 0;
  for (const e of errors) {
    const p: ValidationError = { ...e, path: clip(e.path), message: clip(e.message) };
    chars += JSON.stringify(p).length + 1;
    if (chars > REJECTED_PROBLEM_CHARS) break;
    kept.push(p);
  }
  const more = errors.length - kept.length;
  return more ? [...kept, { path: "", message: `and ${more} more problem(s), not kept` }] : kept;
}

async function reject(deps: AppDeps, raw: unknown, errors: ValidationError[], fallbackId?: string, how: { code?: "Unauthenticated" | "Forbidden"; requestedBy?: RequestedBy; caller?: Caller; target?: string; record?: boolean } = {}): Promise<Extract<AcceptOutcome, { kind: "rejected" | "conflict" }>> {
  const asObj = (raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const given = typeof asObj.requestId === "string" && REQUEST_ID.test(asObj.requestId) ? asObj.requestId : undefined;
  const id = given ?? (fallbackId && REQUEST_ID.test(fallbackId) ? fallbackId : undefined) ?? randomUUID();
  const now = deps.now().toISOString();
  const text = safeJson(raw);
  const rec: RequestRecord = {
    id,
    operation: typeof asObj.operation === "string" ? asObj.operation.slice(0, 64) : "unknown",
    // Known only for a valid request refused to its caller: who may see the refusal depends on it.
    target: how.target ?? "",
    state: "Rejected",
    createdAt: now,
    updatedAt: now,
    body: text !== undefined && text.length <= REJECTED_BODY_CHARS ? raw : { omitted: `the body (${text?.length ?? "unknown"} characters) is not kept` },
    bodyHash: createHash("sha256").update(text ?? "").digest("hex"),
    plan: [],
    warnings: [],
    error: {
      code: how.code ?? "ValidationFailed",
      message: how.code === "Unauthenticated" ? "the message does not say who sent it: nothing was looked at or written" : `the request has ${errors.length} problem(s); nothing was written`,
      details: storedProblems(errors),
    },
    traceparent: deps.traceparent,
    requestedBy: how.requestedBy,
  };
  if (how.record === false) return { kind: "rejected", status: statusDocument(rec, []), errors };
  if (!(await deps.requests.createRejected(rec))) {
    const existing = (await deps.requests.getRequest(id))!;
    // Someone else's request, or someone else's rejection: the id is taken, and nothing more is said.
    if (!how.caller || !maySee(how.caller, existing, deps.settings.callerPolicy) || (existing.state === "Rejected" && !mayTakeId(how.caller, existing))) return taken(deps, id, how.caller);
    if (existing.state !== "Rejected") return { kind: "conflict", status: (await statusOf(deps, id))!, message: `request ${id} exists and this body is invalid` };
    // The latest rejection of the id is what its status shows.
    await deps.requests.replaceRejected({ ...rec, createdAt: existing.createdAt }, existing.etag);
  }
  deps.log(`rejected request ${id}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ").slice(0, 2000)}`, { requestId: id });
  return { kind: "rejected", status: (await statusOf(deps, id))!, errors };
}

export async function statusOf(deps: AppDeps, id: string): Promise<StatusDocument | undefined> {
  const req = await deps.requests.getRequest(id);
  if (!req) return undefined;
  return statusDocument(req, req.plan.length ? await deps.requests.getSteps(id) : []);
}

/** JSON text of a value, or undefined when it has none (too deep, cyclic: already rejected for it). */
function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v ?? null);
  } catch {
    return undefined;
  }
}

/**
 * The hash of a request's meaning: its validated form (defaults filled in), keys sorted, so the same
 * request with its fields or tags in another order is the same request.
 */
export function canonicalHash(req: ClusterRequest): string {
  return createHash("sha256").update(canonicalJson(req)).digest("hex");
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v ?? null);
}
