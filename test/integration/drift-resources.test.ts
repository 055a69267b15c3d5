// Keeping what a request made: the registry, its private endpoint, the privatelink.azurecr.io zone,
// link and records, and the role assignments of a network-isolated cluster with a BYO registry are
// held with the cluster. A person deletes or changes one straight in ARM; the event about it (or the
// sweep) shows the drift with desired and actual values, and with driftPolicy "restore" the request
// that made it comes back, narrowed to the steps that make it (onlySteps), once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { clusterStatus } from "../../src/app/cluster-status.js";
import { sweepDrift } from "../../src/app/drift.js";
import type { DriftEntry } from "../../src/domain/desired-state.js";
import type { HeldResource } from "../../src/domain/held-resources.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost, waitForRequest } from "../helpers/local.js";
import { postEvents, resourceEvent } from "../helpers/clusters.js";
import { SUB } from "../helpers/examples.js";
import { personInArm } from "../helpers/person-in-arm.js";

const RG = "rg-held";
const idOf = (name: string) => `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ContainerService/managedClusters/${name}`;

function byoCreate(name: string, extra: Record<string, unknown> = {}) {
  return {
    operation: "create",
    requestId: `create-${name}`,
    cluster: { subscriptionId: SUB, resourceGroup: RG, name, location: "westus2", kubernetesVersion: "1.30.3" },
    networkIsolation: { outboundType: "none", registry: { mode: "byo", name: `acr${name.replace(/-/g, "")}01` } },
    network: { vnetName: `vnet-${name}`, addressPrefixes: ["192.168.0.0/16"], subnets: { nodes: "192.168.1.0/24", registry: "192.168.2.0/24" } },
    identities: { controlPlane: `id-${name}-cp`, kubelet: `id-${name}-kubelet` },
    nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: 1 }],
    ...extra,
  };
}

