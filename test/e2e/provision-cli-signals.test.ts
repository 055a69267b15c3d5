// `npm run provision` stops its children: on SIGTERM/SIGINT it closes the host, and when it is
// killed outright Azurite sees its stdin close and exits by itself (no orphan holding a port).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { describe, it } from "node:test";
import { EXAMPLES_DIR } from "../helpers/examples.js";

/** Starts the CLI and resolves with it and Azurite's port once the host is up. */
function startCli(): Promise<{ child: ReturnType<typeof spawn>; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/local/provision-cli.ts", path.join(EXAMPLES_DIR, "network-isolated-byo-acr-vnet-integration.json"), "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d) => {
      err += d;
      const m = err.match(/Azurite on port (\d+)/);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stdout!.resume();
    child.on("exit", (code) => reject(new Error(`the CLI exited (${code}) before its host was up: ${err}`)));
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

async function closedWithin(port: number, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (!(await listening(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe("npm run provision stops its children", () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const)
    it(`${signal}: Azurite stops too`, async () => {
      const { child, port } = await startCli();
      assert.ok(await listening(port), "Azurite is up");
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill(signal);
      await exited;
      assert.ok(await closedWithin(port), `Azurite still listens on ${port} after ${signal}`);
    });
});
