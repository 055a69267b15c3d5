// The per-cluster row: last-known isolation settings, as read from ARM. Every reader of a cluster
// (a request's steps, a cluster event) notes what it saw here; a change of artifactSource,
// containerRegistryId or outboundType bumps the generation, and node-image upgrades are keyed by
// generation, so the same change noticed twice (by this app's own request and by the event its
// write raised, or by five events) asks for one upgrade per pool.
import { parseResourceId } from "../domain/naming.js";
import type { ManagedCluster } from "@azure/arm-containerservice";
import type { ClusterRecord } from "../domain/records.js";
import type { AppDeps } from "./deps.js";
import { withRetryOnConflict } from "./optimistic.js";

type Settings = Pick<ClusterRecord, "artifactSource" | "containerRegistryId" | "outboundType" | "enableVnetIntegration" | "enablePrivateCluster">;

export function isolationSettings(mc: ManagedCluster): Settings {
  return {
    artifactSource: mc.bootstrapProfile?.artifactSource ?? "Direct",
    containerRegistryId: mc.bootstrapProfile?.containerRegistryId,
    outboundType: mc.networkProfile?.outboundType ?? "loadBalancer",
    enableVnetIntegration: !!mc.apiServerAccessProfile?.enableVnetIntegration,
    enablePrivateCluster: !!mc.apiServerAccessProfile?.enablePrivateCluster,
  };
}

/** The settings whose change needs every node re-imaged (network-isolated procedure). */
export function needsReimage(before: Settings, after: Settings): boolean {
  const norm = (v?: string) => (v ?? "").toLowerCase();
  return norm(before.artifactSource) !== norm(after.artifactSource) || norm(before.containerRegistryId) !== norm(after.containerRegistryId) || norm(before.outboundType) !== norm(after.outboundType);
}

export interface Noted {
  record: ClusterRecord;
  firstSeen: boolean;
  /** True when this call saw the isolation settings change (and bumped the generation). */
  changed: boolean;
}

/** `mc` as ARM returned it (so it has its id). */
export async function noteClusterSettings(deps: AppDeps, mc: ManagedCluster, requestId?: string): Promise<Noted> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(mc.id!);
  return withRetryOnConflict(`cluster ${name}`, async (): Promise<Noted> => {
    const existing = await deps.clusters.get(subscriptionId, resourceGroup, name);
    const now = isolationSettings(mc);
    const changed = !!existing && needsReimage(existing, now);
    const unchanged =
      existing && !changed && existing.enableVnetIntegration === now.enableVnetIntegration && existing.enablePrivateCluster === now.enablePrivateCluster && (!requestId || existing.lastRequestId === requestId);
    if (unchanged) return { record: existing, firstSeen: false, changed: false };
    const record: ClusterRecord = {
      ...(existing ?? { subscriptionId, resourceGroup, name, generation: 0 }),
      ...now,
      generation: (existing?.generation ?? 0) + (changed ? 1 : 0),
      // The last request of this app that worked on the cluster: its own changes are its to re-image.
      lastRequestId: requestId ?? existing?.lastRequestId,
      updatedAt: deps.now().toISOString(),
    };
    await deps.clusters.save(record);
    return { record, firstSeen: !existing, changed };
  });
}
