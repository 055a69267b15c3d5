// Runs requests on the local host (Azurite + in-process bus + ARM stand-in), as the CLI does.
import { acceptRequest, statusOf } from "../../src/app/accept.js";
import { isTerminal, type StatusDocument } from "../../src/app/status.js";
import { startLocalHost, type LocalHost, type LocalHostOptions } from "../../src/local/host.js";

export async function startTestHost(opts: LocalHostOptions = {}): Promise<LocalHost> {
  return startLocalHost({ quiet: true, ...opts, standIn: { timeScale: 0.05, ...opts.standIn } });
}

/**
 * Waits for the host's signal that the request ended (no polling: a thousand waiters cost nothing
 * while their requests run), then for in-flight follow-up messages to settle so counts are stable.
 */
export async function waitForRequest(host: LocalHost, id: string, timeoutMs = 60_000): Promise<StatusDocument> {
  const finished = host.nextFinish(id); // before reading, so a finish in between is not missed
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
  try {
    const first = (await statusOf(host.deps, id))!;
    if (!isTerminal(first.state) && (await Promise.race([finished, timedOut])) === "timeout") {
      const s = (await statusOf(host.deps, id))!;
      if (!isTerminal(s.state)) throw new Error(`request ${id} still ${s.state} after ${timeoutMs} ms: ${JSON.stringify(s.steps.map((x) => [x.name, x.state, x.waitingFor, x.lastError]))}`);
    }
  } finally {
    clearTimeout(timer);
  }
  await host.bus.whenIdle();
  return (await statusOf(host.deps, id))!;
}

/** Submits like POST /api/requests and waits for a final state. */
export async function provision(host: LocalHost, raw: unknown, timeoutMs?: number): Promise<StatusDocument> {
  const outcome = await acceptRequest(host.deps, raw);
  return waitForRequest(host, outcome.status.id, timeoutMs);
}

/** ARM writes the stand-in saw, as "METHOD path" (api-version dropped). */
export function armWrites(host: LocalHost): string[] {
  return host.standIn!.writes().map((w: { method: string; path: string }) => `${w.method} ${w.path.split("?")[0]}`);
}
