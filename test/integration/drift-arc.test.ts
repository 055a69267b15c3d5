// Keeping an Azure Arc private link right: what an arcPrivateLink request made (the private link
// scope, its private endpoint and DNS zone group, the three zones and their VNet links, the NSG
// rules 150–153) is held with the scope, which has no cluster of its own. A person removes an NSG
// rule or turns the scope's public access on straight in ARM: the event (or the sweep) shows it,
// and with driftPolicy "restore" the request comes back narrowed to the step that makes it. A delete
// of the request releases what it made: its own deletes are not drift.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { heldClusters, sweepDrift } from "../../src/app/drift.js";
import { clusterStatus } from "../../src/app/cluster-status.js";
import type { DriftEntry, DesiredState } from "../../src/domain/desired-state.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost, waitForRequest } from "../helpers/local.js";
import { postEvents, resourceEvent } from "../helpers/clusters.js";
import { EXAMPLES_DIR, example, SUB } from "../helpers/examples.js";
import { personInArm } from "../helpers/person-in-arm.js";
import { QUEUES } from "../../src/app/queue.js";

const SCOPE = `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/privateLinkScopes/pls-arc`;
const NSG = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-onprem-egress`;
const RULE_151 = `${NSG}/securityRules/AllowAzOutboundAccess`;
const PE = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network/privateEndpoints/pe-arc`;

async function seededHost(): Promise<LocalHost> {
  const host = await startTestHost({ httpPort: 0 });
  for (const r of JSON.parse(readFileSync(path.join(EXAMPLES_DIR, "arc-private-link.seed.json"), "utf8"))) host.standIn!.seed(r);
  return host;
}

describe("drift of an Azure Arc private link", () => {
  let host: LocalHost;
  before(async () => (host = await seededHost()));
  after(async () => host.close());

  const { arm, deleteResource, changeResource } = personInArm(() => host, () => SCOPE);
  const row = () => host.deps.clusters.get(SUB, "rg-arc", "pls-arc", "privateLinkScope");
  const desired = async () => JSON.parse((await row())?.desired ?? "null") as DesiredState | null;
  const drift = async () => Object.fromEntries((JSON.parse((await row())?.drift ?? "[]") as DriftEntry[]).map((e) => [e.setting, e]));
  const restoreRequests = async () => (await host.deps.requests.listRequests(undefined, 1000)).rows.filter((r) => r.id.startsWith("restore-"));

  it("the request holds the scope, endpoint, zone group, zones, links and NSG rules it made, on a row of the scope", async () => {
    const done = await provision(host, { ...example("arc-private-link.json"), requestId: "arc-1", driftPolicy: "restore" });
    assert.equal(done.state, "Succeeded", JSON.stringify(done.error));
    const held = (await desired())!;
    const steps = held.resources!.map((r) => r.step).sort();
    assert.ok(steps.includes("arc:scope") && steps.includes("arc:privateEndpoint") && steps.includes("arc:dns:zoneGroup"), steps.join());
    assert.equal(steps.filter((s) => s.startsWith("arc:dns:zone:")).length, 3);
    assert.equal(steps.filter((s) => s.startsWith("arc:dns:link:")).length, 3);
    assert.ok(steps.filter((s) => s.startsWith("arc:nsg:")).length >= 4, steps.join());
    assert.ok(!steps.some((s) => s.startsWith("arc:associate:") || s.startsWith("arc:check")), "reads and associations are not held resources");
    assert.deepEqual([held.policy, held.heldBy], ["restore", "arc-1"]);
    const listed = await heldClusters(host.deps);
    assert.ok(listed.some((c) => c.id === SCOPE), "listed with the held clusters, by the scope's id");
    assert.equal(await host.deps.clusters.get(SUB, "rg-arc", "pls-arc"), undefined, "not a cluster's row");
  });

  it("an NSG rule removed by hand: its event reads that rule, records the drift and restores it through one request narrowed to its step", async () => {
    assert.equal((await arm("GET", RULE_151)).status, 200);
    await deleteResource(RULE_151);
    const reads = host.standIn!.requests.length;
    const writes = armWrites(host).length;
    // A storm: the same change announced three times.
    for (let i = 0; i < 3; i++) await postEvents(host, resourceEvent(RULE_151, "Delete"));
    assert.ok(host.standIn!.requests.slice(reads).some((r) => r.method === "GET" && r.path.toLowerCase() === RULE_151.toLowerCase()));
    const restores = await restoreRequests();
    assert.equal(restores.length, 1, JSON.stringify(restores));
    const restore = (await host.deps.requests.getRequest(restores[0].id))!;
    assert.deepEqual([(restore.body as { operation: string }).operation, (restore.body as { onlySteps?: string[] }).onlySteps], ["arcPrivateLink", ["arc:nsg:AllowAzOutboundAccess"]]);
    assert.equal((await waitForRequest(host, restore.id)).state, "Succeeded");
    assert.deepEqual(armWrites(host).slice(writes), [`PUT ${RULE_151}`], "the one write a clean run of that step makes");
    assert.equal((await arm("GET", RULE_151)).body.properties.priority, 151);
    assert.deepEqual(await drift(), {}, "made again: no drift left");
  });

  it("sent again with driftPolicy report, nothing is written; the scope's public access then turned on without an event is found by the sweep, reading only the held resources", async () => {
    // The policy changed by sending the request again: everything is found in place, nothing written,
    // and what was made stays the first request's.
    const writes = armWrites(host).length;
    const again = await provision(host, { ...example("arc-private-link.json"), requestId: "arc-1-report", driftPolicy: "report" });
    assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
    assert.equal(armWrites(host).length, writes, "sent again: no write");
    assert.equal((await desired())!.policy, "report");
    assert.ok((await desired())!.resources!.every((r) => r.requestId === "arc-1"));
    await changeResource(SCOPE, (p) => (p.publicNetworkAccess = "Enabled"));
    const before = host.standIn!.requests.length;
    const swept = await sweepDrift(host.deps);
    await host.bus.whenIdle();
    const gets = host.standIn!.requests.slice(before).filter((r) => r.method === "GET");
    assert.ok(!gets.some((r) => /managedClusters/i.test(r.path)), "a scope has no cluster to read");
    assert.equal(swept.reads, (await desired())!.resources!.length);
    const entry = (await drift())["resource[arc:scope]"];
    assert.deepEqual([entry?.desired, entry?.actual, entry?.via], [{ properties: { publicNetworkAccess: "Disabled" } }, { properties: { publicNetworkAccess: "Enabled" } }, "sweep"]);
    const doc = (await clusterStatus(host.deps, SUB, "rg-arc", "pls-arc"))!;
    assert.deepEqual([doc.id, doc.drift.map((e) => e.setting)], [SCOPE, ["resource[arc:scope]"]], "the document under the scope's name shows it");
  });

  it("a delete of the request releases what it made as it starts: its own deletes are not drift, no restore is queued", async () => {
    const restoresBefore = (await restoreRequests()).length;
    // The scope refuses: the request fails after the endpoint (which the scope's delete waits for) is gone.
    host.standIn!.addFault({ method: "DELETE", path: /\/privateLinkScopes\/pls-arc$/, status: 400, code: "InvalidRequest", message: "refused for the test" });
    const done = await provision(host, { operation: "delete", requestId: "arc-1-delete", deletes: "arc-1", confirm: true });
    assert.equal(done.state, "Failed", JSON.stringify(done.steps));
    assert.equal((await arm("GET", PE)).status, 404, "the delete removed the endpoint");
    const reads = host.standIn!.requests.length;
    await postEvents(host, resourceEvent(PE, "Delete"));
    await sweepDrift(host.deps);
    await host.bus.whenIdle();
    assert.equal(host.standIn!.requests.length, reads, "nobody holds them any more: nothing read");
    assert.equal(await row(), undefined, "the scope's row holds nothing: it is gone");
    assert.equal((await restoreRequests()).length, restoresBefore);
  });
});

