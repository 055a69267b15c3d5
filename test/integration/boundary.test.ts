// Safe at the boundary: one test per defect found by trying the app as a caller would, on the local
// host with the ARM stand-in's request log as the witness.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import { handleClusterEvent } from "../../src/app/cluster-events.js";
import { checkNodeImages } from "../../src/app/node-image-freshness.js";
import { parseAllowedScopes } from "../../src/domain/scopes.js";
import type { LocalHost } from "../../src/local/host.js";
import { idOf, postEvents, RG, seedCluster, upgradePosts, vnetId, waitUntil, writeEvent } from "../helpers/clusters.js";
import { example, SUB } from "../helpers/examples.js";
import { armWrites, provision, startTestHost, waitForRequest } from "../helpers/local.js";

const OTHER = "11111111-1111-1111-1111-111111111111";
const cluster = (name: string) => ({ subscriptionId: SUB, resourceGroup: RG, name });
const KATA = { vmSize: "Standard_D4s_v3", osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" };

describe("read before you grant", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ settings: { allowedScopes: parseAllowedScopes(`/subscriptions/${SUB}`) } })));
  after(async () => host.close());

  const withApiSubnet = (delegated: boolean) => {
    seedCluster(host, "aks-vnetint");
    host.standIn!.seed({
      id: vnetId,
      location: "westus2",
      properties: {
        addressSpace: { addressPrefixes: ["10.224.0.0/12"] },
        subnets: [
          { name: "nodes", properties: { addressPrefix: "10.224.0.0/16" } },
          { name: "snet-api", properties: { addressPrefix: "10.225.0.0/28", delegations: delegated ? [{ name: "aks", properties: { serviceName: "Microsoft.ContainerService/managedClusters" } }] : [] } },
        ],
      },
    });
    return `${vnetId}/subnets/snet-api`;
  };

  it("enableApiServerVnetIntegration with an undelegated subnet fails before any role assignment: zero writes", async () => {
    const subnetId = withApiSubnet(false);
    const writes = host.standIn!.writes().length;
    const status = await provision(host, { operation: "enableApiServerVnetIntegration", requestId: "undelegated", cluster: cluster("aks-vnetint"), apiServer: { subnetId } });
    assert.equal(status.state, "Failed");
    assert.equal(status.error!.code, "SubnetIsNotDelegated");
    assert.match(status.error!.message, /apiServer\.subnetId/);
    assert.equal(host.standIn!.writes().length, writes, "no role assignment, no cluster write");
  });

  it("a subnet in another subscription is rejected before anything is read or written", async () => {
    const requests = host.standIn!.requests.length;
    const foreign = `/subscriptions/${OTHER}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`;
    const outcome = await acceptRequest(host.deps, { operation: "enableApiServerVnetIntegration", requestId: "foreign-subnet", cluster: cluster("aks-vnetint"), apiServer: { subnetId: foreign } });
    assert.equal(outcome.kind, "rejected");
    assert.deepEqual(outcome.status.error!.details!.map((d) => d.path), ["apiServer.subnetId"]);
    assert.equal(host.standIn!.requests.length, requests);
  });

  it("the same request with a delegated subnet of the nodes' VNet grants the role and converts, tagging the cluster", async () => {
    const subnetId = withApiSubnet(true);
    const status = await provision(host, { operation: "enableApiServerVnetIntegration", requestId: "delegated", cluster: cluster("aks-vnetint"), apiServer: { subnetId } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    assert.ok(armWrites(host).some((w) => w.startsWith(`PUT ${subnetId}/providers/Microsoft.Authorization/roleAssignments/`)));
    assert.equal(host.standIn!.get(idOf("aks-vnetint")).tags["managed-by"], "aks-provisioner");
  });
});

