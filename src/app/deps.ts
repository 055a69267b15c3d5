// What the app layer needs from the outside world, as ports. The triggers (src/functions) build
// them from app settings; the local host and the tests build them around Azurite, the in-process
// bus and the ARM stand-in.
import type { Arm } from "./arm.js";
import type { QueueSender } from "./queue.js";
import type { ClusterStore } from "../state/cluster-store.js";
import type { RequestStore } from "../state/request-store.js";
import type { UpgradeStore } from "../state/upgrade-store.js";

export interface RunnerSettings {
  /** Transient failures a step may have before it fails (DESIGN rule 4). */
  retryBudget: number;
  /** Bounds of a scheduled re-check when ARM gives no Retry-After, and the clamp when it does. */
  minRecheckMs: number;
  maxRecheckMs: number;
}

export const DEFAULT_SETTINGS: RunnerSettings = { retryBudget: 8, minRecheckMs: 2_000, maxRecheckMs: 120_000 };

export interface AppDeps {
  requests: RequestStore;
  clusters: ClusterStore;
  upgrades: UpgradeStore;
  queue: QueueSender;
  arm: Arm;
  settings: RunnerSettings;
  now(): Date;
  log(message: string, data?: Record<string, unknown>): void;
}
