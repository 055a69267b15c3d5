// The step runner: one message, one step, at most one ARM write, then the next message.
//
// Exactly-once effects over at-least-once delivery. Each step row carries `seq`, the sequence
// number of the only message that may act on it next. A message acts when its seq equals the
// row's; a message one behind re-sends the follow-ups of the last transition (the invocation
// that made it may have crashed before sending them; deterministic message ids make the re-send
// a no-op when it did not); anything else is stale and is dropped. So a redelivered or duplicated
// message never writes to ARM twice, and a crash between an ARM write and the next message is
// healed by redelivery.
import { describeRequester, writeRefusal } from "../domain/caller.js";
import type { Operation } from "../domain/contract.js";
import { outsideAllowed } from "../domain/scopes.js";
import { createHash } from "node:crypto";
import { redact } from "../domain/redact.js";
import { readySteps } from "../domain/plan.js";
import { sameId } from "../domain/naming.js";
import type { ManagedCluster } from "@azure/arm-containerservice";
import { PROVISIONING_IN_PROGRESS, provisioningState, type Decision, type StepContext, type StepDef } from "../domain/step.js";
import { QUEUES, stepMessageId, type StepMessage } from "./queue.js";
import type { RequestRecord, StepRecord } from "../domain/records.js";
import { ConcurrencyError } from "./optimistic.js";
import type { AppDeps } from "./deps.js";
import { noteClusterSettings } from "./cluster-settings.js";
import { writeFailed, writeFinished, writeStarted } from "./observers.js";
import { finishRequest, markRequestRunning, settleCancel } from "./request-state.js";
import { ArmError, type WriteProgress } from "./arm.js";
import { planOf } from "./plan-of.js";
import { contextFor } from "./step-context.js";
import { afterThrottled, paceWrite, type Deferral } from "./arm-pacing.js";
import { takeClusterTurn } from "./cluster-lease.js";

const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

export async function runStep(invocation: AppDeps, msg: StepMessage): Promise<void> {
  const req = await invocation.requests.getRequest(msg.requestId);
  // Every line this invocation logs names who asked for the request.
  const requestedBy = describeRequester(req?.requestedBy);
  const deps: AppDeps = { ...invocation, log: (message, data) => invocation.log(message, { requestedBy, ...data }) };
  deps.log(`step ${msg.step}, message ${msg.seq}`, { step: msg.step });
  if (!req || req.state === "Rejected") return;
  const row = await deps.requests.getStep(msg.requestId, msg.step);
  if (!row) return;
  if (msg.seq === row.seq - 1) return resendFollowUps(deps, req, row);
  if (msg.seq !== row.seq) return; // stale
  if (row.state === "Succeeded" || row.state === "Failed" || row.state === "Canceled") return;
  if (req.state === "Failed") return; // another step failed the request: start nothing new
  // Canceled: a step with an ARM write in flight polls it to the end; any other step stops here.
  if ((req.cancelRequestedAt || req.state === "Canceled") && !row.operation?.pollerState) return cancelStep(deps, req, row);

  const plan = planOf(req);
  const def = plan.steps.find((s) => s.name === row.name);
  if (!def) throw new Error(`step ${row.name} is not in the plan of ${req.id}`);
  // One cluster, one writer: a step acts only while its request holds the cluster (cluster-lease.ts).
  const turn = await takeClusterTurn(deps, req, row);
  if (turn.kind !== "go") return ignoreConflict(turn.kind === "wait" ? reschedule(deps, turn.row, turn.delayMs) : fail(deps, req, turn.row, turn.error));
  const rows = await deps.requests.getSteps(req.id);
  const ctx = contextFor(req, def, rows, plan.steps, row.posts);
  const now = deps.now();
  const next: StepRecord = { ...turn.row, state: "Running", startedAt: row.startedAt ?? now.toISOString(), attempts: Math.max(1, row.attempts) };
  // Only the first step to start moves the request out of Accepted (the row was read just above).
  if (row.state === "Pending" && req.state === "Accepted") await markRequestRunning(deps, req.id);

  try {
    if (row.operation?.pollerState) {
      const progress = await deps.arm.poll({ ...row.operation, pollerState: row.operation.pollerState });
      return await afterWrite(deps, req, def, ctx, next, progress, row.operation.method);
    }
    const current = await Promise.all(def.reads(ctx).map((r) => deps.arm.read(r)));
    // A delete reads clusters to remove them: nothing to remember about them.
    if (req.operation !== "delete") await recordClustersSeen(deps, def, ctx, current, req.id);
    if (row.postSent) {
      const settled = settlePostSent(def, ctx, next, current);
      // It ran and still runs: wait for it as the attempt that sent it would have.
      if (settled.running) return await act(deps, req, def, ctx, settled.row, { do: "wait", reason: settled.running, resourceId: row.postSent.id }, current);
      // Each read is the model of the kind its ref named, which is what decide() was typed with.
      return await act(deps, req, def, { ...ctx, posts: settled.row.posts }, settled.row, def.decide({ ...ctx, posts: settled.row.posts }, current as never), current);
    }
    const decision = def.decide(ctx, current as never);
    return await act(deps, req, def, ctx, next, decision, current);
  } catch (e) {
    if (e instanceof ConcurrencyError) return; // another invocation acted on this step first
    if (!(e instanceof ArmError)) throw e; // unexpected: let the queue redeliver (and dead-letter)
    return retryOrFail(deps, req, next, e);
  }
}

