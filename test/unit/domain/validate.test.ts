import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateRequest } from "../../../src/domain/validate.js";
import { parseAllowedScopes } from "../../../src/domain/scopes.js";
import { example, exampleNames, SUB } from "../../helpers/examples.js";

const errorsOf = (raw: unknown) => {
  const v = validateRequest(raw);
  assert.equal(v.ok, false, "expected the request to be rejected");
  return (v as { errors: { path: string; message: string }[] }).errors;
};
const paths = (raw: unknown) => errorsOf(raw).map((e) => e.path);
const create = (over: Record<string, unknown> = {}) => ({
  operation: "create",
  cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "aks1", location: "westus2" },
  nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: 1 }],
  ...over,
});

describe("request validation", () => {
  for (const name of exampleNames())
    it(`accepts the example ${name} as written`, () => {
      const v = validateRequest(example(name));
      assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
    });

  it("reports every shape error at once, each with its field path", () => {
    const p = paths({
      operation: "create",
      cluster: { subscriptionId: "not-a-guid", resourceGroup: "rg", name: "-bad-" },
      nodePools: [{ name: "Sys", vmSize: "D4", count: -1, colour: "red" }],
    });
    // And the rule on a field that is fine in shape but missing (a create needs a location).
    assert.deepEqual(new Set(p), new Set(["cluster.subscriptionId", "cluster.name", "nodePools[0].name", "nodePools[0].vmSize", "nodePools[0].count", "nodePools[0].colour", "cluster.location"]));
  });

  it("rejects an unknown operation with the path 'operation'", () => {
    assert.deepEqual(paths({ operation: "deleteEverything" }), ["operation"]);
  });

  it("Pod Sandboxing pools need AzureLinux and a nested-virtualisation Gen2 size", () => {
    const errs = errorsOf(create({ nodePools: [{ name: "system", mode: "System", vmSize: "Standard_B2s", count: 1, workloadRuntime: "KataVmIsolation" }] }));
    assert.deepEqual(errs.map((e) => e.path), ["nodePools[0].osSku", "nodePools[0].vmSize"]);
    assert.match(errs[1].message, /nested virtualisation/);
    assert.ok(validateRequest(create({ nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D8ds_v5", count: 1, osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] })).ok);
  });

  it("Pod Sandboxing needs Kubernetes 1.24 or later", () => {
    const p = paths(create({ cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "a", location: "westus2", kubernetesVersion: "1.23.5" }, nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: 1, osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] }));
    assert.deepEqual(p, ["cluster.kubernetesVersion"]);
  });

  it("a create needs a location and a System pool", () => {
    const p = paths({ operation: "create", cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "a" }, nodePools: [{ name: "user", mode: "User", vmSize: "Standard_D4s_v3" }] });
    assert.deepEqual(p, ["cluster.location", "nodePools"]);
  });

  it("a BYO registry needs a VNet, a registry subnet and a valid registry name", () => {
    const p = paths(create({ networkIsolation: { outboundType: "none", registry: { mode: "byo", name: "acr-1" } } }));
    assert.deepEqual(p, ["networkIsolation.registry.name", "network"]);
  });

  it("subnets must sit inside the VNet, not overlap, and the API server subnet must be /28 or larger", () => {
    const errs = errorsOf(create({
      apiServer: { access: "vnetIntegration" },
      network: { vnetName: "vnet", addressPrefixes: ["10.0.0.0/16"], subnets: { nodes: "10.0.0.0/24", registry: "10.1.0.0/24", apiServer: "10.0.0.16/29" } },
    }));
    assert.deepEqual(errs.map((e) => e.path), ["network.subnets.registry", "network.subnets.apiServer", "network.subnets.apiServer"]);
    assert.match(errs[2].message, /\/28 or larger/);
  });

  it("VNet integration with your own VNet needs an API server subnet", () => {
    const p = paths(create({ apiServer: { access: "vnetIntegration" }, network: { vnetName: "v", addressPrefixes: ["10.0.0.0/16"], subnets: { nodes: "10.0.1.0/24" } } }));
    assert.deepEqual(p, ["network.subnets.apiServer"]);
  });

  it("a public API server cannot be private", () => {
    assert.deepEqual(paths(create({ apiServer: { access: "public", private: true } })), ["apiServer.private"]);
  });

  it("enableApiServerVnetIntegration needs exactly one API server subnet of at least /28", () => {
    const base = { operation: "enableApiServerVnetIntegration", cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "a" } };
    assert.deepEqual(paths(base), ["network.subnets.apiServer"]);
    assert.deepEqual(paths({ ...base, network: { subnets: { apiServer: "10.225.0.0/29" } } }), ["network.subnets.apiServer"]);
    assert.ok(validateRequest({ ...base, network: { vnetName: "vnet-aks-existing", subnets: { apiServer: "10.225.0.0/28" } } }).ok);
  });

  it("updateBootstrapRegistry needs a BYO registry", () => {
    const p = paths({ operation: "updateBootstrapRegistry", cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "a" }, networkIsolation: { registry: { mode: "aksManaged" } } });
    assert.deepEqual(p, ["networkIsolation.registry.mode"]);
  });

  it("Arc private link is refused in the preview's excluded region", () => {
    const req = example("arc-private-link.json");
    assert.deepEqual(paths({ ...req, scope: { ...req.scope, location: "southeastasia" } }), ["scope.location"]);
  });

  it("fills the documented defaults (cache rule, anonymous pull)", () => {
    const v = validateRequest(create({
      networkIsolation: { outboundType: "none", registry: { mode: "byo", name: "acrisolated01", cacheRule: {} } },
      network: { vnetName: "v", addressPrefixes: ["192.168.0.0/16"], subnets: { nodes: "192.168.1.0/24", registry: "192.168.2.0/24" } },
    }));
    assert.ok(v.ok);
    const reg = (v.request as any).networkIsolation.registry;
    assert.deepEqual(reg.cacheRule, { name: "acr-cache-rule", sourceRepository: "mcr.microsoft.com/*", targetRepository: "*" });
    assert.equal(reg.anonymousPullEnabled, true);
  });
});

