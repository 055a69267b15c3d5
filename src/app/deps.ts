// What the app layer needs from the outside world, as ports. The triggers (src/functions) build
// them from app settings; the local host and the tests build them around Azurite, the in-process
// bus and the ARM stand-in.
import type { Arm } from "./arm.js";
import type { CallerPolicy } from "../domain/caller.js";
import type { TokenSettings } from "./tokens.js";
import type { AllowedScopes } from "../domain/scopes.js";
import type { QueueSender } from "./queue.js";
import type { RateLimits } from "../domain/arm-limits.js";
import type { ClusterStore, LeaseStore, PacingStore, RequestStore, UpgradeStore } from "./stores.js";

export interface RunnerSettings {
  /** Transient failures a step may have before it fails (DESIGN rule 4). */
  retryBudget: number;
  /** Bounds of a scheduled re-check when ARM gives no Retry-After, and the clamp when it does. */
  minRecheckMs: number;
  maxRecheckMs: number;
  /** ALLOWED_SCOPES: where requests may act; undefined = anywhere (the local host only). */
  allowedScopes?: AllowedScopes;
  /**
   * ARM_PACING: pace ARM writes per subscription with shared rate buckets (src/app/arm-pacing.ts);
   * default on, `false` switches it off (a 429 is still waited out without spending attempts).
   */
  pacing?: boolean;
  /** The buckets' sizes and refill rates; default ARM's documented limits (ARM_RATE_LIMITS). */
  pacingLimits?: RateLimits;
  /** ARM_THROTTLE_MAX_WAIT_MS: how long in all a step may wait for rate limits before it fails; default 12 h. */
  maxThrottleWaitMs?: number;
  /** Cluster leases (cluster-lease.ts): how long a lease lasts unrenewed, and how long a step may queue behind one. */
  leaseTtlMs?: number;
  leaseMaxWaitMs?: number;
  /** DRIFT_RESTORE_MAX / DRIFT_RESTORE_WINDOW_HOURS: a setting restored this often in the window is no longer restored. */
  driftRestoreLimit?: { max: number; windowMs: number };
  /** AUTH_*: how a caller proves who it is; undefined: no token check (the local host, or AUTH_MODE=off). */
  auth?: TokenSettings;
  /** CALLER_POLICY: what the callers of each app role may do (with `auth`, a caller without a role here may do nothing). */
  callerPolicy?: CallerPolicy;
}

export const DEFAULT_SETTINGS: RunnerSettings = { retryBudget: 8, minRecheckMs: 2_000, maxRecheckMs: 120_000, pacing: true };

export interface AppDeps {
  requests: RequestStore;
  clusters: ClusterStore;
  upgrades: UpgradeStore;
  /** One writer per cluster: who holds each cluster now. */
  leases: LeaseStore;
  queue: QueueSender;
  arm: Arm;
  /** The shared rate buckets of pacing (none: no pacing). */
  pacing?: PacingStore;
  settings: RunnerSettings;
  now(): Date;
  log(message: string, data?: Record<string, unknown>): void;
  /** The W3C trace context of the current invocation (a request accepted in it keeps this trace). */
  traceparent?: string;
}

/**
 * The deployed app refuses to start without ALLOWED_SCOPES: its identity can act across
 * subscriptions, and anyone who can send it a request borrows that power.
 */
export function requireAllowedScopes<T extends Pick<RunnerSettings, "allowedScopes">>(settings: T): T {
  if (!settings.allowedScopes)
    throw new Error("app setting ALLOWED_SCOPES is not set: list the subscriptions (/subscriptions/{id}) and resource groups (/subscriptions/{id}/resourceGroups/{name}) the app may act on, comma-separated");
  return settings;
}
