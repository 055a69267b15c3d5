// AKS publishes no event when a newer node image is released: compare each known cluster's pools
// with their upgrade profile's latest node image and queue an upgrade for the pools behind, only
// inside the maintenance window (the cluster's own, else the app setting's).
import { createHash } from "node:crypto";
import { clusterId } from "../domain/naming.js";
import { isManaged } from "../domain/managed.js";
import { inWindow, parseWindow } from "../domain/maintenance-window.js";
import type { AppDeps } from "./deps.js";
import { queueUpgrade } from "./cluster-events.js";

export interface FreshnessResult {
  checked: number;
  outsideWindow: number;
  queued: { clusterId: string; pools: string[]; requestId: string }[];
}

export async function checkNodeImages(deps: AppDeps, defaultWindow: string | undefined): Promise<FreshnessResult> {
  const result: FreshnessResult = { checked: 0, outsideWindow: 0, queued: [] };
  const now = deps.now();
  for (const rec of await deps.clusters.list()) {
    if (rec.kind) continue; // an Arc private link scope's row: no node pools
    const windowText = rec.maintenanceWindow ?? defaultWindow;
    if (!windowText || !inWindow(parseWindow(windowText), now)) {
      result.outsideWindow++;
      continue;
    }
    const id = clusterId(rec.subscriptionId, rec.resourceGroup, rec.name);
    const mc = await deps.arm.read({ kind: "managedCluster", id });
    // Only clusters the app manages (an operator may have removed the tag since the row was written).
    if (!mc || !isManaged(mc)) continue;
    result.checked++;
    const behind: { name: string; latest: string }[] = [];
    for (const p of mc.agentPoolProfiles ?? []) {
      const pool = await deps.arm.read({ kind: "agentPool", id: `${id}/agentPools/${p.name}` });
      if (pool?.latestNodeImageVersion && pool.nodeImageVersion !== pool.latestNodeImageVersion) behind.push({ name: p.name, latest: pool.latestNodeImageVersion });
    }
    if (!behind.length) continue;
    // One request per set of target images: the next timer run finds it and queues nothing new.
    const change = `image-${createHash("sha1").update(behind.map((b) => `${b.name}:${b.latest}`).join(",")).digest("hex").slice(0, 10)}`;
    const pools = behind.map((b) => b.name);
    const requestId = await queueUpgrade(deps, id, pools, change, `newer node image available (${behind.map((b) => `${b.name} → ${b.latest}`).join(", ")})`, "timer");
    result.queued.push({ clusterId: id, pools, requestId });
  }
  return result;
}
