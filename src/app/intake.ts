// The `cluster-requests` queue: other systems' requests. A message that cannot become a request
// (not JSON, invalid, a requestId reused for another body) is dead-lettered with the reason, and
// its request shows as Rejected under its requestId (or, when it has none, its message id).
import { acceptRequest, parseMessageBody } from "./accept.js";
import type { AppDeps } from "./deps.js";

export type Settlement = { settle: "complete"; requestId: string } | { settle: "deadLetter"; reason: string; description: string; requestId?: string };

export async function handleRequestMessage(deps: AppDeps, body: unknown, messageId: string): Promise<Settlement> {
  const parsed = parseMessageBody(body);
  const outcome = await acceptRequest(deps, parsed.ok ? parsed.value : body, messageId, parsed.ok ? undefined : parsed.errors);
  const requestId = outcome.status.id;
  switch (outcome.kind) {
    case "accepted":
    case "existing":
      return { settle: "complete", requestId };
    case "rejected":
      return {
        settle: "deadLetter",
        reason: parsed.ok ? "ValidationFailed" : "MalformedMessage",
        description: outcome.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ").slice(0, 4000),
        requestId,
      };
    case "conflict":
      return { settle: "deadLetter", reason: "RequestIdConflict", description: outcome.message, requestId };
  }
}
