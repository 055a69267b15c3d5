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
  data: Record<string, any>;
}

export const SUBSCRIPTION_VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";
const CLUSTER_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/i;

/** Maps one raw event (either schema) to a cluster event, or undefined when it is not about a cluster. */
export function toClusterEvent(raw: Record<string, any>): ClusterEvent | undefined {
  const type: string = raw.eventType ?? raw.type ?? "";
  const data = (raw.data ?? {}) as Record<string, any>;
  const topic: string = raw.topic ?? raw.source ?? "";
  const kind = type.replace(/^Microsoft\.(Resources|ContainerService)\./, "") as ClusterEventKind;
  const time = raw.eventTime ?? raw.time ?? new Date().toISOString();
  const id = String(raw.id ?? "");
  if (type === "Microsoft.Resources.ResourceWriteSuccess") {
    // Only writes of the cluster itself: agent-pool and other child writes are not isolation changes.
    const uri: string = data.resourceUri ?? raw.subject ?? "";
    if (!CLUSTER_ID.test(uri)) return undefined;
    if (data.status && String(data.status).toLowerCase() !== "succeeded") return undefined;
    return { id, kind, clusterId: uri, time, data };
  }
  if (type.startsWith("Microsoft.ContainerService.")) {
    // The AKS system topic is the cluster itself.
    const clusterId = CLUSTER_ID.test(topic) ? topic : CLUSTER_ID.test(raw.subject ?? "") ? raw.subject : "";
    if (!clusterId) return undefined;
    return { id, kind, clusterId, time, data };
  }
  return undefined;
}
