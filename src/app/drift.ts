// Keeping clusters right: the desired state a Succeeded request established is held on the cluster's
// row (an Arc private link scope's, for arcPrivateLink); an event about the cluster, one of its pools
// or a resource it holds, and the hourly sweep, compare it with what ARM holds — reads only, never a
// write — and record the drift on the row. With the
// request's driftPolicy `restore`, each drift queues one request (its id derived from the cluster,
// the setting and how many times it was restored) that puts the setting back through the same steps,
// lease and pacing as any request; a setting restored too often in a window is left to the person
// who keeps changing it, and the drift says so.
import { createHash } from "node:crypto";
import type { ManagedCluster } from "@azure/arm-containerservice";
import { restoredRequest, type ClusterRequest } from "../domain/contract.js";
import { differences, nextDesiredState, restoreOf, type DesiredState, type DriftEntry, type DriftPolicy, type DriftVia } from "../domain/desired-state.js";
import { HELD_STEPS, resourceDrift, resourceSetting, stepOfSetting, type HeldResource } from "../domain/held-resources.js";
import { sameId } from "../domain/naming.js";
import { heldTargetId, heldTargetOf, heldTargetOfRequest, type HeldTarget } from "../domain/held-target.js";
import { LOCAL_CALLER, maySeeResource, type Caller } from "../domain/caller.js";
import type { ClusterRecord, RequestRecord, StepRecord } from "../domain/records.js";
import type { Decision } from "../domain/step.js";
import type { AppDeps } from "./deps.js";
import { withRetryOnConflict } from "./optimistic.js";
import { OWN_REQUEST_VIA, QUEUES } from "./queue.js";
import { isTerminal } from "./status.js";
import { planOf } from "./plan-of.js";
import { contextFor } from "./step-context.js";

/** The give-up rule: a setting restored this many times within the window is not restored again. */
export const DEFAULT_RESTORE_LIMIT = { max: 3, windowMs: 24 * 3600_000 };

const parse = <T>(text: string | undefined): T | undefined => (text ? (JSON.parse(text) as T) : undefined);
export const desiredOf = (rec: ClusterRecord | undefined) => parse<DesiredState>(rec?.desired);
export const driftOf = (rec: ClusterRecord | undefined) => parse<DriftEntry[]>(rec?.drift) ?? [];

const SHAPING = new Set(["arcPrivateLink", "create", "enableNetworkIsolation", "updateBootstrapRegistry", "disableNetworkIsolation", "enableApiServerVnetIntegration", "setPrivateCluster", "addSandboxPool", "setDriftPolicy"]);

/** A scope's row holds no cluster settings: there is nothing to observe of a cluster. */
const NO_CLUSTER: ManagedCluster = { location: "" };

/** A held row: the cluster's, or an Arc private link scope's. */
const getHeld = (deps: AppDeps, t: HeldTarget) => deps.clusters.get(t.subscriptionId, t.resourceGroup, t.name, t.kind);

/**
 * After a request that shapes a cluster (or an Arc private link scope) Succeeded: what it
 * established becomes (part of) the desired state, at the values ARM holds now, and drift it put
 * right is cleared. Once per request: a repeat (a redelivered last message) finds itself already
 * recorded.
 */
