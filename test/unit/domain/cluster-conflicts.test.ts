// Which requests for one cluster may queue behind each other, and which contradict each other.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { conflictBetween, takesLease } from "../../../src/domain/cluster-conflicts.js";
import type { ClusterRequest } from "../../../src/domain/contract.js";

const cluster = { subscriptionId: "00000000-0000-0000-0000-000000000000", resourceGroup: "rg-aks", name: "aks-1" };
const req = (body: Record<string, unknown>) => ({ cluster, ...body }) as unknown as ClusterRequest;
const enable = req({ operation: "enableNetworkIsolation", networkIsolation: { outboundType: "none", registry: { mode: "aksManaged" } } });
const update = req({ operation: "updateBootstrapRegistry", networkIsolation: { registry: { mode: "byo", name: "acr2" } } });
const disable = req({ operation: "disableNetworkIsolation" });
const sandbox = req({ operation: "addSandboxPool", nodePools: [] });
const upgrade = req({ operation: "upgradeNodeImages" });
const privateOn = req({ operation: "setPrivateCluster", apiServer: { private: true } });
const privateOff = req({ operation: "setPrivateCluster", apiServer: { private: false } });
const create = req({ operation: "create" });
const del = { operation: "delete", deletes: "create-1" } as unknown as ClusterRequest;
const held = (body: ClusterRequest) => ({ id: "holder-1", body });

describe("cluster conflicts", () => {
  it("most pairs queue: pools, upgrades, the same direction twice, creates", () => {
    for (const [h, w] of [[enable, sandbox], [sandbox, enable], [upgrade, sandbox], [sandbox, upgrade], [enable, update], [enable, enable], [privateOn, privateOn], [create, create], [enable, del], [del, create]] as const)
      assert.equal(conflictBetween(held(h), w), undefined, `${h.operation} then ${w.operation}`);
  });

  it("network isolation on and off contradict each other, in either order", () => {
    assert.match(conflictBetween(held(enable), disable)!, /request holder-1 \(enableNetworkIsolation\) turns network isolation on on this cluster and this disableNetworkIsolation turns it off/);
    assert.match(conflictBetween(held(disable), update)!, /turns network isolation off .* updateBootstrapRegistry turns it on/);
  });

  it("setPrivateCluster with opposite values contradict each other", () => {
    assert.match(conflictBetween(held(privateOn), privateOff)!, /private API server on .* turns it off/);
  });

  it("nothing but a create or another delete follows a delete", () => {
    assert.match(conflictBetween(held(del), sandbox)!, /request holder-1 is deleting this cluster's resources \(delete of request create-1\): addSandboxPool cannot follow it/);
    assert.equal(conflictBetween(held(del), del), undefined);
  });

  it("a restore of what a request made does not follow a delete; a create may", () => {
    const restore = { ...sandbox, restores: "create-1" } as ClusterRequest;
    assert.match(conflictBetween(held(del), restore)!, /request holder-1 is deleting what request create-1 made: this restore of what request create-1 made is no longer wanted/);
    assert.equal(conflictBetween(held(sandbox), restore), undefined);
  });

  it("leases are taken for AKS clusters and Arc private link scopes, nothing else", () => {
    assert.equal(takesLease("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1"), true);
    assert.equal(takesLease("/subscriptions/s/resourceGroups/rg/providers/Microsoft.HybridCompute/privateLinkScopes/pls"), true);
    assert.equal(takesLease("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1"), false);
  });
});
