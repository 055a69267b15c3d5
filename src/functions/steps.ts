// `provisioning-steps` queue: one step per message (src/app/run-step.ts).
import functions, { type InvocationContext } from "@azure/functions";
import { QUEUES, type StepMessage } from "../app/queue.js";
import { CONNECTIONS } from "../config.js";
import { forInvocation, messageProperties, messageTrace } from "./invocation.js";
import { getDeps } from "./runtime.js";
import { lazy } from "../lazy.js";

const runStepModule = lazy(() => import("../app/run-step.js"));

export async function provisioningStep(message: unknown, context: InvocationContext): Promise<void> {
  const msg = message as StepMessage;
  if (!msg || typeof msg.requestId !== "string" || typeof msg.step !== "string" || typeof msg.seq !== "number")
    // Not ours: throwing lets Service Bus dead-letter it after maxDeliveryCount, where it stays visible.
    throw new Error(`not a step message: ${JSON.stringify(message).slice(0, 200)}`);
  const { runStep } = await runStepModule();
  const deps = forInvocation(await getDeps(), context, { requestId: msg.requestId, traceparents: messageTrace(messageProperties(context)) });
  await runStep(deps, msg);
}

functions.app.serviceBusQueue("provisioningStep", { connection: CONNECTIONS.serviceBus, queueName: QUEUES.steps, handler: provisioningStep });
