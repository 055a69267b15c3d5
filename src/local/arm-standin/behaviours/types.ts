// What a resource type can add to the generic store: validation and server-filled fields on a
// write, an "on provisioned" step when its operation completes, fields computed at read time,
// actions (POST …/{action}), computed read-only children, and what happens when it is deleted.
import type { ParsedId } from "../ids.js";
import type { Operation } from "../operations.js";
import type { Resource, ResourceStore } from "../store.js";

export interface StandInSettings {
  /** Role assignments naming a new user-assigned identity refused with PrincipalNotFound before it is known. */
  principalNotFoundAttempts: number;
  /** Refusals so far, per principal id. */
  principalRefusals: Map<string, number>;
  latestNodeImageVersion: { ubuntu: string; azureLinux: string };
}

/** What behaviours may use of the stand-in. */
export interface Ctx {
  store: ResourceStore;
  now(): number;
  settings: StandInSettings;
  behaviourOf(type: string): Behaviour;
  /** The resource as a GET returns it (stored JSON + the type's computed fields). */
  view(resource: Resource): Resource;
  /** The running operation that blocks a write on `id` (itself, an ancestor or a descendant). */
  busy(id: string): Operation | undefined;
  /** Deletes a resource and everything under it, running each type's onDelete. */
  remove(id: string): void;
  /** Preview feature registered, and its provider registered again since (so that it propagated). */
  previewFeatureEnabled(sub: string, namespace: string, feature: string): boolean;
}

export interface WriteRequest {
  method: "PUT" | "PATCH";
  id: ParsedId;
  /** The new state, to validate and complete in place: id/name/type/location set, properties an object. */
  resource: Resource;
  /** The stored state before this write (undefined on create). */
  existing?: Resource;
  apiVersion: string;
  /** A test's seed(): the resource already exists in Azure, so no validation of what it references. */
  seeding: boolean;
}

export interface WritePlan {
  /** Overrides the type's duration (ms at time scale 1); 0 still answers asynchronously. */
  durationMs?: number;
  /** provisioningState while the operation runs (default Creating / Updating). */
  pendingState?: string;
  /** The operation's name in ARM's 409 messages. */
  label?: string;
  /** Runs once when the resource is provisioned (at once for synchronous types and seeds). */
  onProvisioned?(resource: Resource): void;
}

export interface ActionRequest {
  id: ParsedId;
  target: Resource;
  body: unknown;
  apiVersion: string;
}

export interface ActionPlan {
  /** Absent: a synchronous answer (200 with `body`). */
  durationMs?: number;
  label?: string;
  body?: unknown;
  onDone?(): void;
  /** The operation result's body (the Location URL) once done; absent = 204. */
  result?(): unknown;
}

export interface PrivateLinkMember {
  /** requiredMemberName on the endpoint NIC's IP configuration. */
  member: string;
  fqdn: string;
}

export interface Behaviour {
  /** Async durations in ms at time scale 1; absent = the type answers synchronously. */
  durations?: { create: number; update?: number };
  /** Duration of an async DELETE; absent = `durations.create` (and synchronous for a type without durations). */
  deleteMs?: number;
  /** 409 code while busy: AKS says OperationNotAllowed, the network RP AnotherOperationInProgress. */
  busyCode?: string;
  /**
   * ARM serialises writes to some children per parent (subnets of one VNet): their operations hold
   * the parent busy, so siblings wait for each other.
   */
  locksParent?: boolean;
  /** The word for the resource in busy messages ("managed cluster", "agent pool"). */
  noun?: string;
  write?(ctx: Ctx, req: WriteRequest): WritePlan | void;
  view?(ctx: Ctx, resource: Resource): Resource;
  actions?: Record<string, (ctx: Ctx, req: ActionRequest) => ActionPlan>;
  /** A computed read-only resource at this type (an agent pool's upgradeProfiles/default). */
  computed?(ctx: Ctx, id: ParsedId): unknown;
  /** Custom collection semantics (role assignments inherit from ancestor scopes). */
  list?(ctx: Ctx, collection: ParsedId, query: URLSearchParams): Resource[];
  onDelete?(ctx: Ctx, resource: Resource): void;
  /** Throws ARM's error when the resource may not be deleted now (a subnet in use, a zone with links). */
  checkDelete?(ctx: Ctx, resource: Resource): void;
  /** For private link targets: the members (and their FQDNs) of a group id, or an ArmError. */
  privateLinkMembers?(ctx: Ctx, target: Resource, groupId: string): PrivateLinkMember[];
}