describe("every problem at once", () => {
  it("a shape error (pool count -3) does not hide the rules about other fields (registry name, /29 API server subnet)", () => {
    const p = paths(
      create({
        networkIsolation: { outboundType: "none", registry: { mode: "byo", name: "acr-1" } },
        apiServer: { access: "vnetIntegration" },
        network: { vnetName: "v", addressPrefixes: ["10.0.0.0/16"], subnets: { nodes: "10.0.0.0/24", registry: "10.0.1.0/24", apiServer: "10.0.2.0/29" } },
        nodePools: [{ name: "system", mode: "System", vmSize: "Standard_D4s_v3", count: -3 }],
      }),
    );
    assert.deepEqual(p, ["nodePools[0].count", "networkIsolation.registry.name", "network.subnets.apiServer"]);
  });

  it("five defects, five problems: a bad required field (subscription id, cluster name) does not stop the rules on the others", () => {
    const raw = example("network-isolated-byo-acr-vnet-integration.json");
    const p = paths({
      ...raw,
      cluster: { ...raw.cluster, subscriptionId: "not-a-guid", name: "-bad_name-" },
      networkIsolation: { ...raw.networkIsolation, registry: { mode: "byo", name: "acr-1" } },
      network: { ...raw.network, subnets: { ...raw.network.subnets, apiServer: "192.168.3.0/29" } },
      nodePools: [{ ...raw.nodePools[0], count: 0 }],
    });
    assert.deepEqual(new Set(p), new Set(["cluster.subscriptionId", "cluster.name", "networkIsolation.registry.name", "network.subnets.apiServer", "nodePools[0].count"]));
  });

  it("a rule is never reported about a placeholder: a missing subscription id is one problem, not a scope refusal", () => {
    const v = validateRequest(create({ cluster: { resourceGroup: "rg", name: "aks1", location: "westus2" } }), { allowedScopes: parseAllowedScopes("/subscriptions/11111111-1111-1111-1111-111111111111") });
    assert.deepEqual(!v.ok && v.errors.map((e) => e.path), ["cluster.subscriptionId"]);
  });

  it("a rule about a field with a shape error is not reported twice", () => {
    const p = paths(create({ cluster: { subscriptionId: SUB, resourceGroup: "rg", name: "aks1", location: "West US" } }));
    assert.deepEqual(p, ["cluster.location"]);
  });
});

describe("ARM's tag rules and the request id", () => {
  for (const name of ["a<b", "a>b", "50%", "a&b", "a?b", "a/b", "a\\b", "", "x".repeat(513)])
    it(`refuses the tag name ${JSON.stringify(name.slice(0, 12))}`, () => {
      const p = paths(create({ tags: { [name]: "v" } }));
      assert.equal(p.length, 1);
      assert.ok(`tags.${name}`.startsWith(p[0].replace(/…$/, "")), p[0]);
    });

  it("refuses a value over 256 characters, more than 48 tags, the app's own tag names and names equal but for case", () => {
    assert.deepEqual(paths(create({ tags: { a: "v".repeat(257) } })), ["tags.a"]);
    assert.deepEqual(paths(create({ tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, "v"])) })), ["tags"]);
    assert.deepEqual(paths(create({ tags: { "Managed-By": "me" } })), ["tags.Managed-By"]);
    assert.deepEqual(paths(create({ tags: { Env: "a", env: "b" } })), ["tags"]);
  });

  for (const id of [".", "..", "-a", "a/b", "a b", "a#b", "é", "r".repeat(101)])
    it(`refuses the request id ${JSON.stringify(id.slice(0, 12))}`, () => assert.deepEqual(paths(create({ requestId: id })), ["requestId"]));

  it("accepts a 100-character id of the documented charset", () => assert.ok(validateRequest(create({ requestId: `a.b_c:d-${"9".repeat(92)}` })).ok));
});
