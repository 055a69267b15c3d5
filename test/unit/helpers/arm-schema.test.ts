// The spec checker used by test/integration/arm-request-bodies.test.ts fails for each reason it
// claims to, on the real excerpts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBody, excerptKey, loadExcerpts, resourceTypeOf } from "../../helpers/arm-schema.js";

const excerpts = loadExcerpts();
const schemaOf = (type: string, apiVersion: string) => excerpts.get(excerptKey(type, apiVersion))!.schema;
const rule = { properties: { protocol: "Tcp", access: "Allow", priority: 150, direction: "Outbound", destinationPortRange: "443" } };
const RULE = ["Microsoft.Network/networkSecurityGroups/securityRules", "2025-05-01"] as const;

describe("ARM body checker", () => {
  it("accepts a body the spec defines", () => assert.deepEqual(checkBody(rule, schemaOf(...RULE)), { errors: [], warnings: [] }));

  it("fails a property the spec does not define, a read-only one, a missing required one and a wrong type", () => {
    const { access: _, ...withoutAccess } = rule.properties;
    const body = { properties: { ...withoutAccess, destinationPort: "443", provisioningState: "Succeeded", priority: "150" } };
    assert.deepEqual(checkBody(body, schemaOf(...RULE)).errors.sort(), [
      "$.properties.access: required by the spec, missing",
      "$.properties.destinationPort: not defined by the spec",
      "$.properties.priority: string where the spec has integer",
      "$.properties.provisioningState: read-only in the spec, sent",
    ]);
  });

  it("fails a value outside a closed enum and warns on one outside an extensible enum", () => {
    const cc = schemaOf("Microsoft.Kubernetes/connectedClusters", "2024-01-01");
    const found = checkBody({ location: "eastus", identity: { type: "UserAssigned" }, properties: { agentPublicKeyCertificate: "x", privateLinkState: "On" } }, cc);
    assert.deepEqual(found.errors, ['$.identity.type: "UserAssigned" is not one of None, SystemAssigned']);
    assert.deepEqual(found.warnings, ['$.properties.privateLinkState: "On" is not one of Enabled, Disabled (the enum is extensible)']);
  });

  it("names resource types from ARM paths, scopes and child resources included", () => {
    assert.equal(resourceTypeOf("/subscriptions/s/resourceGroups/rg"), "Microsoft.Resources/resourceGroups");
    assert.equal(resourceTypeOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default?x=1"), "Microsoft.Network/privateEndpoints/privateDnsZoneGroups");
    assert.equal(resourceTypeOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a/providers/Microsoft.Authorization/roleAssignments/g"), "Microsoft.Authorization/roleAssignments");
  });

  it("keeps each excerpt's source file and commit", () => {
    for (const e of excerpts.values()) {
      assert.match(e.source.path, /^specification\/.+\.json$/, e.resourceType);
      assert.match(e.source.commit, /^[0-9a-f]{40}$/, e.resourceType);
      assert.ok(e.source.path.includes(e.apiVersion), `${e.resourceType}: ${e.source.path} is not the ${e.apiVersion} spec`);
    }
  });
});
