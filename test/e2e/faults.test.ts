// The fault suite: every example on the local host under the faults a deployed app meets, each
// chosen by a seeded schedule or by count, never by timing.
// - ARM answers a seeded share of requests 429 (with Retry-After) or 500: each request still
//   succeeds, ARM sees exactly the writes of a clean run, no write is retried before Retry-After.
// - Every message delivered twice; an invocation that crashes after its ARM write, after saving its
//   step row, or before sending its follow-up: the clean run's writes and final ARM state.
// - A long-running operation that ends Failed or Canceled: the request fails with ARM's code and
//   message, nothing after it is written, nothing retries without end.
// - The Functions host restarted while requests run: every one of them completes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { acceptRequest } from "../../src/app/accept.js";
import type { Arm } from "../../src/app/arm.js";
import { QUEUES } from "../../src/app/queue.js";
import type { StatusDocument } from "../../src/app/status.js";
import type { RecordedRequest } from "../../src/local/arm-standin/index.js";
import type { LocalHost, LocalHostOptions } from "../../src/local/host.js";
import { SUB, example, exampleNames, exampleSeed } from "../helpers/examples.js";
import { startTestHost, waitForRequest } from "../helpers/local.js";

const SCHEDULE = { seed: 20261129, throttle: 0.1, serverError: 0.05, retryAfterSeconds: 1 };


/**
 * Successful writes as "METHOD path", sorted: what ARM was asked to change. A role assignment's name
 * derives from its principal, which each run's new identities make anew: it counts by scope.
 */
const writesOf = (host: LocalHost) =>
  host.standIn!
    .writes()
    .map((w) => `${w.method} ${w.path.toLowerCase().replace(/\/roleassignments\/[0-9a-f-]{36}$/, "/roleassignments/{name}")}`)
    .sort();

/**
 * What ARM holds at the end: every resource of the subscription as a GET answers it, sorted, with
 * what ARM makes anew on each run (names and ids that are GUIDs, times, etags, internal ids, the
 * hash in a cluster's FQDN) as placeholders.
 */
const armStateOf = (host: LocalHost): string[] =>
  host.standIn!
    .list(`/subscriptions/${SUB}`)
    .map((r) =>
      JSON.stringify(r)
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (g) => (g === SUB ? g : "{guid}"))
        .replace(/"\d{4}-\d{2}-\d{2}T[^"]*"/g, '"{time}"')
        .replace(/"(etag|internalId)":"[^"]*"/gi, '"$1":"{generated}"')
        .replace(/-[0-9a-f]{8}\.((portal\.)?hcp|privatelink)\./g, "-{hash}.$1."),
    )
    .sort();

interface Run {
  status: StatusDocument;
  writes: string[];
  armState: string[];
  requests: RecordedRequest[];
  /** Messages still queued or in flight once the request ended (scheduled re-checks included). */
  pending: number;
}

/**
 * One example on a fresh host: `arrange` injects its faults once the request is accepted and before
 * any of its messages is delivered (so counts, not timing, decide where they fall).
 */
async function run(name: string, opts: { faults?: boolean; host?: LocalHostOptions; arrange?: (host: LocalHost) => void } = {}): Promise<Run> {
  const host = await startTestHost(opts.host);
  try {
    for (const r of exampleSeed(name)) host.standIn!.seed(r);
    if (opts.faults) host.standIn!.setFaultSchedule(SCHEDULE);
    host.bus.pause(QUEUES.steps);
    const { status: accepted } = await acceptRequest(host.deps, example(name));
    opts.arrange?.(host);
    host.bus.resume(QUEUES.steps);
    const status = await waitForRequest(host, accepted.id, 180_000);
    return { status, writes: writesOf(host), armState: armStateOf(host), requests: [...host.standIn!.requests], pending: host.bus.pending() };
  } finally {
    await host.close();
  }
}

/** The clean run of each example, once per file. */
const cleanRuns = new Map<string, Promise<Run>>();
const clean = (name: string) => {
  if (!cleanRuns.has(name)) cleanRuns.set(name, run(name));
  return cleanRuns.get(name)!;
};

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
      const cleanRun = await clean(name);
      assert.equal(cleanRun.status.state, "Succeeded", JSON.stringify(cleanRun.status.error));
      const faulted = await run(name, { faults: true });
      assert.equal(faulted.status.state, "Succeeded", JSON.stringify(faulted.status.error));
      const injected = faulted.requests.filter((r) => r.status === 429 || r.status === 500);
      assert.ok(injected.length > 0, "the schedule injected faults");
      throttled += faulted.requests.filter((r) => r.status === 429).length;
      assert.deepEqual(faulted.writes, cleanRun.writes, "no resource written twice, none missed");
      assert.deepEqual(earlyRetries(faulted.requests), [], "no write retried before Retry-After");
      // Every transient error that was retried is visible in the step's status.
      assert.ok(faulted.status.steps.some((s) => s.attempts > 1 || s.lastError), "retries show in status");
    });
  }
  it("throttled at least one request across the examples", () => assert.ok(throttled > 0));
});

