// The ARM stand-in, driven by the real Azure SDK clients over HTTPS: what each SDK sends (paths,
// api-versions, bodies) must be what the stand-in understands, and what it answers (status codes,
// LRO headers, error bodies) must be what each SDK's poller and error handling expect.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { restorePoller } from "@azure/arm-containerservice";
import { DEFAULT_LATEST_NODE_IMAGE, INITIAL_NODE_IMAGE, startArmStandIn, type ArmStandIn } from "../../../../src/local/arm-standin/index.js";
import { parseId } from "../../../../src/local/arm-standin/ids.js";
import { armError, clients, drive, raw, SUB } from "./sdk.js";

const ROLE = {
  NetworkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
};
const roleDefinitionId = (guid: string) => `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const rgId = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}`;
const pool = (name: string, extra: Record<string, unknown> = {}) => ({ name, mode: name === "system" ? "System" : "User", count: 1, vmSize: "Standard_D4s_v3", osType: "Linux", ...extra });
const AKS_PREVIEW = "2026-03-02-preview";

describe("ARM stand-in through the real SDK clients", () => {
  let arm: ArmStandIn;
  let c: ReturnType<typeof clients>;
  before(async () => {
    arm = await startArmStandIn({ timeScale: 0.05, principalNotFoundAttempts: 1 });
    c = clients(arm);
  });
  after(() => arm.close());

  it("checks what ARM's front door checks: a bearer token, an api-version; ARM's error bodies", async () => {
    const noToken = await raw(arm, "GET", `${rgId("rg-x")}?api-version=2025-04-01`);
    assert.deepEqual([noToken.status, noToken.json.error.code], [401, "AuthenticationFailed"]);
    const noVersion = await raw(arm, "GET", rgId("rg-x"), { authorization: "Bearer t" });
    assert.deepEqual([noVersion.status, noVersion.json.error.code], [400, "MissingApiVersionParameter"]);
    const missing = await armError(() => c.resources.resourceGroups.get("rg-x"));
    assert.deepEqual([missing.statusCode, missing.code], [404, "ResourceGroupNotFound"]);
    const orphan = await armError(() => c.network.virtualNetworks.beginCreateOrUpdate("rg-x", "v", { location: "westus2" }));
    assert.deepEqual([orphan.statusCode, orphan.code], [404, "ResourceGroupNotFound"]);
    assert.equal(await c.resources.resourceGroups.checkExistence("rg-x").then((r) => r.body), false);
  });

  it("creates a resource group and a managed cluster; the modular poller is serialized, restored and polled to the end", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-aks", { location: "westus2" });
    assert.equal(await c.resources.resourceGroups.checkExistence("rg-aks").then((r) => r.body), true);
    const poller = c.aks.managedClusters.createOrUpdate("rg-aks", "aks1", {
      location: "westus2",
      dnsPrefix: "aks1",
      agentPoolProfiles: [pool("system"), pool("kata", { osSKU: "AzureLinux", workloadRuntime: "KataVmIsolation" })],
      apiServerAccessProfile: { enablePrivateCluster: true },
    });
    await poller.submitted();
    const state = await poller.serialize();
    const id = `${rgId("rg-aks")}/providers/Microsoft.ContainerService/managedClusters/aks1`;
    const put = arm.requests.find((r) => r.method === "PUT" && r.path === id)!;
    assert.equal(put.status, 201);
    assert.equal(arm.get(id).properties.provisioningState, "Creating");
    assert.equal(arm.list(`${id}/agentPools/`).length, 0, "pools appear when the cluster is provisioned");
    assert.equal((await armError(() => c.aks.agentPools.get("rg-aks", "aks1", "system"))).statusCode, 404);

    const restored = restorePoller(c.aks, state, c.aks.managedClusters.createOrUpdate);
    const mc = await drive({ poller: restored });
    assert.equal(mc.provisioningState, "Succeeded");
    assert.match(mc.fqdn, /^aks1-[0-9a-f]{8}\.hcp\.westus2\.azmk8s\.io$/);
    assert.match(mc.privateFqdn, /^aks1-[0-9a-f]{8}\.privatelink\.westus2\.azmk8s\.io$/);
    assert.equal(mc.nodeResourceGroup, "MC_rg-aks_aks1_westus2");
    assert.ok(mc.identity.principalId && mc.identityProfile.kubeletidentity.objectId);
    assert.deepEqual(
      mc.agentPoolProfiles.map((p: any) => [p.name, p.nodeImageVersion, p.provisioningState]),
      [
        ["system", INITIAL_NODE_IMAGE.ubuntu, "Succeeded"],
        ["kata", INITIAL_NODE_IMAGE.azureLinux, "Succeeded"],
      ],
    );
    const pools: string[] = [];
    for await (const p of c.aks.agentPools.list("rg-aks", "aks1")) pools.push(p.name!);
    assert.deepEqual(pools, ["system", "kata"]);
    // The status polls went to the Azure-AsyncOperation URL, then the poller read the resource.
    assert.ok(arm.requests.some((r) => /\/providers\/Microsoft\.ContainerService\/locations\/westus2\/operations\//.test(r.path) && r.status === 200));

    // One-way settings and unchangeable ones are refused at PUT time.
    const again = c.aks.managedClusters.createOrUpdate("rg-aks", "aks1", { location: "westus2", dnsPrefix: "other", agentPoolProfiles: [pool("system")] });
    const e = await armError(() => again.submitted());
    assert.deepEqual([e.statusCode, e.code], [400, "PropertyChangeNotAllowed"]);
  });

  it("resumes a classic begin* poller from its serialized state (VNet with inline subnets), and refuses bad subnets", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-net", { location: "westus2" });
    const begun = await c.network.virtualNetworks.beginCreateOrUpdate("rg-net", "vnet1", {
      location: "westus2",
      addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
      subnets: [
        { name: "nodes", addressPrefix: "10.1.0.0/22" },
        { name: "apiserver", addressPrefix: "10.1.4.0/28", delegations: [{ name: "aks", serviceName: "Microsoft.ContainerService/managedClusters" }] },
      ],
    });
    const serialized = begun.toString();
    const resumed = await c.network.virtualNetworks.beginCreateOrUpdate("rg-net", "vnet1", {}, { resumeFrom: serialized });
    const vnet = await drive({ poller: resumed });
    assert.equal(vnet.provisioningState, "Succeeded");
    assert.equal(arm.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/virtualNetworks/vnet1")).length, 1, "resumeFrom sends no second PUT");
    assert.deepEqual(
      vnet.subnets.map((s: any) => [s.name, s.id.endsWith(`/vnet1/subnets/${s.name}`), s.addressPrefix]),
      [
        ["nodes", true, "10.1.0.0/22"],
        ["apiserver", true, "10.1.4.0/28"],
      ],
    );
    const api = await c.network.subnets.get("rg-net", "vnet1", "apiserver");
    assert.equal(api.delegations![0].serviceName, "Microsoft.ContainerService/managedClusters");

    const outside = await armError(() => c.network.subnets.beginCreateOrUpdate("rg-net", "vnet1", "far", { addressPrefix: "10.9.0.0/24" }));
    assert.deepEqual([outside.statusCode, outside.code], [400, "NetcfgSubnetRangeOutsideVnet"]);
    const overlap = await armError(() => c.network.subnets.beginCreateOrUpdate("rg-net", "vnet1", "dup", { addressPrefix: "10.1.2.0/24" }));
    assert.deepEqual([overlap.statusCode, overlap.code], [400, "NetcfgSubnetRangesOverlap"]);
    const hostBits = await armError(() => c.network.subnets.beginCreateOrUpdate("rg-net", "vnet1", "odd", { addressPrefix: "10.1.8.5/24" }));
    assert.deepEqual([hostBits.statusCode, hostBits.code], [400, "InvalidCIDRNotation"]);
    const orphan = await armError(() => c.network.subnets.beginCreateOrUpdate("rg-net", "nowhere", "s", { addressPrefix: "10.1.8.0/24" }));
    assert.deepEqual([orphan.statusCode, orphan.code], [404, "ParentResourceNotFound"]);
  });

  it("private endpoint to a Premium registry: NIC members registry and registry_data_{location}, DNS zone group records", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-acr", { location: "westus2" });
    const vnet = await drive({
      poller: await c.network.virtualNetworks.beginCreateOrUpdate("rg-acr", "vnet-acr", { location: "westus2", addressSpace: { addressPrefixes: ["10.2.0.0/16"] }, subnets: [{ name: "snet-pe", addressPrefix: "10.2.1.0/24" }] }),
    });
    const subnetId = vnet.subnets[0].id;
    const registry = await drive({ poller: c.acr.registries.create("rg-acr", "acrstandin01", { location: "westus2", sku: { name: "Premium" }, publicNetworkAccess: "Disabled" }) });
    assert.deepEqual([registry.loginServer, registry.provisioningState, registry.sku.tier], ["acrstandin01.azurecr.io", "Succeeded", "Premium"]);
    const standard = await drive({ poller: c.acr.registries.create("rg-acr", "acrstandard01", { location: "westus2", sku: { name: "Standard" } }) });
    const badName = await armError(() => c.acr.registries.create("rg-acr", "acr-dash", { location: "westus2", sku: { name: "Premium" } }).submitted());
    assert.deepEqual([badName.statusCode, badName.code], [400, "InvalidRegistryName"]);

    const peBody = (target: string, location = "westus2") => ({ location, subnet: { id: subnetId }, privateLinkServiceConnections: [{ name: "acr", privateLinkServiceId: target, groupIds: ["registry"] }] });
    const refused = await armError(() => c.network.privateEndpoints.beginCreateOrUpdate("rg-acr", "pe-std", peBody(standard.id)));
    assert.equal(refused.statusCode, 400, "a private endpoint needs a Premium registry");
    const elsewhere = await armError(() => c.network.privateEndpoints.beginCreateOrUpdate("rg-acr", "pe-east", peBody(registry.id, "eastus")));
    assert.equal(elsewhere.statusCode, 400, "an endpoint lives in its VNet's region");

    const pe = await drive({ poller: await c.network.privateEndpoints.beginCreateOrUpdate("rg-acr", "pe-acr", peBody(registry.id)) });
    assert.equal(pe.privateLinkServiceConnections[0].privateLinkServiceConnectionState.status, "Approved");
    const nic = await c.network.networkInterfaces.get("rg-acr", pe.networkInterfaces[0].id.split("/").pop());
    assert.match(nic.name!, /^pe-acr\.nic\.[0-9a-f-]{36}$/);
    assert.deepEqual(
      nic.ipConfigurations!.map((ip) => [ip.privateLinkConnectionProperties?.groupId, ip.privateLinkConnectionProperties?.requiredMemberName, ip.privateIPAddress, ip.privateLinkConnectionProperties?.fqdns]),
      [
        ["registry", "registry", "10.2.1.4", ["acrstandin01.azurecr.io"]],
        ["registry", "registry_data_westus2", "10.2.1.5", ["acrstandin01.westus2.data.azurecr.io"]],
      ],
    );
    assert.deepEqual(
      pe.customDnsConfigs.map((d: any) => [d.fqdn, d.ipAddresses]),
      [
        ["acrstandin01.azurecr.io", ["10.2.1.4"]],
        ["acrstandin01.westus2.data.azurecr.io", ["10.2.1.5"]],
      ],
    );
    const shown = await c.acr.registries.get("rg-acr", "acrstandin01");
    assert.equal(shown.privateEndpointConnections?.[0].privateEndpoint?.id, pe.id);

    const zone = await drive({ poller: await c.dns.privateZones.beginCreateOrUpdate("rg-acr", "privatelink.azurecr.io", { location: "global" }) });
    await drive({ poller: await c.dns.virtualNetworkLinks.beginCreateOrUpdate("rg-acr", "privatelink.azurecr.io", "link-vnet-acr", { location: "global", virtualNetwork: { id: vnet.id }, registrationEnabled: false }) });
    const group = await drive({ poller: await c.network.privateDnsZoneGroups.beginCreateOrUpdate("rg-acr", "pe-acr", "default", { privateDnsZoneConfigs: [{ name: "acr", privateDnsZoneId: zone.id }] }) });
    assert.deepEqual(
      group.privateDnsZoneConfigs[0].recordSets.map((r: any) => [r.recordSetName, r.ipAddresses]),
      [
        ["acrstandin01", ["10.2.1.4"]],
        ["acrstandin01.westus2.data", ["10.2.1.5"]],
      ],
    );
    const a = await c.dns.recordSets.get("rg-acr", "privatelink.azurecr.io", "A", "acrstandin01.westus2.data");
    assert.deepEqual([a.aRecords?.[0].ipv4Address, a.ttl, a.fqdn], ["10.2.1.5", 10, "acrstandin01.westus2.data.privatelink.azurecr.io."]);
    const all: string[] = [];
    for await (const rs of c.dns.recordSets.list("rg-acr", "privatelink.azurecr.io")) all.push(rs.name!);
    assert.deepEqual(all.sort(), ["acrstandin01", "acrstandin01.westus2.data"]);
    assert.equal((await c.dns.privateZones.get("rg-acr", "privatelink.azurecr.io")).numberOfVirtualNetworkLinks, 1);
  });

  it("a user-assigned identity is unknown to role assignments for its first assignment (PrincipalNotFound: replication delay), then assignable, idempotently", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-id", { location: "westus2" });
    const identity = await c.msi.userAssignedIdentities.createOrUpdate("rg-id", "id-cp", { location: "westus2" });
    const scope = rgId("rg-id");
    const name = randomUUID();
    const body = { roleDefinitionId: roleDefinitionId(ROLE.NetworkContributor), principalId: identity.principalId!, principalType: "ServicePrincipal" as const };
    const early = await armError(() => c.authz.roleAssignments.create(scope, name, body));
    assert.deepEqual([early.statusCode, early.code], [400, "PrincipalNotFound"]);
    assert.match(early.message, /does not exist in the directory/);
    const ra = await c.authz.roleAssignments.create(scope, name, body);
    assert.deepEqual([ra.scope, ra.principalId, ra.principalType], [scope, identity.principalId, "ServicePrincipal"]);
    await c.authz.roleAssignments.create(scope, name, body);
    const statuses = arm.requests.filter((r) => r.method === "PUT" && r.path.endsWith(name)).map((r) => r.status);
    assert.deepEqual(statuses, [400, 201, 200]);
    const twin = await armError(() => c.authz.roleAssignments.create(scope, randomUUID(), body));
    assert.deepEqual([twin.statusCode, twin.code], [409, "RoleAssignmentExists"]);

    // Listed at the scope and inherited below it; the identity keeps its principal across a re-PUT.
    const listed: string[] = [];
    for await (const a of c.authz.roleAssignments.listForScope(`${scope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cp`, { filter: `principalId eq '${identity.principalId}'` })) listed.push(a.name!);
    assert.deepEqual(listed, [name]);
    const again = await c.msi.userAssignedIdentities.createOrUpdate("rg-id", "id-cp", { location: "westus2", tags: { k: "v" } });
    assert.deepEqual([again.principalId, again.clientId], [identity.principalId, identity.clientId]);
    const noScope = await armError(() => c.authz.roleAssignments.create(`${scope}/providers/Microsoft.Network/virtualNetworks/none`, randomUUID(), body));
    assert.equal(noScope.statusCode, 404);
  });

  it("refuses preview-only values on a stable api-version, Kata without Azure Linux, and isolation without a cache (400)", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-val", { location: "westus2" });
    const put = (client: typeof c.aks, name: string, extra: Record<string, unknown>, pools = [pool("system")]) =>
      armError(() => client.managedClusters.createOrUpdate("rg-val", name, { location: "westus2", agentPoolProfiles: pools, ...extra }).submitted());
    const mshv = await put(c.aks, "v1", {}, [pool("system"), pool("kata", { osSKU: "AzureLinux", workloadRuntime: "KataMshvVmIsolation" })]);
    assert.deepEqual([mshv.statusCode, mshv.code], [400, "InvalidParameter"]);
    assert.match(mshv.message, /KataMshvVmIsolation.*preview/);
    const ubuntuKata = await put(c.aks, "v2", {}, [pool("system"), pool("kata", { osSKU: "Ubuntu", workloadRuntime: "KataVmIsolation" })]);
    assert.deepEqual([ubuntuKata.statusCode, ubuntuKata.code], [400, "InvalidParameter"]);
    assert.match(ubuntuKata.message, /AzureLinux/);
    const none = await put(c.aks, "v3", { networkProfile: { outboundType: "none" } });
    assert.deepEqual([none.statusCode, none.code], [400, "InvalidParameter"]);
    assert.match(none.message, /artifactSource 'Cache'/);
    const isolated = { networkProfile: { outboundType: "block" }, bootstrapProfile: { artifactSource: "Cache" } };
    const block = await put(c.aks, "v4", isolated);
    assert.deepEqual([block.statusCode, block.code], [400, "InvalidParameter"]);

    // With a preview api-version the value exists, but only once its feature reached the provider.
    const preview = clients(arm, { aksApiVersion: AKS_PREVIEW }).aks;
    const unflagged = await put(preview, "v5", isolated);
    assert.deepEqual([unflagged.statusCode, unflagged.code], [400, "BadRequest"]);
    assert.match(unflagged.message, /NetworkIsolatedClusterPreview is not enabled/);
    assert.equal((await c.features.features.get("Microsoft.ContainerService", "NetworkIsolatedClusterPreview")).properties?.state, "NotRegistered");
    await c.features.features.register("Microsoft.ContainerService", "NetworkIsolatedClusterPreview");
    assert.equal((await c.features.features.get("Microsoft.ContainerService", "NetworkIsolatedClusterPreview")).properties?.state, "Registered");
    assert.equal((await put(preview, "v6", isolated)).code, "BadRequest", "the provider must be registered again for the flag to propagate");
    await c.resources.providers.register("Microsoft.ContainerService");
    const accepted = preview.managedClusters.createOrUpdate("rg-val", "v7", { location: "westus2", agentPoolProfiles: [pool("system")], ...isolated });
    const mc = await drive({ poller: accepted });
    assert.equal(mc.networkProfile.outboundType, "block");
    assert.ok(arm.requests.some((r) => r.method === "PUT" && r.path.endsWith("/managedClusters/v7") && r.apiVersion === AKS_PREVIEW && r.status === 201));
  });

  it("API server VNet integration with a BYO subnet: delegation, Network Contributor for the cluster identity (403 without), one-way, re-image on conversion", async () => {
    const rg = rgId("rg-vi");
    const vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-vi`;
    const cpId = `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cp`;
    arm.seed({ id: rg, location: "westus2" });
    arm.seed({
      id: vnetId,
      location: "westus2",
      properties: {
        addressSpace: { addressPrefixes: ["10.3.0.0/16"] },
        subnets: [
          { name: "nodes", properties: { addressPrefix: "10.3.0.0/24" } },
          { name: "apiserver", properties: { addressPrefix: "10.3.1.0/28", delegations: [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] } },
          { name: "plain", properties: { addressPrefix: "10.3.2.0/28" } },
        ],
      },
    });
    arm.seed({ id: cpId, location: "westus2" });
    const cp = arm.get(cpId).properties.principalId;
    const body = (subnet: string) => ({
      location: "westus2",
      identity: { type: "UserAssigned" as const, userAssignedIdentities: { [cpId]: {} } },
      agentPoolProfiles: [pool("system", { vnetSubnetID: `${vnetId}/subnets/nodes` })],
      apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${vnetId}/subnets/${subnet}` },
    });
    const undelegated = await armError(() => c.aks.managedClusters.createOrUpdate("rg-vi", "aks-vi", body("plain")).submitted());
    assert.deepEqual([undelegated.statusCode, undelegated.code], [400, "SubnetIsNotDelegated"]);
    const denied = await armError(() => c.aks.managedClusters.createOrUpdate("rg-vi", "aks-vi", body("apiserver")).submitted());
    assert.deepEqual([denied.statusCode, denied.code], [403, "LinkedAuthorizationFailed"]);
    // An assignment on the VNet covers its subnets.
    await c.authz.roleAssignments.create(vnetId, randomUUID(), { roleDefinitionId: roleDefinitionId(ROLE.NetworkContributor), principalId: cp, principalType: "ServicePrincipal" });
    const mc = await drive({ poller: c.aks.managedClusters.createOrUpdate("rg-vi", "aks-vi", body("apiserver")) });
    assert.equal(mc.identity.userAssignedIdentities[cpId].principalId, cp);
    const off = await armError(() => c.aks.managedClusters.createOrUpdate("rg-vi", "aks-vi", { ...body("apiserver"), apiServerAccessProfile: { enableVnetIntegration: false } }).submitted());
    assert.deepEqual([off.statusCode, off.code], [400, "InvalidParameter"]);

    // Converting an existing cluster re-images its pools (AKS does it itself).
    const convertId = `${rg}/providers/Microsoft.ContainerService/managedClusters/aks-convert`;
    arm.seed({ id: convertId, location: "westus2", identity: { type: "SystemAssigned" }, properties: { dnsPrefix: "aks-convert", agentPoolProfiles: [pool("system", { vnetSubnetID: `${vnetId}/subnets/nodes` })] } });
    const principal = arm.get(convertId).identity.principalId;
    await c.authz.roleAssignments.create(vnetId, randomUUID(), { roleDefinitionId: roleDefinitionId(ROLE.NetworkContributor), principalId: principal, principalType: "ServicePrincipal" });
    const existing = await c.aks.managedClusters.get("rg-vi", "aks-convert");
    assert.equal(existing.agentPoolProfiles![0].nodeImageVersion, INITIAL_NODE_IMAGE.ubuntu);
    const converted = await drive({ poller: c.aks.managedClusters.createOrUpdate("rg-vi", "aks-convert", { ...existing, apiServerAccessProfile: { enableVnetIntegration: true, subnetId: `${vnetId}/subnets/apiserver` } }) });
    assert.equal(converted.agentPoolProfiles[0].nodeImageVersion, DEFAULT_LATEST_NODE_IMAGE.ubuntu);
    assert.equal((await c.aks.agentPools.get("rg-vi", "aks-convert", "system")).nodeImageVersion, DEFAULT_LATEST_NODE_IMAGE.ubuntu);
  });

  it("injects a 429 with Retry-After without touching state", async () => {
    arm.seed({ id: rgId("rg-fault"), location: "westus2" });
    arm.addFault({ method: "GET", path: /\/resourceGroups\/rg-fault$/, status: 429, code: "TooManyRequests", message: "Too many requests", retryAfterSeconds: 7 });
    arm.addFault({ method: "PUT", path: /\/managedClusters\/aks-fault$/, status: 429, code: "TooManyRequests", retryAfterSeconds: 3 });
    const e = await armError(() => c.resources.resourceGroups.get("rg-fault"));
    assert.deepEqual([e.statusCode, e.code, e.retryAfter], [429, "TooManyRequests", "7"]);
    assert.equal((await c.resources.resourceGroups.get("rg-fault")).name, "rg-fault", "the fault answered once");
    const put = await armError(() => c.aks.managedClusters.createOrUpdate("rg-fault", "aks-fault", { location: "westus2", agentPoolProfiles: [pool("system")] }).submitted());
    assert.deepEqual([put.statusCode, put.retryAfter], [429, "3"]);
    assert.equal(arm.get(`${rgId("rg-fault")}/providers/Microsoft.ContainerService/managedClusters/aks-fault`), undefined);
    assert.ok(!arm.writes().some((w) => w.path.includes("aks-fault")));
  });

  it("an unregistered provider refuses writes until registered; Arc: private link scope, its endpoint's members, the connected cluster's private link", async () => {
    arm.setUnregisteredProviders(["Microsoft.HybridCompute"]);
    arm.seed({ id: rgId("rg-arc"), location: "eastus" });
    assert.equal((await c.resources.providers.get("Microsoft.HybridCompute")).registrationState, "NotRegistered");
    const refused = await armError(() => c.hybrid.privateLinkScopes.createOrUpdate("rg-arc", "pls-arc", { location: "eastus", properties: { publicNetworkAccess: "Disabled" } }));
    assert.deepEqual([refused.statusCode, refused.code], [409, "MissingSubscriptionRegistration"]);
    assert.equal((await c.resources.providers.register("Microsoft.HybridCompute")).registrationState, "Registered");
    const scope = await c.hybrid.privateLinkScopes.createOrUpdate("rg-arc", "pls-arc", { location: "eastus", properties: { publicNetworkAccess: "Disabled" } });
    assert.equal(scope.properties?.provisioningState, "Succeeded");
    assert.ok(scope.properties?.privateLinkScopeId);

    const vnet = await drive({
      poller: await c.network.virtualNetworks.beginCreateOrUpdate("rg-arc", "vnet-hub", { location: "eastus", addressSpace: { addressPrefixes: ["10.10.0.0/16"] }, subnets: [{ name: "snet-pe", addressPrefix: "10.10.1.0/24" }] }),
    });
    const pe = await drive({
      poller: await c.network.privateEndpoints.beginCreateOrUpdate("rg-arc", "pe-arc", {
        location: "eastus",
        subnet: { id: vnet.subnets[0].id },
        privateLinkServiceConnections: [{ name: "arc", privateLinkServiceId: scope.id, groupIds: ["hybridcompute"] }],
      }),
    });
    assert.deepEqual(pe.customDnsConfigs.map((d: any) => d.fqdn).sort(), [
      "agentserviceapi.guestconfiguration.azure.com",
      "eastus-gas.guestconfiguration.azure.com",
      "eastus.dp.kubernetesconfiguration.azure.com",
      "eastus.his.arc.azure.com",
      "gbl.his.arc.azure.com",
    ]);
    const shown = await c.hybrid.privateLinkScopes.get("rg-arc", "pls-arc");
    assert.equal((shown.properties as { privateEndpointConnections?: unknown[] } | undefined)?.privateEndpointConnections?.length, 1);

    const cluster = `${rgId("rg-arc")}/providers/Microsoft.Kubernetes/connectedClusters/onprem-01`;
    arm.seed({ id: cluster, location: "eastus", identity: { type: "SystemAssigned" }, properties: { agentPublicKeyCertificate: "MIIBCg", connectivityStatus: "Connected", privateLinkState: "Disabled" } });
    // The PATCH model (ConnectedClusterPatch) has no private-link properties: not applied.
    const patched = await drive({ poller: await c.resources.resources.beginUpdateById(cluster, "2024-01-01", { properties: { privateLinkState: "Enabled", privateLinkScopeResourceId: scope.id } }) });
    assert.deepEqual([patched.properties.privateLinkState, patched.properties.privateLinkScopeResourceId], ["Disabled", undefined]);
    // The PUT requires identity and agentPublicKeyCertificate, and carries them.
    const noCert = await armError(() => c.resources.resources.beginCreateOrUpdateById(cluster, "2024-01-01", { location: "eastus", identity: { type: "SystemAssigned" }, properties: { privateLinkState: "Enabled", privateLinkScopeResourceId: scope.id } }));
    assert.deepEqual([noCert.statusCode, noCert.code], [400, "InvalidRequestContent"]);
    const put = await drive({ poller: await c.resources.resources.beginCreateOrUpdateById(cluster, "2024-01-01", { location: "eastus", identity: { type: "SystemAssigned" }, properties: { agentPublicKeyCertificate: "MIIBCg", privateLinkState: "Enabled", privateLinkScopeResourceId: scope.id } }) });
    assert.deepEqual([put.properties.privateLinkState, put.properties.privateLinkScopeResourceId, put.properties.connectivityStatus], ["Enabled", scope.id, "Connected"]);
  });

  it("accepts the api-version each SDK sends", () => {
    const byNamespace = new Map<string, Set<string>>();
    for (const r of arm.requests) {
      if (!r.apiVersion || /\/(operations|operationresults)\//.test(r.path)) continue;
      const ns = /\/providers\/Microsoft\.Features\//i.test(r.path) ? "Microsoft.Features" : /^\/subscriptions\/[^/]+\/providers\/[^/]+(\/register)?$/i.test(r.path) ? "Microsoft.Resources (providers)" : parseId(r.path)?.namespace;
      if (!ns) continue;
      if (!byNamespace.has(ns)) byNamespace.set(ns, new Set());
      byNamespace.get(ns)!.add(r.apiVersion);
    }
    const seen = Object.fromEntries([...byNamespace].map(([ns, v]) => [ns, [...v].sort()]));
    assert.deepEqual(seen, {
      "Microsoft.Resources": ["2025-04-01"],
      "Microsoft.Resources (providers)": ["2025-04-01"],
      "Microsoft.ContainerService": ["2026-03-02-preview", "2026-04-01"],
      "Microsoft.Network": ["2020-06-01", "2025-05-01"],
      "Microsoft.ContainerRegistry": ["2025-11-01"],
      "Microsoft.ManagedIdentity": ["2024-11-30"],
      "Microsoft.Authorization": ["2022-04-01"],
      "Microsoft.Features": ["2021-07-01"],
      "Microsoft.HybridCompute": ["2021-05-20"],
      // Through the generic resources API (resources.beginUpdateById), with the api-version given.
      "Microsoft.Kubernetes": ["2024-01-01"],
    });
    assert.ok(!arm.requests.some((r) => r.status === 400 && /ApiVersion/.test(JSON.stringify(r))), "no api-version was refused");
    assert.ok(!arm.requests.some((r) => r.status >= 500), "no stand-in error");
  });
});

