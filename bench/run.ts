// npm run bench [-- SECTION ...]: figures, never pass/fail. Sections (all when none is named):
// - latency: the latency table per resource type (Azure's figures and their sources) and the
//   stand-in's durations, scaled down by the printed factor;
// - e2e: end-to-end time of the BYO ACR + VNet integration example vs its critical path (the
//   longest chain of ARM operations through the plan's DAG: the limit) vs the same ARM operations
//   one after another;
// - busy: per provisioned cluster (each create example, one request on its own host): function busy
//   time (sum of invocation durations), invocations, ARM requests and how many of them were polls;
// - scale: BENCH_REQUESTS (default 1,000) `create` requests across 2 subscriptions submitted at once,
//   with the stand-in's model of ARM's request limits on: successes, completion time vs the floor the
//   AKS write limit alone imposes, 429s as a share of ARM requests, p50/p99 orchestration overhead
//   per step (time outside ARM), peak memory of the host process; with pacing on and off;
// - cold: a fresh process that loads the app as the Functions worker does (functions-core present,
//   every function registered): the bundle dist/main.mjs vs the unbundled sources (tsx) vs bare
//   `node`, wall time of the whole process, median of 5;
// - page: the status page's weight: bytes over the wire of the list and of a finished request's page;
// - drift: one sweep of BENCH_DRIFT_CLUSTERS (default 100) Pod Sandboxing and BENCH_DRIFT_BYO (default
//   20) BYO-registry held clusters (ARM reads, writes, time), and event → drift visible on the
//   cluster document (bench/drift.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { acceptRequest } from "../src/app/accept.js";
import type { StatusDocument, StepStatus } from "../src/app/status.js";
import { isSameOrUnder } from "../src/local/arm-standin/ids.js";
import { LATENCIES, SPEEDUP, standInMs } from "../src/local/arm-standin/latencies.js";
import { startLocalHost, type LocalHost } from "../src/local/host.js";
import { waitForRequest } from "../test/helpers/local.js";
import { example, exampleNames, SUB } from "../test/helpers/examples.js";
import { pacingBench } from "./pacing.js";
import { driftBench } from "./drift.js";
import { ARM_RATE_LIMITS, isAksWrite, subscriptionOf } from "../src/domain/arm-limits.js";
import { OTHER_SUB } from "../test/helpers/pacing.js";

/** The stand-in's timeScale in every section (1: SPEEDUP times faster than Azure). */
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 1);
/** How many requests the scale section submits at once. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const BYO_EXAMPLE = "network-isolated-byo-acr-vnet-integration.json";

/** A long-running operation's status or result URL: what a poll GETs. */
const POLL = /\/(operations|operationresults)\//i;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const s1 = (x: number) => `${(x / 1000).toFixed(1)} s`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** How many times faster than Azure the stand-in runs at a timeScale. */
const factor = (timeScale: number) => SPEEDUP / timeScale;

function latencyTable(): void {
  console.log(`\n## Latency per resource type: Azure's figure, and the stand-in's (timeScale ${TIME_SCALE}: ${factor(TIME_SCALE)}x faster)`);
  console.log("resource type | operation | on Azure | stand-in | source");
  for (const l of Object.values(LATENCIES)) console.log(`${l.type} | ${l.operation} | ${l.seconds} s | ${ms(standInMs(l) * TIME_SCALE)} | ${l.source}`);
  console.log("Every other type the examples write (identities, role assignments, DNS records, resource groups) answers at once, as ARM does.");
}

/** Per step: the time its ARM operations ran (the stand-in's record), and the time it spent outside ARM since it could start. */
function stepTimes(host: LocalHost, doc: StatusDocument) {
  const ops = host.standIn!.operations();
  const byName = new Map(doc.steps.map((s) => [s.name, s]));
  const at = (t?: string) => (t ? Date.parse(t) : NaN);
  const armMs = (s: StepStatus) =>
    sum(ops.filter((o) => s.resourceId && isSameOrUnder(o.resourceId, s.resourceId) && o.startedAt >= at(s.startedAt) && o.startedAt <= at(s.finishedAt)).map((o) => o.doneAt - o.startedAt));
  return doc.steps.map((s) => {
    const readyAt = Math.max(at(doc.createdAt), ...s.dependsOn.map((d) => at(byName.get(d)?.finishedAt)));
    const arm = armMs(s);
    return { name: s.name, dependsOn: s.dependsOn, arm, overhead: at(s.finishedAt) - readyAt - arm };
  });
}

