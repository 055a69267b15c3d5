// Entra ID access tokens, validated in the app with jose: the signature against the issuer's
// published keys (JWKS, fetched and cached by jose, re-fetched when a token names an unknown key),
// the issuer (the tenant's), the audience (this app's registration), expiry and not-before, with a
// minute of clock skew. A token is never trusted for anything it says before all of that holds.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import type { Caller } from "../domain/caller.js";

export interface TokenSettings {
  /** AUTH_AUDIENCE: the app registration's client id and/or application id URI (`api://…`). */
  audiences: string[];
  /** The issuers accepted: the tenant's v2.0 and v1 issuers (AUTH_TENANT_ID), or AUTH_ISSUER. */
  issuers: string[];
  /** Where the signing keys are published (AUTH_JWKS_URI; default the tenant's). */
  jwksUri: string;
  /** AUTH_TENANT_ID: the token's `tid` must be it. */
  tenantId?: string;
}

/** The issuer's settings for a tenant, as Entra ID publishes them. */
export const entraTokenSettings = (tenantId: string, audiences: string[]): TokenSettings => ({
  audiences,
  tenantId,
  issuers: [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`],
  jwksUri: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
});

/** A token that does not prove who the caller is: the message says what was wrong, never the token. */
export class Unauthenticated extends Error {
  readonly code = "Unauthenticated";
}

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
const keySetOf = (uri: string) => {
  let set = keySets.get(uri);
  if (!set) keySets.set(uri, (set = createRemoteJWKSet(new URL(uri), { timeoutDuration: 10_000, cooldownDuration: 30_000 })));
  return set;
};

/** `Bearer <token>` (any case), or the bare token, to the token; undefined when there is none. */
export function bearerToken(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const m = /^bearer\s+(\S+)$/i.exec(text);
  return m ? m[1] : /^[\w-]+\.[\w-]+\.[\w-]*$/.test(text) ? text : undefined;
}

/** Validates the token and answers who it names; throws Unauthenticated with the reason. */
export async function callerFromToken(token: string | undefined, settings: TokenSettings, via: "http" | "queue"): Promise<Caller> {
  if (!token) throw new Unauthenticated(via === "http" ? "no bearer token: send Authorization: Bearer <an Entra ID access token for this app>" : "no token: the message needs the application property 'authorization' (Bearer <an Entra ID access token for this app>)");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySetOf(settings.jwksUri), { issuer: settings.issuers, audience: settings.audiences, algorithms: ["RS256"], clockTolerance: 60, requiredClaims: ["exp", "iss", "aud"] }));
  } catch (e) {
    // The keys out of reach is no verdict on the token: fail this try (a queue message is redelivered).
    if (e instanceof errors.JWKSTimeout || (e instanceof TypeError && !(e instanceof errors.JOSEError))) throw new Error(`the issuer's signing keys could not be fetched from ${settings.jwksUri}: ${e.message}`);
    throw new Unauthenticated(reason(e));
  }
  if (settings.tenantId && payload.tid !== settings.tenantId) throw new Unauthenticated(`the token is of tenant ${String(payload.tid)}, not this app's (AUTH_TENANT_ID)`);
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const objectId = str(payload.oid) ?? str(payload.sub);
  if (!objectId) throw new Unauthenticated("the token names no caller (no oid or sub claim)");
  return {
    via,
    objectId,
    appId: str(payload.azp) ?? str(payload.appid),
    userPrincipalName: str(payload.upn) ?? str(payload.preferred_username),
    displayName: str(payload.name),
    roles: Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [],
  };
}

function reason(e: unknown): string {
  if (e instanceof errors.JWTExpired) return "the token has expired";
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "aud") return "the token is not for this app (its audience is not AUTH_AUDIENCE)";
    if (e.claim === "iss") return "the token was not issued by this app's tenant (issuer)";
    if (e.claim === "nbf") return "the token is not valid yet (nbf)";
    return `the token's ${e.claim} claim is not valid: ${e.reason}`;
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify against the issuer's published keys";
  if (e instanceof errors.JWKSNoMatchingKey) return "the token is signed with a key the issuer does not publish";
  if (e instanceof errors.JOSEAlgNotAllowed) return "the token's signing algorithm is not allowed (RS256 only)";
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid || e instanceof errors.JOSENotSupported) return "the token is not a well-formed signed JWT";
  if (e instanceof errors.JWKSInvalid) return "the issuer's published keys are not a valid key set";
  return `the token could not be validated: ${e instanceof Error ? e.message : String(e)}`;
}