describe("busy resources (on a clock the test moves: an operation runs until the test lets time pass)", () => {
  let arm: ArmStandIn;
  let c: ReturnType<typeof clients>;
  let clock = 1_000_000;
  /** Lets every running operation finish. */
  const passTime = () => void (clock += 24 * 3600_000);
  const rg = rgId("rg-busy");
  const cluster = `${rg}/providers/Microsoft.ContainerService/managedClusters/aks-busy`;
  before(async () => {
    arm = await startArmStandIn({ now: () => clock });
    c = clients(arm);
    arm.seed({ id: rg, location: "westus2" });
    arm.seed({ id: cluster, location: "westus2", properties: { dnsPrefix: "aks-busy", agentPoolProfiles: [pool("system"), pool("kata", { osSKU: "AzureLinux", workloadRuntime: "KataVmIsolation" })] } });
  });
  after(() => arm.close());

  it("a seeded cluster has its agent pools as children", async () => {
    const pools: string[] = [];
    for await (const p of c.aks.agentPools.list("rg-busy", "aks-busy")) pools.push(`${p.name}:${p.provisioningState}`);
    assert.deepEqual(pools, ["system:Succeeded", "kata:Succeeded"]);
  });

  it("a second node-image upgrade while one runs answers 409 OperationNotAllowed; the pool then runs the latest image", async () => {
    const first = c.aks.agentPools.upgradeNodeImageVersion("rg-busy", "aks-busy", "system");
    await first.submitted();
    const post = arm.requests.find((r) => r.method === "POST" && r.path.endsWith("/agentPools/system/upgradeNodeImageVersion"))!;
    assert.equal(post.status, 202);
    assert.equal(arm.get(`${cluster}/agentPools/system`).properties.provisioningState, "UpgradingNodeImageVersion");
    assert.equal(arm.get(cluster).properties.agentPoolProfiles[0].provisioningState, "UpgradingNodeImageVersion", "the cluster's profile is kept in step");

    const second = await armError(() => c.aks.agentPools.upgradeNodeImageVersion("rg-busy", "aks-busy", "system").submitted());
    assert.deepEqual([second.statusCode, second.code], [409, "OperationNotAllowed"]);
    assert.match(second.message, /in progress upgrade node image version operation/);
    const clusterPut = await armError(() => c.aks.managedClusters.createOrUpdate("rg-busy", "aks-busy", { location: "westus2", dnsPrefix: "aks-busy", agentPoolProfiles: [pool("system")] }).submitted());
    assert.deepEqual([clusterPut.statusCode, clusterPut.code], [409, "OperationNotAllowed"], "the cluster waits for its pool");
    // Another pool of the same cluster is not held.
    const other = c.aks.agentPools.upgradeNodeImageVersion("rg-busy", "aks-busy", "kata");
    await other.submitted();

    passTime();
    await drive({ poller: first });
    await drive({ poller: other });
    const system = await c.aks.agentPools.get("rg-busy", "aks-busy", "system");
    assert.deepEqual([system.provisioningState, system.nodeImageVersion], ["Succeeded", DEFAULT_LATEST_NODE_IMAGE.ubuntu]);
    assert.equal((await c.aks.agentPools.get("rg-busy", "aks-busy", "kata")).nodeImageVersion, DEFAULT_LATEST_NODE_IMAGE.azureLinux);
    const profile = await c.aks.agentPools.getUpgradeProfile("rg-busy", "aks-busy", "system");
    assert.equal(profile.latestNodeImageVersion, system.nodeImageVersion);
    assert.deepEqual(
      arm.get(cluster).properties.agentPoolProfiles.map((p: any) => p.nodeImageVersion),
      [DEFAULT_LATEST_NODE_IMAGE.ubuntu, DEFAULT_LATEST_NODE_IMAGE.azureLinux],
    );
  });

  it("subnets of one VNet are written one at a time (409 AnotherOperationInProgress)", async () => {
    arm.seed({ id: `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-busy`, location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.4.0.0/16"] } } });
    const first = await c.network.subnets.beginCreateOrUpdate("rg-busy", "vnet-busy", "a", { addressPrefix: "10.4.0.0/24" });
    const second = await armError(() => c.network.subnets.beginCreateOrUpdate("rg-busy", "vnet-busy", "b", { addressPrefix: "10.4.1.0/24" }));
    assert.deepEqual([second.statusCode, second.code], [409, "AnotherOperationInProgress"]);
    assert.match(second.message, /To retrieve status of the operation use uri: https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/providers\/Microsoft\.Network\/locations\/westus2\/operations\//);
    passTime();
    await drive({ poller: first });
    const b = await c.network.subnets.beginCreateOrUpdate("rg-busy", "vnet-busy", "b", { addressPrefix: "10.4.1.0/24" });
    passTime();
    await drive({ poller: b });
    assert.deepEqual((await c.network.virtualNetworks.get("rg-busy", "vnet-busy")).subnets!.map((s) => s.name), ["a", "b"]);
  });
});
