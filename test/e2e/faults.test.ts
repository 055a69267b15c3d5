// The fault suite: every example on the local host while the ARM stand-in answers a seeded share
// of requests 429 (with Retry-After) or 500. Each request still succeeds, ARM sees exactly the
// writes of a clean run, and no write is retried before the Retry-After ARM asked for.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { RecordedRequest } from "../../src/local/arm-standin/index.js";
import type { LocalHost } from "../../src/local/host.js";
import { EXAMPLES_DIR, example, exampleNames } from "../helpers/examples.js";
import { provision, startTestHost } from "../helpers/local.js";

const SCHEDULE = { seed: 20261129, throttle: 0.1, serverError: 0.05, retryAfterSeconds: 1 };

const seedOf = (name: string): { id: string }[] => {
  const file = path.join(EXAMPLES_DIR, name.replace(/\.json$/, ".seed.json"));
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];
};

/**
 * Successful writes as "METHOD path", sorted: what ARM was asked to change. A role assignment's name
 * derives from its principal, which each run's new identities make anew: it counts by scope.
 */
const writesOf = (host: LocalHost) =>
  host.standIn!
    .writes()
    .map((w) => `${w.method} ${w.path.toLowerCase().replace(/\/roleassignments\/[0-9a-f-]{36}$/, "/roleassignments/{name}")}`)
    .sort();

async function run(name: string, faults: boolean) {
  const host = await startTestHost();
  try {
    for (const r of seedOf(name)) host.standIn!.seed(r);
    if (faults) host.standIn!.setFaultSchedule(SCHEDULE);
    const status = await provision(host, example(name), 180_000);
    return { status, writes: writesOf(host), requests: [...host.standIn!.requests] };
  } finally {
    await host.close();
  }
}

/** Writes answered 429 that were sent again sooner than their Retry-After. */
function earlyRetries(requests: RecordedRequest[]): string[] {
  const early: string[] = [];
  requests.forEach((r, i) => {
    if (r.status !== 429 || r.method === "GET") return;
    const again = requests.slice(i + 1).find((x) => x.method === r.method && x.path === r.path);
    if (again && again.at - r.at < SCHEDULE.retryAfterSeconds * 1000) early.push(`${r.method} ${r.path} after ${again.at - r.at} ms`);
  });
  return early;
}

describe("fault suite: 10 % of ARM requests throttled (429, Retry-After 1 s), 5 % answered 500", () => {
  let throttled = 0;
  for (const name of exampleNames()) {
    it(`${name}: succeeds with exactly the writes of a clean run`, async () => {
      const clean = await run(name, false);
      assert.equal(clean.status.state, "Succeeded", JSON.stringify(clean.status.error));
      const faulted = await run(name, true);
      assert.equal(faulted.status.state, "Succeeded", JSON.stringify(faulted.status.error));
      const injected = faulted.requests.filter((r) => r.status === 429 || r.status === 500);
      assert.ok(injected.length > 0, "the schedule injected faults");
      throttled += faulted.requests.filter((r) => r.status === 429).length;
      assert.deepEqual(faulted.writes, clean.writes, "no resource written twice, none missed");
      assert.deepEqual(earlyRetries(faulted.requests), [], "no write retried before Retry-After");
      // Every transient error that was retried is visible in the step's status (a 429 as a throttled wait).
      assert.ok(faulted.status.steps.some((s) => s.attempts > 1 || s.lastError || s.throttled), "retries show in status");
    });
  }
  it("throttled at least one request across the examples", () => assert.ok(throttled > 0));
});