/** Why this request may not write `id`: outside ALLOWED_SCOPES, or outside its caller's roles for its operation. */
const outsideScopes = (deps: AppDeps, req: RequestRecord, id: string) =>
  outsideAllowed(id, deps.settings.allowedScopes) ?? writeRefusal(req.requestedBy, req.operation as Operation, id, deps.settings.callerPolicy);

async function act(deps: AppDeps, req: RequestRecord, def: StepDef, ctx: StepContext, row: StepRecord, d: Decision, current: readonly unknown[]): Promise<void> {
  switch (d.do) {
    case "done":
      return complete(deps, req, { ...row, resourceId: d.resourceId ?? row.resourceId, outputs: d.outputs ?? row.outputs });
    case "fail":
      return fail(deps, req, row, { code: d.code, message: d.message });
    case "wait": {
      const now = deps.now();
      const since = row.waitingSince ?? now.toISOString();
      const waited = now.getTime() - Date.parse(since);
      if (waited > (def.maxWaitMs ?? DEFAULT_MAX_WAIT_MS))
        return fail(deps, req, row, { code: "WaitTimedOut", message: `gave up after waiting ${Math.round(waited / 1000)} s: ${d.reason}` });
      // Re-check sooner at first, then less often: a quarter of the time waited so far, within bounds.
      return reschedule(deps, { ...row, resourceId: d.resourceId ?? row.resourceId, waitingSince: since, waitReason: d.reason }, waited / 4);
    }
    case "put":
    case "post":
    case "delete": {
      // What the plan found only as it ran (a VNet read off an existing cluster) is held to the
      // scopes the request itself was: ALLOWED_SCOPES and its caller's roles. Refused: no write.
      const outside = outsideScopes(deps, req, d.ref.id);
      if (outside) return fail(deps, req, row, { code: "OutsideScopes", message: outside });
      // A slot in the subscription's rate buckets first; none free: deferred, not failed.
      const paced = await paceWrite(deps, row, d);
      if (!("go" in paced)) return settlePaced(deps, req, row, paced, Infinity);
      row = paced.go;
      // Claim the step before writing: of two concurrent deliveries of one message, one writes.
      // The claim also records what the write will create (before it exists: a crash after the
      // write must not lose it), for a later `delete` of this request.
      const claimed: StepRecord = {
        ...row,
        resourceId: d.ref.id,
        waitingSince: undefined,
        waitReason: undefined,
        created: d.do === "put" ? union(row.created, d.creates ?? createdByPut(def, ctx, current, d.ref.id)) : row.created,
        outputs: d.do === "delete" ? (d.outputs ?? row.outputs) : row.outputs,
        postSent: d.do === "post" ? postSent(def, ctx, current, d.ref.id, d.action) : undefined,
      };
      claimed.etag = await deps.requests.saveStep(claimed);
      let progress: WriteProgress;
      try {
        progress = d.do === "put" ? await deps.arm.put(d.ref, d.body) : d.do === "post" ? await deps.arm.post(d.ref, d.action) : await deps.arm.delete(d.ref);
      } catch (e) {
        // ARM refused it: nothing was sent that could have run.
        if (e instanceof ArmError) return retryOrFail(deps, req, { ...claimed, postSent: undefined }, e);
        throw e;
      }
      const written: StepRecord = {
        ...claimed,
        postSent: undefined,
        writes: claimed.writes + 1,
        throttledSince: undefined,
        posts: claimed.posts + (d.do === "post" ? 1 : 0),
        operation: { kind: d.ref.kind, id: d.ref.id, apiVersion: d.ref.apiVersion, method: d.do, action: d.do === "post" ? d.action : undefined },
      };
      await writeStarted(deps, req, written.operation!);
      return afterWrite(deps, req, def, ctx, written, progress, d.do);
    }
  }
}

