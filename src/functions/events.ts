// Event Grid: cluster events from a subscription / resource-group system topic
// (ResourceWriteSuccess) and the AKS system topic; Event Grid or CloudEvents schema. The event
// subscription in infra uses the function name `clusterEvents`.
import functions, { type EventGridEvent, type InvocationContext } from "@azure/functions";
import { getDeps } from "./runtime.js";

export const CLUSTER_EVENTS_FUNCTION = "clusterEvents";

export async function clusterEvents(event: EventGridEvent | Record<string, unknown>, context: InvocationContext): Promise<void> {
  const { handleClusterEvent } = await import("../app/cluster-events.js");
  const outcome = await handleClusterEvent(await getDeps(), event as Record<string, any>);
  context.log(`event ${(event as { id?: string }).id}: ${outcome}`);
}

functions.app.eventGrid(CLUSTER_EVENTS_FUNCTION, { handler: clusterEvents as never });
