// One trace per request: a request submitted over HTTP with the caller's traceparent is followed to
// Succeeded; every message sent for it carries the request id and a traceparent of that trace (and
// Diagnostic-Id, for the Service Bus extension), and every line logged for it carries the request
// id, that trace id and the invocation's id.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import type { OutboundMessage, QueueName } from "../../src/app/queue.js";
import { startTestHost, waitForRequest } from "../helpers/local.js";
import { example } from "../helpers/examples.js";

describe("one trace per request", () => {
  let host: LocalHost;
  const lines: { line: string; functionName: string; invocationId: string }[] = [];
  const sent: { queue: QueueName; message: OutboundMessage }[] = [];
  before(async () => {
    host = await startTestHost({ httpPort: 0, onLog: (line, functionName, invocationId) => lines.push({ line, functionName, invocationId }) });
    const send = host.bus.send.bind(host.bus);
    host.bus.send = async (queue, messages) => {
      sent.push(...messages.map((message) => ({ queue, message })));
      return send(queue, messages);
    };
  });
  after(async () => host.close());

  it("the caller's trace id is on every message and every log line of the request, each line with its invocation id", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const raw = { ...example("network-isolated-managed-acr.json"), requestId: "traced-1" };
    const res = await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(raw), headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    assert.equal(res.status, 202);
    const status = await waitForRequest(host, "traced-1");
    assert.equal(status.status, "Succeeded");

    const messages = sent.filter((s) => (s.message.body as { requestId?: string }).requestId === "traced-1");
    assert.ok(messages.length >= status.steps.length, `a message per step at least: ${messages.length}`);
    for (const { message } of messages) {
      const p = message.applicationProperties!;
      assert.equal(p.requestId, "traced-1", message.messageId);
      assert.match(p.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), message.messageId);
      assert.equal(p["Diagnostic-Id"], p.traceparent);
    }

    // Re-sends under one message id are dropped by duplicate detection: one invocation per id.
    const delivered = new Set(messages.filter((m) => m.queue === "provisioning-steps").map((m) => m.message.messageId)).size;
    const json = lines.map((l) => ({ ...l, record: JSON.parse(l.line) }));
    const ofRequest = json.filter((l) => l.record.requestId === "traced-1");
    const stepLines = json.filter((l) => l.functionName === "provisioningStep");
    assert.ok(stepLines.length >= delivered, `every step invocation logged: ${stepLines.length} lines, ${delivered} messages`);
    assert.deepEqual(stepLines.filter((l) => l.record.requestId !== "traced-1"), [], "every step invocation's lines name the request");
    for (const l of ofRequest) {
      assert.equal(l.record.traceId, traceId, l.line);
      assert.equal(l.record.invocationId, l.invocationId, l.line);
    }
    const invocations = new Set(ofRequest.map((l) => l.invocationId));
    assert.ok(invocations.size >= delivered + 1, `the POST and each step invocation: ${invocations.size}`);
    assert.ok(ofRequest.some((l) => l.functionName === "postRequest" && /accepted/.test(l.record.message)));
  });

  it("a request without a caller's trace gets one of its own, kept by its cancel's log line too", async () => {
    const raw = { ...example("pod-sandboxing.json"), requestId: "traced-2" };
    await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(raw) });
    await waitForRequest(host, "traced-2");
    await fetch(`${host.url}/api/requests/traced-2:cancel`, { method: "POST" });
    const records = lines.map((l) => JSON.parse(l.line)).filter((r) => r.requestId === "traced-2");
    const traceIds = new Set(records.map((r) => r.traceId));
    assert.equal(traceIds.size, 1, [...traceIds].join());
    assert.match([...traceIds][0], /^[0-9a-f]{32}$/);
    const messages = sent.filter((s) => (s.message.body as { requestId?: string }).requestId === "traced-2");
    assert.ok(messages.every((m) => m.message.applicationProperties!.traceparent.split("-")[1] === [...traceIds][0]));
  });
});
