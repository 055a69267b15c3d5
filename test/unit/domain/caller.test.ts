import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appCaller, authorizeRequest, inRoleScope, LOCAL_CALLER, mayActOn, maySee, parseCallerPolicy, type Caller, type CallerPolicy } from "../../../src/domain/caller.js";

const SUB = "00000000-0000-0000-0000-000000000000";
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const cluster = (group: string, name = "aks1") => `${rg(group)}/providers/Microsoft.ContainerService/managedClusters/${name}`;

describe("role scopes", () => {
  it("compare parsed, case-folded segments; a trailing * matches a resource-group name prefix, nothing else", () => {
    assert.ok(inRoleScope(cluster("RG-Team-A"), rg("rg-team-a")));
    assert.ok(inRoleScope(cluster("rg-team-a-apps"), rg("rg-team-a*")));
    assert.ok(!inRoleScope(cluster("rg-team-b"), rg("rg-team-a*")));
    assert.ok(!inRoleScope(cluster("rg-team-ab"), rg("rg-team-a")), "a group is not a prefix of another");
    assert.ok(!inRoleScope(`${rg("rg-team-a")}/../rg-team-b/providers/Microsoft.ContainerService/managedClusters/x`, rg("rg-team-a")), "dot segments never match");
    assert.ok(!inRoleScope(`/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/rg-team-a`, rg("rg-team-a*")));
  });

  it("CALLER_POLICY is parsed whole: every problem named with its path", () => {
    assert.throws(() => parseCallerPolicy("{"), /CALLER_POLICY is not JSON/);
    assert.throws(() => parseCallerPolicy('{"roles":{"A":{"operations":[],"scopes":["/subscriptions/x/resourceGroups/*"]}}}'), /roles\.A\.operations: .*roles\.A\.scopes\.0: must be/);
    assert.equal(parseCallerPolicy(`{"roles":{"A":{"operations":["create"],"scopes":["${rg("rg-a*")}"]}}}`).roles.A.requests, "own");
  });
});

describe("what a caller may do", () => {
  const policy: CallerPolicy = {
    roles: {
      A: { operations: ["create", "delete"], scopes: [rg("rg-a")], requests: "own" },
      Reader: { operations: ["upgradeNodeImages"], scopes: [`/subscriptions/${SUB}`], requests: "read" },
    },
  };
  const alice: Caller = { via: "http", objectId: "a", roles: ["A"] };
  const reader: Caller = { via: "http", objectId: "r", roles: ["Reader"] };
  const nobody: Caller = { via: "http", objectId: "n", roles: ["Unknown"] };
  const create = (group: string) => ({ operation: "create", cluster: { subscriptionId: SUB, resourceGroup: group, name: "aks1", location: "westus2" }, nodePools: [] }) as never;

  it("a request: the operation, then every resource it names, each with its field path", () => {
    assert.deepEqual(authorizeRequest(alice, create("rg-a"), policy), []);
    assert.deepEqual(authorizeRequest(alice, create("rg-b"), policy).map((e) => e.path), ["cluster"]);
    assert.deepEqual(authorizeRequest(reader, create("rg-a"), policy).map((e) => e.path), ["operation"]);
    assert.match(authorizeRequest(nobody, create("rg-a"), policy)[0].message, /roles Unknown\) may not request create/);
  });

  it("restores is the app's own: refused from every caller, the local one and an admin's included, accepted from the app's restores", () => {
    const restore = { ...(create("rg-a") as object), restores: "team-b-create" } as never;
    const admin: Caller = { via: "http", objectId: "x", roles: ["A"], unrestricted: false };
    for (const who of [alice, admin, LOCAL_CALLER, { ...alice, via: "queue" as const }])
      assert.deepEqual(authorizeRequest(who, restore, policy).map((e) => [e.path, e.message]), [["restores", "is set only by this app, on its own restores of drifted resources"]], who.via);
    assert.deepEqual(authorizeRequest(appCaller("event"), restore, policy), []);
    assert.deepEqual(authorizeRequest(appCaller("sweep"), restore, policy), []);
  });

  it("others' requests: own only, read sees them, acting needs its own", () => {
    const alices = { target: cluster("rg-a"), requestedBy: { via: "http" as const, objectId: "a" } };
    assert.ok(maySee(alice, alices, policy) && mayActOn(alice, alices, "cancel", policy) && mayActOn(alice, alices, "delete", policy));
    assert.ok(maySee(reader, alices, policy));
    assert.ok(!mayActOn(reader, alices, "cancel", policy));
    assert.ok(!maySee(nobody, alices, policy));
  });
});
