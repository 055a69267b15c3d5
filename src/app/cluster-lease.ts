// One cluster, one writer. Every step of a request about an AKS cluster (a create included: its
// cluster id is known before the cluster exists) acts only while the request holds the cluster's
// lease (a Table row, src/state/lease-store.ts). The first step to run takes it; the steps of the
// same request share it and renew it as they work; the request gives it back when it ends
// (finishRequest). The whole request holds it, its reads included: what a request reads of the
// cluster (its pools, its isolation settings) decides what it writes, so it must not change under it.
//
// A step that finds the cluster held by another request is rescheduled (a scheduled message; no
// attempt spent) and shows which request it waits for; after leaseMaxWaitMs it fails. A lease its
// owner stopped renewing (the owner crashed) expires and is taken over; one whose owner has ended
// is taken over at once. Requests that contradict the holder are refused (domain/cluster-conflicts.ts).
import { conflictBetween, takesLease } from "../domain/cluster-conflicts.js";
import type { ClusterRequest } from "../domain/contract.js";
import type { ClusterLease, ErrorInfo, RequestRecord, StepRecord } from "../domain/records.js";
import type { AppDeps } from "./deps.js";
import { withRetryOnConflict } from "./optimistic.js";
import { isTerminal } from "./status.js";

/** Longer than any pause of a working request (re-checks come at most RECHECK_MAX_MS apart). */
export const DEFAULT_LEASE_TTL_MS = 15 * 60_000;
/** A request may queue this long behind another (a re-image of every pool can take hours). */
export const DEFAULT_LEASE_MAX_WAIT_MS = 6 * 60 * 60_000;

export type Turn =
  /** The request holds the cluster: act. `row` carries what the step must remember of the lease. */
  | { kind: "go"; row: StepRecord }
  /** Another request holds it: re-check after `delayMs`, with `row` saying whom the step waits for. */
  | { kind: "wait"; row: StepRecord; delayMs: number }
  /** Waited too long, or contradicts the holder: the step fails with `error`, having written nothing. */
  | { kind: "refuse"; row: StepRecord; error: ErrorInfo };

type Attempt = { held: ClusterLease } | { holder: ClusterLease; holderRequest: RequestRecord };

/** Takes, renews or waits for the lease of the request's cluster before a step of it acts. */
export async function takeClusterTurn(deps: AppDeps, req: RequestRecord, row: StepRecord): Promise<Turn> {
  if (!takesLease(req.target)) return { kind: "go", row };
  const now = deps.now().getTime();
  const ttl = deps.settings.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  // Held until leaseUntil, as this step last saw it: no other request can take a lease before it
  // expires, so while enough of it is left there is nothing to look at (most re-checks are polls).
  if (row.leaseUntil && Date.parse(row.leaseUntil) - now > ttl / 2) return { kind: "go", row };

  const got = await withRetryOnConflict(`lease of ${req.target}`, () => attempt(deps, req, now, ttl));
  if ("held" in got) {
    const waited = row.waitingForRequest !== undefined;
    return { kind: "go", row: { ...row, leaseUntil: got.held.expiresAt, queuedSince: undefined, waitingForRequest: undefined, waitReason: waited ? undefined : row.waitReason } };
  }

  const { holder, holderRequest } = got;
  const cluster = req.target.split("/").pop();
  const conflict = conflictBetween({ id: holder.owner, body: holderRequest.body as ClusterRequest }, req.body as ClusterRequest);
  if (conflict) return { kind: "refuse", row, error: { code: "ConflictingRequest", message: conflict } };
  const since = row.queuedSince ?? new Date(now).toISOString();
  const waited = now - Date.parse(since);
  const maxWait = deps.settings.leaseMaxWaitMs ?? DEFAULT_LEASE_MAX_WAIT_MS;
  if (waited > maxWait)
    return {
      kind: "refuse",
      row,
      error: { code: "ClusterLeaseWaitTimedOut", message: `gave up after waiting ${Math.round(waited / 1000)} s (the limit is ${Math.round(maxWait / 1000)} s) for request ${holder.owner}, which holds cluster ${cluster}` },
    };
  const waitReason = `request ${holder.owner} (${holder.operation}), which holds cluster ${cluster}`;
  if (row.waitingForRequest !== holder.owner) deps.log(`step ${row.name} of ${req.id} waits for ${waitReason}`);
  // Look again sooner at first, then less often; never later than the holder's lease runs out.
  const delayMs = Math.min(waited / 4, Math.max(0, Date.parse(holder.expiresAt) - now));
  return { kind: "wait", row: { ...row, queuedSince: since, waitReason, waitingForRequest: holder.owner }, delayMs };
}

async function attempt(deps: AppDeps, req: RequestRecord, now: number, ttl: number): Promise<Attempt> {
  const lease = await deps.leases.get(req.target);
  const expiresAt = new Date(now + ttl).toISOString();
  const mine = (takenOverFrom?: string): ClusterLease => ({ clusterId: req.target, owner: req.id, operation: req.operation, acquiredAt: new Date(now).toISOString(), expiresAt, takenOverFrom });
  if (!lease) return { held: await deps.leases.create(mine()) };
  if (lease.owner === req.id) {
    // Renewed once half of it is gone: one write per half-TTL, not one per step.
    return { held: Date.parse(lease.expiresAt) - now > ttl / 2 ? lease : await deps.leases.replace({ ...lease, expiresAt }) };
  }
  const holderRequest = await deps.requests.getRequest(lease.owner);
  const expired = Date.parse(lease.expiresAt) <= now;
  if (expired || !holderRequest || isTerminal(holderRequest.state)) {
    const why = expired ? `its lease expired at ${lease.expiresAt}` : holderRequest ? `it has ended (${holderRequest.state})` : "it does not exist";
    deps.log(`request ${req.id} takes cluster ${req.target} over from request ${lease.owner}: ${why}`);
    return { held: await deps.leases.replace({ ...mine(lease.owner), etag: lease.etag }) };
  }
  return { holder: lease, holderRequest };
}

/** Gives the cluster back when a request ends; a lease another request holds (it took it over) is left alone. */
export async function releaseClusterLease(deps: AppDeps, requestId: string, target: string): Promise<void> {
  if (!takesLease(target)) return;
  await withRetryOnConflict(`lease of ${target}`, async () => {
    const lease = await deps.leases.get(target);
    if (lease?.owner !== requestId) return;
    await deps.leases.remove(lease);
    deps.log(`request ${requestId} released cluster ${target}`);
  });
}
