// The bad-input corpus: every case goes through `POST /api/requests?whatIf=true`, `POST /api/requests`
// and the `cluster-requests` queue. The three must agree on the field paths; HTTP answers 400 (never
// 500), the queue completes the message (never a retry), both leave a Rejected row with the
// paths, and the ARM stand-in sees no request at all.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { statusOf } from "../../src/app/accept.js";
import { parseAllowedScopes } from "../../src/domain/scopes.js";
import { QUEUES } from "../../src/app/queue.js";
import type { LocalHost } from "../../src/local/host.js";
import { startTestHost } from "../helpers/local.js";
import { example, SUB } from "../helpers/examples.js";

const OTHER = "11111111-1111-1111-1111-111111111111";
const ALLOWED = `/subscriptions/${SUB},/subscriptions/${OTHER}/resourceGroups/rg-allowed`;
const CLUSTER = { subscriptionId: SUB, resourceGroup: "rg-corpus", name: "aks-corpus" };
const KATA = { name: "sandbox", vmSize: "Standard_D4s_v3", osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" };
const json = (v: unknown) => JSON.stringify(v);

const create = (over: Record<string, unknown> = {}) => json({ ...example("pod-sandboxing.json"), requestId: undefined, cluster: { ...CLUSTER, location: "westus2" }, ...over });
const pool = (over: Record<string, unknown>) => create({ nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: 1, ...over }] });
const tags = (t: Record<string, string>) => create({ tags: t });
const op = (operation: string, over: Record<string, unknown>) => json({ operation, cluster: CLUSTER, ...over });
const arc = (over: Record<string, unknown>) => json({ ...example("arc-private-link.json"), ...over });
const subnetId = (sub: string, rg = "rg-net") => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-api`;
const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const byo = example("network-isolated-byo-acr-vnet-integration.json");

/** [name, body text, field paths that must be among the reported ones ("" = the body as a whole)] */
const CORPUS: [string, string, string[]][] = [
  ["not JSON", "{ this is not json", [""]],
  ["empty body", "", [""]],
  ["a JSON array", "[]", [""]],
  ["JSON null", "null", [""]],
  ["a JSON number", "42", [""]],
  ["a JSON string", '"create"', [""]],
  ["100 KB of invalid JSON", `{"operation":"create",${"x".repeat(100_000)}`, [""]],
  ["300 KB body", create({ pad: "y".repeat(300_000) }), [""]],
  ["10 MB body", create({ pad: "y".repeat(10 * 1024 * 1024) }), [""]],
  ["10,000-deep nesting", deep(10_000), [""]],
  ["17-deep nesting under a field", create({ extra: JSON.parse(deep(16)) }), [""]],
  ["unknown operation", json({ operation: "deleteEverything", cluster: CLUSTER }), ["operation"]],
  ["no operation", json({ cluster: CLUSTER }), ["operation"]],
  ["numeric operation", json({ operation: 7, cluster: CLUSTER }), ["operation"]],
  ["unknown top-level field", create({ colour: "red" }), ["colour"]],
  ["a 1,000-character unknown field name", create({ ["k".repeat(1000)]: 1 }), []],
  ["request id '.'", create({ requestId: "." }), ["requestId"]],
  ["request id '..'", create({ requestId: ".." }), ["requestId"]],
  ["request id of 101 characters", create({ requestId: "r".repeat(101) }), ["requestId"]],
  ["request id with '/'", create({ requestId: "a/b" }), ["requestId"]],
  ["request id with a space", create({ requestId: "a b" }), ["requestId"]],
  ["numeric request id", create({ requestId: 12 }), ["requestId"]],
  ["subscription id not a GUID", create({ cluster: { ...CLUSTER, subscriptionId: "nope", location: "westus2" } }), ["cluster.subscriptionId"]],
  ["resource group ending in '.'", create({ cluster: { ...CLUSTER, resourceGroup: "rg.", location: "westus2" } }), ["cluster.resourceGroup"]],
  ["cluster name of 64 characters", create({ cluster: { ...CLUSTER, name: "a".repeat(64), location: "westus2" } }), ["cluster.name"]],
  ["cluster name starting with '_'", create({ cluster: { ...CLUSTER, name: "_aks", location: "westus2" } }), ["cluster.name"]],
  ["location 'West US'", create({ cluster: { ...CLUSTER, location: "West US" } }), ["cluster.location"]],
  ["create without a location", create({ cluster: CLUSTER }), ["cluster.location"]],
  ["kubernetesVersion 'latest'", create({ cluster: { ...CLUSTER, location: "westus2", kubernetesVersion: "latest" } }), ["cluster.kubernetesVersion"]],
  ["no node pools", create({ nodePools: [] }), ["nodePools"]],
  ["101 node pools", create({ nodePools: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, mode: "System", vmSize: "Standard_D4s_v3" })) }), ["nodePools"]],
  ["pool name in capitals", pool({ name: "System" }), ["nodePools[0].name"]],
  ["pool count -3", pool({ count: -3 }), ["nodePools[0].count"]],
  ["pool count 1001", pool({ count: 1001 }), ["nodePools[0].count"]],
  ["pool count 1.5", pool({ count: 1.5 }), ["nodePools[0].count"]],
  ["pool count as text", pool({ count: "3" }), ["nodePools[0].count"]],
  ["VM size 'D4'", pool({ vmSize: "D4" }), ["nodePools[0].vmSize"]],
  ["unknown osSku", pool({ osSku: "Windows" }), ["nodePools[0].osSku"]],
  ["unknown workloadRuntime", pool({ workloadRuntime: "gVisor" }), ["nodePools[0].workloadRuntime"]],
  ["Kata pool on Ubuntu", pool({ osSku: "Ubuntu", workloadRuntime: "KataVmIsolation" }), ["nodePools[0].osSku"]],
  ["Kata pool on a size without nested virtualisation", pool({ vmSize: "Standard_B2s", osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }), ["nodePools[0].vmSize"]],
  ["two pools of one name", create({ nodePools: [{ name: "a", mode: "System", vmSize: "Standard_D4s_v3" }, { name: "a", vmSize: "Standard_D4s_v3" }] }), ["nodePools[1].name"]],
  ["no System pool", pool({ mode: "User" }), ["nodePools"]],
  ["tag name with '<'", tags({ "a<b": "v" }), ["tags.a<b"]],
  ["tag name with '/'", tags({ "a/b": "v" }), ["tags.a/b"]],
  ["tag name with '%'", tags({ "50%": "v" }), ["tags.50%"]],
  ["tag name with '?'", tags({ "why?": "v" }), ["tags.why?"]],
  ["tag name of 513 characters", tags({ ["t".repeat(513)]: "v" }), []],
  ["tag value of 257 characters", tags({ t: "v".repeat(257) }), ["tags.t"]],
  ["49 tags", tags(Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, "v"]))), ["tags"]],
  ["the app's managed-by tag", tags({ "managed-by": "me" }), ["tags.managed-by"]],
  ["tag names equal but for case", tags({ Env: "a", env: "b" }), ["tags"]],
  ["tags as an array", create({ tags: ["a"] }), ["tags"]],
  ["20,000 nodePoolNames", op("upgradeNodeImages", { nodePoolNames: Array.from({ length: 20_000 }, (_, i) => `p${i}`) }), ["nodePoolNames"]],
  ["a pool named twice in nodePoolNames", op("upgradeNodeImages", { nodePoolNames: ["a", "a"] }), ["nodePoolNames"]],
  ["an empty pool name in nodePoolNames", op("upgradeNodeImages", { nodePoolNames: [""] }), ["nodePoolNames[0]"]],
  ["120 sandbox pools", op("addSandboxPool", { nodePools: Array.from({ length: 120 }, (_, i) => ({ ...KATA, name: `sb${i}` })) }), ["nodePools"]],
  ["a sandbox pool that is not Kata", op("addSandboxPool", { nodePools: [{ name: "plain", vmSize: "Standard_D4s_v3" }] }), ["nodePools[0].workloadRuntime"]],
  ["API server subnet /29", op("enableApiServerVnetIntegration", { network: { subnets: { apiServer: "10.0.2.0/29" } } }), ["network.subnets.apiServer"]],
  ["API server subnet given twice", op("enableApiServerVnetIntegration", { network: { subnets: { apiServer: "10.0.2.0/28" } }, apiServer: { subnetId: subnetId(SUB) } }), ["apiServer.subnetId"]],
  ["API server subnet id that is not a subnet id", op("enableApiServerVnetIntegration", { apiServer: { subnetId: "/subscriptions/x/subnets/y" } }), ["apiServer.subnetId"]],
  ["resource group '..'", create({ cluster: { ...CLUSTER, resourceGroup: "..", location: "westus2" } }), ["cluster.resourceGroup"]],
  ["resource group '.'", op("disableNetworkIsolation", { cluster: { ...CLUSTER, resourceGroup: "." } }), ["cluster.resourceGroup"]],
  ["subnet id with an encoded '/..' segment", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v%2F..%2Frg-b/subnets/s` } }), ["apiServer.subnetId"]],
  ["subnet id with a '..' segment", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v/subnets/..` } }), ["apiServer.subnetId"]],
  ["subnet id with a '.' segment", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/./subnets/s` } }), ["apiServer.subnetId"]],
  ["subnet id with '?'", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `${subnetId(SUB)}?api-version=2020-01-01` } }), ["apiServer.subnetId"]],
  ["subnet id with '#'", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `${subnetId(SUB)}#x` } }), ["apiServer.subnetId"]],
  ["subnet id with '\\'", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `${subnetId(SUB)}\\..` } }), ["apiServer.subnetId"]],
  ["subnet id whose name ends with '.'", op("enableApiServerVnetIntegration", { apiServer: { subnetId: `${subnetId(SUB)}.` } }), ["apiServer.subnetId"]],
  ["subnet id in a resource group '..'", op("enableApiServerVnetIntegration", { apiServer: { subnetId: subnetId(SUB, "..") } }), ["apiServer.subnetId"]],
  ["a pool name that climbs out of the cluster", op("upgradeNodeImages", { nodePoolNames: ["../../aks2"] }), ["nodePoolNames[0]"]],
  ["unknown API server access", create({ apiServer: { access: "vpn" } }), ["apiServer.access"]],
  ["a public API server that is private", create({ apiServer: { access: "public", private: true } }), ["apiServer.private"]],
  ["CIDR octet 300", create({ network: { vnetName: "v", addressPrefixes: ["10.300.0.0/16"], subnets: { nodes: "10.0.0.0/24" } } }), ["network.addressPrefixes[0]"]],
  ["17 address prefixes", create({ network: { vnetName: "v", addressPrefixes: Array.from({ length: 17 }, (_, i) => `10.${i}.0.0/16`), subnets: { nodes: "10.0.0.0/24" } } }), ["network.addressPrefixes"]],
  ["overlapping subnets", create({ network: { vnetName: "v", addressPrefixes: ["10.0.0.0/16"], subnets: { nodes: "10.0.0.0/24", registry: "10.0.0.128/25" } } }), ["network.subnets.registry"]],
  ["unknown registry mode", create({ networkIsolation: { outboundType: "none", registry: { mode: "dockerhub" } } }), ["networkIsolation.registry.mode"]],
  ["invalid cache rule name", json({ ...byo, requestId: undefined, networkIsolation: { ...byo.networkIsolation, registry: { ...byo.networkIsolation.registry, cacheRule: { name: "x" } } } }), ["networkIsolation.registry.cacheRule.name"]],
  ["shape and rule problems together (pool count -3, registry name, /29)", json({ ...byo, requestId: undefined, networkIsolation: { outboundType: "none", registry: { mode: "byo", name: "acr-1" } }, network: { ...byo.network, subnets: { ...byo.network.subnets, apiServer: "192.168.3.0/29" } }, nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: -3 }] }), ["nodePools[0].count", "networkIsolation.registry.name", "network.subnets.apiServer"]],
  ["setPrivateCluster without 'private'", op("setPrivateCluster", { apiServer: {} }), ["apiServer.private"]],
  ["disableNetworkIsolation with an extra field", op("disableNetworkIsolation", { nodePools: [] }), ["nodePools"]],
  ["cluster outside ALLOWED_SCOPES", create({ cluster: { ...CLUSTER, subscriptionId: OTHER, location: "westus2" } }), ["cluster"]],
  ["cluster in an allowed subscription's other group", create({ cluster: { ...CLUSTER, subscriptionId: OTHER, resourceGroup: "rg-other", location: "westus2" } }), ["cluster"]],
  ["API server subnet in a foreign subscription", op("enableApiServerVnetIntegration", { apiServer: { subnetId: subnetId(OTHER) } }), ["apiServer.subnetId"]],
  ["BYO registry outside ALLOWED_SCOPES", json({ ...byo, requestId: undefined, cluster: { ...byo.cluster, subscriptionId: OTHER, resourceGroup: "rg-allowed" }, networkIsolation: { ...byo.networkIsolation, registry: { ...byo.networkIsolation.registry, resourceGroup: "rg-registry" } } }), ["networkIsolation.registry"]],
  ["Arc scope outside ALLOWED_SCOPES", arc({ scope: { ...example("arc-private-link.json").scope, subscriptionId: OTHER } }), ["scope", "network.vnetName", "connectedClusters[0]"]],
  ["Arc private link in an excluded region", arc({ scope: { ...example("arc-private-link.json").scope, location: "southeastasia" } }), ["scope.location"]],
  ["51 connected clusters", arc({ connectedClusters: Array.from({ length: 51 }, (_, i) => ({ resourceGroup: "rg-arc", name: `k${i}` })) }), ["connectedClusters"]],
  ["a connected cluster listed twice", arc({ connectedClusters: [{ resourceGroup: "rg-arc", name: "k" }, { resourceGroup: "RG-ARC", name: "K" }] }), ["connectedClusters[1]"]],
];

