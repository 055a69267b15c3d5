// The `cluster-requests` queue: other systems' requests. A message that cannot become a request
// (not JSON, invalid) is recorded as Rejected, with the body as sent and every problem, under its
// requestId (or, when it has none, its message id): the message is then done with, a redelivery
// could not change it. A requestId already used for another body has no row of its own to be
// recorded in: that message stays a message (the trigger fails it; Service Bus dead-letters it).
import { acceptRequest, parseMessageBody } from "./accept.js";
import type { AppDeps } from "./deps.js";

export type IntakeOutcome =
  | { kind: "accepted"; requestId: string }
  | { kind: "rejected"; requestId: string; reason: "MalformedMessage" | "ValidationFailed"; description: string }
  | { kind: "conflict"; requestId: string; description: string }
  | { kind: "notStarted"; requestId: string; description: string };

export async function handleRequestMessage(deps: AppDeps, body: unknown, messageId: string): Promise<IntakeOutcome> {
  const parsed = parseMessageBody(body);
  const outcome = await acceptRequest(deps, parsed.ok ? parsed.value : body, messageId, parsed.ok ? undefined : parsed.errors);
  const requestId = outcome.status.id;
  switch (outcome.kind) {
    case "accepted":
    case "existing":
      return { kind: "accepted", requestId };
    case "rejected":
      return {
        kind: "rejected",
        requestId,
        reason: parsed.ok ? "ValidationFailed" : "MalformedMessage",
        description: outcome.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ").slice(0, 4000),
      };
    case "conflict":
      return { kind: "conflict", requestId, description: outcome.message };
    case "notStarted":
      return { kind: "notStarted", requestId, description: outcome.message };
  }
}
