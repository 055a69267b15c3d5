// Steps on an existing cluster: read it first (refuse clearly when its state makes the change
// impossible), update it (a PUT of the cluster as read, with the change merged in: the ARM API has
// no PATCH for these properties), and re-image its pools when the procedure demands it.
import type { ManagedCluster } from "@azure/arm-containerservice";
import { aksApiVersionFor, previewValues } from "../api-versions.js";
import { clusterId } from "../naming.js";
import { LAST_WRITE_FAILED, PROVISIONING_IN_PROGRESS, defineStep, provisioningState, put, type Decision, type Outputs, type StepContext, type StepDef } from "../step.js";
import { isSubset } from "./put-step.js";
import { changedTags } from "../managed.js";

export const READ_STEP = "cluster:read";
export const UPDATE_STEP = "cluster:update";

/** How long a step waits for a cluster that is busy with another operation before it refuses. */
export const BUSY_CLUSTER_MAX_WAIT_MS = 60 * 60_000;

export interface ClusterTarget {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}
export const targetId = (c: ClusterTarget) => clusterId(c.subscriptionId, c.resourceGroup, c.name);

/** What later steps need to know of the cluster as it was before the change. */
export function clusterFacts(mc: ManagedCluster): Outputs {
  const pools = mc.agentPoolProfiles ?? [];
  const userAssigned = Object.entries(mc.identity?.userAssignedIdentities ?? {});
  const nodesSubnetId = pools.find((p) => p.vnetSubnetID)?.vnetSubnetID;
  return {
    clusterId: mc.id,
    location: mc.location,
    kubernetesVersion: mc.currentKubernetesVersion ?? mc.kubernetesVersion,
    pools: pools.map((p) => p.name),
    nodesSubnetId,
    vnetId: nodesSubnetId?.replace(/\/subnets\/[^/]+$/i, ""),
    // The cluster (control-plane) identity: user-assigned when the cluster has one, else system-assigned.
    identityPrincipalId: userAssigned[0]?.[1]?.principalId ?? mc.identity?.principalId,
    identityResourceId: userAssigned[0]?.[0],
    kubeletObjectId: mc.identityProfile?.kubeletidentity?.objectId,
    kubeletResourceId: mc.identityProfile?.kubeletidentity?.resourceId,
    artifactSource: mc.bootstrapProfile?.artifactSource ?? "Direct",
    outboundType: mc.networkProfile?.outboundType,
    enableVnetIntegration: !!mc.apiServerAccessProfile?.enableVnetIntegration,
    enablePrivateCluster: !!mc.apiServerAccessProfile?.enablePrivateCluster,
    // A cluster that already holds a preview-only value is written back with a preview api-version.
    apiVersion: aksApiVersionFor(previewValues(mc)),
  };
}

/**
 * The api-version for writes to the cluster: the one the request needs, else the one the cluster
 * itself needs (known once the read step has run).
 */
export const clusterApiVersion = (ctx: StepContext, requested?: string): string | undefined => requested ?? (ctx.outputs[READ_STEP]?.apiVersion as string | undefined);

/**
 * Reads the cluster; fails when it does not exist or when `refuse` finds a reason; waits (bounded)
 * while another operation is running on it. Every write of the plan depends on this step.
 */
export function readClusterStep(target: ClusterTarget, refuse?: (mc: ManagedCluster) => string | undefined, apiVersion?: string): StepDef {
  const id = targetId(target);
  return defineStep({
    name: READ_STEP,
    dependsOn: [],
    describe: `read cluster ${target.name} and check the change is possible (no write)`,
    resourceId: id,
    maxWaitMs: BUSY_CLUSTER_MAX_WAIT_MS,
    reads: () => [{ kind: "managedCluster", id, apiVersion }],
    decide(_ctx, [mc]): Decision {
      if (!mc) return { do: "fail", code: "ClusterNotFound", message: `cluster ${id} does not exist` };
      if (PROVISIONING_IN_PROGRESS(mc)) return { do: "wait", reason: `cluster is ${provisioningState(mc)}`, resourceId: id };
      const reason = refuse?.(mc);
      if (reason) return { do: "fail", code: "ClusterStateConflict", message: reason };
      return { do: "done", resourceId: id, outputs: clusterFacts(mc) };
    },
  });
}

/** Deep merge of a change into a resource (objects merged, arrays and values replaced). */
export function merge<T>(base: T, change: unknown): T {
  if (!change || typeof change !== "object" || Array.isArray(change)) return change as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) continue;
    const cur = out[k];
    out[k] = v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" ? merge(cur, v) : v;
  }
  return out as T;
}

/**
 * Updates the cluster: `change(mc, ctx)` says which properties must hold; when they already do the
 * step is done without a write (idempotent), else it PUTs the cluster as read with them merged in.
 */
export function updateClusterStep(o: {
  target: ClusterTarget;
  dependsOn: string[];
  describe: string;
  change: (mc: ManagedCluster, ctx: StepContext) => Partial<ManagedCluster>;
  /** A reconcile PUT even when nothing differs (the procedure's bare `az aks update`). */
  force?: (ctx: StepContext) => boolean;
  apiVersion?: string;
  name?: string;
}): StepDef {
  const id = targetId(o.target);
  return defineStep({
    name: o.name ?? UPDATE_STEP,
    dependsOn: o.dependsOn,
    describe: o.describe,
    resourceId: id,
    maxWaitMs: BUSY_CLUSTER_MAX_WAIT_MS,
    reads: (ctx) => [{ kind: "managedCluster", id, apiVersion: clusterApiVersion(ctx, o.apiVersion) }],
    decide(ctx, [mc]): Decision {
      if (!mc) return { do: "fail", code: "ClusterNotFound", message: `cluster ${id} does not exist` };
      if (PROVISIONING_IN_PROGRESS(mc)) return { do: "wait", reason: `cluster is ${provisioningState(mc)}`, resourceId: id };
      const change = o.change(mc, ctx);
      if (isSubset(change, mc) && !LAST_WRITE_FAILED(mc) && !o.force?.(ctx)) return { do: "done", resourceId: id, outputs: clusterFacts(mc) };
      // A cluster this app changes is one it manages from now on (its tags say so; they alone never cause a write).
      const next = merge(mc, { ...change, tags: changedTags(mc.tags) });
      // The cluster after the change may hold a preview-only value the request did not name.
      return put({ kind: "managedCluster", id, apiVersion: clusterApiVersion(ctx, o.apiVersion) ?? aksApiVersionFor(previewValues(next)) }, writable(next));
    },
    outputs: (_ctx, mc) => (mc ? clusterFacts(mc as ManagedCluster) : {}),
  });
}

/** The cluster as read, without what ARM computes (sending it back is harmless but noisy). */
function writable(mc: ManagedCluster): ManagedCluster {
  const { provisioningState: _p, powerState: _ps, maxAgentPools: _m, currentKubernetesVersion: _c, fqdn: _f, privateFqdn: _pf, azurePortalFqdn: _a, systemData: _s, ...rest } = mc;
  return { ...rest, agentPoolProfiles: (mc.agentPoolProfiles ?? []).map(({ provisioningState: _x, powerState: _y, nodeImageVersion: _n, currentOrchestratorVersion: _o, ...p }) => p) };
}
