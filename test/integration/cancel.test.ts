// Cancel (POST /api/requests/{id}:cancel): no step starts after it, an ARM write in flight is
// followed to its end, and the request ends Canceled. The messages are delivered by hand, one at a
// time, so the test decides exactly where the cancel falls.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import { cancelRequest } from "../../src/app/cancel.js";
import type { AppDeps } from "../../src/app/deps.js";
import { runStep } from "../../src/app/run-step.js";
import type { OutboundMessage, QueueName, QueueSender, StepMessage } from "../../src/app/queue.js";
import type { LocalHost } from "../../src/local/host.js";
import { startTestHost } from "../helpers/local.js";
import { example } from "../helpers/examples.js";

/** Keeps sent messages for the test to deliver. */
class HeldQueue implements QueueSender {
  readonly held: OutboundMessage[] = [];
  async send(_queue: QueueName, messages: OutboundMessage[]): Promise<void> {
    this.held.push(...messages.map((m) => ({ ...m, body: JSON.parse(JSON.stringify(m.body)) })));
  }
  /** Delivers the earliest-due message (waiting for its scheduled time), or returns false when none is left. */
  async deliverNext(deps: AppDeps): Promise<boolean> {
    this.held.sort((a, b) => (a.scheduledEnqueueTime?.getTime() ?? 0) - (b.scheduledEnqueueTime?.getTime() ?? 0));
    const m = this.held.shift();
    if (!m) return false;
    const wait = (m.scheduledEnqueueTime?.getTime() ?? 0) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await runStep(deps, m.body as StepMessage);
    return true;
  }
}

const request = (id: string, name: string) => ({ ...example("pod-sandboxing.json"), requestId: id, cluster: { ...example("pod-sandboxing.json").cluster, name } });

describe("cancel", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost()));
  after(async () => host.close());

  it("with the cluster PUT in flight: it finishes, nothing else is written, the request ends Canceled", async () => {
    const queue = new HeldQueue();
    const deps: AppDeps = { ...host.deps, queue };
    const { status } = await acceptRequest(deps, request("cancel-in-flight", "aks-cancel-1"));
    const clusterInFlight = async () => (await deps.requests.getStep(status.id, "cluster"))?.operation?.pollerState;
    for (let i = 0; i < 100 && !(await clusterInFlight()); i++) assert.ok(await queue.deliverNext(deps), "the cluster step started its PUT");
    const writesBefore = host.standIn!.writes().length;

    const canceling = await cancelRequest(deps, status.id);
    assert.equal(canceling.kind, "canceling");
    assert.equal(canceling.status.status, "Running", "not Canceled while the PUT runs");
    assert.ok(canceling.status.cancelRequestedAt);

    for (let i = 0; i < 1000 && (await queue.deliverNext(deps)); i++);
    const final = (await statusOf(deps, status.id))!;
    assert.equal(final.status, "Canceled");
    assert.equal(final.state, "Canceled");
    const states = Object.fromEntries(final.steps.map((s) => [s.name, s.state]));
    assert.equal(states.cluster, "Succeeded", "the write in flight was followed to its end");
    assert.ok(["Pending", "Canceled"].includes(states.verify), `verify never ran: ${states.verify}`);
    assert.equal(host.standIn!.writes().length, writesBefore, "no ARM write after the cancel");
    assert.equal(queue.held.length, 0);

    const again = await cancelRequest(deps, status.id);
    assert.equal(again.kind, "canceling", "canceling again is the same cancel");
    assert.equal(again.status.status, "Canceled");
  });

  it("before any step ran: Canceled at once; the queued first messages then cancel their steps without touching ARM", async () => {
    const queue = new HeldQueue();
    const deps: AppDeps = { ...host.deps, queue };
    const { status } = await acceptRequest(deps, request("cancel-at-once", "aks-cancel-2"));
    const requestsBefore = host.standIn!.requests.length;
    const outcome = await cancelRequest(deps, status.id);
    assert.equal(outcome.kind, "canceling");
    assert.equal(outcome.status.status, "Canceled");
    const firstSteps = queue.held.map((m) => (m.body as StepMessage).step);
    while (await queue.deliverNext(deps));
    const final = (await statusOf(deps, status.id))!;
    assert.deepEqual(final.steps.filter((s) => firstSteps.includes(s.name)).map((s) => s.state), firstSteps.map(() => "Canceled"));
    assert.ok(final.steps.filter((s) => !firstSteps.includes(s.name)).every((s) => s.state === "Pending"));
    assert.equal(host.standIn!.requests.length, requestsBefore, "ARM was not called");
  });

  it("a finished request cannot be canceled", async () => {
    const queue = new HeldQueue();
    const deps: AppDeps = { ...host.deps, queue };
    const { status } = await acceptRequest(deps, request("cancel-too-late", "aks-cancel-3"));
    while (await queue.deliverNext(deps));
    assert.equal((await statusOf(deps, status.id))!.status, "Succeeded");
    const outcome = await cancelRequest(deps, status.id);
    assert.equal(outcome.kind, "finished");
    assert.equal((await cancelRequest(deps, "no-such-request")).kind, "notFound");
  });
});
