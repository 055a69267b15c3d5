// The BYO chain of a create request (network-isolated procedure, BYO ACR steps 1-6; API server VNet
// integration, BYO VNet): step names, dependencies, and every body exactly as the procedures write it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ancestors, planRequest } from "../../../src/domain/plan.js";
import { validateRequest } from "../../../src/domain/validate.js";
import { desiredCluster } from "../../../src/domain/steps/cluster.js";
import { roleAssignmentName } from "../../../src/domain/naming.js";
import type { CreateRequest } from "../../../src/domain/contract.js";
import type { Decision, Plan, StepContext, StepDef } from "../../../src/domain/step.js";
import { example, SUB } from "../../helpers/examples.js";
import { createdTags } from "../../../src/domain/managed.js";

/** The tags the app puts on what it creates (managed-by, and the request id when it has one). */
const APP_TAGS = createdTags(undefined, "example-byo-acr");

const valid = (raw: unknown): CreateRequest => {
  const v = validateRequest(raw);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.request as CreateRequest;
};
const byo = () => example("network-isolated-byo-acr-vnet-integration.json");
const planOf = (raw: unknown): Plan => planRequest(valid(raw));
const step = (p: Plan, name: string): StepDef => {
  const s = p.steps.find((x) => x.name === name);
  assert.ok(s, `no step ${name} in ${p.steps.map((x) => x.name).join(", ")}`);
  return s;
};
const ctx = (request: unknown, outputs: Record<string, Record<string, unknown>> = {}): StepContext => ({ request: request as never, outputs, posts: 0, writes: {} });
const put = (d: Decision) => {
  assert.equal(d.do, "put", JSON.stringify(d));
  return d as Extract<Decision, { do: "put" }>;
};

const RG = `/subscriptions/${SUB}/resourceGroups/rg-aks-byo`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-aks`;
const NODES = `${VNET}/subnets/snet-nodes`;
const REG_SUBNET = `${VNET}/subnets/snet-registry`;
const API_SUBNET = `${VNET}/subnets/snet-apiserver`;
const ACR = `${RG}/providers/Microsoft.ContainerRegistry/registries/acrisolatedbyo01`;
const PE = `${RG}/providers/Microsoft.Network/privateEndpoints/pe-acrisolatedbyo01`;
const ZONE = `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const CP = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-cp`;
const KUBELET = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-kubelet`;
const ROLE_DEF = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const NetworkContributor = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const ManagedIdentityOperator = "f1a07417-d97a-45cb-824c-7a7467783830";

/** Outputs of the identity, VNet, registry and endpoint steps, as the runner would pass them on. */
const upstream = {
  "identity:controlPlane": { controlPlaneIdentityId: CP, controlPlaneIdentityPrincipalId: "cp-principal", controlPlaneIdentityClientId: "cp-client" },
  "identity:kubelet": { kubeletIdentityId: KUBELET, kubeletIdentityPrincipalId: "kubelet-principal", kubeletIdentityClientId: "kubelet-client" },
  vnet: { vnetId: VNET, nodesSubnetId: NODES, registrySubnetId: REG_SUBNET, apiServerSubnetId: API_SUBNET },
  registry: { registryId: ACR, registryLoginServer: "acrisolatedbyo01.azurecr.io" },
  "registry:privateEndpoint": { registryEndpointId: PE, registryEndpointNicId: `${RG}/providers/Microsoft.Network/networkInterfaces/pe.nic.1` },
  "registry:privateIps": { registryPrivateIp: "192.168.2.4", registryDataPrivateIp: "192.168.2.5" },
};

