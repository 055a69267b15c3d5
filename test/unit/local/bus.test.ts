import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QUEUES } from "../../../src/app/queue.js";
import { LocalBus } from "../../../src/local/bus.js";

const received = (bus: LocalBus) => {
  const ids: string[] = [];
  bus.subscribe(QUEUES.steps, async (m) => void ids.push(m.messageId));
  return ids;
};

describe("local bus", () => {
  it("delivers in order of scheduled time, first sent first among equals, whatever the order of sending", async () => {
    const bus = new LocalBus({ maxConcurrentCalls: 1 });
    bus.pause(QUEUES.steps);
    const ids = received(bus);
    const past = Date.now() - 10_000; // all due already: the order cannot depend on the clock
    const at = (ms: number) => new Date(past + ms);
    await bus.send(QUEUES.steps, [
      { body: {}, messageId: "c", scheduledEnqueueTime: at(3) },
      { body: {}, messageId: "a1", scheduledEnqueueTime: at(1) },
      { body: {}, messageId: "b", scheduledEnqueueTime: at(2) },
      { body: {}, messageId: "a2", scheduledEnqueueTime: at(1) },
    ]);
    await bus.send(QUEUES.steps, [{ body: {}, messageId: "a3", scheduledEnqueueTime: at(1) }]);
    bus.resume(QUEUES.steps);
    await bus.whenIdle();
    bus.close();
    assert.deepEqual(ids, ["a1", "a2", "a3", "b", "c"]);
  });

  it("drops a message id seen inside the duplicate-detection window, and accepts it again once the window has passed", async () => {
    const remembering = new LocalBus();
    const kept = received(remembering);
    await remembering.send(QUEUES.steps, [{ body: {}, messageId: "m" }]);
    await remembering.send(QUEUES.steps, [{ body: {}, messageId: "m" }]);
    await remembering.whenIdle();
    remembering.close();
    assert.deepEqual([kept, remembering.stats.duplicatesDropped], [["m"], 1]);

    const forgetting = new LocalBus({ duplicateDetectionWindowMs: -1 }); // every id is already outside the window
    const again = received(forgetting);
    await forgetting.send(QUEUES.steps, [{ body: {}, messageId: "m" }]);
    await forgetting.send(QUEUES.steps, [{ body: {}, messageId: "m" }]);
    await forgetting.whenIdle();
    forgetting.close();
    assert.deepEqual([again, forgetting.stats.duplicatesDropped], [["m", "m"], 0]);
  });
});
