// Who asked, and what they may do. A caller is known by a validated Entra ID token (src/app/tokens.ts);
// CALLER_POLICY maps the app roles of the app's registration to the operations a caller with that
// role may request and the scopes it may act in, inside ALLOWED_SCOPES; and whether it may see and
// act on the requests of others in those scopes or only on its own. Pure: checked before any write
// and before a plan is shown.
import { z } from "zod";
import { parseArmId } from "./arm-id.js";
import { operations, restoredRequest, type ClusterRequest, type Operation } from "./contract.js";
import { isRegistration, referencedResources } from "./scopes.js";
import type { ValidationError } from "./validation-error.js";

export type Via = "http" | "queue" | "event" | "timer" | "sweep" | "local";

/** Who asked for a request: from the token (HTTP, queue), or the app itself (event, timer, sweep). */
export interface RequestedBy {
  via: Via;
  /** The token's `oid`: the user's or the service principal's object id. */
  objectId?: string;
  /** The token's `azp`/`appid`: the client application. */
  appId?: string;
  /** The token's `upn` or `preferred_username`, for a user. */
  userPrincipalName?: string;
  /** The token's `name`, where it has one. */
  displayName?: string;
  /** The app roles the token carried (`roles`). */
  roles?: string[];
}

/** A caller and what it may do; `unrestricted`: the local host without a token check, or the app itself. */
export interface Caller extends RequestedBy {
  unrestricted?: boolean;
}

/** The local host without a token check: one caller with every right (loopback only). */
export const LOCAL_CALLER: Caller = { via: "local", displayName: "local caller (no token check)", unrestricted: true };
/** How the app's own requests come (node-image upgrades, restores): only the app can send to their queue. */
const APP_VIAS = new Set<Via>(["event", "timer", "sweep"]);
/** The app itself as the caller of its own requests. */
export const appCaller = (via: "event" | "timer" | "sweep"): Caller => ({ via, displayName: `aks-provisioner (${via})`, unrestricted: true });

/**
 * A scope of a role: `/subscriptions/{id}`, `/subscriptions/{id}/resourceGroups/{name}`, or a
 * resource-group prefix `/subscriptions/{id}/resourceGroups/{prefix}*` (every group whose name
 * starts with it; the prefix must be at least 3 characters so that `*` alone cannot mean everything).
 */
const roleScope = z
  .string()
  .regex(/^\/subscriptions\/[0-9a-fA-F-]{36}(\/resourceGroups\/([-\w._()]{1,90}|[-\w._()]{3,89}\*))?$/i, "must be /subscriptions/{id}, /subscriptions/{id}/resourceGroups/{name}, or …/resourceGroups/{prefix}* (3+ characters before the *)");

export const rolePolicy = z.strictObject({
  /** The operations allowed; `*` for all. */
  operations: z.array(z.enum([...(operations as [Operation, ...Operation[]]), "*"])).min(1),
  /** Where; each inside ALLOWED_SCOPES. */
  scopes: z.array(roleScope).min(1),
  /**
   * Whose requests it may see, cancel and delete: `own` (default) only its own; `read` see every
   * request in its scopes, act on its own; `scopes` see and act on every request in its scopes.
   */
  requests: z.enum(["own", "read", "scopes"]).default("own"),
});

export const callerPolicy = z.strictObject({ roles: z.record(z.string().min(1), rolePolicy) });
export type CallerPolicy = z.infer<typeof callerPolicy>;
export type RolePolicy = z.infer<typeof rolePolicy>;