/** The longest chain of ARM time through the DAG: no orchestration can finish sooner. */
function criticalPath(steps: { name: string; dependsOn: string[]; arm: number }[]): number {
  const memo = new Map<string, number>();
  const longest = (n: string): number => {
    if (!memo.has(n)) {
      const s = steps.find((x) => x.name === n)!;
      memo.set(n, s.arm + Math.max(0, ...s.dependsOn.map(longest)));
    }
    return memo.get(n)!;
  };
  return Math.max(...steps.map((s) => longest(s.name)));
}

/** One request on a fresh host, with what the host saw while it ran. */
async function runOne(name: string) {
  const host = await startLocalHost({ quiet: true, standIn: { timeScale: TIME_SCALE } });
  try {
    const t0 = performance.now();
    const { status } = await acceptRequest(host.deps, example(name));
    const done = await waitForRequest(host, status.id, 600_000);
    const total = performance.now() - t0;
    const busy = [...host.bus.busyMs.values()].flat();
    const arm = host.standIn!.requests;
    return {
      done,
      total,
      steps: stepTimes(host, done),
      busyMs: sum(busy),
      invocations: busy.length,
      armRequests: arm.length,
      polls: arm.filter((r) => POLL.test(r.path)).length,
    };
  } finally {
    await host.close();
  }
}

async function endToEnd(): Promise<void> {
  console.log(`\n## End to end: ${BYO_EXAMPLE} (timeScale ${TIME_SCALE}: ${factor(TIME_SCALE)}x faster than Azure)`);
  const r = await runOne(BYO_EXAMPLE);
  const limit = criticalPath(r.steps);
  const serial = sum(r.steps.map((s) => s.arm));
  const outside = r.total - limit;
  console.log("state | steps | end to end | critical path of ARM operations (the limit) | the same ARM operations one after another | time outside ARM (end to end - limit)");
  console.log(`${r.done.state} | ${r.steps.length} | ${ms(r.total)} | ${ms(limit)} | ${ms(serial)} | ${ms(outside)}`);
  // ARM's time scales with Azure's durations; the time outside ARM (Table, queue, functions) does not.
  const f = factor(TIME_SCALE);
  console.log(`on Azure (ARM ${f}x slower): limit ${s1(limit * f)}, one after another ${s1(serial * f)}, end to end about ${s1(limit * f + outside)} (limit + ${((100 * outside) / (limit * f)).toFixed(1)} %)`);
}

async function busyPerCluster(): Promise<void> {
  console.log(`\n## Per provisioned cluster: one create request on its own host (timeScale ${TIME_SCALE})`);
  console.log("example | state | function busy time (sum of invocations) | invocations | ARM requests | of which polls | overhead per step p50 / max (time outside ARM)");
  for (const name of exampleNames()) {
    if (example(name).operation !== "create") continue;
    const r = await runOne(name);
    const overhead = r.steps.map((s) => s.overhead);
    console.log(`${name} | ${r.done.state} | ${ms(r.busyMs)} | ${r.invocations} | ${r.armRequests} | ${r.polls} | ${ms(pct(overhead, 50))} / ${ms(Math.max(...overhead))}`);
  }
}

/**
 * ARM's request limits as the stand-in models them, sped up like its durations: the stand-in divides
 * refill rates by timeScale only, so the same SPEEDUP as its durations makes the limits keep pace.
 */
const throttling = Object.fromEntries(Object.entries(ARM_RATE_LIMITS).map(([b, l]) => [b, { perSecond: l.perSecond * SPEEDUP }]));
const aksBurst = ARM_RATE_LIMITS.aksWrites.capacity;
const aksPerSecond = (ARM_RATE_LIMITS.aksWrites.perSecond * SPEEDUP) / TIME_SCALE;

/** Request i: its own cluster and resource group, in one of two subscriptions (alternately). */
const createRequest = (i: number) => {
  const base = example("pod-sandboxing.json");
  return { ...base, requestId: `bench-${i}`, cluster: { ...base.cluster, subscriptionId: i % 2 ? OTHER_SUB : SUB, resourceGroup: `rg-bench-${i}`, name: `aks-bench-${i}` } };
};

