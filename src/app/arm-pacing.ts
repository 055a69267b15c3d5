// Pacing of the app's ARM writes per subscription, so that a burst of requests is slowed, not
// failed. ARM limits each subscription and principal with token buckets (src/domain/arm-limits.ts);
// this app has one principal, so a bucket per subscription (and one for the AKS provider's cluster
// and pool writes) that every function instance shares, kept in Table Storage.
//
// Each bucket is one number, its "theoretical arrival time" (GCRA, the generic cell rate algorithm):
// a write may go at max(now, tat - tolerance), and taking the slot moves tat one interval on. That is
// a token bucket of `capacity` refilled at `perSecond`, read and updated in one ETag-conditional
// write (less contention than a counter plus a timestamp). A step whose slot is in the future keeps
// it (reserved in its row) and is deferred by a scheduled message to that time: no function sleeps,
// and a deferral is not a failed attempt.
//
// Reads are not paced (a documented approximation): ARM allows 25 reads per second per subscription,
// the steps' own reads are a few per write, and polls follow the Retry-After of their operation. A
// 429 on any request (read, write or poll) reschedules the step after ARM's Retry-After without
// spending its retry budget, bounded by maxThrottleWaitMs. That holds with pacing off too: pacing
// prevents 429s, it does not change how they are answered.
import { ARM_RATE_LIMITS, BUCKET_NAMES, bucketsOf, subscriptionOf, type RateBucket, type RateLimit } from "../domain/arm-limits.js";
import type { Decision } from "../domain/step.js";
import type { ArmError } from "./arm.js";
import { redact } from "../domain/redact.js";
import type { ErrorInfo, StepRecord } from "../domain/records.js";
import type { AppDeps, RunnerSettings } from "./deps.js";
import { ConcurrencyError, withRetryOnConflict } from "./optimistic.js";
import type { PacingStore } from "./stores.js";

/** A throttled step gives up after waiting this long in all (12 h: a subscription's AKS writes at 1 a minute pass 720). */
export const DEFAULT_MAX_THROTTLE_WAIT_MS = 12 * 3600_000;

/**
 * A deferred write goes this share of the bucket's interval after its slot: ARM's bucket starts
 * counting when the first write arrives, a little after the app took its slot, and a later write
 * that arrived sooner after its own slot would find the token not yet there. Only deferred writes
 * wait the margin, and the bucket's time does not move, so the rate is unchanged.
 */
const SLOT_MARGIN = 0.05;

/** What the runner does with a write: go now (the row as it goes), wait (the row to save, when to look again), or fail. */
export type Paced = { go: StepRecord } | Deferral;
export type Deferral = { wait: StepRecord; delayMs: number } | { fail: ErrorInfo };

type Write = Extract<Decision, { do: "put" | "post" | "delete" }>;

/**
 * GCRA: when a request that takes one slot now may go, and the bucket's next tat. A full bucket
 * (tat in the past) lets `capacity` requests go at once; then one every 1/perSecond seconds.
 */
export function reserve(tat: number | undefined, now: number, limit: RateLimit): { at: number; tat: number } {
  if (!(limit.perSecond < Infinity)) return { at: now, tat: now };
  const interval = 1000 / limit.perSecond;
  const tolerance = (limit.capacity - 1) * interval;
  const start = Math.max(tat ?? now, now);
  return { at: Math.max(now, start - tolerance), tat: start + interval };
}

/** Takes the next slot of a shared bucket; returns how long until it may be used (0: now). */
export async function takeSlot(store: PacingStore, subscription: string, bucket: RateBucket, limit: RateLimit, now: () => number): Promise<number> {
  try {
    return await withRetryOnConflict(
      `rate bucket ${bucket} of ${subscription}`,
      async () => {
        const current = await store.get(subscription, bucket);
        const t = now();
        const r = reserve(current?.tat, t, limit);
        await store.save(subscription, bucket, { tat: r.tat, etag: current?.etag });
        return r.at - t;
      },
      20,
    );
  } catch (e) {
    // Not a ConcurrencyError: for the runner that means "another invocation acted on this step".
    if (e instanceof ConcurrencyError) throw new Error(e.message);
    throw e;
  }
}

