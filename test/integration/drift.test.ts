// Keeping clusters right: a cluster this app shaped is changed straight in ARM (over HTTPS to the
// stand-in, as a person with the portal or `az` would), and the drift shows on the cluster document,
// by event or by the sweep; with driftPolicy "restore" it comes back through one request.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { clusterStatus } from "../../src/app/cluster-status.js";
import { restoreRequestId, sweepDrift } from "../../src/app/drift.js";
import type { DriftEntry } from "../../src/domain/desired-state.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost, waitForRequest } from "../helpers/local.js";
import { postEvents, resourceEvent, seedCluster, upgradePosts, writeEvent } from "../helpers/clusters.js";
import { SUB } from "../helpers/examples.js";
import { personInArm } from "../helpers/person-in-arm.js";

const RG = "rg-drift";
const idOf = (name: string) => `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${name}`;

/** A network-isolated cluster (BYO registry) with a private, VNet-integrated API server and a Kata pool. */
function hardenedCreate(name: string, extra: Record<string, unknown> = {}) {
  return {
    operation: "create",
    requestId: `create-${name}`,
    cluster: { subscriptionId: SUB, resourceGroup: RG, name, location: "westus2", kubernetesVersion: "1.30.3" },
    networkIsolation: { outboundType: "none", registry: { mode: "byo", name: `acr${name.replace(/-/g, "")}01` } },
    apiServer: { access: "vnetIntegration", private: true },
    network: { vnetName: `vnet-${name}`, addressPrefixes: ["192.168.0.0/16"], subnets: { nodes: "192.168.1.0/24", registry: "192.168.2.0/24", apiServer: "192.168.3.0/24" } },
    identities: { controlPlane: `id-${name}-cp`, kubelet: `id-${name}-kubelet` },
    nodePools: [
      { name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: 1 },
      { name: "kata1", mode: "User", vmSize: "Standard_D4s_v3", count: 1, osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" },
    ],
    ...extra,
  };
}

describe("drift: the hardened state held, changes outside the app seen and restored", () => {
  let host: LocalHost;
  const logs: { requestId?: string; message: string }[] = [];
  before(async () => (host = await startTestHost({ httpPort: 0, onLog: (line) => logs.push(JSON.parse(line)) })));
  // The sweep as the driftSweep timer runs it, its log lines kept with the functions' own.
  const sweep = () => sweepDrift({ ...host.deps, log: (message, data) => logs.push({ message, ...data }) });
  after(async () => host.close());

  const { changeCluster, deletePool } = personInArm(() => host, idOf);
  const doc = async (name: string) => (await clusterStatus(host.deps, SUB, RG, name))!;
  const driftOf = async (name: string) => Object.fromEntries((await doc(name)).drift.map((e: DriftEntry) => [e.setting, e]));
  const restoreRequests = async () => (await host.deps.requests.listRequests(undefined, 1000)).rows.filter((r) => r.id.startsWith("restore-"));

  it("a Succeeded create holds what it established, at the values ARM shows", async () => {
    const created = await provision(host, hardenedCreate("drift-a"));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    const d = await doc("drift-a");
    assert.equal(d.desired?.policy, "report");
    assert.equal(d.desired?.heldBy, "create-drift-a");
    const held = d.desired!.settings;
    assert.deepEqual([held.artifactSource, held.outboundType, held.enableVnetIntegration, held.enablePrivateCluster], ["Cache", "none", true, true]);
    assert.match(held.containerRegistryId!, /\/registries\/acrdrifta01$/);
    assert.match(held.apiServerSubnetId!, /\/subnets\//);
    assert.deepEqual(held.sandboxPools, { kata1: { workloadRuntime: "KataVmIsolation", osSKU: "AzureLinux", vmSize: "Standard_D4s_v3", count: 1 } });
    assert.deepEqual(d.drift, []);
  });

  it("every held setting changed in ARM, with its event, shows with desired and actual values; putting it back clears it", async (t) => {
    const id = idOf("drift-a");
    await changeCluster("drift-a", (p) => {
      p.networkProfile.outboundType = "loadBalancer";
      p.bootstrapProfile = { artifactSource: "Direct" };
    });
    const started = performance.now();
    await postEvents(host, writeEvent(id));
    t.diagnostic(`event → drift on the cluster document: ${(performance.now() - started).toFixed(0)} ms`);
    let drift = await driftOf("drift-a");
    assert.deepEqual(drift["networkProfile.outboundType"] && [drift["networkProfile.outboundType"].desired, drift["networkProfile.outboundType"].actual, drift["networkProfile.outboundType"].via], ["none", "loadBalancer", "event"]);
    assert.deepEqual([drift["bootstrapProfile.artifactSource"].desired, drift["bootstrapProfile.artifactSource"].actual], ["Cache", "Direct"]);
    assert.equal(drift["bootstrapProfile.containerRegistryId"].actual, null);
    assert.equal(drift["networkProfile.outboundType"].restore, undefined, "report: nothing is restored");

    await changeCluster("drift-a", (p) => (p.apiServerAccessProfile.enablePrivateCluster = false));
    await postEvents(host, writeEvent(id));
    drift = await driftOf("drift-a");
    assert.deepEqual([drift["apiServerAccessProfile.enablePrivateCluster"].desired, drift["apiServerAccessProfile.enablePrivateCluster"].actual], [true, false]);

    await deletePool("drift-a", "kata1");
    const poolEvent = performance.now();
    await postEvents(host, resourceEvent(`${id}/agentPools/kata1`, "Delete"));
    t.diagnostic(`pool delete event → drift on the cluster document: ${(performance.now() - poolEvent).toFixed(0)} ms`);
    drift = await driftOf("drift-a");
    assert.deepEqual(drift["agentPoolProfiles[kata1]"].desired, { workloadRuntime: "KataVmIsolation", osSKU: "AzureLinux" });
    assert.equal(drift["agentPoolProfiles[kata1]"].actual, null);
    assert.equal(drift["agentPoolProfiles[kata1]"].resourceId, `${id}/agentPools/kata1`);
    assert.ok(logs.some((l) => /^cluster drift-a drifted: agentPoolProfiles\[kata1\]/.test(l.message) && l.requestId === "create-drift-a"), "logged once, with the trace of the request that set it");
    assert.equal(logs.filter((l) => /^cluster drift-a drifted: agentPoolProfiles\[kata1\]/.test(l.message)).length, 1);

    const registry = (await doc("drift-a")).desired!.settings.containerRegistryId;
    await changeCluster("drift-a", (p) => {
      p.networkProfile.outboundType = "none";
      p.bootstrapProfile = { artifactSource: "Cache", containerRegistryId: registry };
    });
    await postEvents(host, writeEvent(id));
    drift = await driftOf("drift-a");
    assert.deepEqual(Object.keys(drift).sort(), ["agentPoolProfiles[kata1]", "apiServerAccessProfile.enablePrivateCluster"], "isolation back by hand: its drift cleared, the rest kept");
  });

  it("the same changes without an event are found by one sweep: one ARM read per held cluster, no write", async () => {
    const created = await provision(host, hardenedCreate("drift-b"));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    await changeCluster("drift-b", (p) => {
      p.networkProfile.outboundType = "loadBalancer";
      p.apiServerAccessProfile.enablePrivateCluster = false;
    });
    await deletePool("drift-b", "kata1");
    assert.deepEqual((await doc("drift-b")).drift, [], "no event: nothing seen yet");

    const rows = (await host.deps.clusters.list()).filter((r) => r.desired);
    const held = rows.length;
    // The cluster, and each resource it holds (registry, endpoint, zone, link, two records, four roles).
    const resources = rows.map((r) => (JSON.parse(r.desired!).resources ?? []).length);
    assert.deepEqual(resources, [10, 10]);
    const requestsBefore = host.standIn!.requests.length;
    const writesBefore = armWrites(host).length;
    const swept = await sweep();
    await host.bus.whenIdle();
    assert.equal(swept.clusters, held);
    assert.equal(swept.reads, held + 20);
    const reads = host.standIn!.requests.slice(requestsBefore);
    assert.equal(reads.filter((r) => r.method === "GET").length, held + 20, "one GET per held cluster and per resource it holds");
    assert.equal(reads.length, held + 20, "nothing but those reads");
    assert.equal(armWrites(host).length, writesBefore, "a sweep writes nothing (report policy)");
    const drift = await driftOf("drift-b");
    assert.deepEqual(Object.keys(drift).sort(), ["agentPoolProfiles[kata1]", "apiServerAccessProfile.enablePrivateCluster", "networkProfile.outboundType"]);
    assert.ok(Object.values(drift).every((e) => e.via === "sweep"));
    assert.equal(swept.drifted, 2, "drift-a (still drifted) and drift-b");

    assert.equal(logs.filter((l) => /^cluster drift-b drifted:/.test(l.message)).length, 1, "the sweep logs the change once");
    // A second sweep finds the same: the entries (and their detection times) stay, nothing logged again.
    const logged = logs.length;
    await sweep();
    assert.deepEqual(Object.values(await driftOf("drift-b")).map((e) => e.detectedAt), Object.values(drift).map((e) => e.detectedAt));
    assert.equal(logs.slice(logged).filter((l) => /drifted:/.test(l.message)).length, 0);
  });

  it("a cluster whose read fails is left for the next sweep; the others are still checked", async () => {
    const held = (await host.deps.clusters.list()).filter((r) => r.desired).length;
    assert.ok(held >= 2, "needs two held clusters from the tests above");
    host.standIn!.addFault({ method: "GET", path: /\/managedClusters\/drift-a$/, status: 403, code: "AuthorizationFailed", message: "The client does not have authorization to perform action read", times: 1 });
    const logged = logs.length;
    const swept = await sweep();
    assert.equal(swept.failed, 1);
    const clusterReads = host.standIn!.requests.filter((r) => r.method === "GET" && /\/managedClusters\/drift-[ab]$/.test(r.path)).slice(-2);
    assert.deepEqual(clusterReads.map((r) => r.path.split("/").at(-1)), ["drift-a", "drift-b"], "every held cluster was still read");
    assert.ok(logs.slice(logged).some((l) => /drift-a not checked: .*authori[sz]ation/i.test(l.message)), "the failed cluster is named in the log");
    assert.ok(Object.keys(await driftOf("drift-b")).length > 0, "drift-b still checked and still drifted");
    assert.equal((await sweep()).failed, 0, "the next sweep reads it again");
  });

  it("a change made by one of the app's own requests is not drift: it becomes the desired state", async () => {
    const created = await provision(host, hardenedCreate("drift-c"));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    const before = (await doc("drift-c")).desired!;
    const change = await provision(host, { operation: "setPrivateCluster", requestId: "drift-c-public", cluster: { subscriptionId: SUB, resourceGroup: RG, name: "drift-c" }, apiServer: { access: "vnetIntegration", private: false } });
    assert.equal(change.state, "Succeeded", JSON.stringify(change.error));
    await postEvents(host, writeEvent(idOf("drift-c")));
    await sweep();
    const after = (await doc("drift-c")).desired!;
    assert.deepEqual((await doc("drift-c")).drift, []);
    assert.equal(after.settings.enablePrivateCluster, false);
    assert.equal(after.heldBy, "drift-c-public");
    assert.equal(after.generation, before.generation + 1);
  });

  it("events and sweeps about clusters the app does not hold make no ARM write and record no drift", async () => {
    const managed = seedCluster(host, "not-held", {}, { "managed-by": "aks-provisioner" });
    const foreign = seedCluster(host, "foreign", {}, {});
    const writesBefore = armWrites(host).length;
    for (const id of [managed, foreign]) {
      await postEvents(host, writeEvent(id));
      await postEvents(host, resourceEvent(`${id}/agentPools/user`, "Delete"));
      await postEvents(host, resourceEvent(id, "Delete"));
    }
    await sweep();
    await host.bus.whenIdle();
    assert.equal(armWrites(host).length, writesBefore);
    for (const name of ["not-held", "foreign"]) {
      const rec = await host.deps.clusters.get(SUB, "rg-aks", name);
      assert.equal(rec?.desired, undefined);
      assert.equal(rec?.drift, undefined);
    }
    assert.ok(!(await restoreRequests()).length);
  });

  it("restore: a deleted Kata pool comes back through exactly one request, however many events, with the writes of a clean addSandboxPool", async () => {
    const created = await provision(host, hardenedCreate("drift-r", { driftPolicy: "restore" }));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    const id = idOf("drift-r");
    assert.equal((await doc("drift-r")).desired?.policy, "restore");
    await deletePool("drift-r", "kata1");
    const writesBefore = armWrites(host).length;
    // A storm: Event Grid's retries and the sweep, all about the one change.
    for (let i = 0; i < 5; i++) await postEvents(host, resourceEvent(`${id}/agentPools/kata1`, "Delete"));
    await sweep();
    const restoreId = restoreRequestId(id, "pool-kata1", 1);
    const restored = await waitForRequest(host, restoreId);
    assert.equal(restored.state, "Succeeded", JSON.stringify(restored.error));
    assert.deepEqual((await restoreRequests()).map((r) => r.id), [restoreId], "one restore request");
    const restoreWrites = armWrites(host).slice(writesBefore);
    // The same request sent by a person, on a cluster without the pool, makes the same writes.
    const cleanBefore = armWrites(host).length;
    const clean = await provision(host, { operation: "addSandboxPool", requestId: "drift-c-kata", cluster: { subscriptionId: SUB, resourceGroup: RG, name: "drift-c" }, nodePools: [{ name: "kata3", mode: "User", vmSize: "Standard_D4s_v3", count: 1, osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] });
    assert.equal(clean.state, "Succeeded", JSON.stringify(clean.error));
    const cleanWrites = armWrites(host).slice(cleanBefore).map((w) => w.replace("/drift-c", "/drift-r").replace("/kata3", "/kata1"));
    assert.deepEqual(restoreWrites, cleanWrites, "the writes a clean addSandboxPool makes");
    assert.deepEqual(restoreWrites, [`PUT ${id}/agentPools/kata1`, `PUT ${id}`]);
    const pool = host.standIn!.get(`${id}/agentPools/kata1`).properties;
    assert.deepEqual([pool.workloadRuntime, pool.osSKU, pool.vmSize], ["KataVmIsolation", "AzureLinux", "Standard_D4s_v3"]);
    assert.deepEqual((await doc("drift-r")).drift, [], "restored: the drift is cleared");
  });

  it("restore: isolation settings come back by enableNetworkIsolation, with the node-image upgrade the procedure demands, once", async () => {
    const id = idOf("drift-r");
    const upgradesBefore = upgradePosts(host, "drift-r").length;
    await changeCluster("drift-r", (p) => {
      p.networkProfile.outboundType = "loadBalancer";
      p.bootstrapProfile = { artifactSource: "Direct" };
    });
    for (let i = 0; i < 3; i++) await postEvents(host, writeEvent(id));
    const restoreId = restoreRequestId(id, "isolation", 1);
    const restored = await waitForRequest(host, restoreId);
    assert.equal(restored.state, "Succeeded", JSON.stringify(restored.error));
    const mc = host.standIn!.get(id).properties;
    assert.equal(mc.networkProfile.outboundType, "none");
    assert.equal(mc.bootstrapProfile.artifactSource, "Cache");
    assert.match(mc.bootstrapProfile.containerRegistryId, /acrdriftr01$/);
    await host.bus.whenIdle();
    assert.equal(upgradePosts(host, "drift-r").length - upgradesBefore, 2, "one node-image upgrade per pool (system, kata1), by the restore");
    assert.deepEqual((await doc("drift-r")).drift, []);
  });

  it("never fights a person: a setting changed again after its restores within the window is reported as given up", async () => {
    const id = idOf("drift-r");
    const limit = host.deps.settings.driftRestoreLimit;
    host.deps.settings.driftRestoreLimit = { max: 1, windowMs: 3600_000 };
    try {
      await deletePool("drift-r", "kata1");
      const writesBefore = armWrites(host).length;
      await postEvents(host, resourceEvent(`${id}/agentPools/kata1`, "Delete"));
      await sweep();
      const entry = (await driftOf("drift-r"))["agentPoolProfiles[kata1]"];
      assert.match(entry.restore ?? "", /^given up: restored 1 time\(s\) within 1 h/);
      assert.equal(await host.deps.requests.getRequest(restoreRequestId(id, "pool-kata1", 2)), undefined);
      assert.equal(armWrites(host).length, writesBefore, "nothing restored");
    } finally {
      host.deps.settings.driftRestoreLimit = limit;
    }
  });

  it("setDriftPolicy: restore for a held cluster, no ARM write; the private API server a person made public again is put back", async () => {
    const id = idOf("drift-c");
    const writesBefore = armWrites(host).length;
    const set = await provision(host, { operation: "setDriftPolicy", requestId: "drift-c-restore", cluster: { subscriptionId: SUB, resourceGroup: RG, name: "drift-c" }, driftPolicy: "restore" });
    assert.equal(set.state, "Succeeded", JSON.stringify(set.error));
    assert.equal(armWrites(host).length, writesBefore, "a policy is this app's own state");
    const desired = (await doc("drift-c")).desired!;
    assert.equal(desired.policy, "restore");
    assert.equal(desired.settings.enablePrivateCluster, false, "what is held stays");

    await changeCluster("drift-c", (p) => (p.apiServerAccessProfile.enablePrivateCluster = true));
    await postEvents(host, writeEvent(id));
    const restored = await waitForRequest(host, restoreRequestId(id, "private", 1));
    assert.equal(restored.state, "Succeeded", JSON.stringify(restored.error));
    assert.equal(host.standIn!.get(id).properties.apiServerAccessProfile.enablePrivateCluster, false);
    assert.deepEqual((await doc("drift-c")).drift, []);
  });
});