async function burst(pacing: boolean) {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  const host = await startLocalHost({ quiet: true, standIn: { timeScale: TIME_SCALE, throttling }, settings: { pacing } });
  try {
    const t0 = Date.now();
    const ids = await Promise.all(Array.from({ length: REQUESTS }, async (_, i) => (await acceptRequest(host.deps, createRequest(i))).status.id));
    const acceptedMs = Date.now() - t0;
    const done = await Promise.all(ids.map((id) => waitForRequest(host, id, 3_600_000)));
    const elapsed = Math.max(...done.map((d) => Date.parse(d.updatedAt))) - t0;
    const arm = host.standIn!.requests;
    const aksWrites = new Map<string, number>();
    for (const r of arm) {
      const sub = subscriptionOf(r.path);
      if (sub && isAksWrite(r.method, r.path) && r.status < 400) aksWrites.set(sub, (aksWrites.get(sub) ?? 0) + 1);
    }
    const overhead = done.flatMap((d) => stepTimes(host, d).map((s) => s.overhead));
    const failed = done.filter((d) => d.state !== "Succeeded");
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const busyMs = sum([...host.bus.busyMs.values()].flat());
    const polls = arm.filter((r) => POLL.test(r.path)).length;
    return { done, failed, acceptedMs, elapsed, arm: arm.length, polls, throttled: arm.filter((r) => r.status === 429).length, aksWrites, overhead, peakRss, busyMs, invocations: host.bus.stats.delivered };
  } finally {
    clearInterval(sampler);
    await host.close();
  }
}

async function scale(): Promise<void> {
  const f = factor(TIME_SCALE);
  console.log(`\n## ${REQUESTS} create requests (pod-sandboxing) across 2 subscriptions, submitted at once (timeScale ${TIME_SCALE}: ${f}x faster than Azure)`);
  console.log(`ARM's request limits modelled, sped up ${f}x like the durations: AKS cluster and pool writes a burst of ${aksBurst} then one every ${ms(1000 / aksPerSecond)} per subscription`);
  const runs = [["pacing on", await burst(true)], ["pacing off", await burst(false)]] as const;
  const clusterCreate = standInMs(LATENCIES.clusterCreate) * TIME_SCALE;
  console.log("run | succeeded | failed | accepted in | completed in | floor (AKS write limit) | completed / floor | ARM requests | 429s (share) | overhead per step p50 / p99 | peak RSS of the host process");
  for (const [label, r] of runs) {
    // The floor: per subscription, the writes beyond the burst at the limit's pace, then the last cluster's create.
    const floor = Math.max(...[...r.aksWrites.values()].map((w) => (Math.max(0, w - aksBurst) / aksPerSecond) * 1000)) + clusterCreate;
    console.log(
      `${label} | ${r.done.length - r.failed.length} | ${r.failed.length} | ${s1(r.acceptedMs)} | ${s1(r.elapsed)} | ${s1(floor)} | ${(r.elapsed / floor).toFixed(2)} | ${r.arm} | ${r.throttled} (${((100 * r.throttled) / r.arm).toFixed(2)} %) | ${ms(pct(r.overhead, 50))} / ${ms(pct(r.overhead, 99))} | ${(r.peakRss / 1048576).toFixed(0)} MiB`,
    );
    for (const d of r.failed.slice(0, 3)) console.log(`  failed: ${d.id}: ${d.error?.code}: ${d.error?.message}`);
  }
  console.log("run | per cluster: function busy time | invocations | ARM requests | of which polls");
  for (const [label, r] of runs) console.log(`${label} | ${ms(r.busyMs / REQUESTS)} | ${(r.invocations / REQUESTS).toFixed(1)} | ${(r.arm / REQUESTS).toFixed(1)} | ${(r.polls / REQUESTS).toFixed(1)}`);
}

