// npm run bench -- drift: what keeping clusters right costs. BENCH_DRIFT_CLUSTERS (default 100)
// Pod Sandboxing clusters created and held on one local host; then one sweep of them all (ARM reads,
// writes, wall time), and for five of them a Kata pool deleted straight in ARM, its event delivered,
// and the time until the drift is on the cluster document (event → drift visible). Then the same for
// BENCH_DRIFT_BYO (default 20) network-isolated clusters with a BYO registry and API server VNet
// integration, which hold ten resources each: the sweep reads those too, and the change is an A
// record of privatelink.azurecr.io deleted.
import { acceptRequest } from "../src/app/accept.js";
import { clusterStatus } from "../src/app/cluster-status.js";
import { sweepDrift } from "../src/app/drift.js";
import { startLocalHost, type LocalHost } from "../src/local/host.js";
import type { DesiredState } from "../src/domain/desired-state.js";
import { postEvents, resourceEvent } from "../test/helpers/clusters.js";
import { example } from "../test/helpers/examples.js";
import { waitForRequest } from "../test/helpers/local.js";
import { personInArm } from "../test/helpers/person-in-arm.js";

export async function driftBench(timeScale: number): Promise<void> {
  const n = Number(process.env.BENCH_DRIFT_CLUSTERS ?? 100);
  const raw = example("pod-sandboxing.json");
  await heldEstate(timeScale, `${n} held clusters (pod-sandboxing)`, n, (i) => ({ ...raw, requestId: `held-${i}`, cluster: { ...raw.cluster, name: `aks-held-${i}` } }), async (host, i) => {
    const id = `${clusterIdOf(raw.cluster.subscriptionId, raw.cluster.resourceGroup, `aks-held-${i}`)}/agentPools/nodepool1`;
    await personInArm(() => host, () => "").deleteResource(id);
    return id;
  });
  const byo = example("network-isolated-byo-acr-vnet-integration.json");
  const m = Number(process.env.BENCH_DRIFT_BYO ?? 20);
  const byoCluster = (i: number) => ({ ...byo.cluster, resourceGroup: `rg-byo-${i}`, name: `aks-byo-${i}` });
  await heldEstate(timeScale, `${m} held clusters (network-isolated, BYO registry, API server VNet integration)`, m, (i) => ({ ...byo, requestId: `held-byo-${i}`, cluster: byoCluster(i), networkIsolation: { ...byo.networkIsolation, registry: { mode: "byo", name: `acrbyobench${i}` } } }), async (host, i) => {
    const c = byoCluster(i);
    const desired = JSON.parse((await host.deps.clusters.get(c.subscriptionId, c.resourceGroup, c.name))!.desired!) as DesiredState;
    const id = desired.resources!.find((r) => r.step === "dns:record:data")!.resourceId;
    await personInArm(() => host, () => "").deleteResource(id);
    return id;
  });
}

const clusterIdOf = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;

/** `n` requests held on one host; one sweep of them; for five, `change` (returns the id an event names) → drift visible. */
async function heldEstate(timeScale: number, title: string, n: number, request: (i: number) => Record<string, any>, change: (host: LocalHost, i: number) => Promise<string>): Promise<void> {
  console.log(`\n## Drift: ${title}, one sweep; event → drift visible`);
  const host = await startLocalHost({ quiet: true, httpPort: 0, standIn: { timeScale } });
  try {
    const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => acceptRequest(host.deps, request(i))));
    for (const o of outcomes) {
      const done = await waitForRequest(host, o.status.id, 3_600_000);
      if (done.state !== "Succeeded") throw new Error(`${o.status.id} ${done.state}: ${JSON.stringify(done.error)}`);
    }
    await host.bus.whenIdle();

    const before = host.standIn!.requests.length;
    const writes = host.standIn!.writes().length;
    const t0 = performance.now();
    const swept = await sweepDrift(host.deps);
    const sweepMs = performance.now() - t0;
    const seen = host.standIn!.requests.slice(before);
    console.log("held clusters | ARM requests of the sweep | of which GET | ARM writes | drifted | wall time");
    console.log(`${swept.clusters} | ${seen.length} | ${seen.filter((r) => r.method === "GET").length} | ${host.standIn!.writes().length - writes} | ${swept.drifted} | ${sweepMs.toFixed(0)} ms`);

    const times: number[] = [];
    for (let i = 0; i < Math.min(5, n); i++) {
      const id = await change(host, i);
      const c = request(i).cluster;
      const t = performance.now();
      await postEvents(host, resourceEvent(id, "Delete"));
      const doc = await clusterStatus(host.deps, c.subscriptionId, c.resourceGroup, c.name);
      if (!doc?.drift.length) throw new Error(`no drift recorded for ${c.name}`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`event → drift on the cluster document (POST of the event until the document shows it), ${times.length} clusters: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms`);
  } finally {
    await host.close();
  }
}
