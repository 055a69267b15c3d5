// `delete` end to end on the ARM stand-in: for every example that creates resources, create, then
// delete → the stand-in holds nothing the create made and everything it did not (resources loaded
// before, a second cluster in the same VNet and zone, another VNet linked to a zone); a second
// delete writes nothing. And the requests a delete refuses, with field paths and no ARM write.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { acceptRequest, whatIf } from "../../src/app/accept.js";
import type { StatusDocument } from "../../src/app/status.js";
import { parseAllowedScopes } from "../../src/domain/scopes.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, provision, startTestHost, waitForRequest } from "../helpers/local.js";
import { example, exampleNames, EXAMPLES_DIR, SUB } from "../helpers/examples.js";

const lc = (s: string) => s.toLowerCase();
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;

/** Every resource id the stand-in holds (lower case: ARM ids are case-insensitive). */
const inventory = (host: LocalHost): Set<string> => new Set(host.standIn!.list("/").map((r: { id: string }) => lc(r.id)));
const minus = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => !b.has(x)));
const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]));
const sorted = (s: Set<string>) => [...s].sort();

const seedFileOf = (name: string) => path.join(EXAMPLES_DIR, name.replace(/\.json$/, ".seed.json"));
const seedExample = (host: LocalHost, name: string) => {
  if (existsSync(seedFileOf(name))) for (const r of JSON.parse(readFileSync(seedFileOf(name), "utf8"))) host.standIn!.seed(r);
};
const deleteOf = (createId: string, requestId: string) => ({ operation: "delete", requestId, deletes: createId, confirm: true });

/**
 * What each example's test adds beside the create, and which of the create's resources the delete
 * must then keep (they are shared with what was added).
 */
interface Neighbours {
  /** Loaded before the create (the create finds them, so they are not its own). */
  before?(host: LocalHost): void;
  /** Added after the create: a second cluster in the same VNet and zone, another VNet on a zone … */
  after?(host: LocalHost): Promise<void>;
  /** The create's resources that the added ones still use: kept by the delete. */
  shared: string[];
}