describe("a later request that changes what an earlier one made", () => {
  let host: LocalHost;
  before(async () => (host = await seededHost()));
  after(async () => host.close());
  const { changeResource } = personInArm(() => host, () => SCOPE);
  const row = () => host.deps.clusters.get(SUB, "rg-arc", "pls-arc", "privateLinkScope");
  const held = async () => (JSON.parse((await row())!.desired!) as DesiredState).resources!;
  const drift = async () => JSON.parse((await row())?.drift ?? "[]") as DriftEntry[];

  it("takes over the resource it wrote: its body is what the resource must be; what it found in place stays the first one's", async () => {
    const first = example("arc-private-link.json");
    assert.equal((await provision(host, { ...first, requestId: "arc-first", driftPolicy: "restore" })).state, "Succeeded");
    const writes = armWrites(host).length;
    const second = await provision(host, { ...first, scope: { ...first.scope, publicNetworkAccess: true }, requestId: "arc-public", driftPolicy: "restore" });
    assert.equal(second.state, "Succeeded", JSON.stringify(second.error));
    assert.deepEqual(armWrites(host).slice(writes), [`PUT ${SCOPE}`], "the scope changed on purpose, nothing else written");
    const owners = Object.fromEntries((await held()).map((r) => [r.step, r.requestId]));
    assert.equal(owners["arc:scope"], "arc-public");
    assert.ok(Object.entries(owners).every(([step, id]) => step === "arc:scope" || id === "arc-first"), JSON.stringify(owners));

    await sweepDrift(host.deps);
    await host.bus.whenIdle();
    assert.deepEqual(await drift(), [], "the change asked for is not drift, and nothing puts the first body back");
    assert.ok(!(await host.deps.requests.listRequests(undefined, 1000)).rows.some((r) => r.id.startsWith("restore-")));

    await changeResource(SCOPE, (p) => (p.publicNetworkAccess = "Disabled"));
    host.bus.pause(QUEUES.upgrades);
    await sweepDrift(host.deps);
    const entry = (await drift()).find((e) => e.setting === "resource[arc:scope]");
    assert.deepEqual([entry?.desired, entry?.actual], [{ properties: { publicNetworkAccess: "Enabled" } }, { properties: { publicNetworkAccess: "Disabled" } }], "judged by the later body");
    host.bus.resume(QUEUES.upgrades);
    await host.bus.whenIdle();
    assert.equal((await row())!.drift, undefined, "restored to the later body");
  });
});
