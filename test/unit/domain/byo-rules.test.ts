// Validation of BYO create requests: every rule reports its field path and its source.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateRequest } from "../../../src/domain/validate.js";
import type { ValidationError } from "../../../src/domain/validation-error.js";
import { example, SUB } from "../../helpers/examples.js";

const errorsOf = (raw: unknown): ValidationError[] => {
  const v = validateRequest(raw);
  return v.ok ? [] : v.errors;
};
const byo = () => example("network-isolated-byo-acr-vnet-integration.json");
const VNET = `/subscriptions/${SUB}/resourceGroups/rg-aks-byo/providers/Microsoft.Network/virtualNetworks/vnet-aks`;
const VNET_INTEGRATION = "API server VNet integration procedure, bring-your-own VNet";

describe("BYO create requests: validation before any write", () => {
  it("the example is valid as written, and without identities (defaults apply)", () => {
    assert.deepEqual(errorsOf(byo()), []);
    const raw = byo();
    delete raw.identities;
    assert.deepEqual(errorsOf(raw), []);
  });

  it("rules already in place for BYO: registry name, network, subnets in the VNet, not overlapping, API server subnet /28 with room for 9 addresses", () => {
    const raw = byo();
    raw.networkIsolation.registry.name = "acr_bad";
    raw.network.subnets = { nodes: "192.168.1.0/24", registry: "10.0.0.0/24", apiServer: "192.168.1.16/29" };
    const errs = errorsOf(raw);
    assert.deepEqual(errs.map((e) => e.path), ["networkIsolation.registry.name", "network.subnets.registry", "network.subnets.apiServer", "network.subnets.apiServer"]);
    assert.ok(errs.every((e) => e.source), "every rule names its source");
    const noNet = byo();
    delete noNet.network;
    assert.deepEqual(errorsOf(noNet).map((e) => e.path), ["network"]);
  });

  it("an existing API server subnet and a new one cannot both be given", () => {
    const raw = byo();
    raw.apiServer.subnetId = `${VNET}/subnets/snet-api`;
    const errs = errorsOf(raw);
    assert.deepEqual(errs.map((e) => e.path), ["apiServer.subnetId"]);
    assert.match(errs[0].message, /not both/);
  });

  it("an existing API server subnet must be in the nodes' VNet (source: API server VNet integration procedure)", () => {
    const managed = example("network-isolated-managed-acr.json");
    const errs = errorsOf({ ...managed, apiServer: { access: "vnetIntegration", subnetId: `${VNET}/subnets/snet-api` } });
    assert.deepEqual(errs.map((e) => [e.path, e.source]), [["apiServer.subnetId", VNET_INTEGRATION]]);
    assert.match(errs[0].message, /VNet of the cluster's nodes/);

    const other = byo();
    other.network.subnets = { nodes: "192.168.1.0/24", registry: "192.168.2.0/24" };
    other.apiServer.subnetId = `/subscriptions/${SUB}/resourceGroups/rg-aks-byo/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-api`;
    const e2 = errorsOf(other);
    assert.deepEqual(e2.map((e) => [e.path, e.source]), [["apiServer.subnetId", VNET_INTEGRATION]]);
    assert.match(e2[0].message, /vnet-aks/);

    const ok = byo();
    ok.network.subnets = { nodes: "192.168.1.0/24", registry: "192.168.2.0/24" };
    ok.apiServer.subnetId = `${VNET.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/").replace("/RESOURCEGROUPS/", "/resourceGroups/").replace("/PROVIDERS/MICROSOFT.NETWORK/VIRTUALNETWORKS/", "/providers/Microsoft.Network/virtualNetworks/")}/subnets/snet-api`;
    assert.deepEqual(errorsOf(ok), [], "ARM ids compare case-insensitively");
  });

  it("the API server subnet cannot be the nodes' or the private endpoint's subnet", () => {
    for (const [role, name] of [["nodes", "snet-nodes"], ["registry", "snet-registry"]]) {
      const raw = byo();
      raw.network.subnets = { nodes: "192.168.1.0/24", registry: "192.168.2.0/24" };
      raw.apiServer.subnetId = `${VNET}/subnets/${name}`;
      const errs = errorsOf(raw);
      assert.deepEqual(errs.map((e) => [e.path, e.source]), [["apiServer.subnetId", VNET_INTEGRATION]], role);
      assert.match(errs[0].message, new RegExp(`the ${role} subnet`));
    }
  });

  it("each subnet the request creates has its own name", () => {
    const raw = byo();
    raw.network.subnetNames = { nodes: "snet-aks", apiServer: "SNET-AKS" };
    const errs = errorsOf(raw);
    assert.deepEqual(errs.map((e) => [e.path, e.source]), [["network.subnetNames.apiServer", VNET_INTEGRATION]]);
    assert.match(errs[0].message, /nodes subnet/);
    // a name given for a subnet the request does not create is not a clash
    const unused = byo();
    unused.network.subnets = { nodes: "192.168.1.0/24", registry: "192.168.2.0/24", apiServer: "192.168.3.0/28" };
    unused.network.subnetNames = { registry: "snet-a", apiServer: "snet-b" };
    assert.deepEqual(errorsOf(unused), []);
  });

  it("the kubelet identity must differ from the control-plane identity", () => {
    const raw = byo();
    raw.identities = { controlPlane: "id-same", kubelet: "id-same" };
    assert.deepEqual(errorsOf(raw).map((e) => e.path), ["identities.kubelet"]);
  });
});
