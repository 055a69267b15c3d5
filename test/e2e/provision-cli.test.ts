// The README's run command for one request: `npm run provision -- FILE [--json|--plan|--then-delete]`, as a child
// process, on every example; and the same runner pointed at another ARM with ARM_ENDPOINT,
// ARM_ACCESS_TOKEN and NODE_EXTRA_CA_CERTS.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { startArmStandIn } from "../../src/local/arm-standin/index.js";
import { EXAMPLES_DIR, exampleNames } from "../helpers/examples.js";

interface Run { code: number | null; stdout: string; stderr: string }

/** Spawned asynchronously: an in-process HTTPS stand-in must keep answering the child. */
function provisionCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/local/provision-cli.ts", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);

describe("npm run provision", () => {
  for (const name of exampleNames().filter((n) => !n.endsWith(".seed.json"))) {
    it(`${name} --json exits 0 with state Succeeded and every step listed`, async () => {
      const run = await provisionCli([path.join(EXAMPLES_DIR, name), "--json"]);
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      const status = lastJson(run.stdout);
      assert.equal(status.state, "Succeeded");
      assert.ok(status.steps.length >= 3);
      assert.ok(status.steps.every((s: { state: string }) => s.state === "Succeeded"));
    });
  }

  it("--plan prints the DAG and writes nothing", async () => {
    const run = await provisionCli([path.join(EXAMPLES_DIR, "network-isolated-managed-acr.json"), "--plan", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const plan = lastJson(run.stdout);
    assert.deepEqual(plan.steps.map((s: { name: string }) => s.name), ["provider:Microsoft.ContainerService", "provider:Microsoft.ContainerRegistry", "resourceGroup", "cluster", "verify"]);
    assert.match(plan.steps[3].writes, /artifactSource Cache, outboundType none/);
    assert.doesNotMatch(run.stderr, /ARM:/, "no host was started");
  });

  it("a rejected request exits 1 and lists every field path", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "aksp-"));
    const file = path.join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ operation: "create", cluster: { subscriptionId: "x", resourceGroup: "rg", name: "a", location: "westus2" }, nodePools: [{ name: "p", vmSize: "Standard_B2s", workloadRuntime: "KataVmIsolation", mode: "System" }] }));
    const run = await provisionCli([file, "--json"]);
    assert.equal(run.code, 1);
    const status = lastJson(run.stdout);
    assert.equal(status.state, "Rejected");
    assert.deepEqual(status.error.details.map((d: { path: string }) => d.path), ["cluster.subscriptionId"]);
  });

  it("with ARM_ENDPOINT, ARM_ACCESS_TOKEN and NODE_EXTRA_CA_CERTS it targets that ARM instead of its own stand-in", async () => {
    const arm = await startArmStandIn({ timeScale: 0.05 });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "aksp-"));
      const ca = path.join(dir, "ca.pem");
      await writeFile(ca, arm.caPem);
      const run = await provisionCli([path.join(EXAMPLES_DIR, "pod-sandboxing.json"), "--json"], { ARM_ENDPOINT: arm.endpoint, ARM_ACCESS_TOKEN: "static-token", NODE_EXTRA_CA_CERTS: ca });
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      assert.equal(lastJson(run.stdout).state, "Succeeded");
      const mc = arm.get("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.ContainerService/managedClusters/myAKSCluster");
      assert.equal(mc.properties.agentPoolProfiles[0].workloadRuntime, "KataVmIsolation", "the external ARM received the cluster");
    } finally {
      await arm.close();
    }
  });

  it("--then-delete removes what the request created: the last document is the delete's", async () => {
    const arm = await startArmStandIn({ timeScale: 0.05 });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "aksp-"));
      const ca = path.join(dir, "ca.pem");
      await writeFile(ca, arm.caPem);
      const run = await provisionCli([path.join(EXAMPLES_DIR, "pod-sandboxing.json"), "--json", "--then-delete"], { ARM_ENDPOINT: arm.endpoint, ARM_ACCESS_TOKEN: "static-token", NODE_EXTRA_CA_CERTS: ca });
      assert.equal(run.code, 0, run.stderr.slice(-3000));
      const status = lastJson(run.stdout);
      assert.deepEqual([status.operation, status.state], ["delete", "Succeeded"]);
      assert.deepEqual(arm.list("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup"), []);
    } finally {
      await arm.close();
    }
  });
});
