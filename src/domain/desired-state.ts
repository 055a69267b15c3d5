// The hardened settings a cluster must keep, as the requests that shaped it established them, and the
// drift between them and what ARM holds now. Each held setting traces to its procedure:
// - bootstrapProfile.artifactSource / containerRegistryId, networkProfile.outboundType: network-isolated
//   AKS procedure (artifactSource Cache, a BYO registry's id, outbound none or block);
// - apiServerAccessProfile.enableVnetIntegration / subnetId / enablePrivateCluster: API server VNet
//   integration procedure (one-way conversion; private toggle);
// - Pod Sandboxing pools (present, workloadRuntime, osSKU): Pod Sandboxing procedure (Kata runtime on
//   Azure Linux);
// - what a request made (registry, private endpoints, DNS zones, links and records, role assignments,
//   the Arc scope and NSG rules): held-resources.ts.
// Pure: the app reads ARM and stores the record; this module says what is held and what differs.
import type { ManagedCluster } from "@azure/arm-containerservice";
import type { ClusterRequest, NodePool } from "./contract.js";
import { isKataPool } from "./rules.js";
import { createHash } from "node:crypto";
import { REGISTRY_STEPS, stepOfSetting, type HeldResource } from "./held-resources.js";

export type DriftPolicy = "report" | "restore";

/** A held Pod Sandboxing pool: what must hold, and what a re-creation needs. */
export interface HeldPool {
  workloadRuntime: string;
  osSKU: string;
  vmSize: string;
  count: number;
}

/** The held settings; a setting absent was not established by this app and is not held. */
export interface HeldSettings {
  artifactSource?: string;
  containerRegistryId?: string;
  outboundType?: string;
  enableVnetIntegration?: boolean;
  apiServerSubnetId?: string;
  enablePrivateCluster?: boolean;
  sandboxPools?: Record<string, HeldPool>;
}

/** What a restore of network isolation submits again: the registry and network of the request that set it. */
export interface IsolationSpec {
  networkIsolation: unknown;
  network?: unknown;
}

export interface DesiredState {
  settings: HeldSettings;
  policy: DriftPolicy;
  /** The request that last changed what is held. */
  heldBy: string;
  /** Counts the changes of what is held. */
  generation: number;
  isolation?: IsolationSpec;
  /** The resources the requests that shaped it made, each by the step that made it. */
  resources?: HeldResource[];
  /** Restores queued, by setting: their times (the give-up rule counts them). */
  restores?: Record<string, string[]>;
  /** Restores queued, by setting, ever: numbers the restore requests (the times above are pruned). */
  restoreCounts?: Record<string, number>;
}

export type DriftVia = "event" | "sweep";

export interface DriftEntry {
  /** The ARM property, e.g. `networkProfile.outboundType`, or `agentPoolProfiles[kata1]`. */
  setting: string;
  resourceId: string;
  desired: unknown;
  actual: unknown;
  detectedAt: string;
  via: DriftVia;
  /** What restoring does about it: queued (the request id), not restorable (why), or given up (why). */
  restore?: string;
}

/** What ARM holds now, in the terms of the held settings (every setting, held or not). */
export function observedSettings(mc: ManagedCluster): Required<Omit<HeldSettings, "containerRegistryId" | "apiServerSubnetId">> & Pick<HeldSettings, "containerRegistryId" | "apiServerSubnetId"> {
  const pools: Record<string, HeldPool> = {};
  for (const p of mc.agentPoolProfiles ?? [])
    pools[p.name.toLowerCase()] = { workloadRuntime: p.workloadRuntime ?? "OCIContainer", osSKU: p.osSKU ?? "Ubuntu", vmSize: p.vmSize ?? "", count: p.count ?? 0 };
  return {
    artifactSource: mc.bootstrapProfile?.artifactSource ?? "Direct",
    containerRegistryId: mc.bootstrapProfile?.containerRegistryId,
    outboundType: mc.networkProfile?.outboundType ?? "loadBalancer",
    enableVnetIntegration: !!mc.apiServerAccessProfile?.enableVnetIntegration,
    apiServerSubnetId: mc.apiServerAccessProfile?.subnetId,
    enablePrivateCluster: !!mc.apiServerAccessProfile?.enablePrivateCluster,
    sandboxPools: pools,
  };
}

type Scalar = Exclude<keyof HeldSettings, "sandboxPools">;

