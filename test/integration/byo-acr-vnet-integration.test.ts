// The BYO chain (network-isolated procedure, BYO ACR steps 1-6, with API server VNet integration
// on the BYO VNet), asserted on the ARM stand-in's final resources.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { StatusDocument } from "../../src/app/status.js";
import type { LocalHost } from "../../src/local/host.js";
import { randomUUID } from "node:crypto";
import { provision, startTestHost } from "../helpers/local.js";
import { clients } from "./local/arm-standin/sdk.js";
import { example, SUB } from "../helpers/examples.js";

const RG = `/subscriptions/${SUB}/resourceGroups/rg-aks-byo`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-aks`;
const ACR = `${RG}/providers/Microsoft.ContainerRegistry/registries/acrisolatedbyo01`;
const PE = `${RG}/providers/Microsoft.Network/privateEndpoints/pe-acrisolatedbyo01`;
const ZONE = `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-iso-byo`;
const CP = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-cp`;
const KUBELET = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-kubelet`;
const AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const NetworkContributor = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const ManagedIdentityOperator = "f1a07417-d97a-45cb-824c-7a7467783830";
const EXAMPLE = "network-isolated-byo-acr-vnet-integration.json";
const lc = (s: string) => s.toLowerCase();

const roleAssignments = (host: LocalHost) => host.standIn!.list("/subscriptions/").filter((r: any) => r.type === "Microsoft.Authorization/roleAssignments");
const hasRole = (host: LocalHost, scope: string, principal: string, role: string) =>
  roleAssignments(host).filter((a: any) => lc(a.properties.scope) === lc(scope) && a.properties.principalId === principal && a.properties.roleDefinitionId.endsWith(role) && a.properties.principalType === "ServicePrincipal").length;

/** End to end vs the step durations one after another vs the longest chain of dependent steps. */
function timings(s: StatusDocument): { endToEndMs: number; serialMs: number; criticalPathMs: number } {
  const t = (x?: string) => Date.parse(x!);
  const dur = new Map(s.steps.map((x) => [x.name, t(x.finishedAt) - t(x.startedAt)]));
  const memo = new Map<string, number>();
  const chain = (n: string): number => {
    if (!memo.has(n)) memo.set(n, dur.get(n)! + Math.max(0, ...s.steps.find((x) => x.name === n)!.dependsOn.map(chain)));
    return memo.get(n)!;
  };
  return {
    endToEndMs: Math.max(...s.steps.map((x) => t(x.finishedAt))) - t(s.createdAt),
    serialMs: [...dur.values()].reduce((a, b) => a + b, 0),
    criticalPathMs: Math.max(...s.steps.map((x) => chain(x.name))),
  };
}

describe("BYO registry and BYO VNet with API server VNet integration", () => {
  let host: LocalHost;
  let first: StatusDocument;
  before(async () => (host = await startTestHost({ standIn: { principalNotFoundAttempts: 2 } })));
  after(async () => host.close());
  const get = (id: string) => host.standIn!.get(id);

  it("creates every resource of the procedure, exactly as it describes them", async () => {
    const status = (first = await provision(host, example(EXAMPLE)));
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));

    // step 1: VNet and subnets
    assert.deepEqual(get(VNET).properties.addressSpace.addressPrefixes, ["192.168.0.0/16"]);
    const nodes = get(`${VNET}/subnets/snet-nodes`).properties;
    assert.deepEqual([nodes.addressPrefix, nodes.defaultOutboundAccess], ["192.168.1.0/24", false]);
    const regSubnet = get(`${VNET}/subnets/snet-registry`).properties;
    assert.deepEqual([regSubnet.addressPrefix, regSubnet.privateEndpointNetworkPolicies], ["192.168.2.0/24", "Disabled"]);
    const api = get(`${VNET}/subnets/snet-apiserver`).properties;
    assert.equal(api.addressPrefix, "192.168.3.0/24");
    assert.deepEqual(api.delegations.map((d: any) => d.properties.serviceName), ["Microsoft.ContainerService/managedClusters"]);

    // step 2: registry and cache rule
    const acr = get(ACR);
    assert.deepEqual([acr.location, acr.sku.name, acr.properties.publicNetworkAccess, acr.properties.anonymousPullEnabled], ["westus2", "Premium", "Disabled", true]);
    const rule = get(`${ACR}/cacheRules/acr-cache-rule`).properties;
    assert.deepEqual([rule.sourceRepository, rule.targetRepository], ["mcr.microsoft.com/*", "*"]);

    // step 3: private endpoint (group registry, registry subnet) and the NIC's member IPs
    const pe = get(PE).properties;
    assert.equal(lc(pe.subnet.id), lc(`${VNET}/subnets/snet-registry`));
    assert.equal(pe.privateLinkServiceConnections.length, 1);
    assert.deepEqual([lc(pe.privateLinkServiceConnections[0].properties.privateLinkServiceId), pe.privateLinkServiceConnections[0].properties.groupIds], [lc(ACR), ["registry"]]);
    const nic = get(pe.networkInterfaces[0].id).properties;
    const ipOf = (member: string) => nic.ipConfigurations.find((c: any) => c.properties.privateLinkConnectionProperties.requiredMemberName === member).properties.privateIPAddress;
    assert.match(ipOf("registry"), /^192\.168\.2\./);
    assert.notEqual(ipOf("registry"), ipOf("registry_data_westus2"));

    // step 4: zone (global), link (registration disabled), A records at those IPs; no zone group
    assert.equal(get(ZONE).location, "global");
    const link = get(`${ZONE}/virtualNetworkLinks/link-vnet-aks`);
    assert.deepEqual([link.location, lc(link.properties.virtualNetwork.id), link.properties.registrationEnabled], ["global", lc(VNET), false]);
    const records = host.standIn!.list(`${ZONE}/A/`);
    assert.deepEqual(records.map((r: any) => r.name).sort(), ["acrisolatedbyo01", "acrisolatedbyo01.westus2.data"]);
    assert.deepEqual(get(`${ZONE}/A/acrisolatedbyo01`).properties.aRecords, [{ ipv4Address: ipOf("registry") }]);
    assert.deepEqual(get(`${ZONE}/A/acrisolatedbyo01.westus2.data`).properties.aRecords, [{ ipv4Address: ipOf("registry_data_westus2") }]);
    assert.equal(host.standIn!.list(`${PE}/privateDnsZoneGroups/`).length, 0);

    // step 5: identities and roles, each exactly once, principalType ServicePrincipal
    const cp = get(CP).properties.principalId;
    const kubelet = get(KUBELET).properties.principalId;
    assert.equal(hasRole(host, ACR, kubelet, AcrPull), 1, "AcrPull for the kubelet identity on the registry");
    assert.equal(hasRole(host, `${VNET}/subnets/snet-apiserver`, cp, NetworkContributor), 1, "Network Contributor on the API server subnet");
    assert.equal(hasRole(host, `${VNET}/subnets/snet-nodes`, cp, NetworkContributor), 1, "Network Contributor on the nodes subnet");
    assert.equal(hasRole(host, KUBELET, cp, ManagedIdentityOperator), 1, "Managed Identity Operator on the kubelet identity");
    assert.equal(roleAssignments(host).length, 4);

    // PrincipalNotFound during Entra replication was answered, retried, and is not a failure
    const refused = host.standIn!.requests.filter((r) => r.method === "PUT" && /\/roleassignments\//i.test(r.path) && r.status === 400);
    assert.ok(refused.length > 0, "the stand-in refused a role assignment with PrincipalNotFound first");
    const roleSteps = status.steps.filter((s) => s.name.startsWith("role:"));
    assert.ok(roleSteps.some((s) => s.attempts > 1), JSON.stringify(roleSteps.map((s) => [s.name, s.attempts])));
    assert.ok(roleSteps.every((s) => s.state === "Succeeded"));

    // step 6: the cluster
    const mc = get(CLUSTER);
    assert.ok(mc.properties.agentPoolProfiles.every((p: any) => lc(p.vnetSubnetID) === lc(`${VNET}/subnets/snet-nodes`)));
    assert.deepEqual(Object.keys(mc.identity.userAssignedIdentities).map(lc), [lc(CP)]);
    assert.equal(lc(mc.properties.identityProfile.kubeletidentity.resourceId), lc(KUBELET));
    assert.deepEqual(mc.properties.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: ACR });
    assert.deepEqual([mc.properties.networkProfile.outboundType, mc.properties.networkProfile.networkPlugin], ["none", "azure"]);
    const access = mc.properties.apiServerAccessProfile;
    assert.deepEqual([access.enableVnetIntegration, access.enablePrivateCluster, lc(access.subnetId)], [true, true, lc(`${VNET}/subnets/snet-apiserver`)]);

    // the cluster PUT came only after the role assignments, the private endpoint and the DNS records
    const order = host.standIn!.writes().map((w) => lc(w.path.split("?")[0]));
    const clusterAt = order.indexOf(lc(CLUSTER));
    assert.ok(clusterAt > 0);
    for (const [what, pred] of [
      ["role assignments", (p: string) => p.includes("/roleassignments/")],
      ["private endpoint", (p: string) => p === lc(PE)],
      ["A records", (p: string) => p.startsWith(lc(`${ZONE}/A/`))],
      ["VNet link", (p: string) => p.includes("/virtualnetworklinks/")],
    ] as const)
      assert.ok(order.some(pred) && order.every((p, i) => !pred(p) || i < clusterAt), `${what} before the cluster`);

    // the status document: every step with its resource id
    for (const s of status.steps) assert.ok(s.resourceId, `step ${s.name} shows its resource id`);
    const byName = Object.fromEntries(status.steps.map((s) => [s.name, s.resourceId]));
    assert.equal(byName.vnet, VNET);
    assert.equal(byName["registry:privateEndpoint"], PE);
    assert.equal(lc(byName["registry:privateIps"]!), lc(pe.networkInterfaces[0].id));
    assert.equal(byName["dns:record:data"], `${ZONE}/A/acrisolatedbyo01.westus2.data`);
    assert.match(byName["role:acrPull:kubelet"]!, new RegExp(`^${ACR}/providers/Microsoft.Authorization/roleAssignments/[0-9a-f-]{36}$`));

    // what a user needs next
    const o = status.outputs!;
    assert.equal(o.registryLoginServer, "acrisolatedbyo01.azurecr.io");
    assert.equal(o.registryId, ACR);
    assert.equal(o.registryPrivateIp, ipOf("registry"));
    assert.equal(o.registryDataPrivateIp, ipOf("registry_data_westus2"));
    assert.equal(o.controlPlaneIdentityClientId, get(CP).properties.clientId);
    assert.equal(o.kubeletIdentityClientId, get(KUBELET).properties.clientId);
    assert.equal(o.fqdn, mc.properties.fqdn);
    assert.equal(o.privateFqdn, mc.properties.privateFQDN);
    assert.ok(o.fqdn && o.privateFqdn);
  });

  it("running the same request again (new requestId) writes nothing", async () => {
    const writes = host.standIn!.writes().length;
    const puts = host.standIn!.requests.filter((r) => r.method === "PUT").length;
    const names = roleAssignments(host).map((a: any) => a.name).sort();
    const again = await provision(host, { ...example(EXAMPLE), requestId: "byo-again" });
    assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
    assert.equal(host.standIn!.writes().length, writes, "no write");
    assert.equal(host.standIn!.requests.filter((r) => r.method === "PUT").length, puts, "not even a refused PUT");
    assert.ok(again.steps.every((s) => s.armWrites === 0));
    assert.deepEqual(roleAssignments(host).map((a: any) => a.name).sort(), names);
    for (const k of ["registryLoginServer", "registryPrivateIp", "registryDataPrivateIp", "controlPlaneIdentityClientId", "kubeletIdentityClientId", "fqdn", "privateFqdn"])
      assert.equal(again.outputs![k], first.outputs![k], k);
  });

  it("a re-run after every role assignment was re-created by hand under another name succeeds, with no duplicate and no other write", async () => {
    const authz = clients(host.standIn!).authz;
    const ours = roleAssignments(host).filter((a: any) => [CP, KUBELET].some((i) => lc(get(i).properties.principalId) === lc(a.properties.principalId)));
    assert.ok(ours.length >= 4, "AcrPull, Managed Identity Operator, Network Contributor on two subnets");
    const byHand: string[] = [];
    for (const a of ours) {
      await authz.roleAssignments.deleteById(a.id);
      const made = await authz.roleAssignments.create(a.properties.scope, randomUUID(), { roleDefinitionId: a.properties.roleDefinitionId, principalId: a.properties.principalId, principalType: "ServicePrincipal" });
      byHand.push(made.id!);
    }
    const writes = host.standIn!.writes().length;
    const again = await provision(host, { ...example(EXAMPLE), requestId: "byo-after-hand-made-roles" });
    assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
    assert.equal(host.standIn!.writes().length, writes, "no write reached ARM (each assignment was found by listing its scope)");
    assert.deepEqual(roleAssignments(host).filter((a: any) => ours.some((o: any) => o.properties.principalId === a.properties.principalId)).map((a: any) => a.id).sort(), byHand.sort(), "the hand-made assignments, and no other");
    for (const s of again.steps.filter((x) => x.name.startsWith("role:"))) assert.deepEqual([s.name, s.state, s.attempts], [s.name, "Succeeded", 1]);
  });

  it("a drifted subnet is put back by one VNet PUT that keeps what the request does not own", async () => {
    // Someone turned default outbound access back on, and added a subnet with an NSG of their own.
    host.standIn!.seed({ id: `${VNET}/subnets/snet-nodes`, properties: { ...get(`${VNET}/subnets/snet-nodes`).properties, defaultOutboundAccess: true } });
    host.standIn!.seed({ id: `${VNET}/subnets/snet-jump`, properties: { addressPrefix: "192.168.9.0/24", networkSecurityGroup: { id: `${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-jump` } } });
    const before = host.standIn!.writes().length;
    const again = await provision(host, { ...example(EXAMPLE), requestId: "byo-drift" });
    assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
    assert.deepEqual(host.standIn!.writes().slice(before).map((w) => `${w.method} ${lc(w.path)}`), [`PUT ${lc(VNET)}`]);
    assert.equal(get(`${VNET}/subnets/snet-nodes`).properties.defaultOutboundAccess, false);
    const jump = get(`${VNET}/subnets/snet-jump`).properties;
    assert.deepEqual([jump.addressPrefix, lc(jump.networkSecurityGroup.id)], ["192.168.9.0/24", lc(`${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-jump`)]);
    assert.deepEqual(get(`${VNET}/subnets/snet-apiserver`).properties.delegations.map((d: any) => d.properties.serviceName), ["Microsoft.ContainerService/managedClusters"]);
  });

  it("API server VNet integration with a BYO VNet works without network isolation (public API server)", async () => {
    const raw = example(EXAMPLE);
    delete raw.networkIsolation;
    const status = await provision(host, {
      ...raw,
      requestId: "byo-plain",
      apiServer: { access: "vnetIntegration", private: false },
      cluster: { ...raw.cluster, name: "aks-vnet-only" },
      network: { ...raw.network, vnetName: "vnet-plain", subnets: { nodes: "192.168.1.0/24", apiServer: "192.168.3.0/28" } },
      identities: undefined,
    });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const vnet = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-plain`;
    assert.deepEqual(get(`${vnet}/subnets/snet-apiserver`).properties.delegations.map((d: any) => d.properties.serviceName), ["Microsoft.ContainerService/managedClusters"]);
    const mc = get(`${RG}/providers/Microsoft.ContainerService/managedClusters/aks-vnet-only`);
    assert.deepEqual([mc.properties.apiServerAccessProfile.enableVnetIntegration, mc.properties.apiServerAccessProfile.enablePrivateCluster], [true, false]);
    assert.equal(lc(mc.properties.apiServerAccessProfile.subnetId), lc(`${vnet}/subnets/snet-apiserver`));
    assert.equal(mc.properties.bootstrapProfile, undefined);
    // default identity names for a BYO VNet request without `identities`
    const cp = get(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-vnet-only-cp`);
    assert.ok(cp && get(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-vnet-only-kubelet`));
    assert.equal(hasRole(host, `${vnet}/subnets/snet-apiserver`, cp.properties.principalId, NetworkContributor), 1);
    assert.equal(hasRole(host, `${vnet}/subnets/snet-nodes`, cp.properties.principalId, NetworkContributor), 1);
    assert.ok(!status.steps.some((s) => s.name.startsWith("registry") || s.name.startsWith("dns:")));
  });
});

