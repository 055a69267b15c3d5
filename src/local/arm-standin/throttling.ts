// ARM's request limits, modelled: per subscription and principal, a token bucket each for reads,
// writes and deletes (ARM's own limits), and for the AKS provider's cluster and pool writes a
// stricter one (a burst of 20, then about one a minute). An empty bucket answers 429 with
// Retry-After, as ARM does; every answer carries the remaining counts in the
// x-ms-ratelimit-remaining-subscription-* headers. Buckets refill lazily from the stand-in's clock
// (no timers), and the refill rates are divided by the stand-in's timeScale as its durations are
// multiplied by it: at timeScale 0.05, the AKS bucket refills one token every 3 s, not every 60 s.
import { ARM_RATE_LIMITS, armBucketOf, isAksWrite, scaleLimits, subscriptionOf, withLimits, type RateBucket, type RateLimit, type RateLimits } from "../../domain/arm-limits.js";
import { ArmError } from "./errors.js";

/** `throttling: true` models ARM's documented numbers; an object overrides some of them (before time scaling). */
export type ThrottlingOption = boolean | Partial<Record<RateBucket, Partial<RateLimit>>>;

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttling {
  private readonly limits: RateLimits;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    option: Exclude<ThrottlingOption, false>,
    private readonly now: () => number,
    timeScale: number,
  ) {
    this.limits = scaleLimits(withLimits(ARM_RATE_LIMITS, option === true ? {} : option), timeScale);
  }

  /**
   * Draws the request's tokens. Returns the rate-limit headers to send; throws the 429 when a bucket
   * is empty. ARM checks its own limit first (a request it throttles never reaches the provider and
   * costs nothing); a request it passes has spent its ARM token even if the AKS provider then
   * throttles it.
   */
  take(method: string, path: string, principal: string): Record<string, string> {
    const sub = subscriptionOf(path);
    if (!sub) return {};
    const arm = armBucketOf(method);
    this.draw(sub, principal, arm, () => armThrottled(sub, arm));
    if (isAksWrite(method, path)) this.draw(sub, principal, "aksWrites", () => aksThrottled(sub, method, path));
    return this.headers(sub, principal);
  }

  /** The remaining counts, as ARM reports them. */
  headers(sub: string, principal: string): Record<string, string> {
    const left = (b: RateBucket) => String(Math.floor(this.bucket(sub, principal, b).tokens));
    return {
      "x-ms-ratelimit-remaining-subscription-reads": left("reads"),
      "x-ms-ratelimit-remaining-subscription-writes": left("writes"),
      "x-ms-ratelimit-remaining-subscription-deletes": left("deletes"),
    };
  }

  private draw(sub: string, principal: string, b: RateBucket, refusal: () => { code: string; message: (seconds: number) => string }): void {
    const bucket = this.bucket(sub, principal, b);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    // Whole seconds, rounded up (ARM's Retry-After is in seconds): the bucket has a token by then.
    const waitMs = ((1 - bucket.tokens) / this.limits[b].perSecond) * 1000;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    const { code, message } = refusal();
    throw new ArmError(429, code, message(seconds), { "retry-after": String(seconds), ...this.headers(sub, principal) });
  }

  /** The bucket, refilled up to now. */
  private bucket(sub: string, principal: string, b: RateBucket): Bucket {
    const key = `${sub}|${principal}|${b}`;
    const { capacity, perSecond } = this.limits[b];
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: capacity, at: now }));
    const refill = perSecond === Infinity ? capacity : ((now - bucket.at) / 1000) * perSecond;
    bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, refill));
    bucket.at = now;
    return bucket;
  }
}

const KIND: Record<RateBucket, string> = { reads: "read", writes: "write", deletes: "delete", aksWrites: "write" };

/** ARM's subscription throttling answer (code SubscriptionRequestsThrottled). */
function armThrottled(sub: string, b: RateBucket) {
  return {
    code: "SubscriptionRequestsThrottled",
    message: (s: number) => `Number of '${KIND[b]}' requests for subscription '${sub}' exceeded. Please try again after '${s}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
  };
}

/** The AKS resource provider's own throttling answer (code Throttled, naming its handler). */
function aksThrottled(sub: string, method: string, path: string) {
  const handler = /\/agentPools\/[^/]+/i.test(path) ? "PutAgentPoolHandler" : "PutManagedClusterHandler";
  return {
    code: "Throttled",
    message: (s: number) => `The ${handler}.${method.toUpperCase()} request limit has been exceeded for SubID='${sub}', please retry again in ${s} seconds. For more information, please visit aka.ms/aks/throttling`,
  };
}

/** Who is asking: the token's object id when it is a JWT, else the token itself (the local host's static token). */
export function principalOf(authorization: string): string {
  const token = authorization.replace(/^Bearer\s+/i, "");
  const payload = token.split(".")[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: string; sub?: string };
      if (claims.oid ?? claims.sub) return String(claims.oid ?? claims.sub);
    } catch {
      // not a JWT: the token names the caller
    }
  }
  return token;
}
