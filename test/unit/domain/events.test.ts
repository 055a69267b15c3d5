// Cluster events come from outside: either delivery schema maps to one shape, and anything that
// is not a well-formed cluster event maps to nothing rather than an exception.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EVENT_TIME_SKEW_MS, toClusterEvent } from "../../../src/domain/events.js";

const CLUSTER = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";

describe("toClusterEvent", () => {
  it("maps a ResourceWriteSuccess of a cluster (Event Grid schema) and an AKS system-topic event (CloudEvents)", () => {
    const write = toClusterEvent({ id: "1", eventType: "Microsoft.Resources.ResourceWriteSuccess", eventTime: "2026-01-01T00:00:00Z", data: { resourceUri: CLUSTER, status: "Succeeded" } });
    assert.deepEqual(write && [write.kind, write.clusterId, write.time], ["ResourceWriteSuccess", CLUSTER, "2026-01-01T00:00:00Z"]);
    const rolling = toClusterEvent({ id: "2", type: "Microsoft.ContainerService.NodePoolRollingStarted", source: CLUSTER, time: "2026-01-01T00:00:00Z", data: { nodePoolName: "np1" } });
    assert.deepEqual(rolling && [rolling.kind, rolling.clusterId, rolling.data.nodePoolName], ["NodePoolRollingStarted", CLUSTER, "np1"]);
  });

  it("ignores writes of children and failed writes", () => {
    // A pool's write or delete is a drift check of its cluster, never an isolation change.
    assert.deepEqual(toClusterEvent({ eventType: "Microsoft.Resources.ResourceDeleteSuccess", data: { resourceUri: `${CLUSTER}/agentPools/np1` } }, new Date(0))?.kind, "AgentPoolChanged");
    assert.equal(toClusterEvent({ eventType: "Microsoft.Resources.ResourceWriteSuccess", data: { resourceUri: `${CLUSTER}/agentPools/np1/extra` } }), undefined);
    assert.equal(toClusterEvent({ eventType: "Microsoft.Resources.ResourceWriteSuccess", data: { resourceUri: CLUSTER, status: "Failed" } }), undefined);
  });

  it("answers undefined, never throws, for malformed input", () => {
    for (const raw of [null, undefined, 42, "text", [], [null], { eventType: 7 }, { eventType: "Microsoft.Resources.ResourceWriteSuccess", data: null }, { type: "Microsoft.ContainerService.NodePoolRollingStarted", source: 5, subject: {} }])
      assert.equal(toClusterEvent(raw), undefined, JSON.stringify(raw));
  });
});

const now = new Date("2026-11-29T12:00:00Z");
const write = (over: Record<string, unknown> = {}) => ({ id: "e1", eventType: "Microsoft.Resources.ResourceWriteSuccess", subject: CLUSTER, eventTime: now.toISOString(), data: { resourceUri: CLUSTER, status: "Succeeded" }, ...over });

describe("cluster events as untrusted input", () => {
  for (const [name, raw] of [
    ["null", null],
    ["a number", 42],
    ["an array", [write()]],
    ["a numeric eventType", write({ eventType: 7 })],
    ["an object eventType", write({ eventType: { toString: 1 } })],
    ["data null and no subject", write({ data: null, subject: undefined })],
    ["a numeric resourceUri", write({ data: { resourceUri: 5 }, subject: 5 })],
    ["a numeric nodePoolName", { id: "e", eventType: "Microsoft.ContainerService.NodePoolRollingStarted", topic: CLUSTER, data: { nodePoolName: 12 } }],
    ["an unknown AKS event type", { id: "e", eventType: "Microsoft.ContainerService.Whatever", topic: CLUSTER, data: {} }],
  ] as [string, unknown][])
    it(`${name}: not a cluster event (no throw)`, () => assert.equal(toClusterEvent(raw, now), undefined));

  it("an event time in year 9999 is clamped to now plus a small skew", () => {
    const ev = toClusterEvent(write({ eventTime: "9999-12-31T23:59:59Z" }), now)!;
    assert.equal(ev.time, new Date(now.getTime() + EVENT_TIME_SKEW_MS).toISOString());
    assert.equal(toClusterEvent(write({ eventTime: "not a date" }), now)!.time, now.toISOString());
    assert.equal(toClusterEvent(write({ eventTime: 12345 }), now)!.time, now.toISOString());
  });

  it("a well-formed write of a cluster is one", () => assert.equal(toClusterEvent(write(), now)?.clusterId, CLUSTER));
});
