// `npm run bench -- pacing`: the same burst of plain `create` requests across 2 subscriptions,
// submitted at once with the stand-in modelling ARM's documented limits (AKS cluster writes: a
// burst of 20 per subscription, then one a minute, time-scaled), once with the app's pacing on and
// once off. Prints 429s as a share of ARM requests, failures, attempts spent, completion time and
// the floor the AKS write limit alone imposes.
import { ARM_RATE_LIMITS } from "../src/domain/arm-limits.js";
import { burstOfCreates } from "../test/helpers/pacing.js";

export async function pacingBench(): Promise<void> {
  const timeScale = Number(process.env.BENCH_PACING_TIME_SCALE ?? 0.05);
  const count = Number(process.env.BENCH_PACING_REQUESTS ?? 60);
  const { capacity, perSecond } = ARM_RATE_LIMITS.aksWrites;
  // Per subscription, the writes past the burst come one per refill interval.
  const perSub = Math.ceil(count / 2);
  const floorMs = (Math.max(0, perSub - capacity) / perSecond) * 1000 * timeScale;
  console.log(`\n## Pacing: ${count} create requests across 2 subscriptions at once, ARM's limits modelled (timeScale ${timeScale})`);
  console.log(`floor set by the AKS write limit alone: ${perSub - capacity} writes per subscription past the burst of ${capacity}, one every ${((timeScale / perSecond) * 1000).toFixed(0)} ms: ${(floorMs / 1000).toFixed(1)} s from a subscription's first cluster write to its last`);
  console.log("pacing | succeeded | failed | ARM requests | 429s | 429 share | attempts spent on retries | steps that waited for limits | first to last cluster write (floor) | completion");
  for (const pacing of [true, false]) {
    const run = await burstOfCreates(count, { timeScale, throttling: true }, { pacing }, 1_800_000);
    const succeeded = run.done.filter((s) => s.state === "Succeeded").length;
    const failed = run.done.filter((s) => s.state === "Failed").map((s) => s.error?.code);
    const attempts = run.retried.reduce((n, x) => n + x.attempts - 1, 0);
    const waited = run.done.flatMap((s) => s.steps).filter((x) => (x.throttled ?? 0) > 0).length;
    const share = ((100 * run.throttled) / run.armRequests).toFixed(1);
    console.log(
      `${pacing ? "on" : "off"} | ${succeeded}/${count} | ${failed.length}${failed.length ? ` (${[...new Set(failed)].join(", ")})` : ""} | ${run.armRequests} | ${run.throttled} | ${share} % | ${attempts} | ${waited} | ${(run.aksWriteSpanMs / 1000).toFixed(1)} s (${(floorMs / 1000).toFixed(1)} s) | ${(run.elapsedMs / 1000).toFixed(1)} s`,
    );
  }
}
