// The `cluster-requests` queue: other systems' requests. A message that cannot become a request
// (not JSON, invalid, a requestId reused for another body) is recorded as Rejected, with the body
// as sent and every problem, under its requestId (or, when it has none, its message id); the
// message itself is then done with (there is nothing a redelivery could change).
import { acceptRequest, parseMessageBody } from "./accept.js";
import type { AppDeps } from "./deps.js";

export type IntakeOutcome = { requestId: string; rejected?: { reason: string; description: string } };

export async function handleRequestMessage(deps: AppDeps, body: unknown, messageId: string): Promise<IntakeOutcome> {
  const parsed = parseMessageBody(body);
  const outcome = await acceptRequest(deps, parsed.ok ? parsed.value : body, messageId, parsed.ok ? undefined : parsed.errors);
  const requestId = outcome.status.id;
  switch (outcome.kind) {
    case "accepted":
    case "existing":
      return { requestId };
    case "rejected":
      return {
        requestId,
        rejected: {
          reason: parsed.ok ? "ValidationFailed" : "MalformedMessage",
          description: outcome.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ").slice(0, 4000),
        },
      };
    case "conflict":
      return { requestId, rejected: { reason: "RequestIdConflict", description: outcome.message } };
  }
}