export async function holdDesiredState(deps: AppDeps, req: RequestRecord): Promise<void> {
  const body = req.body as ClusterRequest & { driftPolicy?: DriftPolicy };
  const restores = restoredRequest(body);
  const target = heldTargetOfRequest(body);
  if (!SHAPING.has(body.operation) || !target) return;
  const { name } = target;
  // A scope has no cluster: only what its request made is held (its row is made here).
  const mc = target.kind ? NO_CLUSTER : ((await deps.arm.read({ kind: "managedCluster", id: heldTargetId(target) })) as ManagedCluster | undefined);
  if (!target.kind && !mc?.id) return;
  const rows = await deps.requests.getSteps(req.id);
  const mine = rows.filter((r) => HELD_STEPS.has(r.name) && r.state === "Succeeded" && r.resourceId);
  const made: HeldResource[] = mine.map((r) => ({ step: r.name, resourceId: r.resourceId!, requestId: req.id }));
  const wrote = mine.filter((r) => r.writes > 0).map((r) => r.resourceId!);
  const madeAgain = (e: DriftEntry) => made.some((m) => sameId(m.resourceId, e.resourceId));
  await withRetryOnConflict(`desired state of ${name}`, async () => {
    const rec = (await getHeld(deps, target)) ?? (target.kind ? { ...target, generation: 0, updatedAt: deps.now().toISOString() } : undefined);
    if (!rec) return;
    const before = desiredOf(rec);
    if (before?.heldBy === req.id) return;
    // A restore (the request that made a resource, narrowed to its steps): what is held stays as
    // it was; the resources it made again are no longer drift. Released meanwhile (a delete of
    // that request started): nothing is held, and the restore holds nothing either.
    const restoring = !!restores;
    if (restoring && !before) return;
    const next = restoring ? before : nextDesiredState(before, { ...body, requestId: req.id }, mc!, body.driftPolicy, made, wrote);
    if (!next) return;
    const held = (e: DriftEntry) => next.resources?.some((r) => resourceSetting(r.step) === e.setting && sameId(r.resourceId, e.resourceId));
    const left = [...driftAgainst(next, mc!, driftOf(rec), { via: "sweep", at: deps.now().toISOString() }), ...driftOf(rec).filter((e) => stepOfSetting(e.setting) && held(e) && !madeAgain(e))];
    await deps.clusters.save({ ...rec, desired: JSON.stringify(next), drift: left.length ? JSON.stringify(left) : undefined, updatedAt: deps.now().toISOString() });
    if (restoring) deps.log(`cluster ${name}: ${made.map((m) => m.step).join(", ") || "nothing"} made again by ${req.id}`, { requestId: next.heldBy });
    else deps.log(`cluster ${name}: desired state generation ${next.generation} held (${describeHeld(next)}), drift policy ${next.policy}`, { requestId: req.id });
  });
  // What a restore made again is the restored request's (its tags name it): that request's delete removes it too.
  if (restores) await creditOrigin(deps, rows, restores);
}

/** Whether a drift entry of the restore's cluster (or scope) still names this restore as queued for it. */
export async function restoreAwaited(deps: AppDeps, requestId: string, body: ClusterRequest): Promise<boolean> {
  const target = heldTargetOfRequest(body);
  return !!target && driftOf(await getHeld(deps, target)).some((e) => e.restore === `queued ${requestId}`);
}

/** Adds what a restore's steps created to the `created` of the same steps of the request it restored. */
async function creditOrigin(deps: AppDeps, rows: StepRecord[], origin: string): Promise<void> {
  for (const row of rows.filter((r) => r.created?.length)) {
    await withRetryOnConflict(`step ${row.name} of ${origin}`, async () => {
      const theirs = await deps.requests.getStep(origin, row.name);
      const missing = row.created!.filter((id) => !theirs?.created?.some((c) => sameId(c, id)));
      if (theirs && missing.length) await deps.requests.saveStep({ ...theirs, created: [...(theirs.created ?? []), ...missing] });
    });
  }
}

/**
 * A delete of the request that made held resources has started: they are no longer held (the delete
 * removes them, and its own deletes are not drift). A scope's row left holding nothing goes.
 * Idempotent: the delete's start and its end both call it.
 */
export async function releaseMadeBy(deps: AppDeps, requestId: string): Promise<void> {
  const madeBy = (rec: ClusterRecord | undefined) => desiredOf(rec)?.resources?.some((r) => r.requestId === requestId);
  for (const listed of (await deps.clusters.list()).filter(madeBy)) {
    await withRetryOnConflict(`release of ${listed.name}`, async () => {
      const rec = await getHeld(deps, listed);
      const desired = desiredOf(rec);
      if (!rec || !desired || !madeBy(rec)) return;
      const resources = desired.resources!.filter((r) => r.requestId !== requestId);
      if (rec.kind && !resources.length) return deps.clusters.remove(rec.subscriptionId, rec.resourceGroup, rec.name, rec.kind, rec.etag);
      const drift = driftOf(rec).filter((e) => !stepOfSetting(e.setting) || resources.some((r) => sameId(r.resourceId, e.resourceId)));
      const next: DesiredState = { ...desired, generation: desired.generation + 1, resources: resources.length ? resources : undefined };
      await deps.clusters.save({ ...rec, desired: JSON.stringify(next), drift: drift.length ? JSON.stringify(drift) : undefined, updatedAt: deps.now().toISOString() });
    });
    deps.log(`${listed.name}: what request ${requestId} made is no longer held (it is being deleted)`, { requestId });
  }
}

