// Under a Functions host the app refuses to start without ALLOWED_SCOPES; the local host may run
// without it (with a warning).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

function load(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", 'await import("./src/functions/runtime.ts")'], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("ALLOWED_SCOPES at start", () => {
  it("a Functions worker without it fails to load the app, naming the setting", async () => {
    const r = await load({ FUNCTIONS_WORKER_RUNTIME: "node" });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ALLOWED_SCOPES is not set/);
  });

  it("a malformed list is refused too; a valid one loads", async () => {
    assert.match((await load({ FUNCTIONS_WORKER_RUNTIME: "node", ALLOWED_SCOPES: "*" })).stderr, /ALLOWED_SCOPES: '\*'/);
    assert.equal((await load({ FUNCTIONS_WORKER_RUNTIME: "node", ALLOWED_SCOPES: "/subscriptions/00000000-0000-0000-0000-000000000000" })).code, 0);
  });

  it("outside a Functions host (the local host) it loads without the setting", async () => assert.equal((await load({})).code, 0));
});
