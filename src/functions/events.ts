// Event Grid: cluster events from a subscription / resource-group system topic
// (ResourceWriteSuccess) and the AKS system topic; Event Grid or CloudEvents schema. The event
// subscription in infra uses the function name `clusterEvents`.
import functions, { type EventGridEvent, type InvocationContext } from "@azure/functions";
import { forInvocation } from "./invocation.js";
import { getDeps } from "./runtime.js";
import { lazy } from "../lazy.js";

const clusterEventsModule = lazy(() => import("../app/cluster-events.js"));

export const CLUSTER_EVENTS_FUNCTION = "clusterEvents";

export async function clusterEvents(event: EventGridEvent | Record<string, unknown> | null, context: InvocationContext): Promise<void> {
  const { handleClusterEvent } = await clusterEventsModule();
  const deps = forInvocation(await getDeps(), context, {});
  // Untrusted input: handleClusterEvent type-checks every field and never throws on a bad event.
  const outcome = await handleClusterEvent(deps, event);
  const id = event && typeof event === "object" && typeof event.id === "string" ? event.id.slice(0, 100) : "(no id)";
  deps.log(`event ${id}: ${outcome}`);
}

functions.app.eventGrid(CLUSTER_EVENTS_FUNCTION, { handler: clusterEvents as never });