const BYO_RG = rg("rg-aks-byo");
const BYO_VNET = `${BYO_RG}/providers/Microsoft.Network/virtualNetworks/vnet-aks`;
const BYO_ZONE = `${BYO_RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const ARC_ZONE = `${rg("rg-net")}/providers/Microsoft.Network/privateDnsZones/privatelink.his.arc.azure.com`;

const NEIGHBOURS: Record<string, Neighbours> = {
  // An identity someone made in the cluster's resource group before: the group is not the create's.
  "network-isolated-managed-acr.json": {
    before(host) {
      host.standIn!.seed({ id: rg("rg-aks-iso"), location: "westus2" });
      host.standIn!.seed({ id: `${rg("rg-aks-iso")}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-someone-else`, location: "westus2" });
    },
    shared: [],
  },
  // Another cluster put into the group the create made: the group stays.
  "pod-sandboxing.json": {
    async after(host) {
      host.standIn!.seed({
        id: `${rg("myResourceGroup")}/providers/Microsoft.ContainerService/managedClusters/other-cluster`,
        location: "westus2",
        identity: { type: "SystemAssigned" },
        properties: { dnsPrefix: "other", agentPoolProfiles: [{ name: "system", mode: "System", count: 1, vmSize: "Standard_D4s_v3" }] },
      });
    },
    shared: [rg("myResourceGroup")],
  },
  // A second cluster, with its own registry and identities, in the same VNet, subnets and zone.
  "network-isolated-byo-acr-vnet-integration.json": {
    async after(host) {
      const first = example("network-isolated-byo-acr-vnet-integration.json");
      const second = {
        ...first,
        requestId: "second-byo-cluster",
        cluster: { ...first.cluster, name: "aks-iso-byo-2" },
        networkIsolation: { ...first.networkIsolation, registry: { ...first.networkIsolation.registry, name: "acrisolatedbyo02" } },
        identities: { controlPlane: "id-aks-cp-2", kubelet: "id-aks-kubelet-2" },
      };
      const s = await provision(host, second);
      assert.equal(s.state, "Succeeded", JSON.stringify(s.error));
    },
    shared: [BYO_RG, BYO_VNET, `${BYO_VNET}/subnets/snet-nodes`, `${BYO_VNET}/subnets/snet-registry`, `${BYO_VNET}/subnets/snet-apiserver`, BYO_ZONE, `${BYO_ZONE}/virtualNetworkLinks/link-vnet-aks`],
  },
  // Another VNet linked to one of the Arc zones: that zone stays (its link from the hub VNet goes).
  "arc-private-link.json": {
    async after(host) {
      const spoke = `${rg("rg-net")}/providers/Microsoft.Network/virtualNetworks/vnet-spoke`;
      host.standIn!.seed({ id: spoke, location: "eastus", properties: { addressSpace: { addressPrefixes: ["10.20.0.0/16"] } } });
      host.standIn!.seed({ id: `${ARC_ZONE}/virtualNetworkLinks/link-spoke`, location: "global", properties: { virtualNetwork: { id: spoke }, registrationEnabled: false } });
    },
    shared: [ARC_ZONE],
  },
};

const creating = exampleNames().filter((n) => ["create", "arcPrivateLink"].includes(example(n).operation));

describe("delete removes what a request created, and nothing else", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("covers every example that creates resources", () => {
    assert.deepEqual(creating.sort(), Object.keys(NEIGHBOURS).sort());
  });

  for (const name of creating) {
    it(`${name}: create, then delete → only what the create made is gone; a second delete writes nothing`, async () => {
      const n = NEIGHBOURS[name];
      seedExample(host, name);
      n.before?.(host);
      const beforeCreate = inventory(host);

      const created = await provision(host, example(name));
      assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
      if (example(name).operation === "create") assert.ok(await host.deps.clusters.get(SUB, example(name).cluster.resourceGroup, example(name).cluster.name), "the create noted its cluster");
      const afterCreate = inventory(host);
      await n.after?.(host);
      const added = minus(inventory(host), afterCreate);
      const shared = new Set(n.shared.map(lc));
      for (const id of shared) assert.ok(afterCreate.has(id) && !beforeCreate.has(id), `${id} is one of the create's resources`);

      // whatIf first: the exact list, each resource's fate as the delete then decides it.
      const beforePreview = armWrites(host).length;
      const preview = await whatIf(deleteOf(created.id, `delete-${created.id}`), { allowedScopes: host.deps.settings.allowedScopes }, host.deps);
      assert.ok(preview.ok);
      const fate = (action: string) => new Set((preview.plan.deletes ?? []).filter((d) => d.action === action).map((d) => lc(d.resourceId!)));
      assert.deepEqual(armWrites(host).slice(beforePreview), [], "whatIf writes nothing");

      // The cluster answers 409 busy once: retried, not failed.
      const hasCluster = example(name).operation === "create";
      if (hasCluster) host.standIn!.addFault({ method: "DELETE", path: /\/managedClusters\/[^/]+$/, status: 409, code: "OperationNotAllowed", message: "Operation is not allowed because there's an in progress operation", times: 1 });
      const deleted = await provision(host, deleteOf(created.id, `delete-${created.id}`));
      assert.equal(deleted.state, "Succeeded", JSON.stringify(deleted.error));
      if (hasCluster) assert.equal(deleted.steps.find((s) => /managedClusters\/[^/]+$/.test(s.resourceId ?? ""))!.attempts, 2);
      // The app forgets the deleted cluster (events and the node-image timer act on known clusters).
      if (hasCluster) {
        const { resourceGroup, name: cluster } = example(name).cluster;
        assert.equal(await host.deps.clusters.get(SUB, resourceGroup, cluster), undefined);
      }
      assert.deepEqual(sorted(new Set(((deleted.outputs?.deleted ?? []) as string[]).map(lc))), sorted(fate("delete")));
      assert.deepEqual(sorted(fate("keep")), sorted(shared));
      assert.deepEqual(sorted(inventory(host)), sorted(union(beforeCreate, added, shared)));
      // What it kept is reported, each with its reason.
      const kept = (deleted.outputs?.kept ?? []) as { id: string; reason: string }[];
      assert.deepEqual(sorted(new Set(kept.map((k) => lc(k.id)))), sorted(shared));
      for (const k of kept) assert.match(k.reason, /\S/);

      const writesBefore = armWrites(host).length;
      const again = await provision(host, deleteOf(created.id, `delete-again-${created.id}`));
      assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
      assert.deepEqual(armWrites(host).slice(writesBefore), []);
      assert.equal(again.steps.reduce((sum, s) => sum + s.armWrites, 0), 0);
    });
  }

  it("arc-private-link: the connected cluster stays, its association undone", () => {
    const cluster = host.standIn!.get(`${rg("rg-arc")}/providers/Microsoft.Kubernetes/connectedClusters/onprem-k8s-01`);
    assert.ok(cluster);
    assert.equal(cluster.properties.privateLinkState, "Disabled");
    assert.equal(cluster.properties.privateLinkScopeResourceId, undefined);
  });
});

