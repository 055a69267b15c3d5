// One cluster, one writer (src/app/cluster-lease.ts), on the local host: two requests for one
// cluster, and a request and an Event Grid-triggered node-image upgrade, in both orders. Which one
// goes first is fixed without timing: the ARM stand-in's clock stands still while the first holds
// the cluster, so its ARM write stays in progress until the test has seen the second one queued
// behind it; then the clock runs again. The writes are read back from the stand-in's request log.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import { cancelRequest } from "../../src/app/cancel.js";
import { QUEUES } from "../../src/app/queue.js";
import { isTerminal, type StatusDocument, type StepStatus } from "../../src/app/status.js";
import type { LocalHost } from "../../src/local/host.js";
import { startTestHost, waitForRequest } from "../helpers/local.js";
import { postEvents, RG, seedCluster, waitUntil, writeEvent } from "../helpers/clusters.js";
import { example, SUB } from "../helpers/examples.js";
import { clusterId } from "../../src/domain/naming.js";

const cluster = (name: string) => ({ subscriptionId: SUB, resourceGroup: RG, name });
const enableIsolation = (requestId: string, name: string) => ({ operation: "enableNetworkIsolation", requestId, cluster: cluster(name), networkIsolation: { outboundType: "none", registry: { mode: "aksManaged" } } });
const disableIsolation = (requestId: string, name: string) => ({ operation: "disableNetworkIsolation", requestId, cluster: cluster(name) });
const addSandboxPool = (requestId: string, name: string) => ({
  operation: "addSandboxPool",
  requestId,
  cluster: cluster(name),
  nodePools: [{ name: "sandbox", vmSize: "Standard_D4s_v3", osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }],
});

