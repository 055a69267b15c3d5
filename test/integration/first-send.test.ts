// A valid request whose first send fails (Service Bus unreachable for a moment): its rows are
// written, nothing ran, and its status document says why it has not started and what starts it.
// The queue message is abandoned, so Service Bus redelivers it and the redelivery starts the request;
// over HTTP the answer is 503 with Retry-After, and the same POST again starts it. Exactly once:
// every step's ARM writes are those of a clean run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { QUEUES } from "../../src/app/queue.js";
import type { LocalHost } from "../../src/local/host.js";
import { example } from "../helpers/examples.js";
import { armWrites, startTestHost, waitForRequest } from "../helpers/local.js";

const withName = (id: string, name: string) => {
  const raw = example("pod-sandboxing.json");
  return { ...raw, requestId: id, cluster: { ...raw.cluster, name } };
};
const firstSendOf = (id: string) => (queue: string, m: { body: unknown }) => queue === QUEUES.steps && (m.body as { requestId?: string }).requestId === id;

describe("a request whose first send fails", () => {
  let host: LocalHost;
  let cleanWrites: string[];
  before(async () => {
    host = await startTestHost({ httpPort: 0 });
    // A clean run of the same request, for the writes it makes.
    await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(withName("first-send-clean", "aks-first-send-clean")) });
    await waitForRequest(host, "first-send-clean");
    // Its own writes (the resource group is shared, and exists for the later requests).
    cleanWrites = writesOf("aks-first-send-clean", 0);
    assert.ok(cleanWrites.length > 0);
  });
  after(async () => host.close());

  function writesOf(name: string, since: number) {
    return armWrites(host).slice(since).filter((w) => w.includes(name)).map((w) => w.replace(name, "CLUSTER"));
  }

  it("on the queue: the message is abandoned, and Service Bus's redelivery starts the request, once", async () => {
    const before = armWrites(host).length;
    const abandoned = host.bus.stats.abandoned;
    host.bus.failSends(firstSendOf("first-send-q"), 1);
    await host.bus.sendRaw(QUEUES.requests, JSON.stringify(withName("first-send-q", "aks-first-send-q")), "msg-first-send-q");
    await host.bus.whenIdle();
    const done = await waitForRequest(host, "first-send-q");
    assert.equal(host.bus.stats.abandoned - abandoned, 1, "the first delivery failed and was abandoned");
    assert.equal(done.state, "Succeeded");
    assert.equal(done.waitingFor, undefined, "cleared once it started");
    assert.equal(done.lastError, undefined);
    assert.deepEqual(writesOf("aks-first-send-q", before), cleanWrites, "the writes of one clean run");
    assert.equal(host.bus.deadLetters(QUEUES.requests).length, 0);
  });

  it("on the queue, when every delivery fails to send: dead-lettered with the reason, the status says why it has not started, a later message starts it", async () => {
    const before = armWrites(host).length;
    const body = JSON.stringify(withName("first-send-dead", "aks-first-send-dead"));
    host.bus.failSends(firstSendOf("first-send-dead"), Infinity);
    await host.bus.sendRaw(QUEUES.requests, body, "msg-first-send-dead");
    await host.bus.whenIdle();
    const dead = host.bus.deadLetters(QUEUES.requests).find((d) => d.messageId === "msg-first-send-dead")!;
    assert.match(dead.description, /FirstSendFailed/);
    const waiting = await status("first-send-dead");
    assert.equal(waiting.state, "Accepted");
    assert.match(waiting.waitingFor, /^not started: the first send of its steps failed \d+ time\(s\)/);
    assert.equal(waiting.lastError.code, "FirstSendFailed");
    assert.deepEqual(writesOf("aks-first-send-dead", before), []);

    host.bus.clearSendFaults();
    await host.bus.sendRaw(QUEUES.requests, body, "msg-first-send-dead-again");
    await host.bus.whenIdle();
    const done = await waitForRequest(host, "first-send-dead");
    assert.equal(done.state, "Succeeded");
    assert.equal(done.waitingFor, undefined);
    assert.deepEqual(writesOf("aks-first-send-dead", before), cleanWrites, "the writes of one clean run");
  });

  it("over HTTP: 503 with Retry-After and the reason in the document; the same POST again starts it once", async () => {
    const before = armWrites(host).length;
    const body = JSON.stringify(withName("first-send-http", "aks-first-send-http"));
    host.bus.failSends(firstSendOf("first-send-http"), 1);
    const first = await fetch(`${host.url}/api/requests`, { method: "POST", body });
    assert.equal(first.status, 503);
    assert.ok(Number(first.headers.get("retry-after")) >= 1);
    const doc = await first.json();
    assert.equal(doc.state, "Accepted");
    assert.match(doc.waitingFor, /^not started: the first send of its steps failed 1 time\(s\).*the same POST again, starts it$/);
    assert.equal(doc.lastError.code, "FirstSendFailed");
    assert.match(doc.lastError.message, /injected send failure/);
    // Read back, it still says so: nothing ran.
    const read = await status("first-send-http");
    assert.equal(read.waitingFor, doc.waitingFor);
    assert.deepEqual(read.steps.map((s: { state: string }) => s.state).filter((s: string) => s !== "Pending"), []);
    assert.deepEqual(writesOf("aks-first-send-http", before), [], "no ARM write before it started");

    const again = await fetch(`${host.url}/api/requests`, { method: "POST", body });
    assert.equal(again.status, 202);
    assert.equal((await again.json()).waitingFor, undefined);
    const done = await waitForRequest(host, "first-send-http");
    assert.equal(done.state, "Succeeded");
    assert.deepEqual(writesOf("aks-first-send-http", before), cleanWrites, "the writes of one clean run");
  });

  async function status(id: string) {
    return (await fetch(`${host.url}/api/requests/${id}`)).json();
  }
});
