// The managed cluster of a `create` request, exactly as the procedures build it:
// - network isolation: bootstrapProfile { artifactSource: Cache, containerRegistryId? },
//   networkProfile.outboundType none|block, networkPlugin azure (network-isolated procedure);
// - private API server by private link (enablePrivateCluster) or API server VNet integration
//   (enableVnetIntegration, subnetId for a BYO VNet) (API server VNet integration procedure);
// - node pools, Pod Sandboxing pools with workloadRuntime + osSKU AzureLinux (Pod Sandboxing procedure);
// - with a BYO VNet and identities: vnetSubnetID, identity (control plane), identityProfile.kubeletidentity.
import type { ManagedCluster, ManagedClusterAgentPoolProfile } from "@azure/arm-containerservice";
import { aksApiVersionFor, previewValues } from "../api-versions.js";
import type { CreateRequest, NodePool } from "../contract.js";
import { clusterId } from "../naming.js";
import { apiServerAccess } from "../rules.js";
import { defineStep, type Decision, type Outputs, type StepContext, type StepDef } from "../step.js";
import { isSubset, putStep } from "./put-step.js";

export const CLUSTER_STEP = "cluster";
export const VERIFY_STEP = "verify";

/** Steps of the BYO chain whose outputs the cluster consumes (steps/byo.ts). */
export const CLUSTER_INPUTS = { vnet: "vnet", controlPlaneIdentity: "identity:controlPlane", kubeletIdentity: "identity:kubelet", registry: "registry" } as const;

/** The api-version a request's cluster writes need: a preview one only for a preview-only value (api-versions.ts). */
export const requestApiVersion = (req: Parameters<typeof previewValues>[0]): string | undefined => aksApiVersionFor(previewValues(req));

export function agentPoolProfile(p: NodePool, vnetSubnetID?: string): ManagedClusterAgentPoolProfile {
  return {
    name: p.name,
    mode: p.mode,
    vmSize: p.vmSize,
    count: p.count,
    osType: "Linux",
    type: "VirtualMachineScaleSets",
    osSKU: p.osSku,
    workloadRuntime: p.workloadRuntime,
    vnetSubnetID,
  };
}

export function desiredCluster(req: CreateRequest, outputs: Record<string, Outputs>): ManagedCluster {
  const out = (step: string, key: string) => outputs[step]?.[key] as string | undefined;
  const nodesSubnet = out(CLUSTER_INPUTS.vnet, "nodesSubnetId");
  const cpId = out(CLUSTER_INPUTS.controlPlaneIdentity, "controlPlaneIdentityId");
  const kubeletId = out(CLUSTER_INPUTS.kubeletIdentity, "kubeletIdentityId");
  const iso = req.networkIsolation;
  const access = apiServerAccess(req);
  const apiServerSubnet = req.apiServer?.subnetId ?? out(CLUSTER_INPUTS.vnet, "apiServerSubnetId");

  return {
    location: req.cluster.location!,
    tags: req.tags,
    kubernetesVersion: req.cluster.kubernetesVersion,
    dnsPrefix: req.cluster.name,
    identity: cpId ? { type: "UserAssigned", userAssignedIdentities: { [cpId]: {} } } : { type: "SystemAssigned" },
    identityProfile: kubeletId
      ? { kubeletidentity: { resourceId: kubeletId, clientId: out(CLUSTER_INPUTS.kubeletIdentity, "kubeletIdentityClientId"), objectId: out(CLUSTER_INPUTS.kubeletIdentity, "kubeletIdentityPrincipalId") } }
      : undefined,
    agentPoolProfiles: req.nodePools.map((p) => agentPoolProfile(p, nodesSubnet)),
    networkProfile: { networkPlugin: "azure", outboundType: iso?.outboundType },
    bootstrapProfile: iso
      ? { artifactSource: "Cache", containerRegistryId: out(CLUSTER_INPUTS.registry, "registryId") }
      : undefined,
    apiServerAccessProfile:
      access === "privateLink"
        ? { enablePrivateCluster: req.apiServer?.private ?? true }
        : access === "vnetIntegration"
          ? { enableVnetIntegration: true, enablePrivateCluster: req.apiServer?.private ?? false, subnetId: apiServerSubnet }
          : undefined,
  };
}

export function clusterOutputs(_ctx: StepContext, mc: ManagedCluster | undefined): Outputs {
  return {
    clusterId: mc?.id,
    fqdn: mc?.fqdn,
    privateFqdn: mc?.privateFqdn,
    nodeResourceGroup: mc?.nodeResourceGroup,
    kubeletIdentityClientId: mc?.identityProfile?.kubeletidentity?.clientId,
  };
}

