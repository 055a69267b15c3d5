// Cluster events come from outside: either delivery schema maps to one shape, and anything that
// is not a well-formed cluster event maps to nothing rather than an exception.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toClusterEvent } from "../../../src/domain/events.js";

const CLUSTER = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";

describe("toClusterEvent", () => {
  it("maps a ResourceWriteSuccess of a cluster (Event Grid schema) and an AKS system-topic event (CloudEvents)", () => {
    const write = toClusterEvent({ id: "1", eventType: "Microsoft.Resources.ResourceWriteSuccess", eventTime: "2026-01-01T00:00:00Z", data: { resourceUri: CLUSTER, status: "Succeeded" } });
    assert.deepEqual(write && [write.kind, write.clusterId, write.time], ["ResourceWriteSuccess", CLUSTER, "2026-01-01T00:00:00Z"]);
    const rolling = toClusterEvent({ id: "2", type: "Microsoft.ContainerService.NodePoolRollingStarted", source: CLUSTER, time: "2026-01-01T00:00:00Z", data: { nodePoolName: "np1" } });
    assert.deepEqual(rolling && [rolling.kind, rolling.clusterId, rolling.data.nodePoolName], ["NodePoolRollingStarted", CLUSTER, "np1"]);
  });

  it("ignores writes of children and failed writes", () => {
    assert.equal(toClusterEvent({ eventType: "Microsoft.Resources.ResourceWriteSuccess", data: { resourceUri: `${CLUSTER}/agentPools/np1` } }), undefined);
    assert.equal(toClusterEvent({ eventType: "Microsoft.Resources.ResourceWriteSuccess", data: { resourceUri: CLUSTER, status: "Failed" } }), undefined);
  });

  it("answers undefined, never throws, for malformed input", () => {
    for (const raw of [null, undefined, 42, "text", [], [null], { eventType: 7 }, { eventType: "Microsoft.Resources.ResourceWriteSuccess", data: null }, { type: "Microsoft.ContainerService.NodePoolRollingStarted", source: 5, subject: {} }])
      assert.equal(toClusterEvent(raw), undefined, JSON.stringify(raw));
  });
});