async function afterWrite(deps: AppDeps, req: RequestRecord, def: StepDef, ctx: StepContext, row: StepRecord, p: WriteProgress, method: "put" | "post" | "delete"): Promise<void> {
  if (!p.done) {
    const operation = { ...row.operation!, pollerState: p.pollerState };
    return reschedule(deps, { ...row, operation }, p.retryAfterMs);
  }
  const done: StepRecord = { ...row, operation: undefined };
  if (method === "delete") {
    await writeFinished(deps, req, row.operation!, undefined);
    return complete(deps, req, done);
  }
  if (method === "post") {
    await writeFinished(deps, req, row.operation!, p.result);
    // An action (register, upgrade) finished: decide again from fresh reads on the next message.
    return reschedule(deps, done, 0);
  }
  let result = p.result;
  if (!result && row.operation) result = await deps.arm.read(row.operation);
  if (row.operation) await writeFinished(deps, req, row.operation, result);
  return complete(deps, req, { ...done, outputs: def.outputs?.(ctx, result) ?? done.outputs });
}

async function retryOrFail(deps: AppDeps, req: RequestRecord, row: StepRecord, e: ArmError): Promise<void> {
  // Throttled: wait ARM's Retry-After; the retry budget is for real failures.
  if (e.status === 429) return settlePaced(deps, req, row, afterThrottled(deps, row, e));
  const error = { code: e.code, message: redact(e.message) };
  if (e.transient && row.attempts < deps.settings.retryBudget) {
    deps.log(`step ${row.name} of ${req.id}: transient ${e.code}, retry ${row.attempts}/${deps.settings.retryBudget}`);
    const backoff = deps.settings.minRecheckMs * 2 ** (row.attempts - 1);
    // The next attempt starts from a fresh read: a failed operation is written again, one still
    // running (its poll failed, not it) is waited for by its provisioningState.
    return reschedule(deps, { ...row, operation: undefined, attempts: row.attempts + 1, lastError: error }, e.retryAfterMs ?? backoff);
  }
  const budget = e.transient ? ` (gave up after ${row.attempts} attempts)` : "";
  return fail(deps, req, row, { code: e.code, message: redact(e.message) + budget });
}

/** A write deferred for ARM's rate limits (its row and when to look again), or failed for waiting too long. */
async function settlePaced(deps: AppDeps, req: RequestRecord, row: StepRecord, p: Deferral, maxMs?: number): Promise<void> {
  return "fail" in p ? fail(deps, req, row, p.fail) : reschedule(deps, p.wait, p.delayMs, maxMs);
}

