// Plans of the operations on existing clusters. Each reads the cluster first (and refuses, before
// any write, when its state makes the change impossible), then makes one change, then re-images
// the pools where the network-isolated procedure demands it.
import type { ManagedCluster } from "@azure/arm-containerservice";
import { AKS_PREVIEW_API_VERSION } from "../api-versions.js";
import type { ClusterRequest } from "../contract.js";
import { parseCidr, contains, overlaps } from "../cidr.js";
import { ROLE, subnetResourceId, providerId } from "../naming.js";
import type { Decision, Plan, Resource, StepContext, StepDef } from "../step.js";
import { PROVISIONING_IN_PROGRESS } from "../step.js";
import { agentPoolProfile, needsPreviewApi } from "../steps/cluster.js";
import { READ_STEP, UPDATE_STEP, nodeImageUpgradeStep, readClusterStep, targetId, updateClusterStep } from "../steps/existing-cluster.js";
import { featureStep, providerStep } from "../steps/preflight.js";
import { roleAssignmentStep } from "../steps/role-assignment.js";
import { previewFeatures } from "./create.js";
import { PlanningError } from "../planning-error.js";

type Op<K extends ClusterRequest["operation"]> = Extract<ClusterRequest, { operation: K }>;

const REIMAGE_WARNING = "every node pool is re-imaged (node-image upgrade) after the change, as the procedure requires; workloads restart";

export function planDisableNetworkIsolation(req: Op<"disableNetworkIsolation">): Plan {
  const target = req.cluster;
  const steps = [
    readClusterStep(target),
    updateClusterStep({
      target,
      dependsOn: [READ_STEP],
      describe: `bootstrapProfile.artifactSource Direct, networkProfile.outboundType loadBalancer on ${target.name}`,
      change: () => ({ bootstrapProfile: { artifactSource: "Direct" }, networkProfile: { outboundType: "loadBalancer" } }),
    }),
    nodeImageUpgradeStep(target, [UPDATE_STEP]),
  ];
  return {
    steps,
    target: targetId(target),
    warnings: [REIMAGE_WARNING, "going back from Cache to Direct can be refused by AKS (BootstrapArtifactSourceNotAllowed) on some clusters"],
  };
}

export function planEnableNetworkIsolation(req: Op<"enableNetworkIsolation">): Plan {
  const target = req.cluster;
  const iso = req.networkIsolation;
  const preview = needsPreviewApi(req);
  const features = previewFeatures({ networkIsolation: iso, nodePools: [] });
  const preflight: StepDef[] = [
    ...features.map((f) => featureStep(target.subscriptionId, "Microsoft.ContainerService", f)),
    ...(features.length ? [providerStep(target.subscriptionId, "Microsoft.ContainerService", features)] : []),
  ];
  if (iso.registry.mode === "byo") throw new PlanningError("networkIsolation.registry.mode", "a bring-your-own registry on an existing cluster is not available in this version yet; use mode 'aksManaged'");
  const steps = [
    ...preflight,
    readClusterStep(target, undefined, preview ? AKS_PREVIEW_API_VERSION : undefined),
    updateClusterStep({
      target,
      dependsOn: [READ_STEP, ...preflight.map((s) => s.name).filter((n) => n.startsWith("provider:"))],
      describe: `bootstrapProfile.artifactSource Cache, networkProfile.outboundType ${iso.outboundType} on ${target.name} (AKS-managed registry)`,
      apiVersion: preview ? AKS_PREVIEW_API_VERSION : undefined,
      change: () => ({ bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { outboundType: iso.outboundType } }),
    }),
    nodeImageUpgradeStep(target, [UPDATE_STEP]),
  ];
  return { steps, target: targetId(target), warnings: [REIMAGE_WARNING] };
}

export function planSetPrivateCluster(req: Op<"setPrivateCluster">): Plan {
  const target = req.cluster;
  const wanted = req.apiServer.private;
  return {
    steps: [
      readClusterStep(target, (mc) =>
        mc.apiServerAccessProfile?.enableVnetIntegration
          ? undefined
          : `apiServer.private: cluster ${target.name} does not use API server VNet integration; private mode can be toggled only on a VNet-integrated cluster (a private-link cluster cannot be made public in place)`,
      ),
      updateClusterStep({
        target,
        dependsOn: [READ_STEP],
        describe: `apiServerAccessProfile.enablePrivateCluster ${wanted} on ${target.name}`,
        change: () => ({ apiServerAccessProfile: { enablePrivateCluster: wanted } }),
      }),
    ],
    target: targetId(target),
    warnings: ["the API server host name stays; its public DNS entries are changed or removed"],
  };
}

export function planUpgradeNodeImages(req: Op<"upgradeNodeImages">): Plan {
  const target = req.cluster;
  const only = req.nodePoolNames;
  return {
    steps: [
      readClusterStep(target, (mc) => {
        const have = (mc.agentPoolProfiles ?? []).map((p: Resource) => String(p.name).toLowerCase());
        const missing = (only ?? []).map((n, i) => [n, i] as const).filter(([n]) => !have.includes(n.toLowerCase()));
        return missing.length ? missing.map(([n, i]) => `nodePoolNames[${i}]: cluster ${target.name} has no pool '${n}'`).join("; ") : undefined;
      }),
      nodeImageUpgradeStep(target, [READ_STEP], only),
    ],
    target: targetId(target),
    warnings: [],
  };
}