describe("one cluster, one writer", () => {
  let host: LocalHost;
  /** The stand-in's clock: standing still while set. */
  let stoppedAt: number | undefined;
  const stopArmClock = () => (stoppedAt = Date.now());
  const startArmClock = () => (stoppedAt = undefined);
  const logs: string[] = [];

  before(async () => (host = await startTestHost({ httpPort: 0, standIn: { now: () => stoppedAt ?? Date.now() }, onLog: (line) => logs.push(line) })));
  after(async () => host.close());

  const holder = async (clusterId: string) => (await host.deps.leases.get(clusterId))?.owner;
  const accept = async (raw: unknown) => (await acceptRequest(host.deps, raw)).status.id;
  /** Waits until a step of the request is queued behind another request, and returns the status then. */
  async function queuedBehind(id: string): Promise<{ doc: StatusDocument; step: StepStatus }> {
    let found: { doc: StatusDocument; step: StepStatus } | undefined;
    await waitUntil(async () => {
      const doc = (await statusOf(host.deps, id))!;
      const step = doc.steps.find((s) => s.waitingForRequest);
      if (step) found = { doc, step };
      return !!found;
    });
    return found!;
  }
  /** The request's final status, while other requests may still be running (waitForRequest waits for an idle bus). */
  async function ended(id: string): Promise<StatusDocument> {
    await waitUntil(async () => isTerminal((await statusOf(host.deps, id))!.state));
    return (await statusOf(host.deps, id))!;
  }
  /** The cluster's ARM writes in order, as "METHOD sub-path"; a cluster PUT shows the artifactSource it sent. */
  const clusterWrites = (clusterId: string) =>
    host
      .standIn!.writes()
      .filter((w) => w.path.toLowerCase().startsWith(clusterId.toLowerCase()))
      .map((w) => {
        const sub = w.path.split("?")[0].slice(clusterId.length);
        const source = (w.body as { properties?: { bootstrapProfile?: { artifactSource?: string } } } | undefined)?.properties?.bootstrapProfile?.artifactSource ?? "Direct";
        return sub ? `${w.method} ${sub}` : `${w.method} cluster (${source})`;
      });
  const upgradeOf = (pool: string) => `POST /agentPools/${pool}/upgradeNodeImageVersion`;

  /**
   * Starts the first request and waits until it holds the cluster (its ARM write then stays in
   * progress: the stand-in's clock stands still), then the second, which must queue behind it; then
   * lets both finish.
   */
  async function inOrder(clusterId: string, startFirst: () => Promise<string>, startSecond: () => Promise<string>) {
    stopArmClock();
    const firstId = await startFirst();
    await waitUntil(async () => (await holder(clusterId)) === firstId);
    const secondId = await startSecond();
    const queued = await queuedBehind(secondId);
    startArmClock();
    const [a, b] = await Promise.all([waitForRequest(host, firstId), waitForRequest(host, secondId)]);
    return { firstId, secondId, queued, a, b };
  }

  function assertQueued(q: { doc: StatusDocument; step: StepStatus }, holderId: string, holderOp: string, name: string) {
    assert.equal(q.step.waitingForRequest, holderId);
    assert.equal(q.step.waitingFor, `request ${holderId} (${holderOp}), which holds cluster ${name}`);
    assert.equal(q.step.state, "Pending", "a queued step has not started");
    assert.equal(q.doc.state, "Accepted", "a queued request has not started");
    assert.ok(q.doc.steps.every((s) => s.armWrites === 0));
  }

  it("request then request: enableNetworkIsolation holds the cluster, addSandboxPool waits for it, then runs", async () => {
    const id = seedCluster(host, "aks-lease-ab");
    const { firstId, queued, a, b } = await inOrder(id, () => accept(enableIsolation("lease-ab-enable", "aks-lease-ab")), () => accept(addSandboxPool("lease-ab-sandbox", "aks-lease-ab")));
    assertQueued(queued, firstId, "enableNetworkIsolation", "aks-lease-ab");
    assert.equal(a.state, "Succeeded", JSON.stringify(a.error));
    assert.equal(b.state, "Succeeded", JSON.stringify(b.error));
    // All of the first request's writes, then all of the second's: the isolation re-images the
    // two pools it read; the sandbox pool is added to the isolated cluster afterwards.
    assert.deepEqual(clusterWrites(id), [
      "PUT cluster (Cache)",
      upgradeOf("system"),
      upgradeOf("user"),
      "PUT /agentPools/sandbox",
      "PUT cluster (Cache)",
    ]);
    assert.ok(b.steps.every((s) => s.attempts <= 1), "waiting spent no attempt");
    assert.equal(await holder(id), undefined, "released when both ended");
  });

  it("the other order: addSandboxPool holds the cluster, enableNetworkIsolation waits, then re-images every pool, the new one included", async () => {
    const id = seedCluster(host, "aks-lease-ba");
    const { firstId, queued, a, b } = await inOrder(id, () => accept(addSandboxPool("lease-ba-sandbox", "aks-lease-ba")), () => accept(enableIsolation("lease-ba-enable", "aks-lease-ba")));
    assertQueued(queued, firstId, "addSandboxPool", "aks-lease-ba");
    assert.equal(a.state, "Succeeded", JSON.stringify(a.error));
    assert.equal(b.state, "Succeeded", JSON.stringify(b.error));
    assert.deepEqual(clusterWrites(id), [
      "PUT /agentPools/sandbox",
      "PUT cluster (Direct)",
      "PUT cluster (Cache)",
      upgradeOf("system"),
      upgradeOf("user"),
      upgradeOf("sandbox"),
    ]);
    assert.deepEqual(b.outputs?.upgradedPools, ["system", "user", "sandbox"]);
    assert.equal(await holder(id), undefined);
  });

  /** A cluster the app has seen (first-sight event), then changed by hand (`az aks update`): the next event queues an upgrade. */
  async function changedByHand(name: string): Promise<string> {
    const id = seedCluster(host, name);
    await postEvents(host, writeEvent(id));
    const mc = host.standIn!.get(id);
    host.standIn!.seed({ ...mc, properties: { ...mc.properties, bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { ...mc.properties.networkProfile, outboundType: "none" } } });
    return id;
  }
  /** Delivers the event as Event Grid does, without waiting for the bus to be idle (the upgrade it queues may be held). */
  async function announce(id: string): Promise<void> {
    const res = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=clusterEvents`, { method: "POST", headers: { "content-type": "application/json", "aeg-event-type": "Notification" }, body: JSON.stringify(writeEvent(id)) });
    assert.equal(res.status, 200);
  }

  it("upgrade then request: a hand change's node-image upgrade holds the cluster, addSandboxPool waits for it", async () => {
    const id = await changedByHand("aks-lease-ur");
    let upgradeId = "";
    const { queued, a, b } = await inOrder(
      id,
      async () => {
        await announce(id);
        await waitUntil(async () => !!(await holder(id))?.startsWith("upgrade-"));
        return (upgradeId = (await holder(id))!);
      },
      () => accept(addSandboxPool("lease-ur-sandbox", "aks-lease-ur")),
    );
    assertQueued(queued, upgradeId, "upgradeNodeImages", "aks-lease-ur");
    assert.equal(a.operation, "upgradeNodeImages");
    assert.equal(a.state, "Succeeded", JSON.stringify(a.error));
    assert.equal(b.state, "Succeeded", JSON.stringify(b.error));
    assert.deepEqual(clusterWrites(id), [upgradeOf("system"), upgradeOf("user"), "PUT /agentPools/sandbox", "PUT cluster (Cache)"]);
  });

  it("request then upgrade: the upgrade of a hand change, queued while addSandboxPool holds the cluster, runs after it", async () => {
    const id = await changedByHand("aks-lease-ru");
    // The event comes first, but its upgrade request is held on its queue until the request holds the cluster.
    host.bus.pause(QUEUES.upgrades);
    await announce(id);
    const [upgradeId, ...others] = new Set((await host.deps.upgrades.listForCluster(id)).map((u) => u.changeKey));
    assert.ok(upgradeId && others.length === 0, "one upgrade queued");
    const { firstId, queued, a, b } = await inOrder(
      id,
      () => accept(addSandboxPool("lease-ru-sandbox", "aks-lease-ru")),
      async () => {
        host.bus.resume(QUEUES.upgrades);
        await waitUntil(async () => !!(await statusOf(host.deps, upgradeId)));
        return upgradeId;
      },
    );
    assertQueued(queued, firstId, "addSandboxPool", "aks-lease-ru");
    assert.equal(a.state, "Succeeded", JSON.stringify(a.error));
    assert.equal(b.state, "Succeeded", JSON.stringify(b.error));
    // The upgrade re-images the pools the cluster had when the change was seen.
    assert.deepEqual(clusterWrites(id), ["PUT /agentPools/sandbox", "PUT cluster (Cache)", upgradeOf("system"), upgradeOf("user")]);
  });

  it("a request that contradicts the holder is refused, having written nothing: disableNetworkIsolation behind enableNetworkIsolation", async () => {
    const id = seedCluster(host, "aks-lease-conflict");
    stopArmClock();
    const enable = await accept(enableIsolation("lease-conflict-enable", "aks-lease-conflict"));
    await waitUntil(async () => (await holder(id)) === enable);
    const disable = await ended(await accept(disableIsolation("lease-conflict-disable", "aks-lease-conflict")));
    assert.equal(disable.state, "Failed");
    assert.equal(disable.error?.details?.[0]?.code, "ConflictingRequest");
    assert.match(disable.error!.message, /request lease-conflict-enable \(enableNetworkIsolation\) turns network isolation on on this cluster and this disableNetworkIsolation turns it off/);
    assert.ok(disable.steps.every((s) => s.armWrites === 0));
    assert.equal(await holder(id), enable, "the refused request leaves the holder's lease alone");
    startArmClock();
    assert.equal((await waitForRequest(host, enable)).state, "Succeeded");
    assert.deepEqual(clusterWrites(id), ["PUT cluster (Cache)", upgradeOf("system"), upgradeOf("user")]);
  });

  it("two creates naming one cluster run one after the other; the second finds the cluster made", async () => {
    const body = (requestId: string) => ({ ...example("pod-sandboxing.json"), requestId, cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-lease-twice" } });
    const id = clusterId(SUB, example("pod-sandboxing.json").cluster.resourceGroup, "aks-lease-twice");
    const { firstId, queued, a, b } = await inOrder(id, () => accept(body("lease-create-1")), () => accept(body("lease-create-2")));
    assertQueued(queued, firstId, "create", "aks-lease-twice");
    assert.equal(a.state, "Succeeded", JSON.stringify(a.error));
    assert.equal(b.state, "Succeeded", JSON.stringify(b.error));
    const writes = clusterWrites(id);
    assert.equal(writes.filter((w) => w.startsWith("PUT cluster")).length, 1, `one cluster PUT: ${writes.join(", ")}`);
  });

  it("a lease whose owner has ended (its release was lost) is taken over at once", async () => {
    const id = seedCluster(host, "aks-lease-ended");
    const ended = await waitForRequest(host, await accept({ operation: "setPrivateCluster", requestId: "lease-ended-1", cluster: cluster("aks-lease-ended"), apiServer: { private: true } }));
    assert.equal(ended.state, "Failed", "refused by its read step: not VNet-integrated");
    const now = Date.now();
    await host.deps.leases.create({ clusterId: id, owner: "lease-ended-1", operation: "setPrivateCluster", acquiredAt: new Date(now).toISOString(), expiresAt: new Date(now + 3600_000).toISOString() });
    const b = await waitForRequest(host, await accept(addSandboxPool("lease-ended-2", "aks-lease-ended")));
    assert.equal(b.state, "Succeeded", JSON.stringify(b.error));
    assert.ok(logs.some((l) => l.includes("request lease-ended-2 takes cluster") && l.includes("from request lease-ended-1: it has ended (Failed)")));
    assert.equal(await holder(id), undefined);
  });

  it("a crashed holder's lease is taken over once it expires (injected clock); the crashed request's end does not release the new holder's lease", async () => {
    const id = seedCluster(host, "aks-lease-crash");
    // A request whose first messages were lost (the sending invocation crashed): it stays Accepted
    // and never renews the lease it holds.
    host.bus.failSends((q, m) => q === QUEUES.steps && JSON.stringify(m.body).includes("lease-crash-ghost"), 1);
    assert.equal((await acceptRequest(host.deps, addSandboxPool("lease-crash-ghost", "aks-lease-crash"))).kind, "notStarted");
    const realNow = host.deps.now;
    const t0 = Date.now();
    await host.deps.leases.create({ clusterId: id, owner: "lease-crash-ghost", operation: "addSandboxPool", acquiredAt: new Date(t0 - 60_000).toISOString(), expiresAt: new Date(t0).toISOString() });
    // The app's clock an hour behind: the lease has not expired yet.
    host.deps.now = () => new Date(Date.now() - 3600_000);
    stopArmClock();
    try {
      const next = await accept(enableIsolation("lease-crash-next", "aks-lease-crash"));
      const queued = await queuedBehind(next);
      assertQueued(queued, "lease-crash-ghost", "addSandboxPool", "aks-lease-crash");
      // An hour later: the lease has expired and is taken over.
      host.deps.now = realNow;
      await waitUntil(async () => (await holder(id)) === next);
      const lease = (await host.deps.leases.get(id))!;
      assert.equal(lease.takenOverFrom, "lease-crash-ghost");
      // The crashed request is canceled (it ends): its lease is no longer its own to release.
      const canceled = await cancelRequest(host.deps, "lease-crash-ghost");
      assert.equal(canceled.kind === "canceling" && canceled.status.state, "Canceled");
      assert.equal(await holder(id), next, "another owner's lease is never released");
      startArmClock();
      const done = await waitForRequest(host, next);
      assert.equal(done.state, "Succeeded", JSON.stringify(done.error));
      assert.equal(await holder(id), undefined);
      assert.deepEqual(clusterWrites(id), ["PUT cluster (Cache)", upgradeOf("system"), upgradeOf("user")]);
    } finally {
      host.deps.now = realNow;
      startArmClock();
    }
  });

  it("a wait beyond the limit fails the step with the reason, having written nothing", async () => {
    const id = seedCluster(host, "aks-lease-long");
    const t0 = Date.now();
    await host.deps.leases.create({ clusterId: id, owner: "lease-long-holder", operation: "upgradeNodeImages", acquiredAt: new Date(t0).toISOString(), expiresAt: new Date(t0 + 3600_000).toISOString() });
    // The holder is a running request (its upgrade stays in progress: the ARM clock stands still).
    stopArmClock();
    const running = await accept({ operation: "upgradeNodeImages", requestId: "lease-long-holder", cluster: cluster("aks-lease-long") });
    const saved = host.deps.settings.leaseMaxWaitMs;
    host.deps.settings.leaseMaxWaitMs = 0;
    try {
      const waiter = await ended(await accept(addSandboxPool("lease-long-waiter", "aks-lease-long")));
      assert.equal(waiter.state, "Failed");
      assert.equal(waiter.error?.details?.[0]?.code, "ClusterLeaseWaitTimedOut");
      assert.match(waiter.error!.message, /for request lease-long-holder, which holds cluster aks-lease-long/);
      assert.ok(waiter.steps.every((s) => s.armWrites === 0));
    } finally {
      host.deps.settings.leaseMaxWaitMs = saved;
      startArmClock();
    }
    assert.equal((await waitForRequest(host, running)).state, "Succeeded");
  });
});