/** The settings a request establishes, by the operation and what it asked for. */
export function settingsEstablishedBy(req: ClusterRequest): { scalars: Scalar[]; pools: NodePool[]; releases: Scalar[] } {
  switch (req.operation) {
    case "create": {
      const scalars: Scalar[] = [];
      if (req.networkIsolation) scalars.push("artifactSource", "outboundType", ...(req.networkIsolation.registry.mode === "byo" ? (["containerRegistryId"] as const) : []));
      if (req.apiServer?.access === "vnetIntegration") scalars.push("enableVnetIntegration", "apiServerSubnetId");
      if (req.apiServer?.private !== undefined) scalars.push("enablePrivateCluster");
      return { scalars, pools: req.nodePools.filter(isKataPool), releases: [] };
    }
    case "enableNetworkIsolation":
    case "updateBootstrapRegistry":
      return { scalars: ["artifactSource", "outboundType", ...(req.networkIsolation.registry.mode === "byo" ? (["containerRegistryId"] as const) : [])], pools: [], releases: [] };
    case "disableNetworkIsolation":
      // A change on purpose: isolation is no longer held.
      return { scalars: [], pools: [], releases: ["artifactSource", "outboundType", "containerRegistryId"] };
    case "enableApiServerVnetIntegration":
      return { scalars: ["enableVnetIntegration", "apiServerSubnetId"], pools: [], releases: [] };
    case "setPrivateCluster":
      return { scalars: ["enablePrivateCluster"], pools: [], releases: [] };
    case "addSandboxPool":
      return { scalars: [], pools: req.nodePools.filter(isKataPool), releases: [] };
    default:
      return { scalars: [], pools: [], releases: [] };
  }
}

/**
 * The desired state after `req` succeeded on a cluster that ARM now shows as `mc`: what the request
 * established, at the values ARM holds now (the registry's id, the subnet id AKS chose), over what was
 * held before. A request that names a drift policy sets it; otherwise the earlier one stays.
 */
export function nextDesiredState(before: DesiredState | undefined, req: ClusterRequest & { requestId?: string }, mc: ManagedCluster, policy: DriftPolicy | undefined, made: HeldResource[] = [], wrote: string[] = []): DesiredState | undefined {
  const { scalars, pools, releases } = settingsEstablishedBy(req);
  if (!before && !scalars.length && !pools.length && !policy && !made.length) return undefined;
  const seen = observedSettings(mc);
  const settings: HeldSettings = { ...before?.settings };
  for (const k of releases) delete settings[k];
  for (const k of scalars) if (seen[k] !== undefined) (settings as Record<string, unknown>)[k] = seen[k];
  if (pools.length) {
    settings.sandboxPools = { ...settings.sandboxPools };
    for (const p of pools) {
      const now = seen.sandboxPools[p.name.toLowerCase()];
      if (now) settings.sandboxPools[p.name.toLowerCase()] = { ...now, count: p.count };
    }
  }
  const isolation = scalars.includes("artifactSource") && "networkIsolation" in req ? { networkIsolation: req.networkIsolation, network: "network" in req ? req.network : undefined } : before?.isolation;
  return {
    settings,
    policy: policy ?? before?.policy ?? "report",
    heldBy: req.requestId ?? before?.heldBy ?? "",
    generation: (before?.generation ?? 0) + 1,
    isolation: releases.length ? undefined : isolation,
    resources: heldResources(before?.resources, req, made, wrote),
    restores: before?.restores,
    restoreCounts: before?.restoreCounts,
  };
}

/**
 * The resources held after `req`: what was held, and what it made that was not. A resource stays
 * the first request's (the one whose delete removes it, its tags say so) when a later request sent
 * again finds it in place; a later request that wrote it (`wrote`: its ids) changed it on purpose
 * and takes it over: its body says what the resource must be, and its tags name it now. Turning
 * isolation off, or moving it to another registry, releases the earlier registry chain: it is no
 * longer needed.
 */
function heldResources(before: HeldResource[] | undefined, req: ClusterRequest, made: HeldResource[], wrote: string[]): HeldResource[] | undefined {
  const released = req.operation === "disableNetworkIsolation" || req.operation === "updateBootstrapRegistry";
  const rewritten = (r: HeldResource) => wrote.some((id) => same(id, r.resourceId)) && made.some((m) => same(m.resourceId, r.resourceId));
  const kept = (before ?? []).filter((r) => !(released && REGISTRY_STEPS.includes(r.step)) && !rewritten(r));
  const all = [...kept, ...made.filter((m) => !kept.some((r) => same(m.resourceId, r.resourceId)))];
  return all.length ? all : undefined;
}

const same = (a: unknown, b: unknown) => (typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b);

/** The ARM property each held setting is. */
export const ARM_PROPERTY: Record<Scalar, string> = {
  artifactSource: "bootstrapProfile.artifactSource",
  containerRegistryId: "bootstrapProfile.containerRegistryId",
  outboundType: "networkProfile.outboundType",
  enableVnetIntegration: "apiServerAccessProfile.enableVnetIntegration",
  apiServerSubnetId: "apiServerAccessProfile.subnetId",
  enablePrivateCluster: "apiServerAccessProfile.enablePrivateCluster",
};