describe("delete refuses, with field paths and no ARM write", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  /** `others`: another request is running meanwhile; then only the delete's own writes (DELETEs) must be absent. */
  const refused = async (raw: unknown, others = false): Promise<StatusDocument> => {
    const writesBefore = armWrites(host).length;
    const outcome = await acceptRequest(host.deps, raw);
    assert.equal(outcome.kind, "rejected");
    assert.equal(outcome.status.state, "Rejected");
    assert.deepEqual(outcome.status.steps, []);
    if (!others) {
      await host.bus.whenIdle();
      assert.deepEqual(armWrites(host).slice(writesBefore), []);
    } else assert.deepEqual(armWrites(host).slice(writesBefore).filter((w) => w.startsWith("DELETE")), []);
    return outcome.status;
  };
  const paths = (s: StatusDocument) => (s.error?.details ?? []).map((d) => d.path);
  const messages = (s: StatusDocument) => (s.error?.details ?? []).map((d) => d.message).join(" ");

  it("an unknown request id", async () => {
    const s = await refused(deleteOf("no-such-request", "del-unknown"));
    assert.deepEqual(paths(s), ["deletes"]);
    assert.match(messages(s), /no request with id 'no-such-request'/);
  });

  it("the id of a rejected request", async () => {
    const bad = await acceptRequest(host.deps, { operation: "create", requestId: "rejected-create", cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "x" } });
    assert.equal(bad.kind, "rejected");
    const s = await refused(deleteOf("rejected-create", "del-rejected"));
    assert.deepEqual(paths(s), ["deletes"]);
    assert.match(messages(s), /was rejected/);
  });

  it("an operation on an existing cluster: no undo, the reversing operation named", async () => {
    seedExample(host, "enable-network-isolation.json");
    const enable = await provision(host, { ...example("enable-network-isolation.json"), requestId: "enable-existing" });
    assert.equal(enable.state, "Succeeded", JSON.stringify(enable.error));
    const s = await refused(deleteOf("enable-existing", "del-existing"));
    assert.deepEqual(paths(s), ["deletes"]);
    assert.match(messages(s), /delete is not an undo.*disableNetworkIsolation/);
  });

  it("a missing confirmation", async () => {
    const s = await refused({ operation: "delete", requestId: "del-unconfirmed", deletes: "enable-existing" });
    assert.deepEqual(paths(s), ["confirm"]);
    assert.match(messages(s), /must be true/);
  });

  it("a request that deletes itself", async () => {
    const s = await refused(deleteOf("del-self", "del-self"));
    assert.deepEqual(paths(s), ["deletes"]);
  });

  it("while the request it deletes is still running (then, once it has finished, it deletes)", async () => {
    const create = { ...example("pod-sandboxing.json"), requestId: "still-running", cluster: { ...example("pod-sandboxing.json").cluster, resourceGroup: "rg-running" } };
    const accepted = await acceptRequest(host.deps, create);
    assert.equal(accepted.kind, "accepted");
    const s = await refused(deleteOf("still-running", "del-too-early"), true);
    assert.deepEqual(paths(s), ["deletes"]);
    assert.match(messages(s), /is still (Accepted|Running)/);
    assert.equal((await waitForRequest(host, "still-running")).state, "Succeeded");
    // The refused delete was Rejected: its id may be submitted again, and now it deletes.
    const later = await provision(host, deleteOf("still-running", "del-too-early"));
    assert.equal(later.state, "Succeeded", JSON.stringify(later.error));
    assert.equal(host.standIn!.get(rg("rg-running")), undefined);
  });
});

