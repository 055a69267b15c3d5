// W3C trace context helpers and the queue decorator that puts the trace on every message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OutboundMessage } from "../../../src/app/queue.js";
import { childOf, firstTraceparent, isTraceparent, tracedQueue } from "../../../src/app/trace.js";

const TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context", () => {
  it("accepts only valid traceparents (version 00, non-zero ids)", () => {
    assert.equal(isTraceparent(TP), true);
    assert.equal(isTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), false);
    assert.equal(isTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"), false);
    assert.equal(isTraceparent("garbage"), false);
    assert.equal(firstTraceparent(undefined, "nope", TP), TP);
  });

  it("a child keeps the trace id with a new span; without a parent, a new trace", () => {
    const child = childOf(TP);
    assert.match(child, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    assert.notEqual(child, TP);
    assert.equal(isTraceparent(childOf(undefined)), true);
  });

  it("every message sent through the traced queue carries the request id and the trace", async () => {
    const sent: OutboundMessage[] = [];
    const queue = tracedQueue({ send: async (_q, ms) => void sent.push(...ms) }, TP);
    await queue.send("provisioning-steps", [{ body: { requestId: "r1", step: "a", seq: 0 }, messageId: "m1" }, { body: "text", messageId: "m2" }]);
    assert.equal(sent[0].applicationProperties!.requestId, "r1");
    assert.equal(sent[0].applicationProperties!["Diagnostic-Id"], sent[0].applicationProperties!.traceparent);
    assert.ok(sent.every((m) => m.applicationProperties!.traceparent.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-")));
    assert.equal(sent[1].applicationProperties!.requestId, undefined);
  });
});
