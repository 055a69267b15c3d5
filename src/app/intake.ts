// The `cluster-requests` queue: other systems' requests. A message that cannot become a request
// (not JSON, invalid) is recorded as Rejected, with the body as sent and every problem, under its
// requestId (or, when it has none, its message id): the message is then done with, a redelivery
// could not change it. A requestId already used for another body has no row of its own to be
// recorded in: that message stays a message (the trigger fails it; Service Bus dead-letters it).
import { acceptRequest, parseMessageBody, type Access } from "./accept.js";
import { LOCAL_CALLER } from "../domain/caller.js";
import { bearerToken, callerFromToken, Unauthenticated } from "./tokens.js";
import type { AppDeps } from "./deps.js";

export type IntakeOutcome =
  | { kind: "accepted"; requestId: string }
  | { kind: "rejected"; requestId: string; reason: "MalformedMessage" | "ValidationFailed" | "Unauthenticated" | "Forbidden"; description: string }
  | { kind: "conflict"; requestId: string; description: string }
  | { kind: "notStarted"; requestId: string; description: string };

/** The application property that carries the sender's token (`Bearer <token>`): Service Bus itself says nothing of who sent a message. */
export const TOKEN_PROPERTY = "authorization";

/**
 * The sender of a message, from its token; with the token check off, the local caller. A token
 * that does not verify is a verdict (Unauthenticated); keys out of reach is not (thrown: redelivered).
 */
export async function messageSender(deps: AppDeps, properties: Record<string, unknown>): Promise<Access> {
  const auth = deps.settings.auth;
  if (!auth) return { caller: LOCAL_CALLER };
  try {
    return { caller: await callerFromToken(bearerToken(properties[TOKEN_PROPERTY]), auth, "queue") };
  } catch (e) {
    if (!(e instanceof Unauthenticated)) throw e;
    const elsewhere = Object.keys(properties).find((k) => k !== TOKEN_PROPERTY && bearerToken(properties[k]));
    return { unauthenticated: elsewhere && properties[TOKEN_PROPERTY] === undefined ? `${e.message} (a token was found in property '${elsewhere}': it belongs in '${TOKEN_PROPERTY}')` : e.message };
  }
}

export async function handleRequestMessage(deps: AppDeps, body: unknown, messageId: string, properties: Record<string, unknown> = {}): Promise<IntakeOutcome> {
  const access = await messageSender(deps, properties);
  const parsed = parseMessageBody(body);
  const outcome = await acceptRequest(deps, parsed.ok ? parsed.value : body, messageId, parsed.ok ? undefined : parsed.errors, access);
  const requestId = outcome.status.id;
  const describe = (errors: { path: string; message: string }[]) => errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ").slice(0, 4000);
  switch (outcome.kind) {
    case "accepted":
    case "existing":
      return { kind: "accepted", requestId };
    case "rejected":
      return {
        kind: "rejected",
        requestId,
        reason: access.caller ? (parsed.ok ? "ValidationFailed" : "MalformedMessage") : "Unauthenticated",
        description: describe(outcome.errors),
      };
    case "forbidden":
      return { kind: "rejected", requestId, reason: "Forbidden", description: describe(outcome.errors) };
    case "conflict":
      return { kind: "conflict", requestId, description: outcome.message };
    case "notStarted":
      return { kind: "notStarted", requestId, description: outcome.message };
  }
}
