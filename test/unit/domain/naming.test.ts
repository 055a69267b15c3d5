import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { roleAssignmentName, ROLE } from "../../../src/domain/naming.js";
import { contains, overlaps, parseCidr, usableAddresses, hostAddress } from "../../../src/domain/cidr.js";
import { isSubset } from "../../../src/domain/steps/put-step.js";

describe("naming", () => {
  it("role assignment names are GUIDs derived from scope, principal and role", () => {
    const a = roleAssignmentName("/subscriptions/s/rg/x", "11111111-1111-1111-1111-111111111111", ROLE.AcrPull);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(a, roleAssignmentName("/SUBSCRIPTIONS/s/rg/x", "11111111-1111-1111-1111-111111111111", ROLE.AcrPull), "ARM ids are case-insensitive");
    assert.notEqual(a, roleAssignmentName("/subscriptions/s/rg/x", "11111111-1111-1111-1111-111111111111", ROLE.NetworkContributor));
    assert.notEqual(a, roleAssignmentName("/subscriptions/s/rg/y", "11111111-1111-1111-1111-111111111111", ROLE.AcrPull));
  });
});

describe("CIDR arithmetic", () => {
  it("containment, overlap and usable addresses", () => {
    assert.ok(contains(parseCidr("192.168.0.0/16"), parseCidr("192.168.3.0/28")));
    assert.ok(!contains(parseCidr("192.168.0.0/16"), parseCidr("192.169.0.0/24")));
    assert.ok(overlaps(parseCidr("10.0.0.0/24"), parseCidr("10.0.0.128/25")));
    assert.ok(!overlaps(parseCidr("10.0.0.0/25"), parseCidr("10.0.0.128/25")));
    assert.equal(usableAddresses(parseCidr("10.0.0.0/28")), 11);
    assert.equal(hostAddress(parseCidr("192.168.2.0/24"), 0), "192.168.2.4");
  });
});

describe("isSubset", () => {
  it("matches named array items by name and compares strings case-insensitively", () => {
    assert.ok(isSubset({ a: [{ name: "p2", x: 1 }] }, { a: [{ name: "p1", x: 0 }, { name: "P2", x: 1, y: 2 }] }));
    assert.ok(!isSubset({ a: [{ name: "p3" }] }, { a: [{ name: "p1" }] }));
    assert.ok(isSubset({ s: "Cache" }, { s: "cache" }));
    assert.ok(!isSubset({ n: 3 }, { n: 2 }));
    assert.ok(isSubset({ u: undefined }, {}));
  });
});
