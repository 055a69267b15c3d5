// Cluster events (Event Grid): a cluster write is compared with the last-known isolation settings;
// when artifactSource, containerRegistryId or outboundType changed — also by hand, with
// `az aks update` — every pool must be re-imaged (network-isolated procedure), so one
// upgradeNodeImages request is queued per change. Its requestId is derived from the cluster and the
// change's generation: five events announcing one change make one request, so one upgrade per pool.
// Changes this app makes itself are re-imaged by the request that made them, never twice.
import { createHash } from "node:crypto";
import { toClusterEvent, toResourceEvent, type ClusterEvent, type ResourceEvent } from "../domain/events.js";
import type { HeldResource } from "../domain/held-resources.js";
import { isSameOrUnder } from "../domain/resource-kinds.js";
import { heldTargetId } from "../domain/held-target.js";
import { isManaged } from "../domain/managed.js";
import { parseResourceId } from "../domain/naming.js";
import { NODE_IMAGES_STEP } from "../domain/steps/node-image.js";
import { OWN_REQUEST_VIA, QUEUES } from "./queue.js";
import { withRetryOnConflict } from "./optimistic.js";
import type { AppDeps } from "./deps.js";
import { noteClusterSettings } from "./cluster-settings.js";
import { checkDrift, desiredOf, driftOf } from "./drift.js";

export type EventOutcome =
  | "ignored"
  | "ignored-unmanaged"
  | "recorded-first-sight"
  | "unchanged"
  | "own-change"
  | "upgrade-queued"
  | "rolling-recorded"
  | "event-recorded"
  | "drift-checked";

/**
 * Events are untrusted: a malformed or unknown event is acknowledged and logged, never an error; an
 * event about a cluster the app does not manage (no `managed-by: aks-provisioner` tag) changes
 * nothing, neither in ARM nor in the app's state.
 */
export async function handleClusterEvent(deps: AppDeps, raw: unknown): Promise<EventOutcome> {
  const ev = toClusterEvent(raw, deps.now());
  const held = ev ? undefined : toResourceEvent(raw);
  if (held) return onResourceChange(deps, held);
  if (!ev) {
    deps.log(`event ignored: not a well-formed cluster event (${describe(raw)})`);
    return "ignored";
  }
  switch (ev.kind) {
    case "ResourceWriteSuccess":
      return onClusterWrite(deps, ev);
    case "ResourceDeleteSuccess":
    case "AgentPoolChanged":
      return onHeldResourceChange(deps, ev);
    case "NodePoolRollingStarted":
    case "NodePoolRollingSucceeded":
    case "NodePoolRollingFailed":
      return onRolling(deps, ev);
    default:
      return recordEvent(deps, ev);
  }
}

async function onClusterWrite(deps: AppDeps, ev: ClusterEvent): Promise<EventOutcome> {
  const mc = await deps.arm.read({ kind: "managedCluster", id: ev.clusterId });
  if (!mc) return "ignored";
  if (!isManaged(mc)) return ignoreUnmanaged(deps, ev);
  const noted = await noteClusterSettings(deps, mc);
  const drift = await checkDrift(deps, ev.clusterId, "event", { cluster: { mc } });
  if (noted.firstSeen) return "recorded-first-sight";
  if (!noted.changed) return "unchanged";
  if (await ownChangeInProgress(deps, noted.record.lastRequestId)) return "own-change";
  // A restore of the isolation settings re-images the pools itself (enableNetworkIsolation's last step).
  if (drift === "drift-recorded" && (await isolationRestoreQueued(deps, ev.clusterId))) return "drift-checked";
  const pools: string[] = (mc.agentPoolProfiles ?? []).map((p: { name: string }) => p.name);
  await queueUpgrade(deps, ev.clusterId, pools, `settings-g${noted.record.generation}`, `isolation settings changed outside this app (event ${ev.id})`);
  return "upgrade-queued";
}

/**
 * A cluster deleted, or one of its pools written or deleted: only drift of a held cluster can come
 * of it (one ARM read of the cluster; an event about a cluster this app does not hold reads nothing).
 */
async function onHeldResourceChange(deps: AppDeps, ev: ClusterEvent): Promise<EventOutcome> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(ev.clusterId);
  if (!desiredOf(await deps.clusters.get(subscriptionId, resourceGroup, name))) return "ignored";
  const mc = await deps.arm.read({ kind: "managedCluster", id: ev.clusterId });
  await checkDrift(deps, ev.clusterId, "event", { cluster: { mc } });
  return "drift-checked";
}

/**
 * A registry, endpoint, DNS zone, link, record, role assignment or NSG rule written or deleted: the
 * clusters that hold it (or a resource under it: a deleted zone takes its records) read it again,
 * one ARM read per held resource, never a write. Nobody holds it: acknowledged, nothing read.
 */
async function onResourceChange(deps: AppDeps, ev: ResourceEvent): Promise<EventOutcome> {
  const touched = (r: HeldResource) => isSameOrUnder(r.resourceId, ev.resourceId);
  const holders = (await deps.clusters.list()).filter((rec) => desiredOf(rec)?.resources?.some(touched));
  if (!holders.length) return "ignored";
  for (const rec of holders) await checkDrift(deps, heldTargetId(rec), "event", { resources: touched });
  return "drift-checked";
}