/** Saves the row with the next seq, then schedules the message that carries it (no later than maxMs, default maxRecheckMs). */
async function reschedule(deps: AppDeps, row: StepRecord, delayMs: number | undefined, maxMs?: number): Promise<void> {
  const { minRecheckMs } = deps.settings;
  const maxRecheckMs = maxMs ?? deps.settings.maxRecheckMs;
  const delay = Math.min(maxRecheckMs, Math.max(minRecheckMs, delayMs ?? minRecheckMs));
  const saved: StepRecord = { ...row, seq: row.seq + 1, nextCheckAt: new Date(deps.now().getTime() + delay).toISOString() };
  saved.etag = await deps.requests.saveStep(saved);
  await sendRecheck(deps, saved);
}

async function sendRecheck(deps: AppDeps, row: StepRecord): Promise<void> {
  const msg: StepMessage = { requestId: row.requestId, step: row.name, seq: row.seq };
  const at = row.nextCheckAt ? new Date(row.nextCheckAt) : undefined;
  await deps.queue.send(QUEUES.steps, [{ body: msg, messageId: stepMessageId(msg), scheduledEnqueueTime: at, subject: "recheck" }]);
}

async function complete(deps: AppDeps, req: RequestRecord, row: StepRecord): Promise<void> {
  const saved: StepRecord = { ...row, state: "Succeeded", seq: row.seq + 1, finishedAt: deps.now().toISOString(), waitingSince: undefined, waitReason: undefined, nextCheckAt: undefined };
  saved.etag = await deps.requests.saveStep(saved);
  await emitReady(deps, req);
}

async function fail(deps: AppDeps, req: RequestRecord, row: StepRecord, error: { code: string; message: string }): Promise<void> {
  const saved: StepRecord = { ...row, state: "Failed", seq: row.seq + 1, error, operation: undefined, finishedAt: deps.now().toISOString(), nextCheckAt: undefined };
  saved.etag = await deps.requests.saveStep(saved);
  await writeFailed(deps, req, row.operation, `${error.code}: ${error.message}`);
  deps.log(`step ${row.name} of ${req.id} failed: ${error.code}: ${error.message}`);
  await finishRequest(deps, req.id, "Failed", { ...error, message: `step ${row.name}: ${error.message}` });
}

async function cancelStep(deps: AppDeps, req: RequestRecord, row: StepRecord): Promise<void> {
  const saved: StepRecord = { ...row, state: "Canceled", seq: row.seq + 1, finishedAt: deps.now().toISOString(), waitingSince: undefined, waitReason: undefined, nextCheckAt: undefined };
  saved.etag = await deps.requests.saveStep(saved);
  await settleCancel(deps, req.id);
}

/** The follow-ups of a step's last transition, sent again (idempotent by message id). */
async function resendFollowUps(deps: AppDeps, req: RequestRecord, row: StepRecord): Promise<void> {
  if (row.state === "Canceled") return settleCancel(deps, req.id);
  if (row.state === "Succeeded") return emitReady(deps, req);
  if (row.state === "Failed") return finishRequest(deps, req.id, "Failed", row.error && { ...row.error, message: `step ${row.name}: ${row.error.message}` });
  if (row.seq > 0) return sendRecheck(deps, row);
}

/** Sends the first message of every step whose dependencies have now all succeeded. */
async function emitReady(deps: AppDeps, req: RequestRecord): Promise<void> {
  const rows = await deps.requests.getSteps(req.id);
  const plan = planOf(req);
  const succeeded = new Set(rows.filter((r) => r.state === "Succeeded").map((r) => r.name));
  const started = new Set(rows.filter((r) => r.state !== "Pending" || r.seq > 0).map((r) => r.name));
  if (succeeded.size === plan.steps.length) {
    const byStep = Object.fromEntries(plan.steps.map((s) => [s.name, rows.find((r) => r.name === s.name)?.outputs ?? {}]));
    const outputs = plan.outputs ? plan.outputs(byStep) : Object.assign({}, ...Object.values(byStep));
    return finishRequest(deps, req.id, "Succeeded", undefined, stripUndefined(outputs));
  }
  // Read again: the cancel may have come while this invocation ran.
  if ((await deps.requests.getRequest(req.id))?.cancelRequestedAt) return settleCancel(deps, req.id);
  const ready = readySteps(plan.steps, succeeded, started);
  if (ready.length) await sendFirstMessages(deps, req.id, ready.map((s) => s.name));
}

