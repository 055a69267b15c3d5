// Every ARM write body the app sends, checked against the published REST specification of its
// resource type at the api-version it is sent with (excerpts in test/fixtures/arm-specs, each naming
// its source file and commit in Azure/azure-rest-api-specs). The local ARM stand-in accepts what it
// was written to accept; live ARM judges by the spec, so this test does too.
//
// Runs every example (with its seed) and the operations the examples leave out, on one local host,
// and walks each recorded PUT/PATCH/POST body: a property the spec does not define, a read-only
// property sent, a value outside a closed enum, a required property missing or a wrong JSON type
// fails; a value outside an extensible enum is printed as a warning; a write to a resource type and
// api-version without an excerpt fails.
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { RecordedRequest } from "../../src/local/arm-standin/index.js";
import type { LocalHost } from "../../src/local/host.js";
import { checkBody, excerptKey, loadExcerpts, resourceTypeOf, type SchemaNode } from "../helpers/arm-schema.js";
import { EXAMPLES_DIR, SUB, example, exampleNames } from "../helpers/examples.js";
import { provision, startTestHost } from "../helpers/local.js";

const seedOf = (name: string): any[] => {
  const file = path.join(EXAMPLES_DIR, name.replace(/\.json$/, ".seed.json"));
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];
};

