// `cluster-requests` queue: requests from other systems, on the plain Service Bus trigger (no
// preview SDK binding: the bundle must carry every file it loads, and that binding loads a .proto
// beside itself). Returning completes the message; throwing abandons it, so Service Bus redelivers
// it and dead-letters it after the queue's maxDeliveryCount (Table or Service Bus unreachable, or a
// requestId reused for another body). A message that cannot become a request is recorded as
// Rejected, with its body and every problem, at GET /api/requests/{requestId or message id}, and
// completed: a redelivery could not change it.
import functions, { type InvocationContext } from "@azure/functions";
import type { IntakeOutcome } from "../app/intake.js";
import { CONNECTIONS } from "../config.js";
import { QUEUES } from "../app/queue.js";
import { forInvocation, messageProperties, messageTrace } from "./invocation.js";
import { getDeps } from "./runtime.js";
import { lazy } from "../lazy.js";

const intakeModule = lazy(() => import("../app/intake.js"));

export async function clusterRequest(message: unknown, context: InvocationContext): Promise<IntakeOutcome> {
  const messageId = String(context.triggerMetadata?.messageId ?? context.invocationId);
  const { handleRequestMessage } = await intakeModule();
  const deps = forInvocation(await getDeps(), context, { traceparents: messageTrace(messageProperties(context)) });
  const outcome = await handleRequestMessage(deps, message, messageId, messageProperties(context));
  if (outcome.kind === "rejected")
    deps.log(`message ${messageId}: request ${outcome.requestId} Rejected (${outcome.reason}): ${outcome.description}`, { level: "warning", requestId: outcome.requestId });
  if (outcome.kind === "conflict") throw new Error(`RequestIdConflict: message ${messageId}: ${outcome.description}`);
  // Abandoned: Service Bus redelivers the message, and its intake sends the first messages again.
  if (outcome.kind === "notStarted") throw new Error(`FirstSendFailed: message ${messageId}: request ${outcome.requestId} ${outcome.description}`);
  return outcome;
}

functions.app.serviceBusQueue("clusterRequest", { connection: CONNECTIONS.serviceBus, queueName: QUEUES.requests, handler: clusterRequest });
