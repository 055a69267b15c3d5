import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateRequest } from "../../../src/domain/validate.js";
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
    assert.deepEqual(new Set(p), new Set(["cluster.subscriptionId", "cluster.name", "nodePools[0].name", "nodePools[0].vmSize", "nodePools[0].count", "nodePools[0].colour"]));
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