describe("BYO plan: steps and dependencies", () => {
  it("runs the independent resources in parallel and the cluster after all of them", () => {
    const p = planOf(byo());
    const deps = Object.fromEntries(p.steps.map((s) => [s.name, s.dependsOn]));
    assert.deepEqual(deps, {
      "provider:Microsoft.ContainerService": [],
      "provider:Microsoft.ContainerRegistry": [],
      "provider:Microsoft.Network": [],
      "provider:Microsoft.ManagedIdentity": [],
      resourceGroup: [],
      vnet: ["resourceGroup", "provider:Microsoft.Network"],
      "identity:controlPlane": ["resourceGroup", "provider:Microsoft.ManagedIdentity"],
      "identity:kubelet": ["resourceGroup", "provider:Microsoft.ManagedIdentity"],
      registry: ["resourceGroup", "provider:Microsoft.ContainerRegistry"],
      "registry:cacheRule": ["registry"],
      "registry:privateEndpoint": ["registry", "vnet"],
      "registry:privateIps": ["registry:privateEndpoint"],
      "dns:zone": ["resourceGroup", "provider:Microsoft.Network"],
      "dns:vnetLink": ["dns:zone", "vnet"],
      "dns:record:registry": ["dns:zone", "registry:privateIps"],
      "dns:record:data": ["dns:zone", "registry:privateIps"],
      "role:managedIdentityOperator:kubelet": ["identity:controlPlane", "identity:kubelet"],
      "role:networkContributor:nodesSubnet": ["identity:controlPlane", "vnet"],
      "role:networkContributor:apiServerSubnet": ["identity:controlPlane", "vnet"],
      "role:acrPull:kubelet": ["identity:kubelet", "registry"],
      cluster: [
        "resourceGroup",
        "provider:Microsoft.ContainerService",
        "provider:Microsoft.ContainerRegistry",
        "provider:Microsoft.Network",
        "provider:Microsoft.ManagedIdentity",
        "vnet",
        "identity:controlPlane",
        "identity:kubelet",
        "registry",
        "registry:cacheRule",
        "registry:privateEndpoint",
        "registry:privateIps",
        "dns:zone",
        "dns:vnetLink",
        "dns:record:registry",
        "dns:record:data",
        "role:managedIdentityOperator:kubelet",
        "role:networkContributor:nodesSubnet",
        "role:networkContributor:apiServerSubnet",
        "role:acrPull:kubelet",
      ],
      verify: ["cluster"],
    });
  });

  it("the cluster comes after the role assignments, the private endpoint and the DNS records", () => {
    const p = planOf(byo());
    const before = ancestors(p.steps, "cluster");
    for (const s of ["role:acrPull:kubelet", "role:networkContributor:apiServerSubnet", "role:networkContributor:nodesSubnet", "registry:privateEndpoint", "dns:record:registry", "dns:record:data", "dns:vnetLink", "registry:cacheRule"])
      assert.ok(before.has(s), `cluster after ${s}`);
    // and the cluster consumes the chain's outputs under the names cluster.ts reads
    const mc = desiredCluster(valid(byo()), upstream);
    assert.equal(mc.agentPoolProfiles![0].vnetSubnetID, NODES);
    assert.deepEqual(mc.identity, { type: "UserAssigned", userAssignedIdentities: { [CP]: {} } });
    assert.deepEqual(mc.identityProfile, { kubeletidentity: { resourceId: KUBELET, clientId: "kubelet-client", objectId: "kubelet-principal" } });
    assert.deepEqual(mc.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: ACR });
    assert.deepEqual(mc.apiServerAccessProfile, { enableVnetIntegration: true, enablePrivateCluster: true, subnetId: API_SUBNET });
    assert.deepEqual(mc.networkProfile, { networkPlugin: "azure", outboundType: "none" });
  });

  it("every write step knows its resource id before it runs, where the id does not depend on outputs", () => {
    const p = planOf(byo());
    const ids = Object.fromEntries(p.steps.filter((s) => s.resourceId).map((s) => [s.name, s.resourceId]));
    assert.equal(ids.vnet, VNET);
    assert.equal(ids.registry, ACR);
    assert.equal(ids["registry:cacheRule"], `${ACR}/cacheRules/acr-cache-rule`);
    assert.equal(ids["registry:privateEndpoint"], PE);
    assert.equal(ids["dns:zone"], ZONE);
    assert.equal(ids["identity:controlPlane"], CP);
    assert.equal(ids["identity:kubelet"], KUBELET);
  });
});