/** The drift entries now: earlier entries that still hold keep their detection time and restore. */
function driftAgainst(desired: DesiredState, mc: ManagedCluster, earlier: DriftEntry[], seen?: { via: DriftVia; at: string }): DriftEntry[] {
  return differences(desired.settings, mc).map((d) => {
    const kept = earlier.find((e) => e.setting === d.setting && JSON.stringify(e.actual) === JSON.stringify(d.actual));
    return kept ?? { ...d, detectedAt: seen?.at ?? "", via: seen?.via ?? "sweep" };
  });
}

export type DriftOutcome = "not-held" | "own-change" | "unchanged" | "drift-recorded" | "drift-cleared";

/**
 * What a check compares: the cluster's settings, as ARM showed the cluster just now (`mc`
 * undefined: it is gone), and the held resources `resources` picks (each read again). What a check
 * does not compare keeps its earlier entries.
 */
export interface DriftCheck {
  cluster?: { mc: ManagedCluster | undefined };
  resources?: (r: HeldResource) => boolean;
}

/**
 * Compares a held cluster with its desired state and records what differs. A change made by a
 * request of this app that still holds the cluster is not drift: that request's success sets the
 * desired state.
 */
export async function checkDrift(deps: AppDeps, id: string, via: DriftVia, check: DriftCheck): Promise<DriftOutcome> {
  const target = heldTargetOf(id);
  const { name } = target;
  const first = desiredOf(await getHeld(deps, target));
  if (!first) return "not-held";
  if (await heldByRunningRequest(deps, id)) return "own-change";
  const origins = await originsOf(deps, first);
  const seen = await readHeldResources(deps, (first.resources ?? []).filter((r) => check.resources?.(r)), origins);
  const queued: QueuedRestore[] = [];
  const outcome = await withRetryOnConflict(`drift of ${name}`, async (): Promise<DriftOutcome> => {
    queued.length = 0;
    const rec = await getHeld(deps, target);
    const desired = desiredOf(rec);
    // Released (a delete of the request that made it started) since it was read: nothing to compare.
    if (!rec || !desired) return "not-held";
    const earlier = driftOf(rec);
    const at = deps.now().toISOString();
    const entries = check.cluster && !check.cluster.mc
      ? [earlier.find((e) => e.setting === "cluster") ?? { setting: "cluster", resourceId: id, desired: "present", actual: null, detectedAt: at, via, restore: "not restorable: the cluster was deleted outside this app" }]
      : [
          ...(check.cluster?.mc ? driftAgainst(desired, check.cluster.mc, earlier, { via, at }) : earlier.filter((e) => !stepOfSetting(e.setting))),
          ...resourceEntries(desired, earlier, seen, { via, at }),
        ];
    const book: RestoreBook = { times: { ...desired.restores }, counts: { ...desired.restoreCounts } };
    if (desired.policy === "restore") for (const e of entries) if (!e.restore) e.restore = planRestore(deps, desired, book, e, target, queued, at, origins);
    const key = (list: DriftEntry[]) => JSON.stringify(list.map((e) => [e.setting, e.resourceId, e.actual]));
    if (key(entries) === key(earlier) && entries.every((e, i) => e.restore === earlier[i]?.restore)) return "unchanged";
    await deps.clusters.save({ ...rec, desired: JSON.stringify({ ...desired, restores: book.times, restoreCounts: book.counts }), drift: entries.length ? JSON.stringify(entries) : undefined, updatedAt: at });
    logChange(deps, name, desired, earlier, entries);
    return entries.length ? "drift-recorded" : "drift-cleared";
  });
  // After the row: a send that fails is retried by the event's redelivery or the next sweep, which
  // find the entry queued and send the same request id again (Service Bus drops the duplicate).
  if (queued.length) await deps.queue.send(QUEUES.upgrades, queued.map((q) => ({ body: q.request, messageId: q.requestId, subject: q.request.operation, applicationProperties: { [OWN_REQUEST_VIA]: via } })));
  await resendQueuedRestores(deps, id, queued, via, origins);
  return outcome;
}