describe("delete of tagged resources, a body in parts, within ALLOWED_SCOPES", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ settings: { allowedScopes: parseAllowedScopes(`/subscriptions/${SUB}`) } })));
  after(async () => host.close());

  const sandbox = (requestId: string, resourceGroup: string, extra: object = {}) => ({ ...example("pod-sandboxing.json"), requestId, cluster: { ...example("pod-sandboxing.json").cluster, resourceGroup }, ...extra });
  const clusterIn = (group: string) => `${rg(group)}/providers/Microsoft.ContainerService/managedClusters/myAKSCluster`;

  it("what the create made carries the app's tags; what another request's tag names is kept; a source larger than a Table property is stored in parts", async () => {
    const tags = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`${i}-${"n".repeat(496)}`, "v".repeat(256)]));
    const created = await provision(host, sandbox("tagged-create", "rg-tagged", { tags }));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    for (const id of [rg("rg-tagged"), clusterIn("rg-tagged")]) {
      const t = host.standIn!.get(id).tags;
      assert.deepEqual([t["managed-by"], t["aks-provisioner-request"]], ["aks-provisioner", "tagged-create"], id);
    }
    // Another request has since taken the cluster over (its tag names that request).
    const mc = host.standIn!.get(clusterIn("rg-tagged"));
    host.standIn!.seed({ ...mc, tags: { ...mc.tags, "aks-provisioner-request": "another-request" } });

    const deleted = await provision(host, deleteOf("tagged-create", "del-tagged"));
    assert.equal(deleted.state, "Succeeded", JSON.stringify(deleted.error));
    const kept = (deleted.outputs?.kept ?? []) as { id: string; reason: string }[];
    assert.deepEqual(kept.map((k) => lc(k.id)).sort(), [lc(rg("rg-tagged")), lc(clusterIn("rg-tagged"))].sort());
    assert.match(kept.find((k) => lc(k.id) === lc(clusterIn("rg-tagged")))!.reason, /another-request/);
    assert.ok(host.standIn!.get(clusterIn("rg-tagged")), "the cluster another request claims is still there");

    const stored = (await host.deps.requests.getRequest("del-tagged"))!;
    assert.ok(JSON.stringify(stored.source).length > 30_000, "the source spans more than one Table property");
    assert.deepEqual((stored.source as { body: { tags: object } }).body.tags, { ...tags });
    assert.equal((stored.body as { tags?: object }).tags, undefined, "a delete creates nothing and carries no tags");
  });

  it("refused with path 'deletes' when what the request recorded is outside ALLOWED_SCOPES now; deletes within them", async () => {
    const created = await provision(host, sandbox("scoped-create", "rg-scoped"));
    assert.equal(created.state, "Succeeded", JSON.stringify(created.error));
    const narrowed = { ...host.deps, settings: { ...host.deps.settings, allowedScopes: parseAllowedScopes(`/subscriptions/${SUB}/resourceGroups/rg-elsewhere`) } };
    const writesBefore = armWrites(host).length;
    const outcome = await acceptRequest(narrowed, deleteOf("scoped-create", "del-scoped"));
    assert.equal(outcome.kind, "rejected");
    assert.deepEqual((outcome.status.error?.details ?? []).map((d) => d.path), ["deletes"]);
    assert.match(outcome.status.error!.details!.map((d) => d.message).join(" "), /ALLOWED_SCOPES.*rg-scoped/);
    await host.bus.whenIdle();
    assert.deepEqual(armWrites(host).slice(writesBefore), []);

    const within = await provision(host, deleteOf("scoped-create", "del-scoped"));
    assert.equal(within.state, "Succeeded", JSON.stringify(within.error));
    assert.equal(host.standIn!.get(rg("rg-scoped")), undefined);
  });
});