describe("BYO plan: step 1, the VNet with its subnets inline", () => {
  const p = planOf(byo());
  const vnet = step(p, "vnet");
  const want = {
    location: "westus2",
    tags: APP_TAGS,
    addressSpace: { addressPrefixes: ["192.168.0.0/16"] },
    subnets: [
      { name: "snet-nodes", addressPrefix: "192.168.1.0/24", defaultOutboundAccess: false },
      { name: "snet-registry", addressPrefix: "192.168.2.0/24", privateEndpointNetworkPolicies: "Disabled" },
      { name: "snet-apiserver", addressPrefix: "192.168.3.0/24", delegations: [{ name: "aks-apiserver", serviceName: "Microsoft.ContainerService/managedClusters" }] },
    ],
  };
  // The VNet as the SDK reads it back (flattened), as az would have made it (delegation named "0").
  const existing = () => ({
    id: VNET,
    name: "vnet-aks",
    location: "westus2",
    provisioningState: "Succeeded",
    dhcpOptions: { dnsServers: ["10.0.0.4"] },
    addressSpace: { addressPrefixes: ["192.168.0.0/16"] },
    subnets: [
      { id: NODES, name: "snet-nodes", addressPrefix: "192.168.1.0/24", defaultOutboundAccess: false, networkSecurityGroup: { id: "/nsg/nodes" }, provisioningState: "Succeeded" },
      { id: REG_SUBNET, name: "snet-registry", addressPrefix: "192.168.2.0/24", privateEndpointNetworkPolicies: "Disabled" },
      { id: API_SUBNET, name: "snet-apiserver", addressPrefix: "192.168.3.0/24", delegations: [{ name: "0", serviceName: "Microsoft.ContainerService/managedClusters" }] },
      { id: `${VNET}/subnets/snet-other`, name: "snet-other", addressPrefix: "192.168.9.0/24" },
    ],
  });

  it("a new VNet: one PUT with the three subnets and the procedures' flags", () => {
    const d = put(vnet.decide(ctx({}), [undefined]));
    assert.deepEqual(d.ref, { kind: "virtualNetwork", id: VNET });
    assert.deepEqual(d.body, want);
  });

  it("an existing VNet as asked: done, no write, even with other subnets and another delegation name", () => {
    const d = vnet.decide(ctx({}), [existing()]);
    assert.deepEqual(d, { do: "done", resourceId: VNET, outputs: { vnetId: VNET, nodesSubnetId: NODES, registrySubnetId: REG_SUBNET, apiServerSubnetId: API_SUBNET } });
  });

  it("a drifted VNet: the PUT fixes our flags and keeps what it does not own (other subnets, NSG, DNS servers, prefixes)", () => {
    const have = existing();
    have.subnets[0].defaultOutboundAccess = true as never;
    have.addressSpace.addressPrefixes = ["10.50.0.0/16", "192.168.0.0/16"];
    const body = put(vnet.decide(ctx({}), [have])).body as any;
    assert.deepEqual(body.addressSpace.addressPrefixes, ["10.50.0.0/16", "192.168.0.0/16"]);
    assert.deepEqual(body.dhcpOptions, { dnsServers: ["10.0.0.4"] });
    assert.deepEqual(body.subnets.map((s: any) => s.name), ["snet-nodes", "snet-registry", "snet-apiserver", "snet-other"]);
    assert.equal(body.subnets[0].defaultOutboundAccess, false);
    assert.deepEqual(body.subnets[0].networkSecurityGroup, { id: "/nsg/nodes" });
    assert.deepEqual(body.subnets[2].delegations, [{ name: "0", serviceName: "Microsoft.ContainerService/managedClusters" }], "an existing delegation is not renamed");
  });

  it("waits while the VNet is being written, refuses a VNet in another region", () => {
    assert.equal(vnet.decide(ctx({}), [{ ...existing(), provisioningState: "Updating" }]).do, "wait");
    const d = vnet.decide(ctx({}), [{ ...existing(), location: "eastus" }]);
    assert.equal(d.do, "fail");
    assert.equal((d as any).code, "VirtualNetworkLocationMismatch");
  });
});