const pathsOf = (details: { path?: string }[] | undefined) => (details ?? []).map((d) => d.path).sort();

describe(`bad-input corpus (${CORPUS.length} cases): whatIf, HTTP and the queue agree`, () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0, settings: { allowedScopes: parseAllowedScopes(ALLOWED) } })));
  after(async () => host.close());

  const post = (body: string, whatIf = false) => fetch(`${host.url}/api/requests${whatIf ? "?whatIf=true" : ""}`, { method: "POST", body });

  CORPUS.forEach(([name, body, expected], i) =>
    it(name, async () => {
      const w = await post(body, true);
      assert.equal(w.status, 400, `whatIf: ${w.status}`);
      const whatIfPaths = pathsOf(((await w.json()) as { error: { details: { path: string }[] } }).error.details);

      const h = await post(body);
      assert.equal(h.status, 400, `HTTP: ${h.status}`);
      const location = h.headers.get("location")!;
      const read = await fetch(location);
      assert.equal(read.status, 200, `the Location ${location} can be read back`);
      const httpDoc = (await read.json()) as { state: string; error: { details: { path: string }[] } };
      assert.equal(httpDoc.state, "Rejected");

      const messageId = `corpus-${i}`;
      const abandoned = host.bus.stats.abandoned;
      await host.bus.sendRaw(QUEUES.requests, body, messageId);
      await host.bus.whenIdle();
      // The plain Service Bus trigger completes a message whose request is recorded Rejected: a
      // redelivery could not change the outcome (docs/contract.md).
      assert.equal(host.bus.deadLetters(QUEUES.requests).filter((d) => d.messageId === messageId).length, 0, "completed, not dead-lettered");
      assert.equal(host.bus.stats.abandoned, abandoned, "not retried");
      const given = (() => {
        try {
          const id = JSON.parse(body)?.requestId;
          return typeof id === "string" && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(id) ? id : undefined;
        } catch {
          return undefined;
        }
      })();
      const queueDoc = (await statusOf(host.deps, given ?? messageId))!;
      assert.equal(queueDoc.state, "Rejected");

      assert.deepEqual(pathsOf(httpDoc.error.details), whatIfPaths, "HTTP and whatIf agree");
      assert.deepEqual(pathsOf(queueDoc.error!.details), whatIfPaths, "the queue and whatIf agree");
      for (const p of expected) assert.ok(whatIfPaths.includes(p), `${p} in ${JSON.stringify(whatIfPaths)}`);
      assert.ok(whatIfPaths.length > 0);
    }),
  );

  it("nothing reached ARM: no read, no write", () => {
    assert.equal(host.standIn!.requests.length, 0);
  });
});