/**
 * Crashes chosen by count: the first time each key reaches a point, the invocation throws a plain
 * error (not ARM's), so the bus abandons the message and delivers it again.
 */
class Crashes {
  private readonly seen = new Set<string>();
  constructor(readonly point: string) {}
  get count() {
    return this.seen.size;
  }
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
  at(key: string): void {
    if (this.first(key)) throw new Error(`simulated crash ${this.point} (${key})`);
  }
}

/** After each ARM write: `then` runs once the write has reached ARM and returned. */
function afterArmWrites(host: Pick<LocalHost, "deps">, then: (key: string) => void): void {
  const arm = host.deps.arm;
  const put = arm.put.bind(arm);
  const post = arm.post.bind(arm);
  const del = arm.delete.bind(arm);
  Object.assign(arm, {
    put: (async (ref, body) => {
      const p = await put(ref, body);
      then(`PUT ${ref.id}`);
      return p;
    }) as Arm["put"],
    post: (async (ref, action) => {
      const p = await post(ref, action);
      then(`POST ${ref.id} ${JSON.stringify(action)}`);
      return p;
    }) as Arm["post"],
    delete: (async (ref) => {
      const p = await del(ref);
      then(`DELETE ${ref.id}`);
      return p;
    }) as Arm["delete"],
  });
}

const CRASH_POINTS: Record<string, (host: LocalHost, crashes: Crashes) => void> = {
  "after the ARM write returned": (host, crashes) => afterArmWrites(host, (key) => crashes.at(key)),
  "after the step row was saved": (host, crashes) => {
    const requests = host.deps.requests;
    const save = requests.saveStep.bind(requests);
    requests.saveStep = async (row) => {
      const etag = await save(row);
      crashes.at(`${row.name} ${row.state} seq ${row.seq}${row.operation?.pollerState ? " polling" : ""}`);
      return etag;
    };
  },
  "before the follow-up message is sent": (host, crashes) => host.bus.failSends((queue, m) => queue === QUEUES.steps && crashes.first(m.messageId), Infinity),
};

describe("fault suite: every message delivered twice", () => {
  for (const name of exampleNames()) {
    it(`${name}: the clean run's writes and final ARM state`, async () => {
      const cleanRun = await clean(name);
      let bus: LocalHost["bus"] | undefined;
      const twice = await run(name, { host: { bus: { deliverTwice: true } }, arrange: (host) => void (bus = host.bus) });
      assert.equal(twice.status.state, "Succeeded", JSON.stringify(twice.status.error));
      assert.deepEqual(twice.writes, cleanRun.writes, "no resource written twice, none missed");
      assert.deepEqual(twice.armState, cleanRun.armState);
      assert.ok(bus!.stats.delivered >= 2 * bus!.stats.sent, `each of ${bus!.stats.sent} messages delivered twice (${bus!.stats.delivered} deliveries)`);
    });
  }
});

describe("fault suite: an invocation that crashes at each point of a step (the first time each step reaches it)", () => {
  // All three points in one run: each crash is its own redelivery, so a doubled or lost write
  // still shows in the write list, and the suite stays short.
  for (const name of exampleNames())
    it(`${name}: crash after the ARM write returned, after the step row was saved, before the follow-up is sent → the clean run's writes and final ARM state`, async () => {
      const cleanRun = await clean(name);
      const crashes = Object.keys(CRASH_POINTS).map((point) => new Crashes(point));
      const crashed = await run(name, { arrange: (host) => crashes.forEach((c) => CRASH_POINTS[c.point](host, c)) });
      for (const c of crashes) assert.ok(c.count > 0, `crashed ${c.point}`);
      assert.equal(crashed.status.state, "Succeeded", JSON.stringify(crashed.status.error));
      assert.deepEqual(crashed.writes, cleanRun.writes, "no resource written twice, none missed");
      assert.deepEqual(crashed.armState, cleanRun.armState);
    });
});

const LRO_ENDINGS = {
  Failed: { status: "Failed", code: "QuotaExceeded", message: "Operation could not be completed as it results in exceeding approved Total Regional Cores quota (injected by the test)." },
  Canceled: { status: "Canceled", code: "OperationCanceled", message: "The operation was canceled by another request on the resource (injected by the test)." },
} as const;

/** Steps that depend on `name`, directly or through others. */
function dependentsOf(status: StatusDocument, name: string): Set<string> {
  const out = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of status.steps)
      if (!out.has(s.name) && s.dependsOn.some((d) => d === name || out.has(d))) grew = out.add(s.name).size > 0;
  }
  return out;
}

