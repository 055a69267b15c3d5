// npm run bench: figures, not pass/fail.
// - end-to-end time of each create example on the ARM stand-in vs its critical path (the longest
//   chain of simulated ARM durations) and vs running its steps one after another;
// - throughput: N requests submitted at once;
// - function busy time per invocation (p50/p95/max) on provisioning-steps;
// - cold start: a fresh process that loads the app as the Functions worker does (functions-core
//   present, every function registered): the bundle dist/main.mjs vs the unbundled sources (tsx)
//   vs bare `node`, wall time of the whole process, median of 5.
// - the status page's weight: bytes over the wire of the list and of a finished request's page.
// - pacing under ARM's limits: a burst of creates across 2 subscriptions, pacing on vs off (bench/pacing.ts).
// `npm run bench -- cold` runs the cold start only, `npm run bench -- page` the status page's weight
// only, `npm run bench -- pacing` the pacing comparison only.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { acceptRequest } from "../src/app/accept.js";
import { QUEUES } from "../src/app/queue.js";
import { startLocalHost } from "../src/local/host.js";
import { waitForRequest } from "../test/helpers/local.js";
import { example, exampleNames, SUB } from "../test/helpers/examples.js";
import { pacingBench } from "./pacing.js";

const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.2);
const N = Number(process.env.BENCH_REQUESTS ?? 20);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function endToEnd(): Promise<void> {
  console.log(`\n## End to end on the stand-in (timeScale ${TIME_SCALE})`);
  console.log("example | end-to-end | sum of step durations (serial) | longest step chain (critical path) | ARM requests | ARM writes");
  for (const name of exampleNames().filter((n) => !n.endsWith(".seed.json"))) {
    const raw = example(name);
    if (raw.operation !== "create") continue;
    const host = await startLocalHost({ quiet: true, standIn: { timeScale: TIME_SCALE } });
    try {
      const t0 = performance.now();
      const { status } = await acceptRequest(host.deps, raw);
      const done = await waitForRequest(host, status.id, 600_000);
      const total = performance.now() - t0;
      const dur = new Map(done.steps.map((s) => [s.name, Date.parse(s.finishedAt!) - Date.parse(s.startedAt!)]));
      const serial = [...dur.values()].reduce((a, b) => a + b, 0);
      const chain = new Map<string, number>();
      const longest = (n: string): number => {
        if (chain.has(n)) return chain.get(n)!;
        const s = done.steps.find((x) => x.name === n)!;
        const v = dur.get(n)! + Math.max(0, ...s.dependsOn.map(longest));
        chain.set(n, v);
        return v;
      };
      const critical = Math.max(...done.steps.map((s) => longest(s.name)));
      console.log(`${name} (${done.state}) | ${ms(total)} | ${ms(serial)} | ${ms(critical)} | ${host.standIn!.requests.length} | ${host.standIn!.writes().length}`);
    } finally {
      await host.close();
    }
  }
}

async function throughput(): Promise<void> {
  console.log(`\n## Throughput: ${N} pod-sandboxing requests at once (timeScale ${TIME_SCALE})`);
  const host = await startLocalHost({ quiet: true, standIn: { timeScale: TIME_SCALE } });
  try {
    const base = example("pod-sandboxing.json");
    const t0 = performance.now();
    const ids = await Promise.all(
      Array.from({ length: N }, async (_, i) => (await acceptRequest(host.deps, { ...base, requestId: `bench-${i}`, cluster: { ...base.cluster, subscriptionId: SUB, name: `aks-bench-${i}` } })).status.id),
    );
    const results = await Promise.all(ids.map((id) => waitForRequest(host, id, 600_000)));
    const total = performance.now() - t0;
    const ok = results.filter((r) => r.state === "Succeeded").length;
    console.log(`${ok}/${N} succeeded in ${ms(total)}: ${((N / total) * 60_000).toFixed(1)} requests/min; ${host.standIn!.requests.length} ARM requests`);
    const busy = host.bus.busyMs.get(QUEUES.steps) ?? [];
    console.log(`function busy time per step invocation: p50 ${ms(pct(busy, 50))}, p95 ${ms(pct(busy, 95))}, max ${ms(Math.max(...busy))} over ${busy.length} invocations`);
    console.log(`messages: ${JSON.stringify(host.bus.stats)}`);
  } finally {
    await host.close();
  }
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

const only = process.argv[2];
if (only === "cold") await coldStart();
else if (only === "page") await statusPage();
else if (only === "pacing") await pacingBench();
else {
  await endToEnd();
  await throughput();
  await coldStart();
  await statusPage();
  await pacingBench();
}
