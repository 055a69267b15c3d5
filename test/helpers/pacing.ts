// A burst of plain `create` requests across two subscriptions, submitted at once on the local host:
// the scenario of the pacing tests and of `npm run bench -- pacing`.
import { acceptRequest } from "../../src/app/accept.js";
import type { StatusDocument } from "../../src/app/status.js";
import { isAksWrite, subscriptionOf } from "../../src/domain/arm-limits.js";
import type { ArmStandInOptions } from "../../src/local/arm-standin/index.js";
import type { LocalHostOptions } from "../../src/local/host.js";
import { SUB } from "./examples.js";
import { startTestHost, waitForRequest } from "./local.js";

export const OTHER_SUB = "11111111-1111-1111-1111-111111111111";

/** Request i: its own cluster and resource group, in one of the two subscriptions (alternately). */
export const createRequest = (i: number, prefix = "pacing") => ({
  operation: "create",
  requestId: `${prefix}-${i}`,
  cluster: { subscriptionId: i % 2 ? OTHER_SUB : SUB, resourceGroup: `rg-${prefix}-${i}`, name: `aks-${prefix}-${i}`, location: "westus2" },
  nodePools: [{ name: "nodepool1", mode: "System", vmSize: "Standard_D4s_v3", count: 1 }],
});

export interface BurstResult {
  done: StatusDocument[];
  /** ARM requests answered 429, and all ARM requests. */
  throttled: number;
  armRequests: number;
  /** From the first submission to the last request's end. */
  elapsedMs: number;
  /** Per subscription, from its first accepted AKS cluster write to its last: the longest. */
  aksWriteSpanMs: number;
  /** Steps that spent retry attempts, with the last error they retried (kept in the row; status hides it once the step succeeds). */
  retried: { step: string; attempts: number; lastError?: string }[];
}

export async function burstOfCreates(count: number, standIn: ArmStandInOptions, settings: LocalHostOptions["settings"], timeoutMs = 120_000): Promise<BurstResult> {
  const host = await startTestHost({ standIn, settings });
  try {
    const started = Date.now();
    const ids = await Promise.all(Array.from({ length: count }, async (_, i) => (await acceptRequest(host.deps, createRequest(i))).status.id));
    const done: StatusDocument[] = [];
    for (const id of ids) done.push(await waitForRequest(host, id, timeoutMs));
    const elapsedMs = Math.max(...done.map((s) => Date.parse(s.updatedAt))) - started;
    const requests = host.standIn!.requests;
    const aksWrites = requests.filter((r) => r.status < 300 && isAksWrite(r.method, r.path));
    const spans = [SUB, OTHER_SUB].map((sub) => aksWrites.filter((r) => subscriptionOf(r.path) === sub).map((r) => r.at)).map((at) => (at.length ? Math.max(...at) - Math.min(...at) : 0));
    const rows = (await Promise.all(ids.map((id) => host.deps.requests.getSteps(id)))).flat();
    const retried = rows.filter((r) => r.attempts > 1).map((r) => ({ step: `${r.requestId}/${r.name}`, attempts: r.attempts, lastError: r.lastError && `${r.lastError.code}: ${r.lastError.message}` }));
    return { retried, done, throttled: requests.filter((r) => r.status === 429).length, armRequests: requests.length, elapsedMs, aksWriteSpanMs: Math.max(...spans) };
  } finally {
    await host.close();
  }
}
