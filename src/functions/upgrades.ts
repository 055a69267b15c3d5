// `node-image-upgrades` queue: upgradeNodeImages requests queued by the event handler and the
// node-image timer; accepted like any request (the requestId names the change: one per change).
import functions, { type InvocationContext } from "@azure/functions";
import { CONNECTIONS } from "../config.js";
import { QUEUES } from "../app/queue.js";
import { forInvocation, messageProperties, messageTrace } from "./invocation.js";
import { getDeps } from "./runtime.js";
import { lazy } from "../lazy.js";

const acceptModule = lazy(() => import("../app/accept.js"));

export async function nodeImageUpgrade(message: unknown, context: InvocationContext): Promise<void> {
  const { acceptRequest } = await acceptModule();
  const deps = forInvocation(await getDeps(), context, { traceparents: messageTrace(messageProperties(context)) });
  const outcome = await acceptRequest(deps, message);
  deps.log(`node-image upgrade request ${outcome.status.id}: ${outcome.kind}`, { requestId: outcome.status.id });
  // Abandoned: the redelivery starts it.
  if (outcome.kind === "notStarted") throw new Error(`FirstSendFailed: request ${outcome.status.id} ${outcome.message}`);
}

functions.app.serviceBusQueue("nodeImageUpgrade", { connection: CONNECTIONS.serviceBus, queueName: QUEUES.upgrades, handler: nodeImageUpgrade });