describe("drift of held resources: what a request made, seen and made again", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0 })));
  after(async () => host.close());

  const { arm, deleteResource, changeResource } = personInArm(() => host, idOf);
  const doc = async (name: string) => (await clusterStatus(host.deps, SUB, RG, name))!;
  const held = async (name: string) => Object.fromEntries(((await doc(name)).desired?.resources ?? []).map((r: HeldResource) => [r.step, r.resourceId]));
  const driftOf = async (name: string) => Object.fromEntries((await doc(name)).drift.map((e: DriftEntry) => [e.setting, e]));
  const restoreRequests = async () =>
    Promise.all((await host.deps.requests.listRequests(undefined, 1000)).rows.filter((r) => r.id.startsWith("restore-")).map(async (r) => (await host.deps.requests.getRequest(r.id))!));

  it("a create holds the resources the procedure makes, each by its step", async () => {
    const created = await provision(host, byoCreate("held-a"));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    const h = await held("held-a");
    assert.deepEqual(Object.keys(h).sort(), ["dns:record:data", "dns:record:registry", "dns:vnetLink", "dns:zone", "registry", "registry:privateEndpoint", "role:acrPull:kubelet", "role:managedIdentityOperator:kubelet", "role:networkContributor:nodesSubnet"].sort());
    assert.match(h["dns:record:registry"], /\/privateDnsZones\/privatelink\.azurecr\.io\/A\/acrhelda01$/);
    assert.match(h["role:acrPull:kubelet"], /\/registries\/acrhelda01\/providers\/Microsoft\.Authorization\/roleAssignments\/[0-9a-f-]{36}$/);
    assert.deepEqual((await doc("held-a")).drift, []);
  });

  it("a deleted A record, a deleted AcrPull assignment and the registry's public access turned on: each event reads only that resource and records its drift, no write", async () => {
    const h = await held("held-a");
    await deleteResource(h["dns:record:registry"]);
    await deleteResource(h["role:acrPull:kubelet"]);
    await changeResource(h.registry, (p) => (p.publicNetworkAccess = "Enabled"));
    const before = host.standIn!.requests.length;
    const writesBefore = armWrites(host).length;
    await postEvents(host, resourceEvent(h["dns:record:registry"], "Delete"));
    const afterOne = host.standIn!.requests.slice(before);
    assert.deepEqual(afterOne.map((r) => `${r.method} ${r.path}`), [`GET ${h["dns:record:registry"]}`], "one ARM read of the resource the event names");
    await postEvents(host, resourceEvent(h["role:acrPull:kubelet"], "Delete"));
    await postEvents(host, resourceEvent(h.registry, "Write"));
    assert.equal(armWrites(host).length, writesBefore, "report policy: nothing written");

    const drift = await driftOf("held-a");
    assert.deepEqual(Object.keys(drift).sort(), ["resource[dns:record:registry]", "resource[registry]", "resource[role:acrPull:kubelet]"]);
    assert.deepEqual([drift["resource[dns:record:registry]"].desired, drift["resource[dns:record:registry]"].actual], ["present", null]);
    assert.equal(drift["resource[dns:record:registry]"].resourceId, h["dns:record:registry"]);
    assert.deepEqual([drift["resource[registry]"].desired, drift["resource[registry]"].actual], [{ publicNetworkAccess: "Disabled" }, { publicNetworkAccess: "Enabled" }]);
    assert.ok(Object.values(drift).every((e) => e.via === "event"));
  });

  it("a deleted private endpoint without an event is found by the sweep; a resource nobody holds makes no read", async () => {
    const h = await held("held-a");
    await deleteResource(h["registry:privateEndpoint"]);
    const swept = await sweepDrift(host.deps);
    assert.equal(swept.drifted, 1);
    const drift = await driftOf("held-a");
    assert.deepEqual([drift["resource[registry:privateEndpoint]"].actual, drift["resource[registry:privateEndpoint]"].via], [null, "sweep"]);
    assert.equal(drift["resource[dns:record:registry]"].via, "event", "entries already seen keep how they were seen");

    const before = host.standIn!.requests.length;
    const stranger = `/subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/A/someone-else`;
    await postEvents(host, resourceEvent(stranger, "Delete"));
    assert.equal(host.standIn!.requests.length, before, "an event about a resource no cluster holds reads nothing");
  });

  it("restore: a deleted A record and AcrPull assignment come back through one request of the create narrowed to those steps, with the writes of their clean run", async () => {
    const created = await provision(host, byoCreate("held-r", { driftPolicy: "restore" }));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    const h = await held("held-r");
    const cleanWrites = [`PUT ${h["dns:record:registry"]}`, `PUT ${h["role:acrPull:kubelet"]}`].sort();
    // The writes a clean run of those two steps made, as the create recorded them.
    assert.deepEqual(armWrites(host).filter((w) => cleanWrites.includes(w)).sort(), cleanWrites);
    await deleteResource(h["dns:record:registry"]);
    await deleteResource(h["role:acrPull:kubelet"]);
    const writesBefore = armWrites(host).length;
    // A storm: each event twice (Event Grid retries), then the sweep.
    for (const id of [h["dns:record:registry"], h["role:acrPull:kubelet"], h["dns:record:registry"], h["role:acrPull:kubelet"]]) await postEvents(host, resourceEvent(id, "Delete"));
    await sweepDrift(host.deps);
    await host.bus.whenIdle();
    const restores = await restoreRequests();
    assert.equal(restores.length, 2, JSON.stringify(restores.map((r) => [r.id, (r.body as { onlySteps?: string[] }).onlySteps])));
    for (const r of restores) {
      const done = await waitForRequest(host, r.id);
      assert.equal(done.state, "Succeeded", JSON.stringify(done.error));
      assert.equal((r.body as { operation: string }).operation, "create");
    }
    assert.deepEqual(restores.flatMap((r) => (r.body as { onlySteps: string[] }).onlySteps).sort(), ["dns:record:registry", "role:acrPull:kubelet"]);
    assert.deepEqual(armWrites(host).slice(writesBefore).sort(), cleanWrites, "exactly the PUTs that make them, nothing else");
    assert.equal((await arm("GET", h["dns:record:registry"])).status, 200);
    assert.equal((await arm("GET", h["role:acrPull:kubelet"])).status, 200);
    assert.deepEqual((await doc("held-r")).drift, [], "made again: the drift is cleared");
    assert.equal((await doc("held-r")).desired?.heldBy, "create-held-r", "a restore changes nothing of what is held");
  });
});