async function coldStart(): Promise<void> {
  console.log("\n## Cold start: load the app in a fresh process, as the worker does (median of 5 runs, wall time of the process)");
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "ignore" });
  // The functions-core stand-in as a plain CommonJS preload, so no TypeScript loader is timed with the bundle.
  mkdirSync(".local", { recursive: true });
  const preload = ".local/functions-core-preload.cjs";
  const standIn = await build({
    stdin: { contents: 'import { installFunctionsCore } from "./src/local/functions-core.ts"; globalThis.functionsCore = installFunctionsCore();', resolveDir: ".", loader: "ts" },
    bundle: true, platform: "node", format: "cjs", write: false, logLevel: "warning",
  });
  writeFileSync(preload, standIn.outputFiles[0].text);
  const report = 'process.on("exit", () => console.log(JSON.stringify({ functions: globalThis.functionsCore?.registrations.size ?? 0, loadMs: globalThis.loadMs ?? 0, rssMiB: process.memoryUsage().rss / 1048576 })))';
  const timed = (load: string) => `${report}; const t0 = performance.now(); ${load}; globalThis.loadMs = performance.now() - t0`;
  const cases: [string, string[]][] = [
    ["bare node", ["-e", report]],
    ["bundle (dist/main.mjs)", ["--require", `./${preload}`, "--input-type=module", "-e", timed('await import("./dist/main.mjs")')]],
    ["unbundled (src/main.ts via tsx)", ["--require", `./${preload}`, "--import", "tsx", "--input-type=module", "-e", timed('await import("./src/main.ts")')]],
  ];
  const run = ([name, args]: [string, string[]]) => {
    const t0 = performance.now();
    const out = spawnSync(process.execPath, args, { encoding: "utf8" });
    const wall = performance.now() - t0;
    if (out.status !== 0) throw new Error(`${name}: ${out.stderr}`);
    return { wall, ...JSON.parse(out.stdout.trim().split("\n").at(-1)!) } as { wall: number; functions: number; loadMs: number; rssMiB: number };
  };
  // Interleaved (one of each per round), so a change in the machine's load touches every case alike.
  const rounds = Array.from({ length: 5 }, () => cases.map(run));
  const medians = new Map<string, number>();
  console.log("load | process wall time (median) | import of the app (median) | functions registered | rss after load");
  for (const [i, [name]] of cases.entries()) {
    const runs = rounds.map((r) => r[i]);
    medians.set(name, pct(runs.map((r) => r.wall), 50));
    console.log(`${name} | ${ms(medians.get(name)!)} | ${ms(pct(runs.map((r) => r.loadMs), 50))} | ${runs[0].functions} | ${pct(runs.map((r) => r.rssMiB), 50).toFixed(1)} MiB`);
  }
  console.log(`bundle - bare node: ${ms(medians.get(cases[1][0])! - medians.get(cases[0][0])!)} (target: at most 150 ms)`);
}

/** The page is one response (inline style and script, no other resource): its bytes are its weight. */
async function statusPage(): Promise<void> {
  console.log("\n## Status page weight (one response each; the auto-refresh fetches the same again)");
  console.log("page | bytes | gzip bytes");
  const host = await startLocalHost({ quiet: true, httpPort: 0, standIn: { timeScale: TIME_SCALE } });
  try {
    const weigh = async (label: string, path: string) => {
      const bytes = Buffer.from(await (await fetch(host.url + path)).arrayBuffer());
      console.log(`${label} | ${bytes.length} | ${gzipSync(bytes).length}`);
    };
    for (const name of ["network-isolated-managed-acr.json", "network-isolated-byo-acr-vnet-integration.json"]) {
      const { status } = await acceptRequest(host.deps, example(name));
      const done = await waitForRequest(host, status.id, 600_000);
      await weigh(`request page: ${name} (${done.steps.length} steps)`, `/requests/${encodeURIComponent(status.id)}`);
    }
    await weigh("list page (2 requests)", "/");
  } finally {
    await host.close();
  }
}

const SECTIONS: Record<string, () => Promise<void> | void> = { latency: latencyTable, e2e: endToEnd, busy: busyPerCluster, scale, cold: coldStart, page: statusPage, pacing: pacingBench, drift: () => driftBench(TIME_SCALE) };
const chosen = process.argv.slice(2);
const unknown = chosen.filter((c) => !(c in SECTIONS));
if (unknown.length) {
  console.error(`unknown section(s) ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`);
  process.exit(2);
}
for (const name of chosen.length ? chosen : Object.keys(SECTIONS)) await SECTIONS[name]();
