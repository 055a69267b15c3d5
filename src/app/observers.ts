// What the app remembers about ARM writes beyond the step rows: a cluster's isolation settings after
// every cluster write, and a per-pool record of every node-image upgrade (for GET /api/clusters and
// the NodePoolRolling* events).
import type { ManagedCluster } from "@azure/arm-containerservice";
import type { AgentPoolWithLatestImage } from "../domain/arm-models.js";
import type { PendingWrite, RequestRecord, UpgradeState } from "../domain/records.js";
import { heldTargetOf } from "../domain/held-target.js";
import type { AppDeps } from "./deps.js";
import { noteClusterSettings } from "./cluster-settings.js";

const isUpgrade = (op?: PendingWrite) => op?.kind === "agentPool" && op.action === "upgradeNodeImageVersion";
const poolOf = (id: string) => ({ clusterId: id.replace(/\/agentPools\/[^/]+$/i, ""), pool: id.split("/").pop()! });

export async function writeStarted(deps: AppDeps, req: RequestRecord, op: PendingWrite): Promise<void> {
  if (isUpgrade(op)) await bestEffort(deps, () => recordUpgrade(deps, req, op.id, "Running"));
}

/**
 * The upgrade records are a view for people: failing to write one must not fail (and so repeat)
 * the ARM write it describes.
 */
async function bestEffort(deps: AppDeps, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    deps.log(`could not record an upgrade: ${(e as Error).message}`);
  }
}

export async function writeFinished(deps: AppDeps, req: RequestRecord, op: PendingWrite, result: unknown): Promise<void> {
  // A deleted cluster (or Arc private link scope) is forgotten: no event or timer acts on it any more.
  if (op.method === "delete") {
    if (op.kind === "managedCluster" || op.kind === "privateLinkScope") {
      const { subscriptionId, resourceGroup, name, kind } = heldTargetOf(op.id);
      await deps.clusters.remove(subscriptionId, resourceGroup, name, kind);
    }
    return;
  }
  const cluster = op.kind === "managedCluster" ? (result as ManagedCluster | undefined) : undefined;
  if (cluster?.id) await noteClusterSettings(deps, cluster, req.id);
  if (isUpgrade(op)) await bestEffort(deps, async () => recordUpgrade(deps, req, op.id, "Succeeded", await deps.arm.read({ kind: "agentPool", id: op.id })));
}

export async function writeFailed(deps: AppDeps, req: RequestRecord, op: PendingWrite | undefined, error: string): Promise<void> {
  if (op && isUpgrade(op)) await bestEffort(deps, () => recordUpgrade(deps, req, op.id, "Failed", undefined, error));
}

async function recordUpgrade(deps: AppDeps, req: RequestRecord, poolId: string, state: UpgradeState, pool?: AgentPoolWithLatestImage, error?: string): Promise<void> {
  const { clusterId, pool: name } = poolOf(poolId);
  const now = deps.now().toISOString();
  const key = { clusterId, changeKey: req.id, pool: name };
  const existing = await deps.upgrades.get(clusterId, req.id, name);
  const rec = existing ?? { ...key, reason: `request ${req.id} (${req.operation})`, state, requestedAt: now };
  await deps.upgrades.save({
    ...rec,
    state,
    startedAt: rec.startedAt ?? now,
    finishedAt: state === "Running" ? undefined : now,
    nodeImageVersion: pool?.nodeImageVersion ?? rec.nodeImageVersion,
    error,
  });
}