/** Accepted writes to a resource (its id, or an action on it). */
const writesTo = (run: Run, resourceId: string) =>
  run.requests.filter((r) => r.method !== "GET" && r.status > 0 && r.status < 400 && (r.path.toLowerCase() === resourceId.toLowerCase() || r.path.toLowerCase().startsWith(`${resourceId.toLowerCase()}/`) && !r.path.slice(resourceId.length + 1).includes("/")));

/** The request failed at one step, with ARM's error; nothing after that step started or was written. */
function assertFailedAtOneStep(run: Run, error: { code: string; message: string }) {
  assert.equal(run.status.state, "Failed", JSON.stringify(run.status.steps.map((s) => [s.name, s.state])));
  assert.equal(run.status.error?.code, error.code);
  assert.ok(run.status.error?.message.includes(error.message), `status error carries ARM's message: ${run.status.error?.message}`);
  const failed = run.status.steps.filter((s) => s.state === "Failed");
  assert.equal(failed.length, 1, "one step failed");
  const step = failed[0];
  assert.equal(step.error?.code, error.code);
  assert.ok(step.error?.message.includes(error.message), `the step's error carries ARM's message: ${step.error?.message}`);
  const failedAt = Date.parse(step.finishedAt!);
  const dependents = dependentsOf(run.status, step.name);
  assert.ok(dependents.size > 0 || run.status.steps.every((s) => !s.dependsOn.includes(step.name)), "dependents found");
  for (const s of run.status.steps.filter((x) => dependents.has(x.name))) {
    assert.equal(s.state, "Pending", `${s.name} (depends on ${step.name}) never started`);
    assert.equal(s.armWrites, 0, `${s.name} wrote nothing`);
  }
  // What was written after the failure came from steps already under way that do not depend on it
  // (a sibling's message may have been in flight); none from a dependent.
  const late = run.requests.filter((r) => r.at > failedAt && r.method !== "GET" && r.status > 0 && r.status < 400);
  const dependentIds = run.status.steps.filter((x) => dependents.has(x.name) && x.resourceId).map((x) => x.resourceId!.toLowerCase());
  for (const w of late) assert.ok(!dependentIds.some((id) => w.path.toLowerCase().startsWith(id)), `${w.method} ${w.path} was written after ${step.name} failed`);
  assert.equal(run.pending, 0, "no message left: nothing retries on");
  return step;
}

describe("fault suite: a long-running operation that ends Failed or Canceled", () => {
  for (const name of exampleNames()) {
    for (const ending of Object.values(LRO_ENDINGS))
      it(`${name}: the first long-running write ends ${ending.status} → the request fails with ARM's code and message, nothing after it starts`, async () => {
        const r = await run(name, { arrange: (host) => host.standIn!.addOperationFault(ending) });
        const step = assertFailedAtOneStep(r, ending);
        assert.equal(writesTo(r, step.resourceId!).length, 1, `${step.resourceId} written once: a terminal error is not retried`);
      });
  }
});

describe("fault suite: the Functions host restarted while requests run", () => {
  it("every example at once, the host restarted after the 3rd and the 12th ARM write: each succeeds with its clean run's writes and ARM state", async () => {
    const names = exampleNames();
    const cleanRuns: Run[] = [];
    for (const name of names) cleanRuns.push(await clean(name));
    const restartAfter = [3, 12];
    assert.ok(cleanRuns.flatMap((c) => c.writes).length > restartAfter.at(-1)!, "enough writes to restart in the middle");
    const host = await startTestHost();
    try {
      for (const name of names) for (const r of exampleSeed(name)) host.standIn!.seed(r);
      host.bus.pause(QUEUES.steps);
      const ids: string[] = [];
      for (const name of names) ids.push((await acceptRequest(host.deps, example(name))).status.id);
      // The invocation whose write is the Nth dies with the host, right after ARM answered it.
      let writes = 0;
      let restarted!: () => void;
      const allRestarted = new Promise<void>((r) => (restarted = r));
      const count = () => {
        if (!restartAfter.includes(++writes)) return;
        const last = writes === restartAfter.at(-1);
        void host.restart((deps) => afterArmWrites({ deps }, count)).then(() => last && restarted());
      };
      afterArmWrites(host, count);
      host.bus.resume(QUEUES.steps);
      await allRestarted;
      const statuses: StatusDocument[] = [];
      for (const id of ids) statuses.push(await waitForRequest(host, id, 180_000));
      for (const s of statuses) assert.equal(s.state, "Succeeded", `${s.id}: ${JSON.stringify(s.error)}`);
      assert.deepEqual(writesOf(host), cleanRuns.flatMap((c) => c.writes).sort(), "no resource written twice, none missed");
      assert.deepEqual(armStateOf(host), cleanRuns.flatMap((c) => c.armState).sort());
    } finally {
      await host.close();
    }
  });
});
