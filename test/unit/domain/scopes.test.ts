import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inScope, parseAllowedScopes } from "../../../src/domain/scopes.js";
import { validateRequest } from "../../../src/domain/validate.js";
import { example, SUB } from "../../helpers/examples.js";

const OTHER = "11111111-1111-1111-1111-111111111111";
const pathsWith = (raw: unknown, scopes: string) => {
  const v = validateRequest(raw, { allowedScopes: parseAllowedScopes(scopes) });
  return v.ok ? [] : v.errors.map((e) => e.path);
};

describe("ALLOWED_SCOPES", () => {
  it("parses subscriptions and resource groups, comma-separated; refuses anything else", () => {
    assert.deepEqual(parseAllowedScopes(` /subscriptions/${SUB} ,/subscriptions/${OTHER}/resourceGroups/rg-a/`), [`/subscriptions/${SUB}`, `/subscriptions/${OTHER}/resourcegroups/rg-a`]);
    assert.equal(parseAllowedScopes(undefined), undefined);
    assert.equal(parseAllowedScopes("  "), undefined);
    assert.throws(() => parseAllowedScopes(`/subscriptions/${SUB}/resourceGroups/rg/providers/x`), /ALLOWED_SCOPES/);
    assert.throws(() => parseAllowedScopes("*"), /ALLOWED_SCOPES/);
  });

  it("compares parsed segments, never text: dot segments, encoded slashes and look-alike prefixes stay outside", () => {
    const rgA = parseAllowedScopes(`/subscriptions/${SUB}/resourceGroups/rg-a`)!;
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v`, rgA), true);
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/RG-A/providers/Microsoft.Network/virtualNetworks/v`, rgA), true, "case-folded");
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/rg-a/../rg-b`, rgA), false);
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/rg-a/./providers/x/y/z`, rgA), false);
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v%2F..%2F..%2Frg-b`, rgA), false);
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/rg-ab`, rgA), false, "a longer name is another group");
    assert.equal(inScope(`/subscriptions/${SUB}/resourceGroups/rg-a//providers`, rgA), false, "an empty segment");
    assert.throws(() => parseAllowedScopes(`/subscriptions/${SUB}/resourceGroups/..`), /ALLOWED_SCOPES/);
  });

  it("every resource a request names is checked, with the field that names it", () => {
    const byo = example("network-isolated-byo-acr-vnet-integration.json");
    assert.deepEqual(pathsWith(byo, `/subscriptions/${SUB}`), []);
    assert.deepEqual(pathsWith(byo, `/subscriptions/${OTHER}`), ["cluster", "network.resourceGroup", "networkIsolation.registry"].filter((p) => p !== "network.resourceGroup" || byo.network.resourceGroup));
    const rgOnly = `/subscriptions/${SUB}/resourceGroups/${byo.cluster.resourceGroup}`;
    const foreignSubnet = { operation: "enableApiServerVnetIntegration", cluster: byo.cluster, apiServer: { subnetId: `/subscriptions/${OTHER}/resourceGroups/x/providers/Microsoft.Network/virtualNetworks/v/subnets/s` } };
    assert.deepEqual(pathsWith(foreignSubnet, rgOnly), ["apiServer.subnetId"]);
  });

  it("Arc private link: the scope, the VNet and each connected cluster", () => {
    const arc = example("arc-private-link.json");
    const rg = `/subscriptions/${SUB}/resourceGroups/${arc.scope.resourceGroup}`;
    const p = pathsWith(arc, rg);
    assert.ok(!p.includes("scope"));
    if (arc.network.resourceGroup !== arc.scope.resourceGroup) assert.ok(p.includes("network.vnetName"));
  });

  it("a delete names a recorded request, not resources: validation passes it to the intake, which checks what that request recorded", () => {
    assert.deepEqual(pathsWith({ operation: "delete", requestId: "del-1", deletes: "create-1", confirm: true }, `/subscriptions/${OTHER}`), []);
  });
});