/** Every held setting that ARM no longer shows as held (without detection time: the app adds it). */
export function differences(held: HeldSettings, mc: ManagedCluster): Pick<DriftEntry, "setting" | "resourceId" | "desired" | "actual">[] {
  const seen = observedSettings(mc);
  const out: Pick<DriftEntry, "setting" | "resourceId" | "desired" | "actual">[] = [];
  for (const k of Object.keys(ARM_PROPERTY) as Scalar[]) {
    if (held[k] === undefined || same(held[k], seen[k])) continue;
    out.push({ setting: ARM_PROPERTY[k], resourceId: mc.id!, desired: held[k], actual: seen[k] ?? null });
  }
  for (const [name, want] of Object.entries(held.sandboxPools ?? {})) {
    const now = seen.sandboxPools[name];
    const poolId = `${mc.id}/agentPools/${name}`;
    if (!now) out.push({ setting: `agentPoolProfiles[${name}]`, resourceId: poolId, desired: { workloadRuntime: want.workloadRuntime, osSKU: want.osSKU }, actual: null });
    else if (!same(now.workloadRuntime, want.workloadRuntime) || !same(now.osSKU, want.osSKU))
      out.push({ setting: `agentPoolProfiles[${name}]`, resourceId: poolId, desired: { workloadRuntime: want.workloadRuntime, osSKU: want.osSKU }, actual: { workloadRuntime: now.workloadRuntime, osSKU: now.osSKU } });
  }
  return out;
}

/** The restore a drift asks for, grouped by the request that re-establishes it. */
export type RestorePlan = { group: string; request: ClusterRequest } | { group: string; notRestorable: string };

/**
 * The request that puts a drifted setting back, through the same steps as any request: isolation by
 * enableNetworkIsolation with the registry of the request that set it (its node-image upgrade
 * included), the private API server by setPrivateCluster, a Kata pool by addSandboxPool.
 */
export function restoreOf(entry: Pick<DriftEntry, "setting" | "resourceId">, desired: DesiredState, cluster: { subscriptionId: string; resourceGroup: string; name: string }, origins: Record<string, ClusterRequest> = {}): RestorePlan {
  const s = desired.settings;
  const step = stepOfSetting(entry.setting);
  if (step) {
    // The request that made it, narrowed to the step that makes it (and the reads it depends on).
    const held = desired.resources?.find((r) => r.step === step && same(r.resourceId, entry.resourceId));
    const origin = held && origins[held.requestId];
    // One group per resource: its restores are counted (the give-up rule) apart from the others'.
    const group = `res-${createHash("sha1").update(`${held?.requestId}/${step}`).digest("hex").slice(0, 8)}`;
    if (!origin) return { group, notRestorable: `the request that made ${entry.resourceId} is no longer recorded: send it again` };
    return { group, request: { ...origin, onlySteps: [step], restores: held.requestId } as ClusterRequest };
  }
  if (entry.setting.startsWith("bootstrapProfile.") || entry.setting === "networkProfile.outboundType") {
    if (!desired.isolation) return { group: "isolation", notRestorable: "the request that isolated this cluster is not known: restore it with enableNetworkIsolation" };
    return { group: "isolation", request: { operation: "enableNetworkIsolation", cluster, ...(desired.isolation as object) } as ClusterRequest };
  }
  if (entry.setting === "apiServerAccessProfile.enableVnetIntegration" || entry.setting === "apiServerAccessProfile.subnetId")
    return { group: "vnetIntegration", notRestorable: "API server VNet integration cannot be set again on a running cluster's other subnet or turned off and on: it is one-way (API server VNet integration procedure)" };
  if (entry.setting === "apiServerAccessProfile.enablePrivateCluster") {
    if (!s.enableVnetIntegration) return { group: "private", notRestorable: "AKS toggles a private API server only on a VNet-integrated API server" };
    return { group: "private", request: { operation: "setPrivateCluster", cluster, apiServer: { private: !!s.enablePrivateCluster, access: "vnetIntegration" } } as ClusterRequest };
  }
  const pool = /^agentPoolProfiles\[(.+)\]$/.exec(entry.setting)?.[1];
  const held = pool ? s.sandboxPools?.[pool] : undefined;
  if (pool && held)
    return {
      group: `pool-${pool}`,
      request: { operation: "addSandboxPool", cluster, nodePools: [{ name: pool, mode: "User", vmSize: held.vmSize, count: held.count, osSku: held.osSKU, workloadRuntime: held.workloadRuntime }] } as ClusterRequest,
    };
  return { group: entry.setting, notRestorable: "no request of this app re-establishes this setting" };
}
