// `node-image-upgrades` queue: the app's own requests — upgradeNodeImages queued by the event handler
// and the node-image timer, drift restores — accepted like any request (the requestId names the
// change: one per change), as requested by the app itself. Only the app holds Data Sender here (no
// token is carried: the queue's access control is the proof).
import functions, { type InvocationContext } from "@azure/functions";
import { CONNECTIONS } from "../config.js";
import { OWN_REQUEST_VIA, QUEUES } from "../app/queue.js";
import { appCaller } from "../domain/caller.js";
import { forInvocation, messageProperties, messageTrace } from "./invocation.js";
import { getDeps } from "./runtime.js";
import { lazy } from "../lazy.js";

const acceptModule = lazy(() => import("../app/accept.js"));

export async function nodeImageUpgrade(message: unknown, context: InvocationContext): Promise<void> {
  const { acceptRequest } = await acceptModule();
  const deps = forInvocation(await getDeps(), context, { traceparents: messageTrace(messageProperties(context)) });
  const via = messageProperties(context)[OWN_REQUEST_VIA];
  const outcome = await acceptRequest(deps, message, undefined, undefined, { caller: appCaller(via === "timer" || via === "sweep" ? via : "event") });
  deps.log(`node-image upgrade request ${outcome.status.id}: ${outcome.kind}`, { requestId: outcome.status.id });
  // Abandoned: the redelivery starts it.
  if (outcome.kind === "notStarted") throw new Error(`FirstSendFailed: request ${outcome.status.id} ${outcome.message}`);
}

functions.app.serviceBusQueue("nodeImageUpgrade", { connection: CONNECTIONS.serviceBus, queueName: QUEUES.upgrades, handler: nodeImageUpgrade });