async function isolationRestoreQueued(deps: AppDeps, id: string): Promise<boolean> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(id);
  return driftOf(await deps.clusters.get(subscriptionId, resourceGroup, name)).some((e) => /^(bootstrapProfile|networkProfile)\./.test(e.setting) && e.restore?.startsWith("queued "));
}

/** A request of this app that is still running and will re-image the pools itself. */
async function ownChangeInProgress(deps: AppDeps, requestId?: string): Promise<boolean> {
  if (!requestId) return false;
  const req = await deps.requests.getRequest(requestId);
  return !!req && (req.state === "Accepted" || req.state === "Running") && req.plan.some((s) => s.name === NODE_IMAGES_STEP);
}

/**
 * Queues an upgradeNodeImages request on `node-image-upgrades` (its trigger accepts it like any
 * request). The requestId names the change, and the Queued rows make the upgrade visible at once.
 */
export async function queueUpgrade(deps: AppDeps, clusterId: string, pools: string[], change: string, reason: string, via: "event" | "timer" = "event"): Promise<string> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(clusterId);
  const requestId = `upgrade-${createHash("sha1").update(clusterId.toLowerCase()).digest("hex").slice(0, 12)}-${change}`.slice(0, 100);
  const now = deps.now().toISOString();
  for (const pool of pools)
    await deps.upgrades.createIfMissing({ clusterId, pool, changeKey: requestId, reason, state: "Queued", requestedAt: now });
  const request = { operation: "upgradeNodeImages", requestId, cluster: { subscriptionId, resourceGroup, name }, nodePoolNames: pools };
  await deps.queue.send(QUEUES.upgrades, [{ body: request, messageId: requestId, subject: "upgradeNodeImages", applicationProperties: { [OWN_REQUEST_VIA]: via } }]);
  deps.log(`queued node-image upgrade ${requestId} for ${pools.join(", ")}: ${reason}`);
  return requestId;
}

function ignoreUnmanaged(deps: AppDeps, ev: ClusterEvent): EventOutcome {
  deps.log(`event ${ev.id} ignored: cluster ${ev.clusterId} is not managed by this app (no tag managed-by: aks-provisioner)`);
  return "ignored-unmanaged";
}

const describe = (raw: unknown): string => {
  if (!raw || typeof raw !== "object") return `a ${raw === null ? "null" : typeof raw}`;
  const r = raw as Record<string, unknown>;
  return `id ${JSON.stringify(r.id)?.slice(0, 80)}, type ${JSON.stringify(r.eventType ?? r.type)?.slice(0, 120)}`;
};

async function onRolling(deps: AppDeps, ev: ClusterEvent): Promise<EventOutcome> {
  const pool = typeof ev.data.nodePoolName === "string" ? ev.data.nodePoolName : undefined;
  if (!pool) return "ignored";
  const records = (await deps.upgrades.listForCluster(ev.clusterId)).filter((r) => r.pool.toLowerCase() === pool.toLowerCase());
  const latest = records.at(-1);
  if (!latest) return "ignored";
  const state = ev.kind === "NodePoolRollingSucceeded" ? "Succeeded" : ev.kind === "NodePoolRollingFailed" ? "Failed" : "Running";
  return withRetryOnConflict(`upgrade record of pool ${pool}`, async () => {
    const rec = (await deps.upgrades.get(latest.clusterId, latest.changeKey, latest.pool))!;
    // The request's own poller has the last word on Succeeded; the event only moves a record forward.
    await deps.upgrades.save({ ...rec, rolling: `${ev.kind} at ${ev.time}`, state: rec.state === "Succeeded" ? rec.state : state });
    return "rolling-recorded" as const;
  });
}

/** NewKubernetesVersionAvailable, ClusterSupportEnding/Ended: the latest of each, for GET /api/clusters. */
async function recordEvent(deps: AppDeps, ev: ClusterEvent): Promise<EventOutcome> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(ev.clusterId);
  return withRetryOnConflict(`cluster ${name}`, async (): Promise<EventOutcome> => {
    let rec = await deps.clusters.get(subscriptionId, resourceGroup, name);
    if (!rec) {
      const mc = await deps.arm.read({ kind: "managedCluster", id: ev.clusterId });
      if (!mc) return "ignored";
      if (!isManaged(mc)) return ignoreUnmanaged(deps, ev);
      await noteClusterSettings(deps, mc);
      rec = (await deps.clusters.get(subscriptionId, resourceGroup, name))!;
    }
    const events = rec.events ? JSON.parse(rec.events) : {};
    if (events[ev.kind] && events[ev.kind].time > ev.time) return "event-recorded";
    events[ev.kind] = { time: ev.time, data: ev.data };
    await deps.clusters.save({ ...rec, events: JSON.stringify(events), updatedAt: deps.now().toISOString() });
    return "event-recorded";
  });
}
