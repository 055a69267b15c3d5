// The engine end to end on the local host: Azurite tables, the in-process bus and the ARM stand-in,
// reached through the real SDK clients over HTTPS.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import { QUEUES } from "../../src/app/queue.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost } from "../helpers/local.js";
import { example, SUB } from "../helpers/examples.js";

const clusterPath = (rg: string, name: string) => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const withId = (raw: any, requestId: string, name?: string) => ({ ...raw, requestId, cluster: { ...raw.cluster, ...(name ? { name } : {}) } });

describe("create requests on the ARM stand-in", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("network-isolated cluster with the AKS-managed registry: the PUT carries exactly what the procedure asks", async () => {
    const status = await provision(host, example("network-isolated-managed-acr.json"));
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    assert.deepEqual(status.steps.map((s) => [s.name, s.state]), [
      ["provider:Microsoft.ContainerService", "Succeeded"],
      ["provider:Microsoft.ContainerRegistry", "Succeeded"],
      ["resourceGroup", "Succeeded"],
      ["cluster", "Succeeded"],
      ["verify", "Succeeded"],
    ]);
    const mc = host.standIn!.get(clusterPath("rg-aks-iso", "aks-iso-managed"));
    assert.equal(mc.properties.bootstrapProfile.artifactSource, "Cache");
    assert.equal(mc.properties.networkProfile.outboundType, "none");
    assert.equal(mc.properties.networkProfile.networkPlugin, "azure");
    assert.equal(mc.properties.apiServerAccessProfile.enablePrivateCluster, true);
    assert.equal(mc.properties.kubernetesVersion, "1.30.3");
    assert.equal(mc.properties.agentPoolProfiles[0].mode, "System");
    assert.equal(status.steps.find((s) => s.name === "cluster")!.resourceId, mc.id);
    assert.ok(status.outputs?.privateFqdn, "outputs carry the private FQDN");
    // the ARM requests: one PUT each for the group and the cluster, nothing else written
    assert.deepEqual(armWrites(host).filter((w) => w.includes("rg-aks-iso")), ["PUT /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-iso", `PUT ${clusterPath("rg-aks-iso", "aks-iso-managed")}`]);
  });

  it("Pod Sandboxing: the pool runs KataVmIsolation on AzureLinux", async () => {
    const status = await provision(host, example("pod-sandboxing.json"));
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const mc = host.standIn!.get(clusterPath("myResourceGroup", "myAKSCluster"));
    const pool = mc.properties.agentPoolProfiles[0];
    assert.deepEqual([pool.workloadRuntime, pool.osSKU, pool.vmSize], ["KataVmIsolation", "AzureLinux", "Standard_D4s_v3"]);
    assert.equal(mc.properties.bootstrapProfile, undefined, "not network-isolated");
  });

  it("the same requestId is one request; another body under it is refused", async () => {
    const raw = withId(example("pod-sandboxing.json"), "same-id-twice", "aks-twice");
    const first = await provision(host, raw);
    const writes = host.standIn!.writes().length;
    const again = await acceptRequest(host.deps, raw);
    assert.equal(again.kind, "existing");
    assert.equal(again.status.state, first.state);
    const other = await acceptRequest(host.deps, { ...raw, tags: { x: "y" } });
    assert.equal(other.kind, "conflict");
    await host.bus.whenIdle();
    assert.equal(host.standIn!.writes().length, writes, "no ARM write for a repeated request");
  });

  it("running a finished request's body again under a new requestId writes nothing", async () => {
    const raw = withId(example("pod-sandboxing.json"), "rerun-1", "aks-rerun");
    assert.equal((await provision(host, raw)).state, "Succeeded");
    const before = host.standIn!.writes().length;
    const second = await provision(host, { ...raw, requestId: "rerun-2" });
    assert.equal(second.state, "Succeeded");
    assert.equal(host.standIn!.writes().length, before, "every step found its work done");
    assert.ok(second.steps.every((s) => s.armWrites === 0));
  });
});

