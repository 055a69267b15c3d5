// Plans of the operations on existing clusters. Each reads the cluster first (and refuses, before
// any write, when its state makes the change impossible), then makes one change, then re-images
// the pools where the network-isolated procedure demands it.
import type { ManagedCluster } from "@azure/arm-containerservice";
import { previewValues, previewWarnings } from "../api-versions.js";
import type { ClusterRequest } from "../contract.js";
import { ROLE, subnetResourceId, providerId } from "../naming.js";
import type { Plan, StepContext, StepDef } from "../step.js";
import { sandboxPoolStep } from "../steps/agent-pool.js";
import { STEP as BYO } from "../steps/byo-names.js";
import { requestApiVersion } from "../steps/cluster.js";
import { READ_STEP, UPDATE_STEP, readClusterStep, targetId, updateClusterStep } from "../steps/existing-cluster.js";
import { nodeImageUpgradeStep } from "../steps/node-image.js";
import { featureStep, providerStep } from "../steps/preflight.js";
import { registrySteps } from "../steps/registry.js";
import { networkContributorOnSubnet, roleAssignmentStep } from "../steps/role-assignment.js";
import { API_SERVER_DELEGATION, newSubnetStep } from "../steps/virtual-network.js";
import { API_SERVER_SUBNET_CHECK, apiServerSubnetCheckStep } from "../steps/api-server-subnet-check.js";
import { previewFeatures } from "./create.js";

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
      change: (): Partial<ManagedCluster> => ({ bootstrapProfile: { artifactSource: "Direct" }, networkProfile: { outboundType: "loadBalancer" } }),
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
  const apiVersion = requestApiVersion(req);
  const features = previewFeatures({ networkIsolation: iso, nodePools: [] });
  const preflight: StepDef[] = [
    ...features.map((f) => featureStep(target.subscriptionId, "Microsoft.ContainerService", f)),
    ...(features.length ? [providerStep(target.subscriptionId, "Microsoft.ContainerService", features)] : []),
  ];
  if (iso.registry.mode === "byo") return planByoRegistry(req, preflight);
  const steps = [
    ...preflight,
    readClusterStep(target, undefined, apiVersion),
    updateClusterStep({
      target,
      dependsOn: [READ_STEP, ...preflight.map((s) => s.name).filter((n) => n.startsWith("provider:"))],
      describe: `bootstrapProfile.artifactSource Cache, networkProfile.outboundType ${iso.outboundType} on ${target.name} (AKS-managed registry)`,
      apiVersion,
      change: (): Partial<ManagedCluster> => ({ bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { outboundType: iso.outboundType } }),
    }),
    nodeImageUpgradeStep(target, [UPDATE_STEP]),
  ];
  return { steps, target: targetId(target), warnings: [REIMAGE_WARNING, ...previewWarnings(previewValues(req))] };
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
        change: (): Partial<ManagedCluster> => ({ apiServerAccessProfile: { enablePrivateCluster: wanted } }),
      }),
    ],
    target: targetId(target),
    warnings: ["the API server host name stays; its public DNS entries are changed or removed"],
  };
}

/**
 * Only a read: the cluster must exist. The policy is held when the request succeeds (with the
 * desired state, src/app/drift.ts), for what is held now and what later requests establish.
 */
export function planSetDriftPolicy(req: Op<"setDriftPolicy">): Plan {
  return {
    steps: [readClusterStep(req.cluster)],
    target: targetId(req.cluster),
    warnings: req.driftPolicy === "restore" ? ["a held setting changed outside this app will be put back by a request of this app's own (at most DRIFT_RESTORE_MAX times in DRIFT_RESTORE_WINDOW_HOURS)"] : [],
  };
}

