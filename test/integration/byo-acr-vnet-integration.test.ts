// The BYO chain (network-isolated procedure, BYO ACR steps 1-6, with API server VNet integration
// on the BYO VNet), asserted on the ARM stand-in's final resources.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { provision, startTestHost } from "../helpers/local.js";
import { example, SUB } from "../helpers/examples.js";

const RG = `/subscriptions/${SUB}/resourceGroups/rg-aks-byo`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-aks`;
const ACR = `${RG}/providers/Microsoft.ContainerRegistry/registries/acrisolatedbyo01`;
const ZONE = `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-iso-byo`;
const CP = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-cp`;
const KUBELET = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-kubelet`;
const AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const NetworkContributor = "4d97b98b-1d4f-4787-a291-c67834d212e7";

describe("BYO registry and BYO VNet with API server VNet integration", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ standIn: { principalReplicationDelayMs: 400 } })));
  after(async () => host.close());
  const get = (id: string) => host.standIn!.get(id);
  const assignments = () => host.standIn!.list("/subscriptions/").filter((r: any) => r.type === "Microsoft.Authorization/roleAssignments");

  it("creates every resource of the procedure, exactly as it describes them", async () => {
    const status = await provision(host, example("network-isolated-byo-acr-vnet-integration.json"));
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));

    // step 1: VNet and subnets
    assert.deepEqual(get(VNET).properties.addressSpace.addressPrefixes, ["192.168.0.0/16"]);
    const nodes = get(`${VNET}/subnets/snet-nodes`).properties;
    assert.deepEqual([nodes.addressPrefix, nodes.defaultOutboundAccess], ["192.168.1.0/24", false]);
    const regSubnet = get(`${VNET}/subnets/snet-registry`).properties;
    assert.deepEqual([regSubnet.addressPrefix, regSubnet.privateEndpointNetworkPolicies], ["192.168.2.0/24", "Disabled"]);
    const api = get(`${VNET}/subnets/snet-apiserver`).properties;
    assert.equal(api.delegations[0].properties.serviceName, "Microsoft.ContainerService/managedClusters");

    // step 2: registry and cache rule
    const acr = get(ACR);
    assert.deepEqual([acr.sku.name, acr.properties.publicNetworkAccess, acr.properties.anonymousPullEnabled], ["Premium", "Disabled", true]);
    const rule = get(`${ACR}/cacheRules/acr-cache-rule`).properties;
    assert.deepEqual([rule.sourceRepository, rule.targetRepository], ["mcr.microsoft.com/*", "*"]);

    // step 3: private endpoint (group registry) and the NIC's member IPs
    const pe = get(`${RG}/providers/Microsoft.Network/privateEndpoints/pe-acrisolatedbyo01`).properties;
    assert.equal(pe.subnet.id.toLowerCase(), `${VNET}/subnets/snet-registry`.toLowerCase());
    assert.deepEqual(pe.privateLinkServiceConnections[0].properties.groupIds, ["registry"]);
    const nic = get(pe.networkInterfaces[0].id).properties;
    const ipOf = (member: string) => nic.ipConfigurations.find((c: any) => c.properties.privateLinkConnectionProperties.requiredMemberName === member).properties.privateIPAddress;

    // step 4: zone, link, A records at those IPs
    assert.ok(get(ZONE));
    const link = get(`${ZONE}/virtualNetworkLinks/link-vnet-aks`).properties;
    assert.deepEqual([link.virtualNetwork.id.toLowerCase(), link.registrationEnabled], [VNET.toLowerCase(), false]);
    assert.equal(get(`${ZONE}/A/acrisolatedbyo01`).properties.aRecords[0].ipv4Address, ipOf("registry"));
    assert.equal(get(`${ZONE}/A/acrisolatedbyo01.westus2.data`).properties.aRecords[0].ipv4Address, ipOf("registry_data_westus2"));

    // step 5: identities and roles (principalType ServicePrincipal)
    const cp = get(CP).properties.principalId;
    const kubelet = get(KUBELET).properties.principalId;
    const has = (scope: string, principal: string, role: string) =>
      assignments().some((a: any) => a.properties.scope.toLowerCase() === scope.toLowerCase() && a.properties.principalId === principal && a.properties.roleDefinitionId.endsWith(role) && a.properties.principalType === "ServicePrincipal");
    assert.ok(has(ACR, kubelet, AcrPull), "AcrPull for the kubelet identity on the registry");
    assert.ok(has(`${VNET}/subnets/snet-apiserver`, cp, NetworkContributor), "Network Contributor on the API server subnet");
    assert.ok(has(`${VNET}/subnets/snet-nodes`, cp, NetworkContributor), "Network Contributor on the nodes subnet");
    const roleSteps = status.steps.filter((s) => s.name.startsWith("role:"));
    assert.ok(roleSteps.some((s) => s.attempts > 1), "PrincipalNotFound during Entra replication was retried, not a failure");

    // step 6: the cluster
    const mc = get(CLUSTER);
    assert.equal(mc.properties.agentPoolProfiles[0].vnetSubnetID.toLowerCase(), `${VNET}/subnets/snet-nodes`.toLowerCase());
    assert.deepEqual(Object.keys(mc.identity.userAssignedIdentities).map((k) => k.toLowerCase()), [CP.toLowerCase()]);
    assert.equal(mc.properties.identityProfile.kubeletidentity.resourceId.toLowerCase(), KUBELET.toLowerCase());
    assert.deepEqual(mc.properties.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: ACR });
    assert.equal(mc.properties.networkProfile.outboundType, "none");
    const access = mc.properties.apiServerAccessProfile;
    assert.deepEqual([access.enableVnetIntegration, access.enablePrivateCluster, access.subnetId.toLowerCase()], [true, true, `${VNET}/subnets/snet-apiserver`.toLowerCase()]);

    // written only after the role assignments, the private endpoint and the DNS records
    const order = host.standIn!.writes().map((w) => w.path.split("?")[0].toLowerCase());
    const at = (pred: (p: string) => boolean) => order.findIndex(pred);
    const clusterAt = at((p) => p === CLUSTER.toLowerCase());
    for (const [what, pred] of [
      ["role assignments", (p: string) => p.includes("/roleassignments/")],
      ["private endpoint", (p: string) => p.endsWith("/privateendpoints/pe-acrisolatedbyo01")],
      ["A records", (p: string) => p.includes("/privatednszones/privatelink.azurecr.io/a/")],
    ] as const)
      assert.ok(order.filter(pred).length > 0 && order.every((p, i) => !pred(p) || i < clusterAt), `${what} before the cluster`);

    // what a user needs next
    const o = status.outputs!;
    assert.equal(o.registryLoginServer, "acrisolatedbyo01.azurecr.io");
    assert.equal(o.registryPrivateIp, ipOf("registry"));
    assert.equal(o.registryDataPrivateIp, ipOf("registry_data_westus2"));
    assert.equal(o.controlPlaneIdentityClientId, get(CP).properties.clientId);
    assert.equal(o.kubeletIdentityClientId, get(KUBELET).properties.clientId);
    assert.ok(o.privateFqdn && o.fqdn);
    assert.ok(status.steps.every((s) => s.resourceId), "every step shows its resource id");
  });

  it("running the same request again writes no new resource", async () => {
    const writes = host.standIn!.writes().length;
    const names = assignments().map((a: any) => a.name).sort();
    const again = await provision(host, { ...example("network-isolated-byo-acr-vnet-integration.json"), requestId: "byo-again" });
    assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
    assert.equal(host.standIn!.writes().length, writes);
    assert.deepEqual(assignments().map((a: any) => a.name).sort(), names);
  });

  it("API server VNet integration with a BYO VNet works without network isolation", async () => {
    const raw = example("network-isolated-byo-acr-vnet-integration.json");
    delete raw.networkIsolation;
    const status = await provision(host, { ...raw, requestId: "byo-plain", cluster: { ...raw.cluster, name: "aks-vnet-only" }, network: { ...raw.network, vnetName: "vnet-plain", subnets: { nodes: "192.168.1.0/24", apiServer: "192.168.3.0/28" } }, identities: { controlPlane: "id-plain-cp", kubelet: "id-plain-kubelet" } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const mc = get(`${RG}/providers/Microsoft.ContainerService/managedClusters/aks-vnet-only`);
    assert.equal(mc.properties.apiServerAccessProfile.enableVnetIntegration, true);
    assert.equal(mc.properties.bootstrapProfile, undefined);
    assert.ok(!status.steps.some((s) => s.name.startsWith("registry")));
  });
});
