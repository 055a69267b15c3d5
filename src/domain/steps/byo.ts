// The bring-your-own chain of the network-isolated procedure (BYO ACR steps 1-6) and the BYO VNet
// of API server VNet integration, as steps. Each is one ARM resource; the planner runs the
// independent ones in parallel and the cluster after all of them.
import type { CreateRequest } from "../contract.js";
import { providerId, rgId, ROLE, subnetResourceId } from "../naming.js";
import type { Decision, Resource, StepContext, StepDef } from "../step.js";
import { apiServerAccess } from "../rules.js";
import { putStep } from "./put-step.js";
import { roleAssignmentStep } from "./role-assignment.js";

export const STEP = {
  vnet: "vnet",
  cpIdentity: "identity:controlPlane",
  kubeletIdentity: "identity:kubelet",
  registry: "registry",
  cacheRule: "registry:cacheRule",
  endpoint: "registry:privateEndpoint",
  endpointIps: "registry:privateIps",
  zone: "dns:zone",
  link: "dns:vnetLink",
  recordRegistry: "dns:record:registry",
  recordData: "dns:record:data",
  acrPull: "role:acrPull:kubelet",
  identityOperator: "role:managedIdentityOperator:kubelet",
  ncApiServer: "role:networkContributor:apiServerSubnet",
  ncNodes: "role:networkContributor:nodesSubnet",
} as const;

/** Built-in role the control-plane identity needs on a custom kubelet identity (ARM API; az aks create assigns it). */
export const MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830";
const ZONE = "privatelink.azurecr.io";

export interface ByoNames {
  sub: string;
  location: string;
  networkRg: string;
  vnetId: string;
  subnet: { nodes: string; registry: string; apiServer: string };
  registryRg: string;
  registryName: string;
  registryId: string;
  identity: { controlPlane: string; kubelet: string };
}