describe("only managed clusters: events and the timer", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0 })));
  after(async () => host.close());

  it("a forged write event for an unmanaged cluster is acknowledged with zero ARM writes; after the tag is set, one upgrade per pool", async () => {
    const id = seedCluster(host, "aks-foreign", {}, { team: "theirs" });
    const mc = host.standIn!.get(id);
    // first seen while managed, then the tag is removed and the settings changed by hand
    host.standIn!.seed({ ...mc, tags: { "managed-by": "aks-provisioner" } });
    assert.equal((await postEvents(host, writeEvent(id))).status, 200);
    const changed = { ...mc, properties: { ...mc.properties, bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { ...mc.properties.networkProfile, outboundType: "none" } } };
    host.standIn!.seed({ ...changed, tags: { team: "theirs" } });
    const writes = host.standIn!.writes().length;
    for (let i = 0; i < 3; i++) assert.equal((await postEvents(host, writeEvent(id))).status, 200);
    assert.equal(host.standIn!.writes().length, writes, "zero ARM writes");
    assert.equal(upgradePosts(host, "aks-foreign").length, 0);
    assert.equal((await host.deps.upgrades.listForCluster(id)).length, 0, "no upgrade queued");

    host.standIn!.seed({ ...changed, tags: { team: "theirs", "managed-by": "aks-provisioner" } });
    await postEvents(host, writeEvent(id));
    await waitUntil(async () => upgradePosts(host, "aks-foreign").length === 2);
    await host.bus.whenIdle();
    assert.deepEqual(upgradePosts(host, "aks-foreign"), [`POST ${id}/agentPools/system/upgradeNodeImageVersion`, `POST ${id}/agentPools/user/upgradeNodeImageVersion`]);
  });

  it("a cluster the app never managed is not even recorded, and the freshness timer never touches it", async () => {
    const id = seedCluster(host, "aks-never", {}, {});
    assert.equal(await handleClusterEvent(host.deps, writeEvent(id)[0]), "ignored-unmanaged");
    assert.equal(await host.deps.clusters.get(SUB, RG, "aks-never"), undefined);
    // a row left from when it was managed: the timer reads the cluster and leaves it alone
    await host.deps.clusters.save({ subscriptionId: SUB, resourceGroup: RG, name: "aks-never", generation: 0, updatedAt: new Date().toISOString() });
    const writes = host.standIn!.writes().length;
    const result = await checkNodeImages(host.deps, "Mon,Tue,Wed,Thu,Fri,Sat,Sun 00:00-23:59");
    assert.ok(!result.queued.some((q) => q.clusterId === id));
    await host.bus.whenIdle();
    assert.equal(host.standIn!.writes().length, writes);
  });

  it("malformed events are acknowledged (200), never a 500; a year-9999 event time does not freeze later events", async () => {
    const id = seedCluster(host, "aks-events");
    const bad = [null, 5, "text", { eventType: 7, subject: id }, { eventType: "Microsoft.ContainerService.NodePoolRollingStarted", topic: id, data: { nodePoolName: 12 } }, { eventType: ["x"], data: null }];
    assert.equal((await postEvents(host, bad)).status, 200);
    assert.equal((await postEvents(host, [null])).status, 200);
    const version = (time: string, v: string) => ({ id: `v-${v}`, eventType: "Microsoft.ContainerService.NewKubernetesVersionAvailable", topic: id, subject: "aks-events", eventTime: time, data: { latestStableKubernetesVersion: v } });
    await postEvents(host, [version("9999-12-31T00:00:00Z", "1.31.1")]);
    await postEvents(host, [version(new Date(Date.now() + 60 * 60_000).toISOString(), "1.32.5")]);
    const rec = (await host.deps.clusters.get(SUB, RG, "aks-events"))!;
    assert.equal(JSON.parse(rec.events!).NewKubernetesVersionAvailable.data.latestStableKubernetesVersion, "1.32.5");
  });
});