export async function sendFirstMessages(deps: AppDeps, requestId: string, steps: string[]): Promise<void> {
  const msgs = steps.map((step) => ({ requestId, step, seq: 0 }));
  await deps.queue.send(QUEUES.steps, msgs.map((m) => ({ body: m, messageId: stepMessageId(m), subject: "start" })));
}

/** Any cluster a step reads is remembered with its isolation settings (the Event Grid handler compares with them). */
async function recordClustersSeen(deps: AppDeps, def: StepDef, ctx: StepContext, current: unknown[], requestId: string): Promise<void> {
  const refs = def.reads(ctx);
  await Promise.all(
    refs.map((r, i) => {
      const mc = r.kind === "managedCluster" ? (current[i] as ManagedCluster | undefined) : undefined;
      return mc?.id ? noteClusterSettings(deps, mc, requestId) : undefined;
    }),
  );
}

/**
 * What a POST is about to act on, as the step read it just before: the target's id and a hash of
 * the read. Undefined when the step does not read the target (then nothing can tell afterwards).
 */
function postSent(def: StepDef, ctx: StepContext, current: readonly unknown[], id: string, action: string): StepRecord["postSent"] {
  const i = def.reads(ctx).findIndex((r) => sameId(r.id, id));
  return i >= 0 ? { id, action, before: fingerprint(current[i]) } : undefined;
}

/**
 * The attempt before this one claimed a POST and died before saving ARM's answer: the action may
 * or may not have reached ARM, and sending it again could run it twice (a second node-image
 * upgrade). The target tells: an action that ran changed it (its provisioning state while it runs,
 * what it did after), so a changed target counts the POST as made; an unchanged one never saw it.
 */
function settlePostSent(def: StepDef, ctx: StepContext, row: StepRecord, current: readonly unknown[]): { row: StepRecord; running?: string } {
  const sent = row.postSent!;
  const i = def.reads(ctx).findIndex((r) => sameId(r.id, sent.id));
  const target = i >= 0 ? current[i] : undefined;
  const ran = i >= 0 && fingerprint(target) !== sent.before;
  const settled: StepRecord = { ...row, postSent: undefined, posts: row.posts + (ran ? 1 : 0), writes: row.writes + (ran ? 1 : 0) };
  return { row: settled, running: ran && PROVISIONING_IN_PROGRESS(target) ? `${sent.action} sent by the attempt that died is ${provisioningState(target)}` : undefined };
}

const fingerprint = (read: unknown) => createHash("sha256").update(JSON.stringify(read ?? null)).digest("base64url");

/** By default a PUT creates its resource when the step's own read of it found nothing. */
function createdByPut(def: StepDef, ctx: StepContext, current: readonly unknown[], id: string): string[] {
  const i = def.reads(ctx).findIndex((r) => sameId(r.id, id));
  return i >= 0 && current[i] === undefined ? [id] : [];
}

/** Another invocation acted on this step first (its row changed since it was read): nothing to do. */
const ignoreConflict = (p: Promise<void>) => p.catch((e) => { if (!(e instanceof ConcurrencyError)) throw e; });

const union = (a: string[] | undefined, b: string[]) => {
  const out = [...(a ?? [])];
  for (const id of b) if (!out.some((x) => sameId(x, id))) out.push(id);
  return out.length ? out : undefined;
};

const stripUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