describe("BYO chain: resource groups, existing assignments, and the time it takes", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());
  const get = (id: string) => host.standIn!.get(id);

  it("puts the network and the registry in their own resource groups when the request names them", async () => {
    const raw = example(EXAMPLE);
    const status = await provision(host, {
      ...raw,
      requestId: "byo-rgs",
      cluster: { ...raw.cluster, resourceGroup: "rg-aks-only", name: "aks-rgs" },
      networkIsolation: { ...raw.networkIsolation, registry: { ...raw.networkIsolation.registry, name: "acrrgs01", resourceGroup: "rg-acr" } },
      network: { ...raw.network, resourceGroup: "rg-net" },
      identities: undefined,
    });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const net = `/subscriptions/${SUB}/resourceGroups/rg-net/providers`;
    const acr = `/subscriptions/${SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrrgs01`;
    for (const id of [`/subscriptions/${SUB}/resourceGroups/rg-net`, `/subscriptions/${SUB}/resourceGroups/rg-acr`, `${net}/Microsoft.Network/virtualNetworks/vnet-aks`, `${net}/Microsoft.Network/privateEndpoints/pe-acrrgs01`, `${net}/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/A/acrrgs01.westus2.data`, acr, `${acr}/cacheRules/acr-cache-rule`])
      assert.ok(get(id), id);
    assert.ok(get(`/subscriptions/${SUB}/resourceGroups/rg-aks-only/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-rgs-kubelet`));
    assert.deepEqual(get(`/subscriptions/${SUB}/resourceGroups/rg-aks-only/providers/Microsoft.ContainerService/managedClusters/aks-rgs`).properties.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: acr });
  });

  it("an assignment that exists under another name (RoleAssignmentExists) counts as done", async () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/rg-aks-iso`;
    const cpId = `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-pre-cp`;
    const kubeletId = `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-pre-kubelet`;
    host.standIn!.seed({ id: rg, location: "westus2" });
    host.standIn!.seed({ id: cpId, location: "westus2" });
    host.standIn!.seed({ id: kubeletId, location: "westus2" });
    const cp = get(cpId).properties.principalId;
    const byHand = `${kubeletId}/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555`;
    host.standIn!.seed({ id: byHand, properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${ManagedIdentityOperator}`, principalId: cp, principalType: "ServicePrincipal" } });

    const raw = example("network-isolated-managed-acr.json");
    const status = await provision(host, { ...raw, requestId: "pre-assigned", identities: { controlPlane: "id-pre-cp", kubelet: "id-pre-kubelet" } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const step = status.steps.find((s) => s.name === "role:managedIdentityOperator:kubelet")!;
    assert.deepEqual([step.state, step.attempts], ["Succeeded", 1]);
    const refused = host.standIn!.requests.filter((r) => r.method === "PUT" && /\/roleassignments\//i.test(r.path) && r.path.toLowerCase().startsWith(kubeletId.toLowerCase()));
    assert.deepEqual(refused, [], "the existing assignment was found by listing the scope: no PUT at all");
    assert.equal(hasRole(host, kubeletId, cp, ManagedIdentityOperator), 1, "no second assignment");
    // The adapter answers with the existing assignment, found by listing the scope's assignments for the principal.
    assert.equal(status.outputs?.managedIdentityOperatorRoleAssignmentId, byHand);
    const mc = get(`${rg}/providers/Microsoft.ContainerService/managedClusters/aks-iso-managed`);
    assert.equal(lc(mc.properties.identityProfile.kubeletidentity.resourceId), lc(kubeletId));
  });

  it("runs independent steps in parallel: end to end is far below the steps one after another", async (t) => {
    const raw = example(EXAMPLE);
    const status = await provision(host, { ...raw, requestId: "byo-timing", cluster: { ...raw.cluster, resourceGroup: "rg-aks-timing" } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const m = timings(status);
    t.diagnostic(`BYO example on the stand-in (timeScale 0.05): end to end ${m.endToEndMs} ms, critical path ${m.criticalPathMs} ms, steps one after another ${m.serialMs} ms`);
    assert.ok(m.endToEndMs < m.serialMs, JSON.stringify(m));
    // the registry's private endpoint and the VNet, the registry and the zone, the identities were in flight together
    const span = (n: string) => {
      const s = status.steps.find((x) => x.name === n)!;
      return [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)] as const;
    };
    const overlap = (a: string, b: string) => span(a)[0] < span(b)[1] && span(b)[0] < span(a)[1];
    assert.ok(overlap("vnet", "registry") && overlap("registry", "dns:zone") && overlap("vnet", "identity:controlPlane"), "independent writes overlap in time");
  });
});
