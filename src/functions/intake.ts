// `cluster-requests` queue: requests from other systems. Uses the Service Bus SDK binding so that a
// malformed message can be dead-lettered with its reason instead of being retried.
import "@azure/functions-extensions-servicebus";
import functions, { type InvocationContext } from "@azure/functions";
import type { ServiceBusMessageContext } from "@azure/functions-extensions-servicebus";
import { handleRequestMessage, type Settlement } from "../app/intake.js";
import { QUEUES } from "../app/queue.js";
import { forInvocation, messageTrace } from "./invocation.js";
import { getDeps } from "./runtime.js";

/** The settlement actions of one received message (the SDK binding in Azure, the local bus locally). */
export interface MessageSettler {
  complete(): Promise<void>;
  deadLetter(reason: string, description: string): Promise<void>;
}

export async function clusterRequest(body: unknown, messageId: string, settler: MessageSettler, context: InvocationContext, properties?: Record<string, unknown>): Promise<Settlement> {
  const deps = forInvocation(await getDeps(), context, { traceparents: messageTrace(properties) });
  const outcome = await handleRequestMessage(deps, body, messageId);
  if (outcome.settle === "deadLetter") {
    deps.log(`dead-lettering message ${messageId}: ${outcome.reason}: ${outcome.description}`, { level: "warning" });
    await settler.deadLetter(outcome.reason, outcome.description);
  } else {
    await settler.complete();
  }
  return outcome;
}

async function sdkHandler(sb: ServiceBusMessageContext, context: InvocationContext): Promise<void> {
  const messages = Array.isArray(sb.messages) ? sb.messages : [sb.messages];
  for (const m of messages) {
    await clusterRequest(m.body, String(m.messageId ?? context.invocationId), {
      complete: () => sb.actions.complete(m),
      deadLetter: (reason, description) => sb.actions.deadletter(m, undefined, reason, description),
    }, context, m.applicationProperties);
  }
}

functions.app.serviceBusQueue("clusterRequest", {
  connection: "ServiceBusConnection",
  queueName: QUEUES.requests,
  sdkBinding: true,
  autoCompleteMessages: false,
  handler: sdkHandler as never,
});
