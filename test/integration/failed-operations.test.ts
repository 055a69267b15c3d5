// A write whose long-running operation ends Failed with a retryable code leaves its resource in
// provisioningState Failed *with the new properties stored* (ARM keeps the PUT's body). The step
// must not take those properties for done: it writes again, within the retry budget, and gives up
// with ARM's code once the budget is spent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { example, exampleSeed } from "../helpers/examples.js";
import { provision, startTestHost } from "../helpers/local.js";

const RETRYABLE = { status: "Failed" as const, code: "InternalServerError", message: "An internal error occurred (injected by the test)." };
const BUDGET = 3;

async function run(name: string, target: RegExp, times: number, check: (host: LocalHost, status: Awaited<ReturnType<typeof provision>>) => void) {
  const host = await startTestHost({ settings: { retryBudget: BUDGET } });
  try {
    for (const r of exampleSeed(name)) host.standIn!.seed(r);
    host.standIn!.addOperationFault({ ...RETRYABLE, resourceId: target, times });
    check(host, await provision(host, example(name), 120_000));
  } finally {
    await host.close();
  }
}

const puts = (host: LocalHost, target: RegExp) => host.standIn!.writes().filter((w) => w.method === "PUT" && target.test(w.path.split("?")[0])).length;

describe("a write whose operation ended Failed is written again, not taken for done", () => {
  const cluster = /\/managedClusters\/[^/]+$/i;
  it("existing cluster: the failed update is written again and the request succeeds", () =>
    run("enable-network-isolation.json", cluster, 1, (host, status) => {
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      assert.equal(puts(host, cluster), 2, "the cluster PUT once more after its operation failed");
      const id = example("enable-network-isolation.json").cluster;
      const mc = host.standIn!.list(`/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${id.name}`)[0];
      assert.equal(mc?.properties.provisioningState, "Succeeded");
    }));

  it("existing cluster: an update that fails every time ends the request Failed with ARM's code after the budget", () =>
    run("enable-network-isolation.json", cluster, 100, (host, status) => {
      assert.equal(status.state, "Failed");
      assert.equal(status.error?.code, RETRYABLE.code);
      assert.match(status.error?.message ?? "", /gave up after 3 attempts/);
      assert.equal(puts(host, cluster), BUDGET, "one PUT per attempt, no more");
    }));
});
