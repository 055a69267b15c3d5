// ARM's documented request limits, as token buckets: which bucket a request draws from and how big
// and fast each bucket is. Shared by the app's pacing (src/app/arm-pacing.ts) and the local ARM
// stand-in's model of the limits, so both count the same requests the same way.
//
// Sources: "Request limits and throttling" (Azure Resource Manager, token-bucket limits since 2024:
// per subscription and principal, reads 250 refilled at 25/s, writes and deletes 200 refilled at
// 10/s) and "Throttling limits on AKS resource provider APIs" (PUT ManagedCluster / PUT AgentPool:
// a burst of 20, then 1 a minute; throttled answers are 429 `Throttled`).

export type RateBucket = "reads" | "writes" | "deletes" | "aksWrites";

export interface RateLimit {
  /** Tokens the bucket holds when full (the burst). */
  capacity: number;
  /** Tokens added per second. */
  perSecond: number;
}

export type RateLimits = Record<RateBucket, RateLimit>;

export const ARM_RATE_LIMITS: RateLimits = {
  reads: { capacity: 250, perSecond: 25 },
  writes: { capacity: 200, perSecond: 10 },
  deletes: { capacity: 200, perSecond: 10 },
  // One bucket for the AKS provider's cluster and pool writes (its table lists them as two handlers
  // with the same numbers; one shared bucket is the stricter reading).
  aksWrites: { capacity: 20, perSecond: 1 / 60 },
};

/** What the buckets are called in status and messages. */
export const BUCKET_NAMES: Record<RateBucket, string> = {
  reads: "ARM subscription reads",
  writes: "ARM subscription writes",
  deletes: "ARM subscription deletes",
  aksWrites: "AKS cluster and pool writes",
};

const SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;
/** A managed cluster or one of its agent pools (no deeper: maintenance configurations, role bindings … are other handlers). */
const AKS_RESOURCE = /\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+(\/agentPools\/[^/]+)?$/i;
/** The upgrade actions that write a cluster or pool (upgradeNodeImageVersion, …). */
const AKS_UPGRADE = /\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+(\/agentPools\/[^/]+)?\/upgrade[A-Za-z]*$/i;

/** The subscription a request path is in; undefined for tenant-level requests (not subscription-limited). */
export function subscriptionOf(path: string): string | undefined {
  return SUBSCRIPTION.exec(path)?.[1]?.toLowerCase();
}

/** The subscription bucket a request draws from (ARM's own limit). */
export function armBucketOf(method: string): RateBucket {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") return "reads";
  if (m === "DELETE") return "deletes";
  return "writes";
}

/** Whether the AKS resource provider also counts the request against its cluster/pool write limit. */
export function isAksWrite(method: string, path: string): boolean {
  const m = method.toUpperCase();
  if (m === "PUT" || m === "PATCH") return AKS_RESOURCE.test(path);
  if (m === "POST") return AKS_UPGRADE.test(path);
  return false;
}

/** Every bucket the request draws from, ARM's first. */
export function bucketsOf(method: string, path: string): RateBucket[] {
  return isAksWrite(method, path) ? [armBucketOf(method), "aksWrites"] : [armBucketOf(method)];
}

/**
 * Limits for a clock that runs `timeScale` times as long as real durations (the local stand-in's
 * durations are multiplied by its timeScale, so its refill rates are divided by it). timeScale 0:
 * buckets refill at once (never empty).
 */
export function scaleLimits(limits: RateLimits, timeScale: number): RateLimits {
  const scale = (l: RateLimit): RateLimit => ({ capacity: l.capacity, perSecond: timeScale > 0 ? l.perSecond / timeScale : Infinity });
  return { reads: scale(limits.reads), writes: scale(limits.writes), deletes: scale(limits.deletes), aksWrites: scale(limits.aksWrites) };
}

/** Limits with some numbers overridden. */
export function withLimits(base: RateLimits, override: Partial<Record<RateBucket, Partial<RateLimit>>> = {}): RateLimits {
  const merged = { ...base };
  for (const b of Object.keys(base) as RateBucket[]) merged[b] = { ...base[b], ...override[b] };
  return merged;
}