describe("requests at the limits", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("a maximal (100-character) request id runs to Succeeded through its re-checks", async () => {
    const requestId = `max-${"x".repeat(96)}`;
    const status = await provision(host, { ...example("pod-sandboxing.json"), requestId, cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-longid" } });
    assert.equal(status.state, "Succeeded", JSON.stringify(status.steps.map((s) => [s.name, s.state])));
    assert.ok(status.steps.some((s) => s.name === "cluster"));
    const mc = host.standIn!.get(`/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerService/managedClusters/aks-longid`);
    assert.deepEqual([mc.tags["managed-by"], mc.tags["aks-provisioner-request"]], ["aks-provisioner", requestId]);
  });

  it("a body larger than a Table property (48 tags of 500-character names) is stored in parts and read back", async () => {
    const tags = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`${i}-${"n".repeat(496)}`, "v".repeat(256)]));
    const outcome = await acceptRequest(host.deps, { operation: "upgradeNodeImages", requestId: "big-tags", cluster: cluster("aks-missing"), tags });
    assert.equal(outcome.kind, "accepted");
    const status = await waitForRequest(host, "big-tags");
    assert.equal(status.error?.code, "ClusterNotFound", "the body was read back by the steps");
    const stored = (await host.deps.requests.getRequest("big-tags"))!;
    assert.deepEqual((stored.body as { tags: object }).tags, tags);
  });

  it("100 sandbox pools: more than 100 rows, written in batches of at most 100", async () => {
    const nodePools = Array.from({ length: 100 }, (_, i) => ({ name: `sb${i}`, ...KATA }));
    const outcome = await acceptRequest(host.deps, { operation: "addSandboxPool", requestId: "hundred-pools", cluster: cluster("aks-missing"), nodePools });
    assert.equal(outcome.kind, "accepted");
    assert.ok((await host.deps.requests.getSteps("hundred-pools")).length >= 102);
    const status = await waitForRequest(host, "hundred-pools");
    assert.equal(status.error?.code, "ClusterNotFound");
  });
});

describe("idempotency by meaning", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("the same request with its tags in another order is the same request, not a 409", async () => {
    const raw = { ...example("pod-sandboxing.json"), requestId: "tag-order", cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-order" }, tags: { a: "1", b: "2" } };
    const first = await acceptRequest(host.deps, raw);
    assert.equal(first.kind, "accepted");
    const again = await acceptRequest(host.deps, { ...raw, tags: { b: "2", a: "1" } });
    assert.equal(again.kind, "existing");
    await waitForRequest(host, "tag-order");
  });

  it("a Rejected id may be resubmitted with a corrected body, which then runs", async () => {
    const good = { ...example("pod-sandboxing.json"), requestId: "fix-me", cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-fixed" } };
    const bad = { ...good, nodePools: [{ ...good.nodePools[0], count: -3 }] };
    assert.equal((await acceptRequest(host.deps, bad)).kind, "rejected");
    assert.equal((await acceptRequest(host.deps, bad)).kind, "rejected", "the same mistake again is still a rejection");
    const fixed = await acceptRequest(host.deps, good);
    assert.equal(fixed.kind, "accepted");
    assert.equal((await waitForRequest(host, "fix-me")).state, "Succeeded");
    assert.equal((await acceptRequest(host.deps, bad)).kind, "conflict", "once it ran, the id is taken");
    assert.equal((await statusOf(host.deps, "fix-me"))!.state, "Succeeded");
  });

  it("an ARM message carrying a key is redacted before it reaches the status", async () => {
    const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-leaky$/, status: 400, code: "InvalidParameter", message: `the diagnostics setting DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${key} is invalid` });
    const status = await provision(host, { ...example("pod-sandboxing.json"), requestId: "leaky", cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-leaky" } });
    assert.equal(status.state, "Failed");
    const text = JSON.stringify(status);
    assert.ok(!text.includes(key.slice(0, 30)), text);
    assert.match(status.error!.message, /AccountKey=\[redacted\]/);
  });
});