/** The entries of the held resources: those read now (by `seen`), and the earlier ones of those not read. */
function resourceEntries(desired: DesiredState, earlier: DriftEntry[], seen: Map<string, ResourceSeen>, now: { via: DriftVia; at: string }): DriftEntry[] {
  const out: DriftEntry[] = [];
  for (const r of desired.resources ?? []) {
    const setting = resourceSetting(r.step);
    const before = earlier.find((e) => e.setting === setting && sameId(e.resourceId, r.resourceId));
    const read = seen.get(r.resourceId.toLowerCase());
    if (!read) {
      if (before) out.push(before);
      continue;
    }
    if (read === "in-sync") continue;
    out.push(before && JSON.stringify(before.actual) === JSON.stringify(read.actual) ? before : { setting, resourceId: r.resourceId, desired: read.desired, actual: read.actual, detectedAt: now.at, via: now.via });
  }
  return out;
}

type ResourceSeen = "in-sync" | { desired: unknown; actual: unknown };

/**
 * Each held resource read again by the step that made it: its reads, then its decision with the
 * outputs its request recorded. A resource whose request is no longer recorded is not read.
 */
async function readHeldResources(deps: AppDeps, resources: HeldResource[], origins: Record<string, ClusterRequest>): Promise<Map<string, ResourceSeen>> {
  const seen = new Map<string, ResourceSeen>();
  const rowsOf = new Map<string, Promise<StepRecord[]>>();
  for (const r of resources) {
    const body = origins[r.requestId];
    if (!body) continue;
    const plan = planOf({ body });
    const def = plan.steps.find((s) => s.name === r.step);
    if (!def) continue;
    if (!rowsOf.has(r.requestId)) rowsOf.set(r.requestId, deps.requests.getSteps(r.requestId));
    const ctx = contextFor({ body }, def, await rowsOf.get(r.requestId)!, plan.steps, 0);
    const current = await Promise.all(def.reads(ctx).map((ref) => deps.arm.read(ref)));
    let decision: Decision;
    try {
      decision = def.decide(ctx, current as never);
    } catch (e) {
      // The recorded outputs no longer fit the step (an older app version wrote them): not judged.
      deps.log(`drift: ${r.step} of ${r.requestId} not checked: ${e instanceof Error ? e.message : String(e)}`, { level: "warning", requestId: r.requestId });
      continue;
    }
    seen.set(r.resourceId.toLowerCase(), resourceDrift(decision, current[0]) ?? "in-sync");
  }
  return seen;
}

/** The bodies of the requests that made the held resources (a restore sends one of them again, narrowed). */
async function originsOf(deps: AppDeps, desired: DesiredState): Promise<Record<string, ClusterRequest>> {
  const out: Record<string, ClusterRequest> = {};
  for (const requestId of new Set((desired.resources ?? []).map((r) => r.requestId))) {
    const rec = await deps.requests.getRequest(requestId);
    if (rec) out[requestId] = rec.body as ClusterRequest;
  }
  return out;
}

/** The restores queued, by group: their recent times (the give-up rule) and how many ever (their ids). */
interface RestoreBook {
  times: Record<string, string[]>;
  counts: Record<string, number>;
}

type QueuedRestore = { requestId: string; request: ClusterRequest; origin?: string };