export function planAddSandboxPool(req: Op<"addSandboxPool">): Plan {
  const target = req.cluster;
  const id = targetId(target);
  const preview = needsPreviewApi(req);
  const apiVersion = preview ? AKS_PREVIEW_API_VERSION : undefined;
  const features = previewFeatures({ nodePools: req.nodePools });
  const preflight: StepDef[] = [
    ...features.map((f) => featureStep(target.subscriptionId, "Microsoft.ContainerService", f)),
    ...(features.length ? [providerStep(target.subscriptionId, "Microsoft.ContainerService", features)] : []),
  ];
  const read = readClusterStep(target, (mc) => {
    const [major, minor] = String(mc.currentKubernetesVersion ?? mc.kubernetesVersion ?? "1.30").split(".").map(Number);
    return major === 1 && minor < 24 ? `cluster ${target.name} runs Kubernetes ${mc.currentKubernetesVersion}; Pod Sandboxing needs 1.24 or later` : undefined;
  }, apiVersion);
  const poolSteps: StepDef[] = req.nodePools.map((p) => {
    const poolId = `${id}/agentPools/${p.name}`;
    return {
      name: `pool:${p.name}`,
      dependsOn: [READ_STEP, ...preflight.filter((s) => s.name.startsWith("provider:")).map((s) => s.name)],
      describe: `Pod Sandboxing node pool ${p.name} (${p.vmSize}, osSKU AzureLinux, workloadRuntime ${p.workloadRuntime})`,
      resourceId: poolId,
      maxWaitMs: 60 * 60_000,
      reads: () => [{ kind: "agentPool", id: poolId, apiVersion }],
      decide(ctx, [pool]): Decision {
        // New pools join the cluster's own subnet (BYO VNet clusters need it).
        const { name: _n, ...body } = agentPoolProfile(p, ctx.outputs[READ_STEP]?.nodesSubnetId as string | undefined);
        if (PROVISIONING_IN_PROGRESS(pool)) return { do: "wait", reason: `pool ${p.name} is ${pool!.provisioningState}`, resourceId: poolId };
        if (pool && pool.workloadRuntime === p.workloadRuntime && pool.provisioningState === "Succeeded") return { do: "done", resourceId: poolId, outputs: { [`pool:${p.name}`]: poolId } };
        if (pool) return { do: "fail", code: "NodePoolExists", message: `nodePools: pool ${p.name} exists with workloadRuntime ${pool.workloadRuntime ?? "OCIContainer"}; choose another name` };
        return { do: "put", ref: { kind: "agentPool", id: poolId, apiVersion }, body };
      },
    };
  });
  const refresh = updateClusterStep({
    target,
    dependsOn: poolSteps.map((s) => s.name),
    describe: `update ${target.name} after adding the pools (the procedure's 'az aks update')`,
    apiVersion,
    change: () => ({}),
    // Only when this request added a pool: a re-run that adds nothing writes nothing.
    force: (ctx) => poolSteps.some((s) => (ctx.writes[s.name] ?? 0) > 0),
  });
  return { steps: [...preflight, read, ...poolSteps, refresh], target: id, warnings: ["pods opt in with runtimeClassName kata-vm-isolation (kata-mshv-vm-isolation for the preview runtime)"] };
}

