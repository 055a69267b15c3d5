// Pacing under ARM's request limits: many requests into two subscriptions at once, with the stand-in
// modelling ARM's limits (its AKS write burst lowered to 5 so that a few dozen requests exceed it).
// Every request succeeds, no step spends a retry attempt on throttling, and with pacing the app
// causes few 429s; with pacing off the same run draws many more (and still succeeds: a 429 is waited
// out, not counted as a failure).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import { isTerminal, type StatusDocument } from "../../src/app/status.js";
import { ARM_RATE_LIMITS, withLimits } from "../../src/domain/arm-limits.js";
import { startTestHost, waitForRequest } from "../helpers/local.js";
import { burstOfCreates, createRequest, type BurstResult } from "../helpers/pacing.js";

const REQUESTS = 30;
/** 15 cluster writes per subscription against a burst of 5: 10 of them must wait for a token (0.6 s each at timeScale 0.01). */
const STAND_IN = { timeScale: 0.01, throttling: { aksWrites: { capacity: 5 } } };
/** With pacing, at most this many 429s in the whole run; without, every waiting write draws one or more. */
const MAX_429_PACED = 5;

const burst = (pacing: boolean) => burstOfCreates(REQUESTS, STAND_IN, { pacing });

function assertAllSucceededWithoutSpendingAttempts(run: BurstResult) {
  assert.deepEqual(
    run.done.filter((s) => s.state !== "Succeeded").map((s) => [s.id, s.state, s.error?.code]),
    [],
    "every request succeeds",
  );
  // A 429 never counts as an attempt; a step retried for another reason (a dropped connection) keeps that error.
  const onThrottling = run.retried.filter((r) => /^(Throttled|SubscriptionRequestsThrottled|TooManyRequests):/.test(r.lastError ?? ""));
  assert.deepEqual(onThrottling, [], "no retry attempt spent on throttling");
}

describe("pacing: 30 create requests across 2 subscriptions under ARM's limits", () => {
  it("with pacing (the default): all succeed, few 429s, the waits visible in the steps' status", async () => {
    const run = await burst(true);
    assertAllSucceededWithoutSpendingAttempts(run);
    assert.ok(run.throttled <= MAX_429_PACED, `${run.throttled} of ${run.armRequests} ARM requests answered 429 (at most ${MAX_429_PACED} expected)`);
  });

  it("with pacing off: all still succeed without spending attempts, but the run draws many more 429s", async () => {
    const run = await burst(false);
    assertAllSucceededWithoutSpendingAttempts(run);
    assert.ok(run.throttled > MAX_429_PACED, `${run.throttled} 429s`);
  });

  it("a paced step shows what it waits for: throttled, the bucket, its next slot, and a count", async () => {
    // Pacing settings alone, one cluster write a minute: the second request's cluster step waits a minute.
    const host = await startTestHost({ settings: { pacingLimits: withLimits(ARM_RATE_LIMITS, { aksWrites: { capacity: 1, perSecond: 1 / 60 } }) } });
    try {
      const ids = await Promise.all([0, 2].map(async (i) => (await acceptRequest(host.deps, createRequest(i))).status.id));
      // Whichever took the first slot finishes; the other waits.
      let done: StatusDocument[] = [];
      for (let i = 0; !done.length; i++) {
        assert.ok(i < 1200, "neither request finished within a minute");
        await new Promise((r) => setTimeout(r, 50));
        done = (await Promise.all(ids.map((id) => statusOf(host.deps, id)))).filter((s) => s && isTerminal(s.state)) as StatusDocument[];
      }
      assert.equal(done[0].state, "Succeeded");
      const second = (await statusOf(host.deps, ids.find((id) => id !== done[0].id)!))!;
      const cluster = second.steps.find((s) => s.name === "cluster")!;
      assert.deepEqual([second.state, cluster.state, cluster.throttled, cluster.attempts], ["Running", "Running", 1, 1]);
      assert.match(cluster.waitingFor!, /^throttled: AKS cluster and pool writes, next slot at \d{4}-\d\d-\d\dT/);
      assert.ok(Date.parse(cluster.nextCheckAt!) - Date.now() > 30_000, `re-checked at its slot (a minute after the first write), not before: ${cluster.nextCheckAt}`);
    } finally {
      await host.close();
    }
  });

  it("a step that ARM throttles for longer than the longest throttled wait fails with ARM's code and a clear reason", async () => {
    const host = await startTestHost({ settings: { maxThrottleWaitMs: 1_000 } });
    try {
      host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-pacing-0$/, status: 429, code: "Throttled", message: "The PutManagedClusterHandler.PUT request limit has been exceeded.", retryAfterSeconds: 2 });
      const done = await waitForRequest(host, (await acceptRequest(host.deps, createRequest(0))).status.id);
      assert.equal(done.state, "Failed");
      assert.equal(done.error?.code, "Throttled");
      assert.match(done.error!.message, /step cluster: The PutManagedClusterHandler\.PUT request limit has been exceeded\. \(throttled by ARM's request limits for 2 s, longer than a step may wait \(1 s, ARM_THROTTLE_MAX_WAIT_MS\): ARM asks to retry at /);
      assert.equal(done.steps.find((s) => s.name === "cluster")!.attempts, 1);
    } finally {
      await host.close();
    }
  });

  it("a step whose next slot is further away than the longest throttled wait fails with a clear reason", async () => {
    // Pacing settings alone (the stand-in does not throttle): one cluster write a minute, a wait of at most 1 s.
    const host = await startTestHost({ settings: { pacingLimits: withLimits(ARM_RATE_LIMITS, { aksWrites: { capacity: 1, perSecond: 1 / 60 } }), maxThrottleWaitMs: 1_000 } });
    try {
      const ids = await Promise.all([0, 2].map(async (i) => (await acceptRequest(host.deps, createRequest(i))).status.id));
      const done = await Promise.all(ids.map((id) => waitForRequest(host, id)));
      assert.deepEqual(done.map((s) => s.state).sort(), ["Failed", "Succeeded"]);
      const failed = done.find((s) => s.state === "Failed")!;
      assert.equal(failed.error?.code, "ThrottleWaitExceeded");
      assert.match(failed.error!.message, /step cluster: throttled by ARM's request limits for \d+ s, longer than a step may wait \(1 s, ARM_THROTTLE_MAX_WAIT_MS\): the next slot of AKS cluster and pool writes \(subscription 0{8}-/);
    } finally {
      await host.close();
    }
  });
});
