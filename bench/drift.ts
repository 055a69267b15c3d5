// npm run bench -- drift: what keeping clusters right costs. BENCH_DRIFT_CLUSTERS (default 100)
// Pod Sandboxing clusters created and held on one local host; then one sweep of them all (ARM reads,
// writes, wall time), and for five of them a Kata pool deleted straight in ARM, its event delivered,
// and the time until the drift is on the cluster document (event → drift visible).
import { acceptRequest } from "../src/app/accept.js";
import { clusterStatus } from "../src/app/cluster-status.js";
import { sweepDrift } from "../src/app/drift.js";
import { startLocalHost } from "../src/local/host.js";
import { postEvents, resourceEvent } from "../test/helpers/clusters.js";
import { example } from "../test/helpers/examples.js";
import { waitForRequest } from "../test/helpers/local.js";
import { personInArm } from "../test/helpers/person-in-arm.js";

export async function driftBench(timeScale: number): Promise<void> {
  const n = Number(process.env.BENCH_DRIFT_CLUSTERS ?? 100);
  console.log(`\n## Drift: ${n} held clusters (pod-sandboxing), one sweep; event → drift visible`);
  const host = await startLocalHost({ quiet: true, httpPort: 0, standIn: { timeScale } });
  try {
    const raw = example("pod-sandboxing.json");
    const name = (i: number) => `aks-held-${i}`;
    const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => acceptRequest(host.deps, { ...raw, requestId: `held-${i}`, cluster: { ...raw.cluster, name: name(i) } })));
    for (const o of outcomes) await waitForRequest(host, o.status.id, 3_600_000);
    const idOf = (c: string) => `/subscriptions/${raw.cluster.subscriptionId}/resourceGroups/${raw.cluster.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c}`;

    const before = host.standIn!.requests.length;
    const writes = host.standIn!.writes().length;
    const t0 = performance.now();
    const swept = await sweepDrift(host.deps);
    const sweepMs = performance.now() - t0;
    const seen = host.standIn!.requests.slice(before);
    console.log("held clusters | ARM requests of the sweep | of which GET | ARM writes | drifted | wall time");
    console.log(`${swept.clusters} | ${seen.length} | ${seen.filter((r) => r.method === "GET").length} | ${host.standIn!.writes().length - writes} | ${swept.drifted} | ${sweepMs.toFixed(0)} ms`);

    const person = personInArm(() => host, idOf);
    const times: number[] = [];
    for (let i = 0; i < Math.min(5, n); i++) {
      await person.deletePool(name(i), "nodepool1");
      const t = performance.now();
      await postEvents(host, resourceEvent(`${idOf(name(i))}/agentPools/nodepool1`, "Delete"));
      const doc = await clusterStatus(host.deps, raw.cluster.subscriptionId, raw.cluster.resourceGroup, name(i));
      if (!doc?.drift.length) throw new Error(`no drift recorded for ${name(i)}`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`event → drift on the cluster document (POST of the event until the document shows it), ${times.length} clusters: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms`);
  } finally {
    await host.close();
  }
}
