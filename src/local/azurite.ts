// Starts Azurite's Table service from node_modules (in memory, no telemetry) for local runs and
// tests. Started with spawn, not spawnSync: the caller's event loop must stay free.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TableClient } from "@azure/data-tables";
import { EMULATOR_ACCOUNT, emulatorConnectionString } from "../storage-emulator.js";

export interface Azurite {
  port: number;
  /** A client of one table (the well-known development account, plain HTTP). */
  tableClient(table: string): TableClient;
  stop(): Promise<void>;
}


export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startAzurite(port?: number): Promise<Azurite> {
  if (port !== undefined) return launch(port);
  // A free port can be taken by another process between freePort() and Azurite's listen: try a
  // few fresh ports before giving up (Azurite exits at once with EADDRINUSE, so this is quick).
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort());
    } catch (e) {
      if (attempt >= 3 || !String(e).includes("EADDRINUSE")) throw e;
    }
  }
}

async function launch(tablePort: number): Promise<Azurite> {
  const pkg = createRequire(import.meta.url).resolve("azurite/package.json");
  const main = path.join(path.dirname(pkg), "dist/src/table/main.js");
  // exit-with-parent.cjs ends Azurite when this process ends, however it ends (its stdin closes).
  const watchdog = fileURLToPath(new URL("./exit-with-parent.cjs", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ["--require", watchdog, main, "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck", "--tableHost", "127.0.0.1", "--tablePort", String(tablePort)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  // --silent: no access log line per request (the start line is still printed). Wait for Azurite's
  // "successfully started" line, then stop listening: a listener that kept collecting its output
  // would grow and slow the host for as long as it runs.
  await new Promise<void>((resolve, reject) => {
    let tail = "";
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.stderr!.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4096); // enough for the start line and an error message
      if (tail.includes("successfully started")) done();
    };
    const onExit = (code: number | null) => done(new Error(`Azurite exited with ${code}: ${tail}`));
    const timer = setTimeout(() => done(new Error(`Azurite did not start within 20 s: ${tail}`)), 20_000);
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", onExit);
  });
  // Keep draining its output (a full pipe would block it) without holding on to any of it.
  child.stdout!.resume();
  child.stderr!.resume();
  const connectionString = emulatorConnectionString(`http://127.0.0.1:${tablePort}/${EMULATOR_ACCOUNT}`);
  return {
    port: tablePort,
    tableClient: (table) => TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}
