// Cluster events, in either delivery schema (Event Grid or CloudEvents 1.0), normalised. Sources:
// a subscription / resource-group system topic (Microsoft.Resources.ResourceWriteSuccess) and the
// AKS system topic (Microsoft.ContainerService.* events).
import { resourceTypeOf } from "./resource-kinds.js";

export type ClusterEventKind =
  | "ResourceWriteSuccess"
  /** The cluster itself was deleted. */
  | "ResourceDeleteSuccess"
  /** One of its agent pools was written or deleted (`data.nodePoolName` names it): drift only. */
  | "AgentPoolChanged"
  | "NewKubernetesVersionAvailable"
  | "ClusterSupportEnding"
  | "ClusterSupportEnded"
  | "NodePoolRollingStarted"
  | "NodePoolRollingSucceeded"
  | "NodePoolRollingFailed";

export interface ClusterEvent {
  id: string;
  kind: ClusterEventKind;
  clusterId: string;
  time: string;
  data: Record<string, unknown>;
}

export const SUBSCRIPTION_VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";
const CLUSTER_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i;
const AGENT_POOL_ID = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+)\/agentPools\/([a-z0-9]{1,12})$/i;

/** How far ahead of the receiver's clock an event's time may be (clock skew); later times are clamped. */
export const EVENT_TIME_SKEW_MS = 5 * 60_000;

const str = (v: unknown, max = 2048): string | undefined => (typeof v === "string" && v.length <= max ? v : undefined);

/**
 * Maps one raw event (either schema) to a cluster event, or undefined when it is not about a
 * cluster. Events are untrusted input (anyone with the topic's key can forge one): every field is
 * type-checked, and an event time is never later than `now` plus a small skew.
 */
export function toClusterEvent(raw: unknown, now: Date = new Date()): ClusterEvent | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const type = str(r.eventType) ?? str(r.type) ?? "";
  const data = (r.data && typeof r.data === "object" && !Array.isArray(r.data) ? r.data : {}) as Record<string, unknown>;
  const topic = str(r.topic) ?? str(r.source) ?? "";
  const subject = str(r.subject) ?? "";
  const kind = type.replace(/^Microsoft\.(Resources|ContainerService)\./, "") as ClusterEventKind;
  const time = eventTime(str(r.eventTime, 64) ?? str(r.time, 64), now);
  const id = str(r.id, 256) ?? "";
  if (type === "Microsoft.Resources.ResourceWriteSuccess" || type === "Microsoft.Resources.ResourceDeleteSuccess") {
    const uri = str(data.resourceUri) ?? subject;
    if (data.status !== undefined && String(data.status).toLowerCase() !== "succeeded") return undefined;
    if (CLUSTER_ID.test(uri)) return { id, kind, clusterId: uri, time, data };
    // A pool's write or delete is not an isolation change, but may be drift (a Kata pool deleted).
    const pool = AGENT_POOL_ID.exec(uri);
    if (pool) return { id, kind: "AgentPoolChanged", clusterId: pool[1], time, data: { ...data, nodePoolName: pool[2], deleted: kind === "ResourceDeleteSuccess" } };
    return undefined;
  }
  if (KINDS.includes(kind) && type.startsWith("Microsoft.ContainerService.")) {
    // The AKS system topic is the cluster itself.
    const clusterId = CLUSTER_ID.test(topic) ? topic : CLUSTER_ID.test(subject) ? subject : "";
    if (!clusterId) return undefined;
    if (data.nodePoolName !== undefined && !str(data.nodePoolName, 12)) return undefined;
    return { id, kind, clusterId, time, data };
  }
  return undefined;
}

/** A write or delete of a resource of a kind a cluster may hold (held-resources.ts). */
export interface ResourceEvent {
  id: string;
  resourceId: string;
  deleted: boolean;
}

/** The ARM types of held resources: the Event Grid subscription (infra/) filters on their writes and deletes. */
export const HELD_RESOURCE_TYPES = [
  "Microsoft.ContainerRegistry/registries",
  "Microsoft.Network/privateEndpoints",
  "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
  "Microsoft.Network/privateDnsZones",
  "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
  "Microsoft.Network/privateDnsZones/A",
  "Microsoft.Authorization/roleAssignments",
  "Microsoft.Network/networkSecurityGroups/securityRules",
  "Microsoft.HybridCompute/privateLinkScopes",
] as const;
const HELD_TYPES = new Set<string>(HELD_RESOURCE_TYPES.map((t) => t.toLowerCase()));
const RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^?#%\\]+$/i;

/** Maps one raw ResourceWriteSuccess/ResourceDeleteSuccess about such a resource; undefined otherwise. */
export function toResourceEvent(raw: unknown): ResourceEvent | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const type = str(r.eventType) ?? str(r.type) ?? "";
  if (type !== "Microsoft.Resources.ResourceWriteSuccess" && type !== "Microsoft.Resources.ResourceDeleteSuccess") return undefined;
  const data = (r.data && typeof r.data === "object" && !Array.isArray(r.data) ? r.data : {}) as Record<string, unknown>;
  if (data.status !== undefined && String(data.status).toLowerCase() !== "succeeded") return undefined;
  const uri = str(data.resourceUri) ?? str(r.subject) ?? "";
  const armType = RESOURCE_ID.test(uri) && !uri.split("/").some((seg) => seg === "." || seg === "..") ? resourceTypeOf(uri) : undefined;
  if (!armType || !HELD_TYPES.has(armType.toLowerCase())) return undefined;
  return { id: str(r.id, 256) ?? "", resourceId: uri, deleted: type.endsWith("DeleteSuccess") };
}

const KINDS: ClusterEventKind[] = ["NewKubernetesVersionAvailable", "ClusterSupportEnding", "ClusterSupportEnded", "NodePoolRollingStarted", "NodePoolRollingSucceeded", "NodePoolRollingFailed"];

/** The event's time as ISO text: now when missing or unreadable, never beyond now + skew. */
function eventTime(text: string | undefined, now: Date): string {
  const t = text ? Date.parse(text) : NaN;
  const latest = now.getTime() + EVENT_TIME_SKEW_MS;
  if (!Number.isFinite(t)) return now.toISOString();
  return t <= latest ? text! : new Date(latest).toISOString();
}
