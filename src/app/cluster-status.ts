// GET /api/clusters/{subscriptionId}/{resourceGroup}/{name}: what this app knows of a cluster —
// last-known isolation settings, pending and past node-image upgrades, the latest version/support events.
import { clusterId } from "../domain/naming.js";
import { heldTargetId } from "../domain/held-target.js";
import type { AppDeps } from "./deps.js";
import { desiredOf, driftOf } from "./drift.js";

export async function clusterStatus(deps: AppDeps, sub: string, rg: string, name: string) {
  // No cluster of that name: an Azure Arc private link scope held under it (arcPrivateLink).
  const rec = (await deps.clusters.get(sub, rg, name)) ?? (await deps.clusters.get(sub, rg, name, "privateLinkScope"));
  if (!rec) return undefined;
  const { etag: _etag, events, desired: _d, drift: _x, ...settings } = rec;
  const upgrades = rec.kind ? [] : (await deps.upgrades.listForCluster(clusterId(sub, rg, name))).map(({ etag: _e, clusterId: _c, ...u }) => u);
  return {
    ...settings,
    id: heldTargetId(rec),
    upgrades: {
      pending: upgrades.filter((u) => u.state === "Queued" || u.state === "Running"),
      past: upgrades.filter((u) => u.state === "Succeeded" || u.state === "Failed"),
    },
    events: events ? JSON.parse(events) : {},
    desired: desiredOf(rec),
    drift: driftOf(rec),
  };
}