/** What restoring does about one entry; a restore to queue is added to `queued`. */
function planRestore(deps: AppDeps, desired: DesiredState, book: RestoreBook, e: DriftEntry, cluster: HeldTarget, queued: QueuedRestore[], at: string, origins: Record<string, ClusterRequest>): string {
  const plan = restoreOf(e, desired, { subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, name: cluster.name }, origins);
  if ("notRestorable" in plan) return `not restorable: ${plan.notRestorable}`;
  const limit = deps.settings.driftRestoreLimit ?? DEFAULT_RESTORE_LIMIT;
  const recent = (book.times[plan.group] ?? []).filter((t) => Date.parse(at) - Date.parse(t) < limit.windowMs);
  if (recent.length >= limit.max)
    return `given up: restored ${recent.length} time(s) within ${Math.round(limit.windowMs / 3600_000)} h and changed again each time; this app no longer fights whoever changes it (set it back by hand, or send a request)`;
  const already = queued.find((q) => q.requestId.includes(`-${plan.group}-`));
  if (already) return `queued ${already.requestId}`;
  book.times[plan.group] = [...recent, at];
  // Rows written before the counts were kept: their times are the count.
  const n = (book.counts[plan.group] = (book.counts[plan.group] ?? (desired.restores?.[plan.group] ?? []).length) + 1);
  // Resources of one request found in one check come back by one restore of it, with all their
  // steps: one run of the steps they share (a parent and what its deletion took with it).
  const sibling = queued.find((q) => onlyStepsOf(q.request) && onlyStepsOf(plan.request) && q.origin === plan.request.requestId);
  if (sibling) {
    (sibling.request as { onlySteps: string[] }).onlySteps.push(...onlyStepsOf(plan.request)!);
    return `queued ${sibling.requestId}`;
  }
  const requestId = restoreRequestId(heldTargetId(cluster), plan.group, n);
  queued.push({ requestId, request: { ...plan.request, requestId } as ClusterRequest, origin: plan.request.requestId });
  return `queued ${requestId}`;
}

const onlyStepsOf = (r: ClusterRequest) => ("onlySteps" in r ? r.onlySteps : undefined);

/** The restore request `requestId` from the entries it was queued for (one, or several of one request). */
function restoreRequestOf(entries: DriftEntry[], requestId: string, desired: DesiredState, cluster: HeldTarget, origins: Record<string, ClusterRequest>): ClusterRequest | undefined {
  const plans = entries.filter((e) => e.restore === `queued ${requestId}`).map((e) => restoreOf(e, desired, { subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, name: cluster.name }, origins));
  const requests = plans.flatMap((p) => ("request" in p ? [p.request] : []));
  if (!requests.length) return undefined;
  const steps = requests.flatMap((r) => onlyStepsOf(r) ?? []);
  return { ...requests[0], ...(steps.length ? { onlySteps: [...new Set(steps)] } : {}), requestId } as ClusterRequest;
}

/** One request id per cluster, setting group and restore count: a storm of events queues one. */
export const restoreRequestId = (id: string, group: string, n: number) =>
  `restore-${createHash("sha1").update(id.toLowerCase()).digest("hex").slice(0, 12)}-${group}-${n}`.slice(0, 100);

/** A restore queued earlier whose send may have failed: its entry is still there and not yet a request. */
async function resendQueuedRestores(deps: AppDeps, id: string, justSent: { requestId: string }[], via: DriftVia, origins: Record<string, ClusterRequest>): Promise<void> {
  const target = heldTargetOf(id);
  const rec = await getHeld(deps, target);
  const desired = desiredOf(rec);
  if (!desired) return;
  const entries = driftOf(rec);
  for (const e of entries) {
    const requestId = /^queued (\S+)$/.exec(e.restore ?? "")?.[1];
    if (!requestId || justSent.some((q) => q.requestId === requestId) || (await deps.requests.getRequest(requestId))) continue;
    const request = restoreRequestOf(entries, requestId, desired, target, origins);
    if (request) await deps.queue.send(QUEUES.upgrades, [{ body: request, messageId: requestId, subject: request.operation, applicationProperties: { [OWN_REQUEST_VIA]: via } }]);
  }
}

/** A request of this app holds the cluster and has not ended: what it changes is not drift. */
async function heldByRunningRequest(deps: AppDeps, id: string): Promise<boolean> {
  const lease = await deps.leases.get(id);
  if (!lease) return false;
  const owner = await deps.requests.getRequest(lease.owner);
  return !!owner && !isTerminal(owner.state);
}