/** A running cluster whose pools are in the customer's own VNet, as `az aks create --vnet-subnet-id` leaves it. */
function clusterInOwnVnet(): { cluster: { subscriptionId: string; resourceGroup: string; name: string }; seed: any[] } {
  const rg = `/subscriptions/${SUB}/resourceGroups/rg-aks-vnet`;
  const subnet = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-aks/subnets/nodes`;
  const pool = (name: string, mode: string) => ({ name, mode, count: 1, vmSize: "Standard_D4s_v3", osType: "Linux", vnetSubnetID: subnet });
  return {
    cluster: { subscriptionId: SUB, resourceGroup: "rg-aks-vnet", name: "aks-vnet" },
    seed: [
      { id: rg, location: "westus2" },
      { id: subnet.replace(/\/subnets\/nodes$/, ""), location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.224.0.0/12"] }, subnets: [{ name: "nodes", properties: { addressPrefix: "10.224.0.0/16" } }] } },
      {
        id: `${rg}/providers/Microsoft.ContainerService/managedClusters/aks-vnet`,
        location: "westus2",
        identity: { type: "SystemAssigned" },
        properties: { kubernetesVersion: "1.30.3", dnsPrefix: "aks-vnet", networkProfile: { networkPlugin: "azure", outboundType: "loadBalancer" }, agentPoolProfiles: [pool("system", "System"), pool("user", "User")] },
      },
    ],
  };
}

/**
 * The operations and values no example sends: preview-only values, pools, disabling, node images.
 * In this order: once the cluster holds a preview-only value, the stable-api-version writes of
 * later operations on it are refused (the app picks the api-version from the request, not from
 * what the cluster already holds).
 */
function moreRequests(): { label: string; request: unknown; seed?: any[] }[] {
  const existing = example("enable-network-isolation.json").cluster;
  const managed = example("network-isolated-managed-acr.json");
  const kata = (workloadRuntime: string) => ({ name: workloadRuntime === "KataVmIsolation" ? "kata" : "katamshv", vmSize: "Standard_D4s_v3", osSku: "AzureLinux", workloadRuntime });
  const own = clusterInOwnVnet();
  return [
    { label: "enableApiServerVnetIntegration", seed: own.seed, request: { operation: "enableApiServerVnetIntegration", requestId: "bodies-convert", cluster: own.cluster, network: { subnets: { apiServer: "10.225.0.0/28" } } } },
    { label: "setPrivateCluster", request: { operation: "setPrivateCluster", requestId: "bodies-private", cluster: own.cluster, apiServer: { private: true } } },
    { label: "enableNetworkIsolation with a BYO registry", request: { operation: "enableNetworkIsolation", requestId: "bodies-byo", cluster: own.cluster, networkIsolation: { outboundType: "none", registry: { mode: "byo", name: "acrbodies01" } }, network: { subnets: { registry: "10.225.1.0/24" } } } },
    { label: "updateBootstrapRegistry", request: { operation: "updateBootstrapRegistry", requestId: "bodies-registry", cluster: own.cluster, networkIsolation: { registry: { mode: "byo", name: "acrbodies02" } }, network: { subnets: { registry: "10.225.1.0/24" } } } },
    { label: "addSandboxPool KataVmIsolation", request: { operation: "addSandboxPool", requestId: "bodies-kata", cluster: existing, nodePools: [kata("KataVmIsolation")] } },
    { label: "upgradeNodeImages", request: { operation: "upgradeNodeImages", requestId: "bodies-images", cluster: existing } },
    { label: "disableNetworkIsolation", request: { operation: "disableNetworkIsolation", requestId: "bodies-disable", cluster: existing } },
    { label: "enableNetworkIsolation outboundType block (preview)", request: { operation: "enableNetworkIsolation", requestId: "bodies-block", cluster: existing, networkIsolation: { outboundType: "block", registry: { mode: "aksManaged" } } } },
    { label: "addSandboxPool KataMshvVmIsolation (preview)", request: { operation: "addSandboxPool", requestId: "bodies-katamshv", cluster: existing, nodePools: [kata("KataMshvVmIsolation")] } },
    {
      label: "create with outboundType block and a KataMshvVmIsolation pool (preview)",
      request: {
        ...managed,
        requestId: "bodies-create-preview",
        cluster: { ...managed.cluster, name: "aks-iso-preview" },
        networkIsolation: { outboundType: "block", registry: { mode: "aksManaged" } },
        nodePools: [...managed.nodePools, { ...kata("KataMshvVmIsolation"), mode: "User", count: 1 }],
      },
    },
  ];
}

describe("ARM request bodies against the published specs", () => {
  let host: LocalHost;
  const writes: (RecordedRequest & { run: string })[] = [];
  before(async () => {
    host = await startTestHost({ standIn: { timeScale: 0 } });
    const runs = [...exampleNames().map((name) => ({ label: name, request: example(name), seed: seedOf(name) })), ...moreRequests().map((r) => ({ ...r, seed: r.seed ?? [] }))];
    for (const run of runs) {
      run.seed.forEach((r) => host.standIn!.seed(r));
      const from = host.standIn!.requests.length;
      const status = await provision(host, run.request);
      assert.equal(status.state, "Succeeded", `${run.label}: ${JSON.stringify(status.error ?? status.steps.filter((s) => s.state !== "Succeeded"))}`);
      for (const r of host.standIn!.requests.slice(from)) if (["PUT", "PATCH", "POST"].includes(r.method) && r.body !== undefined) writes.push({ ...r, run: run.label });
    }
  });
  after(async () => host?.close());

  it("every write body is what the spec of its type and api-version defines", () => {
    const excerpts = loadExcerpts();
    const errors: string[] = [];
    const warnings = new Set<string>();
    const checked = new Set<string>();
    for (const w of writes) {
      const type = resourceTypeOf(w.path);
      const excerpt = excerpts.get(excerptKey(type, w.apiVersion));
      const where = `${w.run}: ${w.method} ${w.path}?api-version=${w.apiVersion}`;
      if (!excerpt) {
        errors.push(`${where}: no spec excerpt for ${type} ${w.apiVersion} in test/fixtures/arm-specs`);
        continue;
      }
      checked.add(`${excerpt.resourceType} ${excerpt.apiVersion}`);
      const found = checkBody(w.body, excerpt.schema as SchemaNode);
      errors.push(...found.errors.map((e) => `${where}: ${e}`));
      found.warnings.forEach((x) => warnings.add(`${excerpt.resourceType} ${excerpt.apiVersion} ${x}`));
    }
    console.log(`checked ${writes.length} write bodies of ${checked.size} resource types and api-versions`);
    if (warnings.size) console.log(`values outside an extensible enum (live ARM may accept or refuse them):\n  ${[...warnings].join("\n  ")}`);
    assert.deepEqual(errors, []);
    // The runs reach every resource type an excerpt is kept for (one left out would mean the runs changed).
    const reached = new Set([...checked].map((c) => c.split(" ")[0]));
    assert.deepEqual([...new Set([...excerpts.values()].map((e) => e.resourceType))].filter((t) => !reached.has(t)), []);
  });
});