describe("BYO plan: steps 2-4, registry, cache rule, private endpoint, DNS", () => {
  const p = planOf(byo());

  it("the registry: Premium, public network access disabled, anonymous pull as asked (default true)", () => {
    const d = put(step(p, "registry").decide(ctx({}), [undefined]));
    assert.deepEqual(d.ref, { kind: "registry", id: ACR, apiVersion: undefined });
    assert.deepEqual(d.body, { location: "westus2", tags: APP_TAGS, sku: { name: "Premium" }, publicNetworkAccess: "Disabled", anonymousPullEnabled: true });
    const off = byo();
    off.networkIsolation.registry.anonymousPullEnabled = false;
    assert.equal((put(step(planOf(off), "registry").decide(ctx({}), [undefined])).body as any).anonymousPullEnabled, false);
  });

  it("a drifted registry is fixed without resetting what else it has", () => {
    const have = { id: ACR, location: "westus2", provisioningState: "Succeeded", sku: { name: "Premium" }, publicNetworkAccess: "Enabled", anonymousPullEnabled: true, policies: { retentionPolicy: { days: 7 } } };
    const body = put(step(p, "registry").decide(ctx({}), [have])).body as any;
    assert.equal(body.publicNetworkAccess, "Disabled");
    assert.deepEqual(body.policies, { retentionPolicy: { days: 7 } });
    assert.equal(step(p, "registry").decide(ctx({}), [{ ...have, publicNetworkAccess: "Disabled" }]).do, "done");
  });

  it("the cache rule: acr-cache-rule, mcr.microsoft.com/* → * by default, or the request's", () => {
    const d = put(step(p, "registry:cacheRule").decide(ctx({}), [undefined]));
    assert.deepEqual(d.ref, { kind: "cacheRule", id: `${ACR}/cacheRules/acr-cache-rule`, apiVersion: undefined });
    assert.deepEqual(d.body, { sourceRepository: "mcr.microsoft.com/*", targetRepository: "*" });
    const custom = byo();
    custom.networkIsolation.registry.cacheRule = { name: "aks-managed-mcr", sourceRepository: "mcr.microsoft.com/*", targetRepository: "aks-managed-repository/*" };
    const c = put(step(planOf(custom), "registry:cacheRule").decide(ctx({}), [undefined]));
    assert.equal(c.ref.id, `${ACR}/cacheRules/aks-managed-mcr`);
    assert.deepEqual(c.body, { sourceRepository: "mcr.microsoft.com/*", targetRepository: "aks-managed-repository/*" });
  });

  it("the private endpoint: group id registry, in the registry subnet", () => {
    const pe = step(p, "registry:privateEndpoint");
    const d = put(pe.decide(ctx({}, upstream), [undefined]));
    assert.deepEqual(d.ref, { kind: "privateEndpoint", id: PE, apiVersion: undefined });
    assert.deepEqual(d.body, {
      location: "westus2",
      tags: APP_TAGS,
      subnet: { id: REG_SUBNET },
      privateLinkServiceConnections: [{ name: "acrisolatedbyo01-connection", privateLinkServiceId: ACR, groupIds: ["registry"] }],
    });
    const have = { id: PE, provisioningState: "Succeeded", subnet: { id: REG_SUBNET.toLowerCase() }, privateLinkServiceConnections: [{ name: "x", privateLinkServiceId: ACR, groupIds: ["registry"] }], networkInterfaces: [{ id: "/nic/1" }] };
    assert.deepEqual(pe.decide(ctx({}, upstream), [have]), { do: "done", resourceId: PE, outputs: { registryEndpointId: PE, registryEndpointNicId: "/nic/1" } });
    assert.equal(pe.decide(ctx({}, upstream), [{ ...have, subnet: { id: NODES } }]).do, "put", "an endpoint in another subnet is not ours");
  });

  it("reads the private IPs of members registry and registry_data_{location} from the endpoint's NIC", () => {
    const ips = step(p, "registry:privateIps");
    assert.deepEqual(ips.reads(ctx({}, upstream)), [{ kind: "networkInterface", id: upstream["registry:privateEndpoint"].registryEndpointNicId }]);
    const nic = {
      id: "/nic/1",
      ipConfigurations: [
        { name: "c1", privateIPAddress: "192.168.2.5", privateLinkConnectionProperties: { groupId: "registry", requiredMemberName: "registry_data_westus2" } },
        { name: "c0", privateIPAddress: "192.168.2.4", privateLinkConnectionProperties: { groupId: "registry", requiredMemberName: "registry" } },
      ],
    };
    assert.deepEqual(ips.decide(ctx({}, upstream), [nic]), { do: "done", resourceId: "/nic/1", outputs: { registryPrivateIp: "192.168.2.4", registryDataPrivateIp: "192.168.2.5" } });
    const d = ips.decide(ctx({}, upstream), [{ ...nic, ipConfigurations: nic.ipConfigurations.slice(1) }]);
    assert.equal(d.do, "fail");
    assert.match((d as any).message, /registry_data_westus2/);
  });

  it("the zone privatelink.azurecr.io (global) and its VNet link (registration disabled)", () => {
    const z = put(step(p, "dns:zone").decide(ctx({}), [undefined]));
    assert.deepEqual([z.ref.id, z.body], [ZONE, { location: "global", tags: APP_TAGS }]);
    const l = put(step(p, "dns:vnetLink").decide(ctx({}, upstream), [undefined]));
    assert.equal(l.ref.id, `${ZONE}/virtualNetworkLinks/link-vnet-aks`);
    assert.deepEqual(l.body, { location: "global", tags: APP_TAGS, virtualNetwork: { id: VNET }, registrationEnabled: false });
  });

  it("A records {registry} and {registry}.{location}.data at the endpoint's IPs", () => {
    const r = put(step(p, "dns:record:registry").decide(ctx({}, upstream), [undefined]));
    assert.deepEqual([r.ref.kind, r.ref.id, r.body], ["aRecordSet", `${ZONE}/A/acrisolatedbyo01`, { ttl: 3600, aRecords: [{ ipv4Address: "192.168.2.4" }] }]);
    const data = step(p, "dns:record:data");
    const d = put(data.decide(ctx({}, upstream), [undefined]));
    assert.deepEqual([d.ref.id, d.body], [`${ZONE}/A/acrisolatedbyo01.westus2.data`, { ttl: 3600, aRecords: [{ ipv4Address: "192.168.2.5" }] }]);
    assert.equal(data.decide(ctx({}, upstream), [{ ttl: 3600, aRecords: [{ ipv4Address: "192.168.2.5" }] }]).do, "done");
    assert.equal(data.decide(ctx({}, upstream), [{ ttl: 3600, aRecords: [{ ipv4Address: "192.168.2.5" }, { ipv4Address: "192.168.2.99" }] }]).do, "put", "a stale extra address is removed");
  });
});