function logChange(deps: AppDeps, name: string, desired: DesiredState, before: DriftEntry[], after: DriftEntry[]): void {
  const fmt = (e: DriftEntry) => `${e.setting} desired ${JSON.stringify(e.desired)}, actual ${JSON.stringify(e.actual)} (${e.via}${e.restore ? `; ${e.restore}` : ""})`;
  const was = new Set(before.map((e) => e.setting));
  const is = new Set(after.map((e) => e.setting));
  const fresh = after.filter((e) => !was.has(e.setting) || !before.some((b) => b.setting === e.setting && JSON.stringify(b.actual) === JSON.stringify(e.actual) && b.restore === e.restore));
  const cleared = before.filter((e) => !is.has(e.setting));
  // The trace of the request that set the held state: its id is on every log line of that request.
  if (fresh.length) deps.log(`cluster ${name} drifted: ${fresh.map(fmt).join("; ")}`, { level: "warning", requestId: desired.heldBy });
  if (cleared.length) deps.log(`cluster ${name}: drift cleared for ${cleared.map((e) => e.setting).join(", ")}`, { requestId: desired.heldBy });
}

function describeHeld(d: DesiredState): string {
  const s = d.settings;
  const pools = Object.keys(s.sandboxPools ?? {});
  const parts = Object.entries(s).filter(([k]) => k !== "sandboxPools").map(([k, v]) => `${k}=${v}`);
  return [...parts, ...(pools.length ? [`sandbox pools ${pools.join(", ")}`] : [])].join(", ") || "nothing";
}

/** The sweep: every held cluster read once and compared, for the events that never arrive. */
// One after another, not in parallel: a sweep stays far below ARM's 25 reads a second per
// subscription, and a 429 is answered by the SDK pipeline's own throttling retry (Retry-After).
// A cluster whose read or compare fails is logged and left to the next sweep or event; it does not
// end the sweep for the others.
export async function sweepDrift(deps: AppDeps): Promise<{ clusters: number; reads: number; drifted: number; failed: number }> {
  let reads = 0;
  let drifted = 0;
  let failed = 0;
  const held = (await deps.clusters.list()).filter((r) => r.desired);
  for (const rec of held) {
    const id = heldTargetId(rec);
    try {
      // A cluster is read once for its settings; a scope holds only resources.
      const cluster = rec.kind ? undefined : { mc: (await deps.arm.read({ kind: "managedCluster", id })) as ManagedCluster | undefined };
      reads += (cluster ? 1 : 0) + (desiredOf(rec)?.resources?.length ?? 0);
      const outcome = await checkDrift(deps, id, "sweep", { cluster, resources: () => true });
      if (outcome === "drift-recorded" || (outcome === "unchanged" && driftOf(await getHeld(deps, rec)).length)) drifted++;
    } catch (e) {
      failed++;
      deps.log(`drift sweep: ${id} not checked: ${e instanceof Error ? e.message : String(e)}`, { level: "warning", requestId: desiredOf(rec)?.heldBy });
    }
  }
  deps.log(`drift sweep: ${held.length} held clusters, ${reads} ARM reads, ${drifted} drifted${failed ? `, ${failed} not checked` : ""}`);
  return { clusters: held.length, reads, drifted, failed };
}

export interface DriftedCluster {
  id: string;
  policy: DriftPolicy;
  /** The request that last set what is held. */
  heldBy: string;
  drift: DriftEntry[];
}

/** The held clusters (only the drifted ones with `drifted`), for the list route, the page and the CLI. */
export async function heldClusters(deps: AppDeps, only: { drifted?: boolean; caller?: Caller } = {}): Promise<DriftedCluster[]> {
  const sees = (r: ClusterRecord) => maySeeResource(only.caller ?? LOCAL_CALLER, heldTargetId(r), deps.settings.callerPolicy);
  return (await deps.clusters.list())
    .filter((r) => r.desired && (!only.drifted || r.drift) && sees(r))
    .map((r) => ({ id: heldTargetId(r), policy: desiredOf(r)!.policy, heldBy: desiredOf(r)!.heldBy, drift: driftOf(r) }));
}