describe("bad input changes nothing", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("a request with several invalid fields is Rejected with every field path and no ARM request", async () => {
    const raw = { ...example("pod-sandboxing.json"), requestId: "bad-1" };
    raw.cluster = { ...raw.cluster, subscriptionId: "nope" };
    raw.nodePools = [{ ...raw.nodePools[0], osSku: "Ubuntu", vmSize: "Standard_B2s" }];
    const outcome = await acceptRequest(host.deps, raw);
    assert.equal(outcome.kind, "rejected");
    assert.equal(outcome.status.state, "Rejected");
    const stored = (await statusOf(host.deps, "bad-1"))!;
    // The shape error and the Pod Sandboxing rules on the pool, all at once.
    assert.deepEqual(stored.error!.details!.map((d) => d.path), ["cluster.subscriptionId", "nodePools[0].osSku", "nodePools[0].vmSize"]);
    const raw2 = { ...example("pod-sandboxing.json"), requestId: "bad-2", nodePools: [{ ...raw.nodePools[0] }] };
    const rules = await acceptRequest(host.deps, raw2);
    assert.deepEqual((await statusOf(host.deps, "bad-2"))!.error!.details!.map((d) => d.path), ["nodePools[0].osSku", "nodePools[0].vmSize"]);
    assert.equal(rules.kind, "rejected");
    assert.equal(host.standIn!.requests.length, 0, "nothing reached ARM");
  });

  it("a queue message that is not JSON shows as Rejected with the reason and is completed, not retried", async () => {
    await host.bus.sendRaw(QUEUES.requests, "{ this is not json", "msg-not-json");
    await host.bus.whenIdle();
    const status = (await statusOf(host.deps, "msg-not-json"))!;
    assert.equal(status.state, "Rejected");
    assert.match(status.error!.details!.map((d) => d.message).join(" "), /not JSON/);
    assert.equal(host.bus.deadLetters(QUEUES.requests).length, 0);
    assert.equal(host.bus.stats.abandoned, 0, "delivered once: a redelivery could not change the outcome");
    assert.equal(host.standIn!.requests.length, 0);
  });

  it("an invalid request on the queue shows as Rejected under its requestId with the field paths", async () => {
    await host.bus.sendRaw(QUEUES.requests, JSON.stringify({ operation: "create", requestId: "q-bad", cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "a" }, nodePools: [] }), "m2");
    await host.bus.whenIdle();
    const status = (await statusOf(host.deps, "q-bad"))!;
    assert.equal(status.state, "Rejected");
    assert.ok(status.error!.details!.some((d) => d.path?.startsWith("nodePools")), JSON.stringify(status.error));
    assert.equal(host.bus.deadLetters(QUEUES.requests).length, 0);
  });

  it("a queue message that reuses a requestId for another body ends in the dead-letter queue, the first request untouched", async () => {
    const first = withId(example("pod-sandboxing.json"), "q-conflict");
    await host.bus.sendRaw(QUEUES.requests, JSON.stringify(first), "m3");
    await host.bus.whenIdle();
    const before = (await statusOf(host.deps, "q-conflict"))!;
    await host.bus.sendRaw(QUEUES.requests, JSON.stringify({ ...first, cluster: { ...first.cluster, name: "another" } }), "m4");
    await host.bus.whenIdle();
    const dead = host.bus.deadLetters(QUEUES.requests).find((d) => d.messageId === "m4")!;
    assert.equal(dead.reason, "MaxDeliveryCountExceeded");
    assert.match(dead.description, /RequestIdConflict/);
    assert.match(String(dead.body), /"another"/, "the message is kept as sent");
    const after = (await statusOf(host.deps, "q-conflict"))!;
    assert.deepEqual([after.id, after.target], [before.id, before.target]);
  });
});

describe("at-least-once delivery and crashes", () => {
  it("delivering every message twice ends in the same state with no extra ARM writes", async () => {
    // One local host per process at a time: the function handlers share one set of ports.
    const baseline = await startTestHost();
    const a = await provision(baseline, example("network-isolated-managed-acr.json"));
    const baselineWrites = armWrites(baseline);
    const baselineDelivered = baseline.bus.stats.delivered;
    await baseline.close();
    const twice = await startTestHost({ bus: { deliverTwice: true } });
    try {
      const b = await provision(twice, example("network-isolated-managed-acr.json"));
      assert.equal(a.state, "Succeeded");
      assert.equal(b.state, "Succeeded");
      assert.deepEqual(armWrites(twice), baselineWrites);
      assert.deepEqual(b.steps.map((s) => [s.name, s.state, s.armWrites]), a.steps.map((s) => [s.name, s.state, s.armWrites]));
      assert.ok(twice.bus.stats.delivered > baselineDelivered, "the duplicates were delivered");
    } finally {
      await twice.close();
    }
  });

  it("a crash between the ARM write and the next message completes after redelivery, with one write", async () => {
    const host = await startTestHost();
    try {
      // the send of the cluster step's first re-check fails: the invocation dies after its PUT
      host.bus.failSends((q, m) => q === QUEUES.steps && m.messageId.includes("|cluster|1"), 1);
      const status = await provision(host, example("network-isolated-managed-acr.json"));
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      assert.equal(armWrites(host).filter((w) => w.endsWith("/managedClusters/aks-iso-managed")).length, 1);
      assert.ok(host.bus.stats.abandoned >= 1, "the message was redelivered");
    } finally {
      await host.close();
    }
  });
});

describe("ARM errors", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("throttling is waited out without spending an attempt (shown as throttled), server errors are retried within the budget (shown as attempts)", async () => {
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-throttled$/, status: 429, code: "TooManyRequests", retryAfterSeconds: 0, times: 1 });
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-throttled$/, status: 503, code: "ServiceUnavailable", times: 1 });
    const status = await provision(host, withId(example("pod-sandboxing.json"), "throttled", "aks-throttled"));
    assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
    const cluster = status.steps.find((s) => s.name === "cluster")!;
    assert.deepEqual([cluster.attempts, cluster.throttled], [2, 1]);
  });

  it("a terminal ARM error fails the step and the request with ARM's code and message", async () => {
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-quota$/, status: 400, code: "QuotaExceeded", message: "Operation could not be completed as it results in exceeding approved Total Regional Cores quota" });
    const status = await provision(host, withId(example("pod-sandboxing.json"), "quota", "aks-quota"));
    assert.equal(status.state, "Failed");
    const cluster = status.steps.find((s) => s.name === "cluster")!;
    assert.equal(cluster.state, "Failed");
    assert.equal(cluster.error!.code, "QuotaExceeded");
    assert.match(status.error!.message, /exceeding approved Total Regional Cores quota/);
    assert.equal(status.steps.find((s) => s.name === "verify")!.state, "Pending");
  });

  it("a transient error past the retry budget fails with the last ARM error", async () => {
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-down$/, status: 500, code: "InternalServerError", times: 20 });
    const status = await provision(host, withId(example("pod-sandboxing.json"), "down", "aks-down"));
    assert.equal(status.state, "Failed");
    const cluster = status.steps.find((s) => s.name === "cluster")!;
    assert.equal(cluster.error!.code, "InternalServerError");
    assert.equal(cluster.attempts, host.deps.settings.retryBudget);
    assert.match(cluster.error!.message, /gave up after 8 attempts/);
  });
});

