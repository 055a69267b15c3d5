// Cluster events, in either delivery schema (Event Grid or CloudEvents 1.0), normalised. Sources:
// a subscription / resource-group system topic (Microsoft.Resources.ResourceWriteSuccess) and the
// AKS system topic (Microsoft.ContainerService.* events).
export type ClusterEventKind =
  | "ResourceWriteSuccess"
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

/** Maps one raw event (either schema) to a cluster event, or undefined when it is not about a cluster. */
export function toClusterEvent(input: unknown): ClusterEvent | undefined {
  if (!isObject(input)) return undefined;
  const raw = input;
  const type = text(raw.eventType) ?? text(raw.type) ?? "";
  const data = isObject(raw.data) ? raw.data : {};
  const topic = text(raw.topic) ?? text(raw.source) ?? "";
  const subject = text(raw.subject) ?? "";
  const kind = type.replace(/^Microsoft\.(Resources|ContainerService)\./, "") as ClusterEventKind;
  const time = text(raw.eventTime) ?? text(raw.time) ?? new Date().toISOString();
  const id = String(raw.id ?? "");
  if (type === "Microsoft.Resources.ResourceWriteSuccess") {
    // Only writes of the cluster itself: agent-pool and other child writes are not isolation changes.
    const uri = text(data.resourceUri) ?? subject;
    if (!CLUSTER_ID.test(uri)) return undefined;
    if (data.status && String(data.status).toLowerCase() !== "succeeded") return undefined;
    return { id, kind, clusterId: uri, time, data };
  }
  if (type.startsWith("Microsoft.ContainerService.")) {
    // The AKS system topic is the cluster itself.
    const clusterId = CLUSTER_ID.test(topic) ? topic : CLUSTER_ID.test(subject) ? subject : "";
    if (!clusterId) return undefined;
    return { id, kind, clusterId, time, data };
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
