// npm run bench: figures, not pass/fail.
// - end-to-end time of each create example on the ARM stand-in vs its critical path (the longest
//   chain of simulated ARM durations) and vs running its steps one after another;
// - throughput: N requests submitted at once;
// - function busy time per invocation (p50/p95/max) on provisioning-steps;
// - cold start: time and memory to load the production bundle (dist/main.cjs) in a fresh process;
// - the status page's weight: bytes over the wire of the list and of a finished request's page.
import { execFileSync, spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { existsSync } from "node:fs";
import { acceptRequest } from "../src/app/accept.js";
import { QUEUES } from "../src/app/queue.js";
import { startLocalHost } from "../src/local/host.js";
import { waitForRequest } from "../test/helpers/local.js";
import { example, exampleNames, SUB } from "../test/helpers/examples.js";

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

function coldStart(): void {
  console.log("\n## Cold start of the production bundle");
  if (!existsSync("dist/main.cjs")) execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
  const script = `const t=process.hrtime.bigint();require("./dist/main.cjs");const d=Number(process.hrtime.bigint()-t)/1e6;console.log(JSON.stringify({ms:d,rssMiB:process.memoryUsage().rss/1048576}))`;
  const runs = Array.from({ length: 5 }, () => JSON.parse(spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout.trim().split("\n").at(-1)!));
  console.log(`load time: median ${ms(pct(runs.map((r) => r.ms), 50))} (5 runs), rss after load ${pct(runs.map((r) => r.rssMiB), 50).toFixed(1)} MiB`);
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

// `npm run bench -- page` runs the status page's part alone.
const only = process.argv[2];
if (!only) {
  await endToEnd();
  await throughput();
  coldStart();
}
if (!only || only === "page") await statusPage();