export function planEnableApiServerVnetIntegration(req: Op<"enableApiServerVnetIntegration">): Plan {
  const target = req.cluster;
  const sub = target.subscriptionId;
  const givenSubnet = req.apiServer?.subnetId;
  const read = readClusterStep(target, (mc) => {
    const access = mc.apiServerAccessProfile ?? {};
    if (access.enableVnetIntegration) return undefined; // already converted: later steps find their work done
    const nodes = (mc.agentPoolProfiles ?? []).find((p: Resource) => p.vnetSubnetID)?.vnetSubnetID;
    if (!nodes && !givenSubnet) return `network.subnets.apiServer: cluster ${target.name} uses the AKS-managed VNet; give an existing delegated subnet in apiServer.subnetId, or convert a cluster whose nodes are in your own VNet`;
    return undefined;
  });
  const subnetStepName = "subnet:apiServer";
  const vnetId = (ctx: StepContext): string => {
    if (req.network?.vnetName) return providerId(sub, req.network.resourceGroup ?? target.resourceGroup, "Microsoft.Network/virtualNetworks", req.network.vnetName);
    return ctx.outputs[READ_STEP].vnetId as string;
  };
  const apiSubnetId = (ctx: StepContext): string => givenSubnet ?? subnetResourceId(vnetId(ctx), req.network?.subnetNames?.apiServer ?? "snet-apiserver");
  const steps: StepDef[] = [read];
  if (!givenSubnet) steps.push(apiServerSubnetStep(subnetStepName, req.network!.subnets!.apiServer!, vnetId, apiSubnetId));
  const principal = (ctx: StepContext) => ctx.outputs[READ_STEP].identityPrincipalId as string;
  const ncApi = roleAssignmentStep({
    name: "role:networkContributor:apiServerSubnet",
    dependsOn: givenSubnet ? [READ_STEP] : [subnetStepName],
    describe: "Network Contributor for the cluster identity on the API server subnet",
    subscriptionId: sub,
    role: ROLE.NetworkContributor,
    scope: apiSubnetId,
    principalId: principal,
  });
  const ncNodes: StepDef = {
    ...roleAssignmentStep({
      name: "role:networkContributor:nodesSubnet",
      dependsOn: [READ_STEP],
      describe: "Network Contributor for the cluster identity on the nodes subnet (when the nodes are in your VNet)",
      subscriptionId: sub,
      role: ROLE.NetworkContributor,
      scope: (ctx) => ctx.outputs[READ_STEP].nodesSubnetId as string,
      principalId: principal,
    }),
  };
  const ncNodesGuarded: StepDef = {
    ...ncNodes,
    reads: (ctx) => (ctx.outputs[READ_STEP].nodesSubnetId ? ncNodes.reads(ctx) : []),
    decide: (ctx, cur) => (ctx.outputs[READ_STEP].nodesSubnetId ? ncNodes.decide(ctx, cur) : { do: "done" }),
  };
  steps.push(ncApi, ncNodesGuarded);
  steps.push(
    updateClusterStep({
      target,
      dependsOn: [ncApi.name, ncNodesGuarded.name],
      describe: `apiServerAccessProfile.enableVnetIntegration true with the API server subnet on ${target.name} (one-way; AKS re-images the pools itself)`,
      change: (mc, ctx): Partial<ManagedCluster> => ({
        apiServerAccessProfile: {
          enableVnetIntegration: true,
          subnetId: mc.apiServerAccessProfile?.enableVnetIntegration ? mc.apiServerAccessProfile.subnetId : apiSubnetId(ctx),
          enablePrivateCluster: req.apiServer?.private ?? mc.apiServerAccessProfile?.enablePrivateCluster ?? false,
        },
      }),
    }),
  );
  return {
    steps,
    target: targetId(target),
    warnings: [
      "one-way: API server VNet integration cannot be disabled once enabled",
      "the API server's IP address changes (its host name stays): update firewall and NSG rules that name the old IP",
      "AKS re-images every node pool itself during the conversion and restarts workloads; no extra node-image upgrade is queued",
    ],
  };
}

/** A new API server subnet in an existing VNet: delegated, checked against the VNet before it is written. */
function apiServerSubnetStep(name: string, cidr: string, vnetId: (ctx: StepContext) => string, subnetId: (ctx: StepContext) => string): StepDef {
  return {
    name,
    dependsOn: [READ_STEP],
    describe: `API server subnet ${cidr}, delegated to Microsoft.ContainerService/managedClusters, in the cluster's VNet`,
    reads: (ctx) => [{ kind: "virtualNetwork", id: vnetId(ctx) }, { kind: "subnet", id: subnetId(ctx) }],
    decide(ctx, [vnet, existing]): Decision {
      const id = subnetId(ctx);
      if (!vnet) return { do: "fail", code: "VirtualNetworkNotFound", message: `network: VNet ${vnetId(ctx)} does not exist` };
      const delegated = (s: Resource | undefined) => (s?.delegations ?? []).some((d: Resource) => d.serviceName === "Microsoft.ContainerService/managedClusters");
      if (existing) {
        if (PROVISIONING_IN_PROGRESS(existing)) return { do: "wait", reason: `subnet is ${existing.provisioningState}`, resourceId: id };
        if (existing.addressPrefix === cidr && delegated(existing)) return { do: "done", resourceId: id, outputs: { apiServerSubnetId: existing.id } };
        if (existing.addressPrefix !== cidr) return { do: "fail", code: "SubnetConflict", message: `network.subnets.apiServer: subnet ${id} exists with ${existing.addressPrefix}` };
      }
      const c = parseCidr(cidr);
      const spaces: string[] = vnet.addressSpace?.addressPrefixes ?? [];
      if (!spaces.some((s) => contains(parseCidr(s), c))) return { do: "fail", code: "SubnetOutsideVnet", message: `network.subnets.apiServer: ${cidr} is not inside the VNet's address space (${spaces.join(", ")})` };
      const clash = (vnet.subnets ?? []).find((s: Resource) => s.name !== id.split("/").pop() && s.addressPrefix && overlaps(parseCidr(s.addressPrefix), c));
      if (clash) return { do: "fail", code: "SubnetOverlap", message: `network.subnets.apiServer: ${cidr} overlaps subnet ${clash.name} (${clash.addressPrefix})` };
      return { do: "put", ref: { kind: "subnet", id }, body: { addressPrefix: cidr, delegations: [{ name: "aks-apiserver", serviceName: "Microsoft.ContainerService/managedClusters" }] } };
    },
    outputs: (_ctx, s) => ({ apiServerSubnetId: s?.id }),
  };
}