/** Parses CALLER_POLICY; throws naming every problem. */
export function parseCallerPolicy(text: string): CallerPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`CALLER_POLICY is not JSON: ${(e as Error).message}`);
  }
  const parsed = callerPolicy.safeParse(raw);
  if (!parsed.success) throw new Error(`CALLER_POLICY: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Whether `id` lies in a role's scope: parsed, case-folded segments; a trailing `*` matches a group-name prefix. */
export function inRoleScope(id: string, scope: string): boolean {
  const a = parseArmId(id);
  const s = parseArmId(scope.replace(/\*$/, "x"));
  if (!a.ok || !s.ok || s.segments.length > a.segments.length) return false;
  const prefix = scope.endsWith("*");
  return s.segments.every((seg, i) => {
    const mine = a.segments[i].toLowerCase();
    if (prefix && i === s.segments.length - 1) return mine.startsWith(scope.slice(scope.lastIndexOf("/") + 1, -1).toLowerCase());
    return seg.toLowerCase() === mine;
  });
}

/** The roles of the policy the caller holds. */
export function grantsOf(caller: Caller, policy: CallerPolicy | undefined): RolePolicy[] {
  return (caller.roles ?? []).map((r) => policy?.roles[r]).filter((g): g is RolePolicy => !!g);
}

const who = (c: Caller) => c.userPrincipalName ?? c.displayName ?? c.appId ?? c.objectId ?? "the caller";

/**
 * What keeps this caller from making this request: the operation no role of theirs allows, and
 * every resource it names outside the scopes of the roles that allow it, with the field that names
 * it. Empty: allowed.
 */
export function authorizeRequest(caller: Caller, req: ClusterRequest, policy: CallerPolicy | undefined): ValidationError[] {
  // Whoever set it would have what it makes recorded as another request's, to be removed by that one's delete.
  if (restoredRequest(req) && !APP_VIAS.has(caller.via))
    return [{ path: "restores", message: "is set only by this app, on its own restores of drifted resources", source: "request contract" }];
  if (caller.unrestricted) return [];
  const grants = grantsOf(caller, policy);
  const allowing = grants.filter((g) => g.operations.includes("*") || g.operations.includes(req.operation));
  const source = "CALLER_POLICY setting";
  if (!allowing.length) {
    const roles = caller.roles?.length ? `roles ${caller.roles.join(", ")}` : "no app role";
    return [{ path: "operation", message: `${who(caller)} (${roles}) may not request ${req.operation}`, source }];
  }
  return referencedResources(req)
    .filter((r) => !allowing.some((g) => g.scopes.some((s) => inRoleScope(r.id, s))))
    .map((r) => ({ path: r.path, message: `${r.id} is outside the scopes ${who(caller)} may act on for ${req.operation}`, source }));
}

/**
 * Why the request's caller may not write `id` (undefined: it may): what a plan finds only as it
 * runs (a VNet read off an existing cluster) or takes from another request (what a delete removes)
 * is held to the scopes of the caller's roles that allow the operation, as what the request names
 * is before it is accepted. The app's own requests and the local caller act where their request does.
 */
export function writeRefusal(by: RequestedBy | undefined, operation: Operation, id: string, policy: CallerPolicy | undefined): string | undefined {
  if (!by || (by.via !== "http" && by.via !== "queue") || isRegistration(id)) return undefined;
  const allowing = grantsOf(by, policy).filter((g) => g.operations.includes("*") || g.operations.includes(operation));
  return allowing.some((g) => g.scopes.some((s) => inRoleScope(id, s))) ? undefined : `${id} is outside the scopes ${who(by)} may act on for ${operation}`;
}

/** A recorded request as the read checks see it. */
export interface RequestOwnership {
  target: string;
  requestedBy?: RequestedBy;
}

const isOwn = (caller: Caller, rec: RequestOwnership) => !!caller.objectId && rec.requestedBy?.objectId === caller.objectId;

/** Whether the caller may see a request: its own, or one in the scopes of a role that sees others'. */
export function maySee(caller: Caller, rec: RequestOwnership, policy: CallerPolicy | undefined): boolean {
  if (caller.unrestricted || isOwn(caller, rec)) return true;
  return grantsOf(caller, policy).some((g) => g.requests !== "own" && g.scopes.some((s) => inRoleScope(rec.target, s)));
}

/** Whether the caller may cancel (or delete what was made by) a request: as maySee, with a role that allows `operation`. */
export function mayActOn(caller: Caller, rec: RequestOwnership, operation: "cancel" | "delete", policy: CallerPolicy | undefined): boolean {
  if (caller.unrestricted) return true;
  const grants = grantsOf(caller, policy).filter((g) => operation === "cancel" || g.operations.includes("*") || g.operations.includes("delete"));
  return grants.some((g) => g.scopes.some((s) => inRoleScope(rec.target, s)) && (isOwn(caller, rec) || g.requests === "scopes"));
}

/** Whether the caller may see what the app knows of a resource (a cluster document): in the scopes of one of its roles. */
export const maySeeResource = (caller: Caller, id: string, policy: CallerPolicy | undefined) =>
  !!caller.unrestricted || grantsOf(caller, policy).some((g) => g.scopes.some((s) => inRoleScope(id, s)));

/** Who asked, for a log line or a table cell. */
export const describeRequester = (r: RequestedBy | undefined) =>
  !r ? "unknown" : [r.userPrincipalName ?? r.displayName ?? r.appId ?? r.objectId ?? "(no name)", r.objectId && `oid ${r.objectId}`, `via ${r.via}`].filter(Boolean).join(", ");
