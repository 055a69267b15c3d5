// Every held resource, one by one: a person deletes it straight in ARM; the event about it shows
// the drift (desired "present", actual null) and, with driftPolicy "restore", exactly one request
// makes it again with the writes its clean run made; deleted again with no event, one sweep finds it
// and the same happens. Done for a network-isolated cluster with a BYO registry and API server VNet
// integration, and for an Azure Arc private link.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { sweepDrift } from "../../src/app/drift.js";
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import type { DesiredState, DriftEntry } from "../../src/domain/desired-state.js";
import { resourceSetting } from "../../src/domain/held-resources.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost, waitForRequest } from "../helpers/local.js";
import { resourceEvent } from "../helpers/clusters.js";
import { QUEUES } from "../../src/app/queue.js";
import { EXAMPLES_DIR, example, SUB } from "../helpers/examples.js";
import { personInArm } from "../helpers/person-in-arm.js";
import { REQUEST_TAG } from "../../src/domain/contract.js";

interface Held {
  /** The row's key parts. */
  row: [string, string, string, "privateLinkScope"?];
  request: Record<string, unknown>;
  seed?: string;
}

const CASES: Record<string, Held> = {
  "network-isolated cluster, BYO registry, API server VNet integration": {
    row: [SUB, "rg-aks-byo", "aks-iso-byo"],
    request: { ...example("network-isolated-byo-acr-vnet-integration.json"), requestId: "every-byo", driftPolicy: "restore" },
  },
  "Azure Arc private link": {
    row: [SUB, "rg-arc", "pls-arc", "privateLinkScope"],
    request: { ...example("arc-private-link.json"), requestId: "every-arc", driftPolicy: "restore" },
    seed: "arc-private-link.seed.json",
  },
};

// Parents whose deletion takes children with them are left out of the one-by-one rounds: a deleted
// zone takes its records, an endpoint its zone group (the last test: what one check finds comes back
// by one restore naming all their steps).
const PARENTS = new Set(["registry", "dns:zone", "arc:scope", "arc:privateEndpoint", ...["privatelink.his.arc.azure.com", "privatelink.guestconfiguration.azure.com", "privatelink.dp.kubernetesconfiguration.azure.com"].map((z) => `arc:dns:zone:${z}`)]);

