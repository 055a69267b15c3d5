// `node-image-upgrades` queue: upgradeNodeImages requests queued by the event handler and the
// node-image timer; accepted like any request (the requestId names the change: one per change).
import functions, { type InvocationContext } from "@azure/functions";
import { CONNECTIONS } from "../config.js";
import { QUEUES } from "../app/queue.js";
import { getDeps } from "./runtime.js";

export async function nodeImageUpgrade(message: unknown, context: InvocationContext): Promise<void> {
  const { acceptRequest } = await import("../app/accept.js");
  const outcome = await acceptRequest(await getDeps(), message);
  context.log(`node-image upgrade request ${outcome.status.id}: ${outcome.kind}`);
}

functions.app.serviceBusQueue("nodeImageUpgrade", { connection: CONNECTIONS.serviceBus, queueName: QUEUES.upgrades, handler: nodeImageUpgrade });
