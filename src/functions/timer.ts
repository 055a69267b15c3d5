// Node-image freshness check (off by default: NODE_IMAGE_AUTO_UPGRADE=true turns it on).
// Schedule: NODE_IMAGE_CHECK_SCHEDULE (NCRONTAB, default hourly); window: NODE_IMAGE_MAINTENANCE_WINDOW
// unless a cluster's own row names one.
import functions, { type InvocationContext, type Timer } from "@azure/functions";
import { appConfig } from "../config.js";
import { forInvocation } from "./invocation.js";
import { getDeps } from "./runtime.js";

export async function nodeImageFreshness(_timer: Timer, context: InvocationContext): Promise<void> {
  const { autoUpgrade, maintenanceWindow } = appConfig().nodeImages;
  if (!autoUpgrade) return;
  const { checkNodeImages } = await import("../app/node-image-freshness.js");
  const deps = forInvocation(await getDeps(), context, {});
  const result = await checkNodeImages(deps, maintenanceWindow);
  deps.log(`node images: ${result.checked} clusters checked, ${result.outsideWindow} outside their window, ${result.queued.length} upgrades queued`);
}

/** The drift sweep (DRIFT_SWEEP_SCHEDULE): every held cluster read once and compared with its desired state. */
export async function driftSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const { sweepDrift } = await import("../app/drift.js");
  await sweepDrift(forInvocation(await getDeps(), context, {}));
}

functions.app.timer("driftSweep", { schedule: "%DRIFT_SWEEP_SCHEDULE%", handler: driftSweep });
functions.app.timer("nodeImageFreshness", { schedule: "%NODE_IMAGE_CHECK_SCHEDULE%", handler: nodeImageFreshness });