/** The event delivered as Event Grid does; what it queues is left on its queue. */
async function deliverEvent(host: LocalHost, body: unknown): Promise<void> {
  const res = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=clusterEvents`, { method: "POST", headers: { "content-type": "application/json", "aeg-event-type": "Notification" }, body: JSON.stringify(body) });
  assert.ok(res.ok, String(res.status));
}

for (const [title, held] of Object.entries(CASES)) {
  describe(`every held resource of a ${title}: deleted, seen, made again`, () => {
    let host: LocalHost;
    let resources: DesiredState["resources"] = [];
    let cleanWrites: string[] = [];
    before(async () => {
      host = await startTestHost({ httpPort: 0 });
      if (held.seed) for (const r of JSON.parse(readFileSync(path.join(EXAMPLES_DIR, held.seed), "utf8"))) host.standIn!.seed(r);
      const done = await provision(host, held.request);
      assert.equal(done.state, "Succeeded", JSON.stringify(done.error));
      await host.bus.whenIdle();
      cleanWrites = armWrites(host);
      resources = (JSON.parse((await row())!.desired!) as DesiredState).resources!.filter((r) => !PARENTS.has(r.step));
    });
    after(async () => host.close());

    const row = () => host.deps.clusters.get(...held.row);
    const entryOf = async (step: string) => (JSON.parse((await row())?.drift ?? "[]") as DriftEntry[]).find((e) => e.setting === resourceSetting(step));
    const { arm, deleteResource } = personInArm(() => host, () => "");
    const restores = async () => (await host.deps.requests.listRequests(undefined, 1000)).rows.filter((r) => r.id.startsWith("restore-")).map((r) => r.id);

    it("holds more than a handful of them", () => assert.ok(resources!.length >= 8, JSON.stringify(resources)));

    for (const via of ["event", "sweep"] as const) {
      it(`each deleted, found by ${via === "event" ? "its event" : "one sweep"}, restored by one request with its clean run's writes`, async () => {
        for (const r of resources!) {
          const put = `PUT ${r.resourceId}`.toLowerCase();
          const clean = cleanWrites.filter((w) => w.toLowerCase() === put);
          assert.ok(clean.length >= 1, `${r.step}: the clean run wrote it`);
          await deleteResource(r.resourceId);
          const queuedBefore = await restores();
          const writes = armWrites(host).length;
          // The restore waits on its queue while the drift is looked at: then it may run.
          host.bus.pause(QUEUES.upgrades);
          if (via === "event") await deliverEvent(host, resourceEvent(r.resourceId, "Delete"));
          else await sweepDrift(host.deps);
          const entry = await entryOf(r.step);
          assert.deepEqual([entry?.desired, entry?.actual, entry?.via, entry?.resourceId], ["present", null, via, r.resourceId], r.step);
          assert.deepEqual(await restores(), queuedBefore, `${r.step}: not yet a request while its message waits`);
          assert.match(entry?.restore ?? "", /^queued restore-/);
          host.bus.resume(QUEUES.upgrades);
          await host.bus.whenIdle();
          const made = (await restores()).filter((id) => !queuedBefore.includes(id));
          assert.deepEqual(made, [entry!.restore!.slice("queued ".length)], `${r.step}: one restore`);
          const done = await waitForRequest(host, made[0]);
          assert.equal(done.state, "Succeeded", `${r.step}: ${JSON.stringify(done.error)}`);
          await host.bus.whenIdle();
          assert.deepEqual(armWrites(host).slice(writes).map((w) => w.toLowerCase()), [put], `${r.step}: the write of its clean run, nothing else`);
          assert.equal(await entryOf(r.step), undefined, `${r.step}: drift cleared`);
        }
      });
    }

    it("a deleted parent takes its children: parent and children come back through one restore per check, each written once", async () => {
      const all = (JSON.parse((await row())!.desired!) as DesiredState).resources!;
      const parent = all.find((r) => r.step === (held.row[3] ? "arc:privateEndpoint" : "dns:zone"))!;
      const family = all.filter((r) => r.resourceId.toLowerCase().startsWith(`${parent.resourceId.toLowerCase()}/`) || r === parent);
      assert.ok(family.length >= 2, JSON.stringify(family));
      // ARM refuses to delete a zone that still has VNet links: a person removes those first.
      const links = family.filter((r) => /\/virtualNetworkLinks\//i.test(r.resourceId));
      for (const l of links) await deleteResource(l.resourceId);
      await deleteResource(parent.resourceId);
      const before = await restores();
      const writes = armWrites(host).length;
      for (const gone of [...links, parent]) await deliverEvent(host, resourceEvent(gone.resourceId, "Delete"));
      await host.bus.whenIdle();
      // One restore per check (per event here), naming every step it found drifted.
      const made = (await restores()).filter((id) => !before.includes(id));
      assert.equal(made.length, links.length + 1, JSON.stringify(made));
      const steps = await Promise.all(made.map(async (id) => ((await host.deps.requests.getRequest(id))!.body as { onlySteps: string[] }).onlySteps));
      assert.deepEqual(steps.flat().sort(), family.map((r) => r.step).sort());
      for (const id of made) assert.equal((await waitForRequest(host, id)).state, "Succeeded", id);
      await host.bus.whenIdle();
      assert.deepEqual(armWrites(host).slice(writes).map((w) => w.toLowerCase()).sort(), family.map((r) => `put ${r.resourceId}`.toLowerCase()).sort());
      assert.equal((await row())!.drift, undefined, "nothing left drifted");
    });

    it("what the restores made is the request's: tagged with its id and removed by its delete; a restore queued before that delete does not run", async () => {
      const all = (JSON.parse((await row())!.desired!) as DesiredState).resources!;
      const requestId = held.request.requestId as string;
      // Every held resource has been made again by a restore by now (the tests above).
      const tagged = (await Promise.all(all.map(async (r) => [r.step, (await arm("GET", r.resourceId)).body?.tags] as const))).filter(([, tags]) => tags);
      assert.ok(tagged.length >= 3, JSON.stringify(tagged));
      for (const [step, tags] of tagged) assert.equal(tags[REQUEST_TAG], requestId, `${step}: tagged as the request's, not the restore's`);

      // One restored twice so far (once per round above): the give-up rule still lets it come back.
      const gone = resources!.find((r) => !/\/(privateDnsZones|privateEndpoints)\//i.test(r.resourceId))!;
      await deleteResource(gone.resourceId);
      host.bus.pause(QUEUES.upgrades);
      await deliverEvent(host, resourceEvent(gone.resourceId, "Delete"));
      const queued = (await entryOf(gone.step))!.restore!.slice("queued ".length);
      // Its restore still waits on its queue while the delete runs to its end.
      const finished = host.nextFinish(`${requestId}-delete`);
      await acceptRequest(host.deps, { operation: "delete", requestId: `${requestId}-delete`, deletes: requestId, confirm: true });
      await finished;
      const deleted = (await statusOf(host.deps, `${requestId}-delete`))!;
      assert.equal(deleted.state, "Succeeded", JSON.stringify(deleted.steps.filter((x) => x.state !== "Succeeded")));
      const writes = armWrites(host).length;
      host.bus.resume(QUEUES.upgrades);
      await host.bus.whenIdle();
      const restore = (await host.deps.requests.getRequest(queued))!;
      assert.equal(restore.state, "Rejected");
      assert.match(restore.error!.details![0].message, /no drift of what request .* made waits for this restore any more/);
      assert.deepEqual(armWrites(host).slice(writes), [], "the restore made nothing again");
      const left = (await Promise.all(all.map(async (r) => [r.step, (await arm("GET", r.resourceId)).status] as const))).filter(([, status]) => status !== 404);
      assert.deepEqual(left, [], "the delete removed every held resource, those made again by restores included");
      assert.equal((await row())?.desired ? (JSON.parse((await row())!.desired!) as DesiredState).resources : undefined, undefined, "nothing of it is held");
    });
  });
}