const pacingOn = (deps: AppDeps): boolean => deps.settings.pacing !== false && !!deps.pacing;
const maxWaitOf = (s: RunnerSettings) => s.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS;

/**
 * Before a step's ARM write: a slot in each bucket the write draws from. A slot reserved by an
 * earlier invocation of this step is used when its time has come.
 */
export async function paceWrite(deps: AppDeps, row: StepRecord, d: Write): Promise<Paced> {
  const now = deps.now().getTime();
  if (row.paceSlotAt) {
    const slot = Date.parse(row.paceSlotAt);
    if (slot <= now) return { go: { ...row, paceSlotAt: undefined } };
    return { wait: row, delayMs: slot - now };
  }
  const sub = subscriptionOf(d.ref.id);
  if (!pacingOn(deps) || !sub) return { go: row };
  const method = d.do === "post" ? "POST" : d.do === "delete" ? "DELETE" : "PUT";
  const path = d.do === "post" ? `${d.ref.id}/${d.action}` : d.ref.id;
  const limits = deps.settings.pacingLimits ?? ARM_RATE_LIMITS;
  let delayMs = 0;
  let by: RateBucket | undefined;
  for (const b of bucketsOf(method, path)) {
    const wait = await takeSlot(deps.pacing!, sub, b, limits[b], () => deps.now().getTime());
    if (wait > delayMs) [delayMs, by] = [wait, b];
  }
  if (!by) return { go: row };
  delayMs += (SLOT_MARGIN * 1000) / limits[by].perSecond;
  const at = now + delayMs;
  const since = row.throttledSince ?? new Date(now).toISOString();
  const slotAt = new Date(at).toISOString();
  const waited = at - Date.parse(since);
  if (waited > maxWaitOf(deps.settings))
    return { fail: tooLong(waited, deps.settings, `the next slot of ${BUCKET_NAMES[by]} (subscription ${sub}) is at ${slotAt}`) };
  deps.log(`step ${row.name} of ${row.requestId}: paced, ${BUCKET_NAMES[by]} of ${sub}, next slot at ${slotAt}`);
  return {
    wait: { ...row, paceSlotAt: slotAt, throttled: (row.throttled ?? 0) + 1, throttledSince: since, waitingSince: undefined, waitReason: `throttled: ${BUCKET_NAMES[by]}, next slot at ${slotAt}` },
    delayMs,
  };
}

/** ARM answered 429: look again after its Retry-After, without spending an attempt (bounded in all by maxThrottleWaitMs). */
export function afterThrottled(deps: AppDeps, row: StepRecord, e: ArmError): Deferral {
  const now = deps.now().getTime();
  const since = row.throttledSince ?? new Date(now).toISOString();
  const delayMs = e.retryAfterMs ?? deps.settings.minRecheckMs;
  const retryAt = new Date(now + delayMs).toISOString();
  const error = { code: e.code, message: redact(e.message) };
  const waited = now + delayMs - Date.parse(since);
  if (waited > maxWaitOf(deps.settings)) return { fail: { code: error.code, message: `${error.message} (${tooLong(waited, deps.settings, `ARM asks to retry at ${retryAt}`).message})` } };
  deps.log(`step ${row.name} of ${row.requestId}: throttled (${e.code}), retry at ${retryAt}`);
  return {
    wait: { ...row, lastError: error, throttled: (row.throttled ?? 0) + 1, throttledSince: since, waitReason: `throttled: ARM answered 429 ${e.code}, retry at ${retryAt}` },
    delayMs,
  };
}

function tooLong(waitedMs: number, s: RunnerSettings, next: string): ErrorInfo {
  return {
    code: "ThrottleWaitExceeded",
    message: `throttled by ARM's request limits for ${Math.round(waitedMs / 1000)} s, longer than a step may wait (${Math.round(maxWaitOf(s) / 1000)} s, ARM_THROTTLE_MAX_WAIT_MS): ${next}`,
  };
}
