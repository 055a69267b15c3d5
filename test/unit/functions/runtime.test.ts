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

  it("a malformed list is refused too; a valid one loads (with the token check, or AUTH_MODE=off)", async () => {
    const scopes = { FUNCTIONS_WORKER_RUNTIME: "node", ALLOWED_SCOPES: "/subscriptions/00000000-0000-0000-0000-000000000000" };
    assert.match((await load({ ...scopes, ALLOWED_SCOPES: "*" })).stderr, /ALLOWED_SCOPES: '\*'/);
    assert.equal((await load({ ...scopes, AUTH_MODE: "off" })).code, 0);
    const off = await load({ ...scopes, AUTH_MODE: "off" });
    assert.match(off.stderr, /AUTH_MODE=off: no token check/);
    const policy = JSON.stringify({ roles: { "Team.A": { operations: ["create"], scopes: ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-team-a"] } } });
    assert.equal((await load({ ...scopes, AUTH_TENANT_ID: "11111111-2222-3333-4444-555555555555", AUTH_AUDIENCE: "api://aks-provisioner", CALLER_POLICY: policy })).code, 0);
  });

  it("without the token check's settings it fails to load, naming them; a bad CALLER_POLICY is refused naming the field", async () => {
    const scopes = { FUNCTIONS_WORKER_RUNTIME: "node", ALLOWED_SCOPES: "/subscriptions/00000000-0000-0000-0000-000000000000" };
    const none = await load(scopes);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /AUTH_AUDIENCE and CALLER_POLICY are not set/);
    const auth = { ...scopes, AUTH_TENANT_ID: "11111111-2222-3333-4444-555555555555", AUTH_AUDIENCE: "api://aks-provisioner" };
    assert.match((await load({ ...auth, CALLER_POLICY: '{"roles":{"A":{"operations":["fly"],"scopes":["*"]}}}' })).stderr, /CALLER_POLICY: roles\.A\.operations\.0: .*; roles\.A\.scopes\.0: must be/);
    const outside = JSON.stringify({ roles: { A: { operations: ["*"], scopes: ["/subscriptions/99999999-0000-0000-0000-000000000000"] } } });
    assert.match((await load({ ...auth, CALLER_POLICY: outside })).stderr, /role A: scope \/subscriptions\/99999999-0000-0000-0000-000000000000 is not inside ALLOWED_SCOPES/);
  });

  it("outside a Functions host (the local host) it loads without the setting", async () => assert.equal((await load({})).code, 0));
});
