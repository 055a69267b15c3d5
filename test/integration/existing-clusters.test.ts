// Operations on an existing cluster and the Event Grid reactions, on the local host with a
// pre-existing two-pool cluster seeded into the ARM stand-in.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { clusterStatus } from "../../src/app/cluster-status.js";
import { checkNodeImages } from "../../src/app/node-image-freshness.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost } from "../helpers/local.js";
import { nextEventId, nodesSubnet, postEvents, RG, rgId, seedCluster, upgradePosts, vnetId, waitUntil, writeEvent } from "../helpers/clusters.js";
import { example, SUB } from "../helpers/examples.js";

const cluster = (name: string) => ({ subscriptionId: SUB, resourceGroup: RG, name });

describe("operations on existing clusters", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0 })));
  after(async () => host.close());

  it("enableNetworkIsolation: cluster isolated, then exactly one node-image upgrade per pool, each after the update", async () => {
    const id = seedCluster(host, "aks-existing");
    const status = await provision(host, example("enable-network-isolation.json"));
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const mc = host.standIn!.get(id);
    assert.equal(mc.properties.bootstrapProfile.artifactSource, "Cache");
    assert.equal(mc.properties.networkProfile.outboundType, "none");
    const writes = armWrites(host).filter((w) => w.includes("/managedClusters/aks-existing"));
    assert.deepEqual(writes, [
      `PUT ${id}`,
      `POST ${id}/agentPools/system/upgradeNodeImageVersion`,
      `POST ${id}/agentPools/user/upgradeNodeImageVersion`,
    ]);
    assert.ok(!host.standIn!.requests.some((r) => r.status === 409), "no upgrade was sent while the cluster was busy");
    assert.ok(status.warnings?.some((w) => /re-imaged/.test(w)));
    // the cluster's row: isolation settings, and two finished upgrades
    const doc = (await clusterStatus(host.deps, SUB, RG, "aks-existing"))!;
    assert.deepEqual([doc.artifactSource, doc.outboundType], ["Cache", "none"]);
    assert.deepEqual(doc.upgrades.past.map((u) => [u.pool, u.state]), [["system", "Succeeded"], ["user", "Succeeded"]]);

    // This app's own write raises ResourceWriteSuccess too: it must not start another upgrade.
    await postEvents(host, writeEvent(id));
    assert.equal(upgradePosts(host, "aks-existing").length, 2);
  });

  it("enableNetworkIsolation with a BYO registry, then updateBootstrapRegistry: chain in the cluster's VNet, AcrPull for its kubelet, re-image after each", async () => {
    const id = seedCluster(host, "aks-byo");
    const kubelet = host.standIn!.get(id).properties.identityProfile.kubeletidentity.objectId;
    const acr = (name: string) => `${rgId}/providers/Microsoft.ContainerRegistry/registries/${name}`;
    const enable = await provision(host, { operation: "enableNetworkIsolation", requestId: "byo-enable", cluster: cluster("aks-byo"), networkIsolation: { outboundType: "none", registry: { mode: "byo", name: "acrexisting01" } }, network: { subnets: { registry: "10.225.1.0/24" } } });
    assert.equal(enable.state, "Succeeded", JSON.stringify(enable.error));
    let mc = host.standIn!.get(id);
    assert.deepEqual(mc.properties.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: acr("acrexisting01") });
    assert.equal(host.standIn!.get(`${vnetId}/subnets/snet-registry`).properties.privateEndpointNetworkPolicies, "Disabled");
    const pulls = host.standIn!.list("/subscriptions/").filter((a: any) => a.type === "Microsoft.Authorization/roleAssignments" && a.properties.principalId === kubelet && a.properties.roleDefinitionId.endsWith("7f951dda-4ed3-4680-a7ca-43fe172d538d"));
    assert.equal(pulls.length, 1, "AcrPull for the cluster's existing kubelet identity");
    assert.ok(host.standIn!.get(`${rgId}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/A/acrexisting01.westus2.data`));
    assert.equal(upgradePosts(host, "aks-byo").length, 2);

    const change = await provision(host, { operation: "updateBootstrapRegistry", requestId: "byo-change", cluster: cluster("aks-byo"), networkIsolation: { registry: { mode: "byo", name: "acrexisting02" } }, network: { subnets: { registry: "10.225.1.0/24" } } });
    assert.equal(change.state, "Succeeded", JSON.stringify(change.error));
    mc = host.standIn!.get(id);
    assert.deepEqual(mc.properties.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: acr("acrexisting02") });
    assert.equal(mc.properties.networkProfile.outboundType, "none", "the outbound type is kept");
    assert.equal(upgradePosts(host, "aks-byo").length, 4, "one more node-image upgrade per pool");
  });

  it("updateBootstrapRegistry is refused on a cluster that is not network-isolated", async () => {
    seedCluster(host, "aks-direct");
    const before = host.standIn!.writes().length;
    const status = await provision(host, { operation: "updateBootstrapRegistry", requestId: "byo-refused", cluster: cluster("aks-direct"), networkIsolation: { registry: { mode: "byo", name: "acrexisting03" } }, network: { subnets: { registry: "10.225.2.0/24" } } });
    assert.equal(status.state, "Failed");
    assert.match(status.error!.message, /not network-isolated/);
    assert.equal(host.standIn!.writes().length, before);
  });

  it("enableApiServerVnetIntegration converts the cluster and queues no upgrade", async () => {
    const id = seedCluster(host, "aks-convert");
    const status = await provision(host, { operation: "enableApiServerVnetIntegration", requestId: "convert-1", cluster: cluster("aks-convert"), network: { subnets: { apiServer: "10.225.0.0/28" } } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const mc = host.standIn!.get(id);
    assert.equal(mc.properties.apiServerAccessProfile.enableVnetIntegration, true);
    assert.equal(mc.properties.apiServerAccessProfile.subnetId.toLowerCase(), `${vnetId}/subnets/snet-apiserver`.toLowerCase());
    const subnet = host.standIn!.get(`${vnetId}/subnets/snet-apiserver`);
    assert.equal(subnet.properties.delegations[0].properties?.serviceName ?? subnet.properties.delegations[0].serviceName, "Microsoft.ContainerService/managedClusters");
    assert.equal(upgradePosts(host, "aks-convert").length, 0, "AKS re-images by itself: no extra upgrade");
    assert.ok(status.warnings?.some((w) => /one-way/.test(w)));
    assert.ok(status.warnings?.some((w) => /IP address changes/.test(w)));
    await postEvents(host, writeEvent(id));
    assert.equal(upgradePosts(host, "aks-convert").length, 0, "a VNet-integration conversion queues nothing");
  });

  it("enableApiServerVnetIntegration on a cluster whose identity already holds Network Contributor on its nodes subnet (a random-named assignment, as az aks create makes) succeeds without a second assignment", async () => {
    const id = seedCluster(host, "aks-byhand");
    const principal = host.standIn!.get(id).identity.principalId as string;
    const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";
    const byHand = `${nodesSubnet}/providers/Microsoft.Authorization/roleAssignments/0b8e5d2c-7a4f-4e4b-9d1e-3f2a6c5b8e71`;
    host.standIn!.seed({ id: byHand, properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR}`, principalId: principal, principalType: "ServicePrincipal" } });
    const status = await provision(host, { operation: "enableApiServerVnetIntegration", requestId: "convert-byhand", cluster: cluster("aks-byhand"), network: { subnets: { apiServer: "10.225.0.0/28" } } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const step = status.steps.find((x) => x.name === "role:networkContributor:nodesSubnet")!;
    assert.deepEqual([step.state, step.attempts], ["Succeeded", 1]);
    const onNodes = host.standIn!
      .list(`${nodesSubnet}/providers/Microsoft.Authorization/roleAssignments/`)
      .filter((a) => a.properties.principalId === principal && a.properties.roleDefinitionId.endsWith(NETWORK_CONTRIBUTOR));
    assert.deepEqual(onNodes.map((a) => a.id), [byHand], "the hand-made assignment, and no other");
    assert.equal(status.outputs?.["role:networkContributor:nodesSubnet"], byHand, "the existing assignment's id is recorded");
  });

  it("setPrivateCluster is refused before any write on a cluster that is not VNet-integrated", async () => {
    seedCluster(host, "aks-plain");
    const before = host.standIn!.writes().length;
    const status = await provision(host, { operation: "setPrivateCluster", requestId: "private-1", cluster: cluster("aks-plain"), apiServer: { private: true } });
    assert.equal(status.state, "Failed");
    assert.match(status.error!.message, /does not use API server VNet integration/);
    assert.equal(host.standIn!.writes().length, before);
  });

  it("refuses clearly when the cluster does not exist", async () => {
    const status = await provision(host, { operation: "disableNetworkIsolation", requestId: "missing-1", cluster: cluster("aks-nowhere") });
    assert.equal(status.state, "Failed");
    assert.equal(status.error!.code, "ClusterNotFound");
  });

  it("addSandboxPool adds a Kata pool, then updates the cluster once", async () => {
    const id = seedCluster(host, "aks-sandbox");
    const raw = { operation: "addSandboxPool", requestId: "sandbox-1", cluster: cluster("aks-sandbox"), nodePools: [{ name: "kata", vmSize: "Standard_D4s_v3", osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] };
    const status = await provision(host, raw);
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const pool = host.standIn!.get(`${id}/agentPools/kata`);
    assert.deepEqual([pool.properties.workloadRuntime, pool.properties.osSKU], ["KataVmIsolation", "AzureLinux"]);
    assert.deepEqual(armWrites(host).filter((w) => w.includes("aks-sandbox")), [`PUT ${id}/agentPools/kata`, `PUT ${id}`]);
    const again = await provision(host, { ...raw, requestId: "sandbox-2" });
    assert.equal(again.state, "Succeeded");
    assert.equal(armWrites(host).filter((w) => w.includes("aks-sandbox")).length, 2, "a re-run writes nothing");
  });

  it("upgradeNodeImages: a pool that answers 409 is upgraded later, once", async () => {
    const id = seedCluster(host, "aks-busy");
    host.standIn!.addFault({ method: "POST", path: /aks-busy\/agentPools\/user\/upgradeNodeImageVersion/, status: 409, code: "OperationNotAllowed", message: "Operation is not allowed because there's an in progress upgrade operation", times: 1 });
    const status = await provision(host, { operation: "upgradeNodeImages", requestId: "busy-1", cluster: cluster("aks-busy") });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    assert.deepEqual(upgradePosts(host, "aks-busy"), [`POST ${id}/agentPools/system/upgradeNodeImageVersion`, `POST ${id}/agentPools/user/upgradeNodeImageVersion`]);
    assert.ok(host.standIn!.requests.some((r) => r.status === 409 && r.path.includes("aks-busy")), "the 409 happened");
  });
});

describe("Event Grid: changes made by hand", () => {
  let host: LocalHost;
  beforeEach(async () => (host = await startTestHost({ httpPort: 0 })));
  const done = () => host.close();

  it("answers the subscription validation handshake", async () => {
    try {
      const res = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=clusterEvents`, {
        method: "POST",
        headers: { "aeg-event-type": "SubscriptionValidation" },
        body: JSON.stringify([{ id: "v1", eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" } }]),
      });
      assert.deepEqual(await res.json(), { validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
      const options = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=clusterEvents`, { method: "OPTIONS", headers: { "WebHook-Request-Origin": "eventemitter.example.com" } });
      assert.equal(options.headers.get("webhook-allowed-origin"), "eventemitter.example.com");
    } finally {
      await done();
    }
  });

  it("first sight records; a hand change announced five times upgrades each pool once; an unchanged cluster none", async () => {
    try {
      const id = seedCluster(host, "aks-hand");
      await postEvents(host, writeEvent(id));
      assert.equal(upgradePosts(host, "aks-hand").length, 0, "the first sight only records");
      const first = (await clusterStatus(host.deps, SUB, RG, "aks-hand"))!;
      assert.equal(first.artifactSource, "Direct");

      // someone runs `az aks update --bootstrap-artifact-source Cache --outbound-type none`
      const mc = host.standIn!.get(id);
      host.standIn!.seed({ ...mc, properties: { ...mc.properties, bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { ...mc.properties.networkProfile, outboundType: "none" } } });
      for (let i = 0; i < 5; i++) await postEvents(host, writeEvent(id));
      await waitUntil(async () => upgradePosts(host, "aks-hand").length === 2 && (await clusterStatus(host.deps, SUB, RG, "aks-hand"))!.upgrades.pending.length === 0);
      assert.deepEqual(upgradePosts(host, "aks-hand"), [`POST ${id}/agentPools/system/upgradeNodeImageVersion`, `POST ${id}/agentPools/user/upgradeNodeImageVersion`]);
      const doc = (await clusterStatus(host.deps, SUB, RG, "aks-hand"))!;
      assert.deepEqual([doc.artifactSource, doc.outboundType], ["Cache", "none"]);
      assert.deepEqual(doc.upgrades.past.map((u) => [u.pool, u.state]), [["system", "Succeeded"], ["user", "Succeeded"]]);

      await postEvents(host, writeEvent(id));
      await host.bus.whenIdle();
      assert.equal(upgradePosts(host, "aks-hand").length, 2, "an unchanged cluster: no upgrade");
    } finally {
      await done();
    }
  });

  it("CloudEvents schema, NodePoolRolling and version events reach the cluster's row", async () => {
    try {
      const id = seedCluster(host, "aks-cloud");
      const cloud = (type: string, data: unknown) => ({ specversion: "1.0", id: nextEventId("c"), type, source: id, subject: "aks-cloud", time: new Date().toISOString(), data });
      await postEvents(host, cloud("Microsoft.ContainerService.NewKubernetesVersionAvailable", { latestSupportedKubernetesVersion: "1.33.1", latestStableKubernetesVersion: "1.32.5", lowestMinorKubernetesVersion: "1.30", latestPreviewKubernetesVersion: "1.34.0" }));
      await postEvents(host, cloud("Microsoft.ContainerService.ClusterSupportEnding", { kubernetesVersion: "1.30.3" }));
      const doc = (await clusterStatus(host.deps, SUB, RG, "aks-cloud"))!;
      assert.equal(doc.events.NewKubernetesVersionAvailable.data.latestStableKubernetesVersion, "1.32.5");
      assert.equal(doc.events.ClusterSupportEnding.data.kubernetesVersion, "1.30.3");

      const status = await provision(host, { operation: "upgradeNodeImages", requestId: "roll-1", cluster: cluster("aks-cloud"), nodePoolNames: ["user"] });
      assert.equal(status.state, "Succeeded");
      await postEvents(host, cloud("Microsoft.ContainerService.NodePoolRollingSucceeded", { nodePoolName: "user" }));
      const after = (await clusterStatus(host.deps, SUB, RG, "aks-cloud"))!;
      assert.match(after.upgrades.past[0].rolling!, /NodePoolRollingSucceeded/);
    } finally {
      await done();
    }
  });
});

describe("node-image freshness timer", () => {
  it("queues one upgrade for the pools behind the latest image, only inside the maintenance window", async () => {
    const host = await startTestHost();
    try {
      const id = seedCluster(host, "aks-stale");
      await postEventsDirect(host, id);
      const saturday = new Date("2026-11-21T02:00:00Z");
      const monday = new Date("2026-11-23T02:00:00Z");
      host.deps.now = () => monday;
      assert.deepEqual((await checkNodeImages(host.deps, "Sat,Sun 01:00-05:00")).queued, [], "outside the window: nothing");
      host.deps.now = () => saturday;
      const first = await checkNodeImages(host.deps, "Sat,Sun 01:00-05:00");
      assert.deepEqual(first.queued.map((q) => q.pools), [["system", "user"]]);
      await waitUntil(async () => upgradePosts(host, "aks-stale").length === 2 && (await clusterStatus(host.deps, SUB, RG, "aks-stale"))!.upgrades.pending.length === 0);
      assert.equal(host.standIn!.get(`${id}/agentPools/user`).properties.nodeImageVersion, "AKSUbuntu-2204gen2containerd-202411.12.0");
      const second = await checkNodeImages(host.deps, "Sat,Sun 01:00-05:00");
      assert.deepEqual(second.queued, [], "every pool is on the latest image now");
    } finally {
      await host.close();
    }
  });
});

/** The cluster's first sight, as a ResourceWriteSuccess event would record it. */
async function postEventsDirect(host: LocalHost, id: string): Promise<void> {
  const { handleClusterEvent } = await import("../../src/app/cluster-events.js");
  await handleClusterEvent(host.deps, writeEvent(id)[0]);
}