export function planUpgradeNodeImages(req: Op<"upgradeNodeImages">): Plan {
  const target = req.cluster;
  const only = req.nodePoolNames;
  return {
    steps: [
      readClusterStep(target, (mc) => {
        const have = (mc.agentPoolProfiles ?? []).map((p) => p.name.toLowerCase());
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
  const apiVersion = requestApiVersion(req);
  const features = previewFeatures({ nodePools: req.nodePools });
  const preflight: StepDef[] = [
    ...features.map((f) => featureStep(target.subscriptionId, "Microsoft.ContainerService", f)),
    ...(features.length ? [providerStep(target.subscriptionId, "Microsoft.ContainerService", features)] : []),
  ];
  const read = readClusterStep(target, (mc) => {
    const [major, minor] = String(mc.currentKubernetesVersion ?? mc.kubernetesVersion ?? "1.30").split(".").map(Number);
    return major === 1 && minor < 24 ? `cluster ${target.name} runs Kubernetes ${mc.currentKubernetesVersion}; Pod Sandboxing needs 1.24 or later` : undefined;
  }, apiVersion);
  const poolSteps = req.nodePools.map((p) => sandboxPoolStep(target, p, [READ_STEP, ...preflight.filter((s) => s.name.startsWith("provider:")).map((s) => s.name)], apiVersion));
  const refresh = updateClusterStep({
    target,
    dependsOn: poolSteps.map((s) => s.name),
    describe: `update ${target.name} after adding the pools (the procedure's 'az aks update')`,
    apiVersion,
    change: (): Partial<ManagedCluster> => ({}),
    // Only when this request added a pool: a re-run that adds nothing writes nothing.
    force: (ctx) => poolSteps.some((s) => (ctx.writes[s.name] ?? 0) > 0),
  });
  return {
    steps: [...preflight, read, ...poolSteps, refresh],
    target: id,
    warnings: ["pods opt in with runtimeClassName kata-vm-isolation (kata-mshv-vm-isolation for the preview runtime)", ...previewWarnings(previewValues(req))],
  };
}

export function planEnableApiServerVnetIntegration(req: Op<"enableApiServerVnetIntegration">): Plan {
  const target = req.cluster;
  const sub = target.subscriptionId;
  const givenSubnet = req.apiServer?.subnetId;
  const read = readClusterStep(target, (mc) => {
    const access = mc.apiServerAccessProfile ?? {};
    if (access.enableVnetIntegration) return undefined; // already converted: later steps find their work done
    const nodes = (mc.agentPoolProfiles ?? []).find((p) => p.vnetSubnetID)?.vnetSubnetID;
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
  // Read before you grant: a subnet given by id is checked before any role is assigned on it.
  else
    steps.push(
      apiServerSubnetCheckStep({
        subnetId: givenSubnet,
        dependsOn: [READ_STEP],
        location: (ctx) => ctx.outputs[READ_STEP].location as string | undefined,
        nodesVnetId: (ctx) => ctx.outputs[READ_STEP].vnetId as string | undefined,
      }),
    );
  const checked = givenSubnet ? API_SERVER_SUBNET_CHECK : READ_STEP;
  const principal = (ctx: StepContext) => ctx.outputs[READ_STEP].identityPrincipalId as string;
  const ncApi = networkContributorOnSubnet({
    name: BYO.ncApiServer,
    dependsOn: givenSubnet ? [checked] : [subnetStepName],
    which: "API server",
    subscriptionId: sub,
    subnetId: apiSubnetId,
    principalId: principal,
  });
  const ncNodes = networkContributorOnSubnet({
    name: BYO.ncNodes,
    dependsOn: [checked],
    which: "nodes",
    subscriptionId: sub,
    subnetId: (ctx) => ctx.outputs[READ_STEP].nodesSubnetId as string,
    principalId: principal,
  });
  // Only when the nodes are in the user's own VNet (known once the cluster is read).
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
  return newSubnetStep({ name, cidr, path: "network.subnets.apiServer", props: { delegations: [API_SERVER_DELEGATION] }, dependsOn: [READ_STEP], describe: `API server subnet ${cidr}, delegated to Microsoft.ContainerService/managedClusters, in the cluster's VNet`, vnetId, subnetId });
}

/**
 * A bring-your-own registry on an existing cluster (enableNetworkIsolation with mode byo, or
 * updateBootstrapRegistry): the registry chain in the cluster's VNet (a new registry subnet; or the
 * VNet network.vnetName names), AcrPull for the cluster's existing kubelet identity, then the update
 * with artifactSource Cache and the new containerRegistryId (sent together: a registry id alone is
 * ignored), then the re-image the procedure demands.
 */
export function planByoRegistry(req: Op<"enableNetworkIsolation"> | Op<"updateBootstrapRegistry">, preflight: StepDef[] = []): Plan {
  const target = req.cluster;
  const sub = target.subscriptionId;
  const reg = req.networkIsolation.registry as Extract<typeof req.networkIsolation.registry, { mode: "byo" }>;
  const apiVersion = requestApiVersion(req);
  const registryRg = reg.resourceGroup ?? target.resourceGroup;
  const registryId = providerId(sub, registryRg, "Microsoft.ContainerRegistry/registries", reg.name);
  const networkRg = req.network?.resourceGroup ?? target.resourceGroup;
  const facts = (ctx: StepContext) => ctx.outputs[READ_STEP];
  const vnetId = (ctx: StepContext): string =>
    req.network?.vnetName ? providerId(sub, networkRg, "Microsoft.Network/virtualNetworks", req.network.vnetName) : (facts(ctx).vnetId as string);
  const subnetId = (ctx: StepContext) => subnetResourceId(vnetId(ctx), req.network?.subnetNames?.registry ?? "snet-registry");
  const updating = req.operation === "updateBootstrapRegistry";
  const read = readClusterStep(target, (mc) => {
    const nodes = (mc.agentPoolProfiles ?? []).find((p) => p.vnetSubnetID)?.vnetSubnetID;
    if (!nodes && !req.network?.vnetName) return `network.vnetName: cluster ${target.name} uses the AKS-managed VNet; name the VNet for the registry's private endpoint`;
    if (updating && mc.bootstrapProfile?.artifactSource !== "Cache") return `cluster ${target.name} is not network-isolated (artifactSource ${mc.bootstrapProfile?.artifactSource ?? "Direct"}); use enableNetworkIsolation`;
    if (!mc.identityProfile?.kubeletidentity?.objectId) return `cluster ${target.name} has no kubelet identity to grant AcrPull to`;
    return undefined;
  }, apiVersion);
  const registrySubnet = newSubnetStep({
    name: "subnet:registry",
    cidr: req.network!.subnets!.registry!,
    path: "network.subnets.registry",
    props: { privateEndpointNetworkPolicies: "Disabled" },
    dependsOn: [READ_STEP],
    describe: `registry subnet ${req.network!.subnets!.registry} (private endpoint network policies disabled) in the cluster's VNet`,
    vnetId,
    subnetId,
  });
  const chain = registrySteps({
    sub,
    networkRg,
    registryName: reg.name,
    registryId,
    registry: reg,
    tags: req.tags,
    location: (ctx) => facts(ctx).location as string,
    vnetId,
    registrySubnetId: subnetId,
    dependsOn: [READ_STEP, ...preflight.map((s) => s.name)],
    networkStep: registrySubnet.name,
  });
  const acrPull = roleAssignmentStep({
    name: BYO.acrPull,
    dependsOn: [BYO.registry],
    describe: "AcrPull for the cluster's existing kubelet identity on the registry",
    subscriptionId: sub,
    role: ROLE.AcrPull,
    scope: () => registryId,
    principalId: (ctx) => facts(ctx).kubeletObjectId as string,
  });
  const outbound = req.networkIsolation.outboundType;
  const update = updateClusterStep({
    target,
    dependsOn: [...chain.map((s) => s.name), acrPull.name],
    describe: `bootstrapProfile { artifactSource Cache, containerRegistryId ${reg.name} }${outbound ? `, outboundType ${outbound}` : ""} on ${target.name}`,
    apiVersion,
    change: (): Partial<ManagedCluster> => ({ bootstrapProfile: { artifactSource: "Cache", containerRegistryId: registryId }, ...(outbound ? { networkProfile: { outboundType: outbound } } : {}) }),
  });
  return {
    steps: [...preflight, read, registrySubnet, ...chain, acrPull, update, nodeImageUpgradeStep(target, [UPDATE_STEP])],
    target: targetId(target),
    warnings: [REIMAGE_WARNING, ...previewWarnings(previewValues(req))],
  };
}