describe("BYO plan: step 5, identities and role assignments", () => {
  it("identities named by the request, or id-{cluster}-cp / id-{cluster}-kubelet", () => {
    const named = planOf(byo());
    assert.deepEqual(put(step(named, "identity:controlPlane").decide(ctx({}), [undefined])).ref.id, CP);
    const raw = byo();
    delete raw.identities;
    const p = planOf(raw);
    const cp = put(step(p, "identity:controlPlane").decide(ctx({}), [undefined]));
    assert.deepEqual([cp.ref.id, cp.body], [`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-iso-byo-cp`, { location: "westus2", tags: APP_TAGS }]);
    assert.equal(put(step(p, "identity:kubelet").decide(ctx({}), [undefined])).ref.id, `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-iso-byo-kubelet`);
    // an existing identity is used as it is; its ids become outputs
    const out = step(p, "identity:kubelet").decide(ctx({}), [{ id: KUBELET, principalId: "pk", clientId: "ck" }]);
    assert.deepEqual(out, { do: "done", resourceId: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-iso-byo-kubelet`, outputs: { kubeletIdentityId: KUBELET, kubeletIdentityPrincipalId: "pk", kubeletIdentityClientId: "ck" } });
  });

  it("AcrPull (kubelet on registry), Network Contributor (control plane on both subnets), Managed Identity Operator; principalType ServicePrincipal", () => {
    const p = planOf(byo());
    const cases: [string, string, string, string][] = [
      ["role:acrPull:kubelet", ACR, "kubelet-principal", AcrPull],
      ["role:networkContributor:apiServerSubnet", API_SUBNET, "cp-principal", NetworkContributor],
      ["role:networkContributor:nodesSubnet", NODES, "cp-principal", NetworkContributor],
      ["role:managedIdentityOperator:kubelet", KUBELET, "cp-principal", ManagedIdentityOperator],
    ];
    for (const [name, scope, principal, role] of cases) {
      const d = put(step(p, name).decide(ctx({}, upstream), [undefined]));
      assert.equal(d.ref.kind, "roleAssignment");
      assert.equal(d.ref.id, `${scope}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(scope, principal, role)}`, name);
      assert.deepEqual(d.body, { roleDefinitionId: ROLE_DEF(role), principalId: principal, principalType: "ServicePrincipal" }, name);
      assert.equal(step(p, name).decide(ctx({}, upstream), [{ id: d.ref.id }]).do, "done", `${name}: an existing assignment under our name is ours`);
    }
  });
});

describe("BYO plan: variants", () => {
  it("network and registry in their own resource groups", () => {
    const raw = byo();
    raw.network.resourceGroup = "rg-net";
    raw.networkIsolation.registry.resourceGroup = "rg-acr";
    const p = planOf(raw);
    const net = `/subscriptions/${SUB}/resourceGroups/rg-net`;
    const acr = `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrisolatedbyo01`;
    assert.deepEqual(step(p, "resourceGroup:rg-net").resourceId, net);
    assert.deepEqual(step(p, "resourceGroup:rg-acr").resourceId, `/subscriptions/${SUB}/resourceGroups/rg-acr`);
    assert.deepEqual(step(p, "vnet").dependsOn, ["resourceGroup:rg-net", "provider:Microsoft.Network"]);
    assert.deepEqual(step(p, "registry").dependsOn, ["resourceGroup:rg-acr", "provider:Microsoft.ContainerRegistry"]);
    assert.deepEqual(step(p, "dns:zone").dependsOn, ["resourceGroup:rg-net", "provider:Microsoft.Network"]);
    assert.equal(step(p, "vnet").resourceId, `${net}/providers/Microsoft.Network/virtualNetworks/vnet-aks`);
    assert.equal(step(p, "registry").resourceId, acr);
    assert.equal(step(p, "registry:privateEndpoint").resourceId, `${net}/providers/Microsoft.Network/privateEndpoints/pe-acrisolatedbyo01`);
    assert.equal(step(p, "dns:zone").resourceId, `${net}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`);
    // identities stay with the cluster
    assert.deepEqual(step(p, "identity:kubelet").resourceId, KUBELET);
  });

  it("API server VNet integration with a BYO VNet, without network isolation", () => {
    const raw = byo();
    delete raw.networkIsolation;
    raw.network.subnets = { nodes: "192.168.1.0/24", apiServer: "192.168.3.0/28" };
    const p = planOf(raw);
    const names = p.steps.map((s) => s.name);
    assert.ok(!names.some((n) => n.startsWith("registry") || n.startsWith("dns:") || n === "role:acrPull:kubelet" || n === "provider:Microsoft.ContainerRegistry"), names.join(", "));
    for (const n of ["vnet", "identity:controlPlane", "identity:kubelet", "role:networkContributor:apiServerSubnet", "role:networkContributor:nodesSubnet", "provider:Microsoft.Network", "provider:Microsoft.ManagedIdentity"])
      assert.ok(names.includes(n), n);
    assert.deepEqual((put(step(p, "vnet").decide(ctx({}), [undefined])).body as any).subnets, [
      { name: "snet-nodes", addressPrefix: "192.168.1.0/24", defaultOutboundAccess: false },
      { name: "snet-apiserver", addressPrefix: "192.168.3.0/28", delegations: [{ name: "aks-apiserver", serviceName: "Microsoft.ContainerService/managedClusters" }] },
    ]);
    const mc = desiredCluster(valid(raw), upstream);
    assert.equal(mc.bootstrapProfile, undefined);
    assert.deepEqual(mc.apiServerAccessProfile, { enableVnetIntegration: true, enablePrivateCluster: true, subnetId: API_SUBNET });
  });

  it("private link with a BYO VNet: Network Contributor on the nodes subnet only", () => {
    const raw = byo();
    raw.apiServer = { access: "privateLink", private: true };
    const names = planOf(raw).steps.map((s) => s.name);
    assert.ok(names.includes("role:networkContributor:nodesSubnet"));
    assert.ok(!names.includes("role:networkContributor:apiServerSubnet"));
  });

  it("an existing API server subnet (apiServer.subnetId) gets the Network Contributor assignment", () => {
    const raw = byo();
    raw.network.subnets = { nodes: "192.168.1.0/24", registry: "192.168.2.0/24" };
    raw.apiServer.subnetId = `${VNET}/subnets/snet-existing-api`;
    const p = planOf(raw);
    const d = put(step(p, "role:networkContributor:apiServerSubnet").decide(ctx({}, upstream), [undefined]));
    assert.ok(d.ref.id.startsWith(`${VNET}/subnets/snet-existing-api/providers/Microsoft.Authorization/roleAssignments/`));
    assert.equal((step(p, "vnet").decide(ctx({}), [undefined]) as any).body.subnets.length, 2);
  });

  it("user-assigned identities on the AKS-managed VNet: identities and Managed Identity Operator, nothing of the network", () => {
    const raw = example("network-isolated-managed-acr.json");
    raw.identities = { controlPlane: "id-cp", kubelet: "id-kubelet" };
    const p = planOf(raw);
    const names = p.steps.map((s) => s.name);
    assert.deepEqual(names.filter((n) => n.startsWith("identity:") || n.startsWith("role:") || n === "vnet"), ["identity:controlPlane", "identity:kubelet", "role:managedIdentityOperator:kubelet"]);
    assert.ok(names.includes("provider:Microsoft.ManagedIdentity") && !names.includes("provider:Microsoft.Network"));
    assert.ok(ancestors(p.steps, "cluster").has("role:managedIdentityOperator:kubelet"));
  });

  it("a plain cluster brings nothing of its own", () => {
    const names = planOf(example("network-isolated-managed-acr.json")).steps.map((s) => s.name);
    assert.deepEqual(names, ["provider:Microsoft.ContainerService", "provider:Microsoft.ContainerRegistry", "resourceGroup", "cluster", "verify"]);
  });
});
