// The README's run command for one request: `npm run provision -- FILE [--json|--plan|--then-delete]`, as a child
// process, on every example; the same runner pointed at another ARM with ARM_ENDPOINT,
// ARM_ACCESS_TOKEN and NODE_EXTRA_CA_CERTS; and the CLI as a client of a running app (--endpoint):
// submit, status, list, cancel, exit codes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { QUEUES } from "../../src/app/queue.js";
import { startTestHost } from "../helpers/local.js";
import { startArmStandIn } from "../../src/local/arm-standin/index.js";
import { EXAMPLES_DIR, example, exampleNames } from "../helpers/examples.js";
import { clusterWithDeletedKataPool } from "../helpers/person-in-arm.js";

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

  it("a rejected request exits 2 and lists every field path", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "aksp-"));
    const file = path.join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ operation: "create", cluster: { subscriptionId: "x", resourceGroup: "rg", name: "a", location: "westus2" }, nodePools: [{ name: "p", vmSize: "Standard_B2s", workloadRuntime: "KataVmIsolation", mode: "System" }] }));
    const run = await provisionCli([file, "--json"]);
    assert.equal(run.code, 2);
    const status = lastJson(run.stdout);
    assert.equal(status.state, "Rejected");
    assert.deepEqual(status.error.details.map((d: { path: string }) => d.path), ["cluster.subscriptionId", "nodePools[0].osSku", "nodePools[0].vmSize"]);
  });

  it("in a terminal the progress rows are redrawn in place", { skip: existsSync("/usr/bin/script") ? false : "no script(1) to give the CLI a terminal" }, async () => {
    // script(1) runs the CLI on a pseudo-terminal, as a person's shell would.
    const cli = `${process.execPath} --import tsx src/local/provision-cli.ts ${path.join(EXAMPLES_DIR, "pod-sandboxing.json")}`;
    const run = await new Promise<Run>((resolve) => {
      const child = spawn("/usr/bin/script", ["-qec", cli, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("close", (code) => resolve({ code, stdout, stderr: "" }));
    });
    assert.equal(run.code, 0, run.stdout.slice(-2000));
    const redraws = run.stdout.match(/\x1b\[\d+F/g) ?? [];
    assert.ok(redraws.length >= 1, "moved back up to redraw");
    assert.match(run.stdout, /\x1b\[2K✓ cluster +Succeeded/);
    assert.doesNotMatch(run.stdout, /^\[ *[0-9.]+s\] /m, "no scrolling log lines in a terminal");
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

  it("with ARM_ENDPOINT, the pacing limits and wait bound it is given are the ones that pace its writes", async () => {
    const arm = await startArmStandIn({ timeScale: 0.05 });
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "aksp-"));
      const ca = path.join(dir, "ca.pem");
      await writeFile(ca, arm.caPem);
      // One write, then one a day: the second write's slot is further away than the 1 ms a step may wait.
      const slow = { capacity: 1, perSecond: 1 / 86400 };
      const limits = JSON.stringify({ writes: slow, aksWrites: slow, deletes: slow });
      const env = { ARM_ENDPOINT: arm.endpoint, ARM_ACCESS_TOKEN: "static-token", NODE_EXTRA_CA_CERTS: ca, ARM_PACING_LIMITS: limits, ARM_THROTTLE_MAX_WAIT_MS: "1" };
      const run = await provisionCli([path.join(EXAMPLES_DIR, "pod-sandboxing.json"), "--json"], env);
      const status = lastJson(run.stdout);
      assert.equal(status.state, "Failed", run.stderr.slice(-3000));
      assert.equal(status.error.code, "ThrottleWaitExceeded", JSON.stringify(status.error));
      assert.match(status.error.message, /ARM_THROTTLE_MAX_WAIT_MS/);
      assert.equal(arm.requests.filter((r) => r.method === "PUT").length, 1, "one write went; the next waited for its slot");
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

describe("npm run provision --endpoint (a running app)", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0 })));
  after(async () => host.close());
  const file = async (raw: unknown) => {
    const f = path.join(await mkdtemp(path.join(tmpdir(), "aksp-")), "request.json");
    await writeFile(f, JSON.stringify(raw));
    return f;
  };
  const request = (id: string, name: string) => ({ ...example("pod-sandboxing.json"), requestId: id, cluster: { ...example("pod-sandboxing.json").cluster, name } });

  it("submits, follows with plain progress lines on stderr, and the document on stdout; status and list answer", async () => {
    const run = await provisionCli([await file(request("cli-ok", "aks-cli-ok")), "--endpoint", host.url!, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    assert.equal(lastJson(run.stdout).status, "Succeeded");
    assert.equal(run.stdout.trim().split("\n").length, 1, "stdout has the document only");
    assert.match(run.stderr, /^\[ *[0-9.]+s\] cluster +Succeeded$/m);
    assert.doesNotMatch(run.stderr, /\x1b\[/, "no terminal control codes when stderr is not a terminal");

    const status = await provisionCli(["status", "cli-ok", "--endpoint", host.url!, "-o", "json"]);
    assert.equal(status.code, 0);
    assert.equal(lastJson(status.stdout).id, "cli-ok");
    const list = await provisionCli(["list", "--cluster", "aks-cli-ok", "--endpoint", host.url!]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^REQUEST +OPERATION +CLUSTER +STATUS +CREATED$/m);
    assert.match(list.stdout, /^cli-ok +create +aks-cli-ok +Succeeded /m);
    assert.equal((await provisionCli(["cancel", "cli-ok", "--endpoint", host.url!])).code, 1, "a finished request cannot be canceled");
    assert.equal((await provisionCli(["status", "no-such-request", "--endpoint", host.url!])).code, 2);
  });

  it("drift [CLUSTER]: exit 0 while the held settings hold; a Kata pool deleted straight in ARM is listed with desired and actual, exit 1", async () => {
    const held = await provisionCli([await file(request("cli-clean", "aks-cli-clean")), "--endpoint", host.url!, "-o", "json"]);
    assert.equal(held.code, 0, held.stderr.slice(-2000));
    const clean = await provisionCli(["drift", "aks-cli-clean", "--endpoint", host.url!]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /^aks-cli-clean: no drift$/m);

    const id = await clusterWithDeletedKataPool(host, "aks-cli-held");
    const drifted = await provisionCli(["drift", "aks-cli-held", "--endpoint", host.url!]);
    assert.equal(drifted.code, 1, drifted.stderr);
    assert.match(drifted.stdout, /^CLUSTER +SETTING +DESIRED +ACTUAL +SEEN BY +DETECTED +RESTORE$/m);
    assert.match(drifted.stdout, /^aks-cli-held +agentPoolProfiles\[kata2\] +\{"workloadRuntime":"KataVmIsolation","osSKU":"AzureLinux"\} +null +event +\S+ +\(report only\)$/m);
    const json = await provisionCli(["drift", id.split("/").filter((_, i) => i === 2 || i === 4 || i === 8).join("/"), "--endpoint", host.url!, "-o", "json"]);
    assert.equal(json.code, 1);
    assert.deepEqual(lastJson(json.stdout).value.map((c: { id: string }) => c.id), [id]);
    assert.equal((await provisionCli(["drift", "aks-cli-clean", "--endpoint", host.url!])).code, 0, "another cluster: no drift");
  });

  it("a request ARM refuses exits 1 with ARM's code and message", async () => {
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-cli-fail$/, status: 403, code: "AuthorizationFailed", message: "The client has no authorization to perform action write." });
    const run = await provisionCli([await file(request("cli-fail", "aks-cli-fail")), "--endpoint", host.url!]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^error: AuthorizationFailed: step cluster: The client has no authorization/m);
  });

  it("cancel ID ends the request Canceled and exits 0", async () => {
    host.bus.pause(QUEUES.steps);
    try {
      await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(request("cli-cancel", "aks-cli-cancel")) });
      const run = await provisionCli(["cancel", "cli-cancel", "--endpoint", host.url!, "-o", "json"]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(lastJson(run.stdout).status, "Canceled");
    } finally {
      host.bus.resume(QUEUES.steps);
    }
  });

  it("exits 3 when the app cannot be reached or refuses the key, which it sends from AKS_PROVISIONER_KEY", async () => {
    const keys: (string | undefined)[] = [];
    const refusing = http.createServer((req, res) => {
      keys.push(req.headers["x-functions-key"] as string | undefined);
      res.writeHead(401).end();
    });
    await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
    try {
      const run = await provisionCli(["list", "--endpoint", url], { AKS_PROVISIONER_KEY: "the-key" });
      assert.equal(run.code, 3);
      assert.deepEqual(keys, ["the-key"]);
    } finally {
      refusing.close();
    }
    const closed = await provisionCli(["status", "x", "--endpoint", url]);
    assert.equal(closed.code, 3);
    assert.match(closed.stderr, /could not reach http:\/\/127\.0\.0\.1:\d+/);
  });
});