export function clusterStep(req: CreateRequest, dependsOn: string[]): StepDef {
  const { subscriptionId, resourceGroup, name } = req.cluster;
  const id = clusterId(subscriptionId, resourceGroup, name);
  return putStep({
    name: CLUSTER_STEP,
    dependsOn,
    describe: `managed cluster ${name} (${describeCluster(req)})`,
    kind: "managedCluster",
    resourceId: id,
    id: () => id,
    apiVersion: () => requestApiVersion(req),
    body: (ctx) => desiredCluster(req, ctx.outputs),
    // kubernetesVersion is compared by what AKS runs (it may resolve "1.30" to "1.30.3").
    satisfied: (actual, desired) => isSubset({ ...desired, kubernetesVersion: undefined }, actual),
    outputs: clusterOutputs,
    maxWaitMs: 90 * 60_000,
  });
}

function describeCluster(req: CreateRequest): string {
  const parts = [];
  if (req.networkIsolation) parts.push(`artifactSource Cache, outboundType ${req.networkIsolation.outboundType}, ${req.networkIsolation.registry.mode === "byo" ? "BYO registry" : "AKS-managed registry"}`);
  parts.push(`API server ${apiServerAccess(req)}${req.apiServer?.private ? " (private)" : ""}`);
  const kata = req.nodePools.filter((p) => p.workloadRuntime?.startsWith("Kata")).map((p) => p.name);
  parts.push(`pools ${req.nodePools.map((p) => p.name).join(", ")}${kata.length ? `; Pod Sandboxing: ${kata.join(", ")}` : ""}`);
  return parts.join("; ");
}

/**
 * Reads the cluster back and checks what the procedures' validation sections check
 * (`az aks show`: outboundType none/block and artifactSource Cache; the API server mode;
 * workloadRuntime on sandbox pools).
 */
export function verifyStep(req: CreateRequest): StepDef {
  const { subscriptionId, resourceGroup, name } = req.cluster;
  const id = clusterId(subscriptionId, resourceGroup, name);
  return defineStep({
    name: VERIFY_STEP,
    dependsOn: [CLUSTER_STEP],
    describe: `read ${name} back and check it shows what was asked (no write)`,
    resourceId: id,
    reads: () => [{ kind: "managedCluster", id, apiVersion: requestApiVersion(req) }],
    decide(ctx, [mc]): Decision {
      if (!mc) return { do: "fail", code: "ClusterNotFound", message: `${id} was not found after it was created` };
      const problems = clusterMismatches(desiredCluster(req, ctx.outputs), mc);
      if (problems.length) return { do: "fail", code: "VerificationFailed", message: problems.join("; ") };
      return { do: "done", resourceId: id, outputs: clusterOutputs(ctx, mc) };
    },
  });
}

export function clusterMismatches(want: ManagedCluster, mc: ManagedCluster): string[] {
  const problems: string[] = [];
  const check = (label: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined && String(expected).toLowerCase() !== String(actual ?? "").toLowerCase())
      problems.push(`${label} is ${JSON.stringify(actual ?? null)}, expected ${JSON.stringify(expected)}`);
  };
  check("provisioningState", "Succeeded", mc.provisioningState);
  check("networkProfile.outboundType", want.networkProfile?.outboundType, mc.networkProfile?.outboundType);
  check("bootstrapProfile.artifactSource", want.bootstrapProfile?.artifactSource, mc.bootstrapProfile?.artifactSource);
  check("bootstrapProfile.containerRegistryId", want.bootstrapProfile?.containerRegistryId, mc.bootstrapProfile?.containerRegistryId);
  check("apiServerAccessProfile.enablePrivateCluster", want.apiServerAccessProfile?.enablePrivateCluster, mc.apiServerAccessProfile?.enablePrivateCluster ?? false);
  check("apiServerAccessProfile.enableVnetIntegration", want.apiServerAccessProfile?.enableVnetIntegration, mc.apiServerAccessProfile?.enableVnetIntegration ?? false);
  for (const pool of want.agentPoolProfiles ?? []) {
    const got = (mc.agentPoolProfiles ?? []).find((p) => p.name === pool.name);
    if (!got) problems.push(`node pool ${pool.name} is missing`);
    else {
      check(`agentPoolProfiles[${pool.name}].workloadRuntime`, pool.workloadRuntime, got.workloadRuntime);
      check(`agentPoolProfiles[${pool.name}].osSKU`, pool.osSKU, got.osSKU);
    }
  }
  return problems;
}