export function byoNames(req: CreateRequest): ByoNames {
  const { subscriptionId: sub, resourceGroup, name, location } = req.cluster;
  const net = req.network!;
  const networkRg = net.resourceGroup ?? resourceGroup;
  const vnetId = providerId(sub, networkRg, "Microsoft.Network/virtualNetworks", net.vnetName!);
  const reg = req.networkIsolation?.registry;
  const registryRg = (reg?.mode === "byo" && reg.resourceGroup) || resourceGroup;
  const registryName = reg?.mode === "byo" ? reg.name : "";
  const ids = req.identities ?? { controlPlane: `id-${name}-cp`, kubelet: `id-${name}-kubelet` };
  return {
    sub,
    location: location!,
    networkRg,
    vnetId,
    subnet: {
      nodes: subnetResourceId(vnetId, net.subnetNames?.nodes ?? "snet-nodes"),
      registry: subnetResourceId(vnetId, net.subnetNames?.registry ?? "snet-registry"),
      apiServer: subnetResourceId(vnetId, net.subnetNames?.apiServer ?? "snet-apiserver"),
    },
    registryRg,
    registryName,
    registryId: providerId(sub, registryRg, "Microsoft.ContainerRegistry/registries", registryName),
    identity: {
      controlPlane: providerId(sub, resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", ids.controlPlane),
      kubelet: providerId(sub, resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", ids.kubelet),
    },
  };
}

const last = (id: string) => id.split("/").pop()!;

/**
 * The VNet with its subnets inline: one PUT, and a later PUT of the VNet can never drop a subnet
 * (ARM deletes subnets a VNet PUT leaves out). Nodes: default outbound access off; registry:
 * private endpoint network policies off; API server: delegated to AKS (procedures, step 1).
 */
export function vnetStep(req: CreateRequest, n: ByoNames, dependsOn: string[]): StepDef {
  const net = req.network!;
  const subnets: Record<string, unknown>[] = [{ name: last(n.subnet.nodes), addressPrefix: net.subnets!.nodes, defaultOutboundAccess: false }];
  if (net.subnets?.registry) subnets.push({ name: last(n.subnet.registry), addressPrefix: net.subnets.registry, privateEndpointNetworkPolicies: "Disabled" });
  if (net.subnets?.apiServer)
    subnets.push({ name: last(n.subnet.apiServer), addressPrefix: net.subnets.apiServer, delegations: [{ name: "aks-apiserver", serviceName: "Microsoft.ContainerService/managedClusters" }] });
  return putStep({
    name: STEP.vnet,
    dependsOn,
    describe: `VNet ${net.vnetName} ${net.addressPrefixes!.join(", ")} with subnets ${subnets.map((s) => `${s.name} ${s.addressPrefix}`).join(", ")}`,
    kind: "virtualNetwork",
    resourceId: n.vnetId,
    id: () => n.vnetId,
    body: () => ({ location: n.location, tags: req.tags, addressSpace: { addressPrefixes: net.addressPrefixes }, subnets }),
    outputs: () => ({
      vnetId: n.vnetId,
      nodesSubnetId: n.subnet.nodes,
      registrySubnetId: net.subnets?.registry ? n.subnet.registry : undefined,
      apiServerSubnetId: net.subnets?.apiServer ? n.subnet.apiServer : undefined,
    }),
  });
}

export function identityStep(req: CreateRequest, name: typeof STEP.cpIdentity | typeof STEP.kubeletIdentity, id: string, dependsOn: string[]): StepDef {
  const prefix = name === STEP.cpIdentity ? "controlPlane" : "kubelet";
  return putStep({
    name,
    dependsOn,
    describe: `user-assigned identity ${last(id)} (${prefix === "controlPlane" ? "cluster control plane" : "kubelet"})`,
    kind: "userAssignedIdentity",
    resourceId: id,
    id: () => id,
    body: () => ({ location: req.cluster.location!, tags: req.tags }),
    satisfied: () => true,
    outputs: (_ctx, r) => ({ [`${prefix}IdentityId`]: r?.id ?? id, [`${prefix}IdentityPrincipalId`]: r?.principalId, [`${prefix}IdentityClientId`]: r?.clientId }),
  });
}

/** What the registry chain needs to know; lazy where an existing cluster's facts decide it. */
export interface RegistryChain {
  sub: string;
  networkRg: string;
  registryName: string;
  registryId: string;
  registry: { anonymousPullEnabled: boolean; cacheRule?: { name: string; sourceRepository: string; targetRepository: string } };
  tags?: Record<string, string>;
  location: (ctx: StepContext) => string;
  vnetId: (ctx: StepContext) => string;
  registrySubnetId: (ctx: StepContext) => string;
  /** Steps the registry and the zone wait for (resource groups, providers, the cluster read). */
  dependsOn: string[];
  /** The step after which the registry subnet exists. */
  networkStep: string;
}

/** Premium, public network access disabled, anonymous pull as asked (procedure steps 2-4). */
export function registrySteps(o: RegistryChain): StepDef[] {
  const rule = o.registry.cacheRule ?? { name: "acr-cache-rule", sourceRepository: "mcr.microsoft.com/*", targetRepository: "*" };
  const ruleId = `${o.registryId}/cacheRules/${rule.name}`;
  const peName = `pe-${o.registryName}`;
  const peId = providerId(o.sub, o.networkRg, "Microsoft.Network/privateEndpoints", peName);
  const zoneId = providerId(o.sub, o.networkRg, "Microsoft.Network/privateDnsZones", ZONE);
  const linkId = (ctx: StepContext) => `${zoneId}/virtualNetworkLinks/link-${last(o.vnetId(ctx))}`;
  const registry = putStep({
    name: STEP.registry,
    dependsOn: o.dependsOn,
    describe: `Premium registry ${o.registryName}: public network access disabled, anonymous pull ${o.registry.anonymousPullEnabled ? "enabled" : "disabled"}`,
    kind: "registry",
    resourceId: o.registryId,
    id: () => o.registryId,
    body: (ctx) => ({ location: o.location(ctx), tags: o.tags, sku: { name: "Premium" }, publicNetworkAccess: "Disabled", anonymousPullEnabled: o.registry.anonymousPullEnabled }),
    outputs: (_ctx, r) => ({ registryId: o.registryId, registryLoginServer: r?.loginServer }),
  });
  const cache = putStep({
    name: STEP.cacheRule,
    dependsOn: [STEP.registry],
    describe: `cache rule ${rule.name}: ${rule.sourceRepository} → ${rule.targetRepository}`,
    kind: "cacheRule",
    resourceId: ruleId,
    id: () => ruleId,
    body: () => ({ sourceRepository: rule.sourceRepository, targetRepository: rule.targetRepository }),
  });
  const endpoint = putStep({
    name: STEP.endpoint,
    dependsOn: [STEP.registry, o.networkStep],
    describe: `private endpoint ${peName} to the registry (group registry) in the registry subnet`,
    kind: "privateEndpoint",
    resourceId: peId,
    id: () => peId,
    body: (ctx) => ({
      location: o.location(ctx),
      tags: o.tags,
      subnet: { id: o.registrySubnetId(ctx) },
      privateLinkServiceConnections: [{ name: `${o.registryName}-connection`, privateLinkServiceId: o.registryId, groupIds: ["registry"] }],
    }),
    satisfied: (a) => !!a.networkInterfaces?.length,
    outputs: (_ctx, r) => ({ registryEndpointId: peId, registryEndpointNicId: r?.networkInterfaces?.[0]?.id }),
  });
  // Procedure step 3: the IPs for members registry and registry_data_{location}, from the NIC.
  const ips: StepDef = {
    name: STEP.endpointIps,
    dependsOn: [STEP.endpoint],
    describe: "read the endpoint's network interface: private IPs of members registry and registry_data_{location} (no write)",
    reads: (ctx) => [{ kind: "networkInterface", id: ctx.outputs[STEP.endpoint].registryEndpointNicId as string }],
    decide(ctx, [nic]): Decision {
      const ip = (member: string) =>
        (nic?.ipConfigurations ?? []).find((c: Resource) => c.privateLinkConnectionProperties?.requiredMemberName?.toLowerCase() === member.toLowerCase())?.privateIPAddress as string | undefined;
      const dataMember = `registry_data_${o.location(ctx)}`;
      const registryIp = ip("registry");
      const dataIp = ip(dataMember);
      if (!registryIp || !dataIp) return { do: "fail", code: "PrivateEndpointIpsMissing", message: `the endpoint's NIC has no IP for member registry or ${dataMember}` };
      return { do: "done", resourceId: nic!.id, outputs: { registryPrivateIp: registryIp, registryDataPrivateIp: dataIp } };
    },
  };
  const zone = putStep({
    name: STEP.zone,
    dependsOn: o.dependsOn,
    describe: `private DNS zone ${ZONE}`,
    kind: "privateDnsZone",
    resourceId: zoneId,
    id: () => zoneId,
    body: () => ({ location: "global", tags: o.tags }),
  });
  const link = putStep({
    name: STEP.link,
    dependsOn: [STEP.zone, o.networkStep],
    describe: `link ${ZONE} to the VNet (registration disabled)`,
    kind: "virtualNetworkLink",
    id: linkId,
    body: (ctx) => ({ location: "global", tags: o.tags, virtualNetwork: { id: o.vnetId(ctx) }, registrationEnabled: false }),
  });
  // Explicit A records, as the procedure's step 4 writes them, rather than a private DNS zone
  // group: the records are exactly the documented ones, and a re-run compares them one by one.
  const record = (name: string, relative: (ctx: StepContext) => string, what: string, ipKey: string): StepDef =>
    putStep({
      name,
      dependsOn: [STEP.zone, STEP.endpointIps],
      describe: `A record ${what}.${ZONE} → the endpoint's ${ipKey === "registryPrivateIp" ? "registry" : "data endpoint"} IP`,
      kind: "aRecordSet",
      id: (ctx) => `${zoneId}/A/${relative(ctx)}`,
      body: (ctx) => ({ ttl: 3600, aRecords: [{ ipv4Address: ctx.outputs[STEP.endpointIps][ipKey] as string }] }),
    });
  return [
    registry,
    cache,
    endpoint,
    ips,
    zone,
    link,
    record(STEP.recordRegistry, () => o.registryName, o.registryName, "registryPrivateIp"),
    record(STEP.recordData, (ctx) => `${o.registryName}.${o.location(ctx)}.data`, `${o.registryName}.{location}.data`, "registryDataPrivateIp"),
  ];
}

const principal = (step: string, key: string) => (ctx: StepContext) => ctx.outputs[step][key] as string;

export function roleSteps(req: CreateRequest, n: ByoNames): StepDef[] {
  const steps: StepDef[] = [
    roleAssignmentStep({
      name: STEP.identityOperator,
      dependsOn: [STEP.cpIdentity, STEP.kubeletIdentity],
      describe: "Managed Identity Operator for the control-plane identity on the kubelet identity (needed to assign a custom kubelet identity)",
      subscriptionId: n.sub,
      role: MANAGED_IDENTITY_OPERATOR as never,
      scope: () => n.identity.kubelet,
      principalId: principal(STEP.cpIdentity, "controlPlaneIdentityPrincipalId"),
    }),
    roleAssignmentStep({
      name: STEP.ncNodes,
      dependsOn: [STEP.cpIdentity, STEP.vnet],
      describe: "Network Contributor for the control-plane identity on the nodes subnet",
      subscriptionId: n.sub,
      role: ROLE.NetworkContributor,
      scope: () => n.subnet.nodes,
      principalId: principal(STEP.cpIdentity, "controlPlaneIdentityPrincipalId"),
    }),
  ];
  if (req.networkIsolation?.registry.mode === "byo")
    steps.push(
      roleAssignmentStep({
        name: STEP.acrPull,
        dependsOn: [STEP.kubeletIdentity, STEP.registry],
        describe: "AcrPull for the kubelet identity on the registry",
        subscriptionId: n.sub,
        role: ROLE.AcrPull,
        scope: () => n.registryId,
        principalId: principal(STEP.kubeletIdentity, "kubeletIdentityPrincipalId"),
      }),
    );
  if (apiServerAccess(req) === "vnetIntegration" && req.network?.subnets?.apiServer)
    steps.push(
      roleAssignmentStep({
        name: STEP.ncApiServer,
        dependsOn: [STEP.cpIdentity, STEP.vnet],
        describe: "Network Contributor for the control-plane identity on the API server subnet",
        subscriptionId: n.sub,
        role: ROLE.NetworkContributor,
        scope: () => n.subnet.apiServer,
        principalId: principal(STEP.cpIdentity, "controlPlaneIdentityPrincipalId"),
      }),
    );
  return steps;
}

/** The BYO chain of a create request (empty without a BYO VNet). */
export function byoSteps(req: CreateRequest, dependsOn: string[]): StepDef[] {
  if (!req.network) return [];
  const n = byoNames(req);
  const extraRgs = [...new Set([n.networkRg, n.registryRg].filter((rg) => rg !== req.cluster.resourceGroup))];
  const rgSteps: StepDef[] = extraRgs.map((rg) =>
    putStep({ name: `resourceGroup:${rg}`, dependsOn: [], describe: `resource group ${rg}`, kind: "resourceGroup", resourceId: rgId(n.sub, rg), id: () => rgId(n.sub, rg), body: () => ({ location: n.location, tags: req.tags }), satisfied: () => true }),
  );
  const base = [...dependsOn, ...rgSteps.map((s) => s.name)];
  const steps: StepDef[] = [
    ...rgSteps,
    vnetStep(req, n, base),
    identityStep(req, STEP.cpIdentity, n.identity.controlPlane, base),
    identityStep(req, STEP.kubeletIdentity, n.identity.kubelet, base),
  ];
  const reg = req.networkIsolation?.registry;
  if (reg?.mode === "byo")
    steps.push(
      ...registrySteps({
        sub: n.sub,
        networkRg: n.networkRg,
        registryName: n.registryName,
        registryId: n.registryId,
        registry: reg,
        tags: req.tags,
        location: () => n.location,
        vnetId: () => n.vnetId,
        registrySubnetId: () => n.subnet.registry,
        dependsOn: base,
        networkStep: STEP.vnet,
      }),
    );
  steps.push(...roleSteps(req, n));
  return steps;
}

