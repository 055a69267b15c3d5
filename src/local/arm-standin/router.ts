// ARM's generic request semantics over the store: PUT creates (201) or replaces (200), PATCH
// merges, GET reads or lists, DELETE removes (with everything under it), POST runs an action.
// Long-running types answer with Azure-AsyncOperation and complete later; a resource busy with an
// operation refuses other writes (409). Each type's behaviour adds its own checks and fields.
import { behaviourOf, canonicalType } from "./behaviours/index.js";
import type { Behaviour, Ctx, StandInSettings } from "./behaviours/types.js";
import { ArmError, resourceGroupNotFound, resourceNotFound } from "./errors.js";
import { norm, parseId, resourceGroupId, type ParsedId } from "./ids.js";
import type { Operation, Operations } from "./operations.js";
import type { Registrations, Reply } from "./providers.js";
import type { Resource, ResourceStore } from "./store.js";

export interface RouterDeps {
  store: ResourceStore;
  operations: Operations;
  registrations: Registrations;
  settings: StandInSettings;
  now: () => number;
  /** https://127.0.0.1:PORT, for the URLs of operations. */
  endpoint: () => string;
}

export interface Request {
  method: string;
  /** Decoded path without the query, canonical casing of well-known segments. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  apiVersion: string;
}

const SUBSCRIPTION = /^\/subscriptions\/[^/]+$/i;
const RESOURCE_GROUP = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i;
const OPERATION = /^\/subscriptions\/([^/]+)\/providers\/([^/]+)\/locations\/([^/]+)\/(operations|operationresults)\/([^/]+)$/i;

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON merge patch (RFC 7386): objects merge, null removes, anything else replaces. */
function mergePatch(target: Record<string, any>, patch: Record<string, any>): Record<string, any> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = mergePatch(out[k], v);
    else out[k] = v;
  }
  return out;
}

/** ARM answers locations in their short form: "West US 2" → "westus2". */
const normalizeLocation = (location: string) => location.toLowerCase().replace(/\s+/g, "");

export class Router {
  readonly ctx: Ctx;

  constructor(private readonly deps: RouterDeps) {
    this.ctx = {
      store: deps.store,
      now: deps.now,
      settings: deps.settings,
      behaviourOf,
      view: (r) => this.view(r),
      busy: (id) => deps.operations.blocking(id),
      remove: (id) => this.remove(id),
      previewFeatureEnabled: (sub, ns, feature) => deps.registrations.previewFeatureEnabled(sub, ns, feature),
    };
  }

  /** The resource as ARM answers it: stored JSON plus computed fields, as a copy. */
  view(r: Resource): Resource {
    const b = behaviourOf(r.type);
    return structuredClone(b.view ? b.view(this.ctx, r) : r);
  }

  handle(req: Request): Reply {
    this.deps.operations.settle();
    const op = OPERATION.exec(req.path);
    if (op) return this.operation(req, op[4].toLowerCase() === "operationresults", op[5]);
    const registration = this.deps.registrations.route(req.method, req.path);
    if (registration) return registration;
    if (req.method === "POST") return this.action(req);
    const id = parseId(req.path);
    if (!id) throw new ArmError(404, "InvalidRequestUri", `The request URI '${req.path}' is not a resource manager path.`);
    switch (req.method) {
      case "GET":
      case "HEAD":
        return this.read(req, id);
      case "DELETE":
        return this.delete(id, req.apiVersion);
      case "PUT":
      case "PATCH":
        return this.write(req.method, id, req.body, req.apiVersion, false);
      default:
        throw new ArmError(405, "MethodNotAllowed", `The method '${req.method}' is not allowed on '${req.path}'.`);
    }
  }

  /** A test's seed(): written as a PUT would write it, already provisioned, without reference checks. */
  seed(resource: { id: string; [k: string]: unknown }): void {
    this.deps.operations.settle();
    const id = parseId(resource.id);
    if (!id || id.collection) throw new Error(`seed: not a resource id: ${resource.id}`);
    this.write("PUT", id, resource, "seed", true);
  }

  // --- reads ----------------------------------------------------------------------------------

  private read(req: Request, id: ParsedId): Reply {
    const head = req.method === "HEAD";
    if (id.type === "Microsoft.Resources/subscriptions")
      return { status: 200, body: { id: `/subscriptions/${id.sub}`, subscriptionId: id.sub, displayName: "ARM stand-in subscription", state: "Enabled", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47" } };
    const b = behaviourOf(id.type);
    if (id.collection) {
      if (id.rg && !this.deps.store.get(resourceGroupId(id.sub, id.rg))) throw resourceGroupNotFound(id.rg);
      if (!SUBSCRIPTION.test(id.parent) && !RESOURCE_GROUP.test(id.parent) && !this.deps.store.get(id.parent)) throw resourceNotFound(parseId(id.parent)!);
      const items = b.list ? b.list(this.ctx, id, req.query) : this.children(id);
      return { status: 200, body: { value: items.map((r) => this.view(r)) } };
    }
    const found = this.deps.store.get(id.path);
    if (found) return head ? { status: 204 } : { status: 200, body: this.view(found) };
    const computed = b.computed?.(this.ctx, id);
    if (computed !== undefined) return { status: 200, body: computed };
    if (id.type === "Microsoft.Resources/resourceGroups" || (id.rg && !this.deps.store.get(resourceGroupId(id.sub, id.rg)))) throw resourceGroupNotFound(id.rg ?? id.name);
    throw resourceNotFound(id);
  }

  /** A collection's members: same type, same parent (at subscription level: anywhere in the subscription). */
  private children(collection: ParsedId): Resource[] {
    const subscriptionWide = SUBSCRIPTION.test(collection.parent);
    return this.deps.store.ofType(collection.type).filter((r) => {
      const id = parseId(r.id)!;
      return subscriptionWide ? norm(id.sub) === norm(collection.sub) : norm(id.parent) === norm(collection.parent);
    });
  }

  // --- operations -----------------------------------------------------------------------------

  private operation(req: Request, result: boolean, opId: string): Reply {
    if (req.method !== "GET") throw new ArmError(405, "MethodNotAllowed", `The method '${req.method}' is not allowed on an operation.`);
    const op = this.deps.operations.get(opId);
    if (!op) throw new ArmError(404, "OperationNotFound", `The operation '${opId}' was not found.`);
    const running = op.status === "InProgress";
    if (!result) return { status: 200, body: this.deps.operations.statusDocument(op, req.path), headers: running ? this.deps.operations.retryHeaders(op) : {} };
    // The Location URL of an action: 202 while it runs, then its result (or 204), or its error.
    if (running) return { status: 202, headers: { location: this.deps.operations.resultUrl(this.deps.endpoint(), op, req.apiVersion), ...this.deps.operations.retryHeaders(op) } };
    if (op.status === "Failed" || op.status === "Canceled") throw new ArmError(400, op.error!.code, op.error!.message);
    const body = op.result?.();
    return body === undefined ? { status: 204 } : { status: 200, body };
  }

  private asyncHeaders(op: Operation, apiVersion: string, withLocation: boolean): Record<string, string> {
    const ops = this.deps.operations;
    return {
      "azure-asyncoperation": ops.statusUrl(this.deps.endpoint(), op, apiVersion),
      ...(withLocation ? { location: ops.resultUrl(this.deps.endpoint(), op, apiVersion) } : {}),
      ...ops.retryHeaders(op),
    };
  }

  // --- writes ---------------------------------------------------------------------------------

  private checkParent(id: ParsedId): void {
    if (id.type === "Microsoft.Resources/resourceGroups") return;
    if (id.rg && !this.deps.store.get(resourceGroupId(id.sub, id.rg))) throw resourceGroupNotFound(id.rg);
    if (!id.parent || SUBSCRIPTION.test(id.parent) || RESOURCE_GROUP.test(id.parent) || this.deps.store.get(id.parent)) return;
    const parent = parseId(id.parent)!;
    // An extension resource's missing scope is simply a resource that is not there.
    if (id.extension) throw resourceNotFound(parent);
    throw new ArmError(404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${parent.name}' not found.`);
  }

  private checkRegistered(id: ParsedId): void {
    if (id.namespace === "Microsoft.Resources" || this.deps.registrations.isRegistered(id.sub, id.namespace)) return;
    throw new ArmError(409, "MissingSubscriptionRegistration", `The subscription is not registered to use namespace '${id.namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`);
  }

  /** 409 while the resource, an ancestor or a descendant has an operation in progress. */
  private checkBusy(id: ParsedId, b: Behaviour, apiVersion: string): void {
    // Resource groups and role assignments are not held by the operations of what they contain.
    if (id.namespace === "Microsoft.Resources" || id.namespace.toLowerCase() === "microsoft.authorization") return;
    const op = this.deps.operations.blocking(id.path);
    if (!op) return;
    const code = b.busyCode ?? "AnotherOperationInProgress";
    if (code === "OperationNotAllowed") {
      const on = parseId(op.resourceId)!;
      const noun = behaviourOf(on.type).noun ?? on.type;
      throw new ArmError(409, code, `Operation is not allowed because there's an in progress ${op.label} operation (${op.id}) on ${noun} '${on.name}'. Please wait for it to finish before starting a new operation.`);
    }
    throw new ArmError(409, code, `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${this.deps.operations.statusUrl(this.deps.endpoint(), op, apiVersion)}.`);
  }

  private write(method: "PUT" | "PATCH", id: ParsedId, body: unknown, apiVersion: string, seeding: boolean): Reply {
    if (id.collection || !id.name || id.type === "Microsoft.Resources/subscriptions") throw new ArmError(405, "MethodNotAllowed", `The method '${method}' is not allowed on '${id.path}'.`);
    if (body !== undefined && !isObject(body)) throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: a JSON object is expected.");
    const store = this.deps.store;
    const b = behaviourOf(id.type);
    const existing = store.get(id.path);
    if (method === "PATCH" && !existing) throw resourceNotFound(id);
    if (!seeding) {
      this.checkParent(id);
      this.checkRegistered(id);
      this.checkBusy(id, b, apiVersion);
    }
    const incoming = structuredClone((body ?? {}) as Record<string, any>);
    const merged = method === "PATCH" ? mergePatch(structuredClone(existing!), incoming) : incoming;
    const resource: Resource = {
      ...merged,
      id: existing?.id ?? id.path,
      name: existing?.name ?? id.name,
      type: existing?.type ?? canonicalType(id.type),
      properties: isObject(merged.properties) ? merged.properties : {},
    };
    const location = merged.location ?? existing?.location;
    if (typeof location === "string") resource.location = normalizeLocation(location);
    // provisioningState is ARM's to say.
    delete resource.properties.provisioningState;
    const plan = b.write?.(this.ctx, { method, id, resource, existing, apiVersion, seeding }) ?? {};
    const duration = seeding ? undefined : (plan.durationMs ?? (existing ? (b.durations?.update ?? b.durations?.create) : b.durations?.create));
    const status = existing ? 200 : 201;
    if (duration === undefined) {
      resource.properties.provisioningState = "Succeeded";
      // A seeded resource has existed for long (its identity's principal has replicated, say).
      store.put(resource, seeding ? 0 : undefined);
      plan.onProvisioned?.(resource);
      return { status, body: this.view(resource) };
    }
    resource.properties.provisioningState = plan.pendingState ?? (existing ? "Updating" : "Creating");
    store.put(resource);
    const op = this.deps.operations.start({
      resourceId: resource.id,
      lockId: b.locksParent ? id.parent : resource.id,
      label: plan.label ?? `${existing ? "update" : "create"} ${b.noun ?? id.type}`,
      namespace: id.namespace,
      subscription: id.sub,
      location: this.locationOf(resource),
      durationMs: duration,
      complete: () => {
        const r = store.get(resource.id);
        if (!r) return;
        r.properties.provisioningState = "Succeeded";
        try {
          plan.onProvisioned?.(r);
        } catch (e) {
          r.properties.provisioningState = "Failed";
          throw e;
        }
      },
      abort: (status) => {
        const r = store.get(resource.id);
        if (r) r.properties.provisioningState = status;
      },
    });
    return { status, body: this.view(resource), headers: this.asyncHeaders(op, apiVersion, false) };
  }

  /** POST {resource}/{action} */
  private action(req: Request): Reply {
    const cut = req.path.lastIndexOf("/");
    const targetPath = req.path.slice(0, cut);
    const action = req.path.slice(cut + 1);
    const id = parseId(targetPath);
    if (!id || id.collection) throw new ArmError(404, "InvalidRequestUri", `The request URI '${req.path}' is not a resource manager path.`);
    const b = behaviourOf(id.type);
    const run = b.actions?.[action.toLowerCase()];
    const target = this.deps.store.get(targetPath);
    if (!target) {
      if (id.rg && !this.deps.store.get(resourceGroupId(id.sub, id.rg))) throw resourceGroupNotFound(id.rg);
      throw resourceNotFound(id);
    }
    if (!run) throw new ArmError(400, "InvalidResourceType", `The resource type '${id.type}' has no action '${action}' in the ARM stand-in.`);
    this.checkRegistered(id);
    this.checkBusy(id, b, req.apiVersion);
    const plan = run(this.ctx, { id, target, body: req.body, apiVersion: req.apiVersion });
    if (plan.durationMs === undefined) return { status: 200, body: plan.body };
    const op = this.deps.operations.start({
      resourceId: target.id,
      lockId: target.id,
      label: plan.label ?? action,
      namespace: id.namespace,
      subscription: id.sub,
      location: this.locationOf(target),
      durationMs: plan.durationMs,
      complete: () => plan.onDone?.(),
      result: plan.result,
    });
    // An action's 202 carries both headers: pollers watch the status, then GET the Location for the result.
    return { status: 202, body: plan.body, headers: this.asyncHeaders(op, req.apiVersion, true) };
  }

  // --- deletes --------------------------------------------------------------------------------

  /**
   * As ARM answers a DELETE: 204 when the resource is not there (ARM's resource provider contract),
   * 404 when its resource group or parent is missing; refused while an operation runs on it (409)
   * or while the type's rules forbid it (a subnet in use); otherwise removed at once (200) or, for
   * types whose deletes are long-running, marked Deleting and removed when the operation completes
   * (202 with Azure-AsyncOperation and Location).
   */
  private delete(id: ParsedId, apiVersion: string): Reply {
    if (id.collection || !id.name) throw new ArmError(405, "MethodNotAllowed", `DELETE is not allowed on the collection '${id.path}'.`);
    const store = this.deps.store;
    const existing = store.get(id.path);
    if (!existing) {
      if (id.type === "Microsoft.Resources/resourceGroups") throw resourceGroupNotFound(id.name);
      this.checkParent(id);
      return { status: 204 };
    }
    const b = behaviourOf(id.type);
    this.checkBusy(id, b, apiVersion);
    b.checkDelete?.(this.ctx, existing);
    const duration = b.deleteMs ?? b.durations?.create;
    if (duration === undefined) {
      this.remove(id.path);
      return { status: 200 };
    }
    existing.properties.provisioningState = "Deleting";
    const op = this.deps.operations.start({
      resourceId: existing.id,
      lockId: b.locksParent ? id.parent : existing.id,
      label: `delete ${b.noun ?? id.type}`,
      namespace: id.namespace,
      subscription: id.sub,
      location: this.locationOf(existing),
      durationMs: duration,
      complete: () => this.remove(existing.id),
      // A delete that did not finish leaves the resource there, Failed (or Canceled).
      abort: (status) => (existing.properties.provisioningState = status),
    });
    return { status: 202, headers: this.asyncHeaders(op, apiVersion, true) };
  }

  /** Removes a resource and everything under it, deepest first, each with its type's onDelete. */
  remove(id: string): void {
    const store = this.deps.store;
    const doomed = [...store.under(id), ...(store.get(id) ? [store.get(id)!] : [])].sort((a, b) => b.id.length - a.id.length);
    for (const r of doomed) {
      behaviourOf(r.type).onDelete?.(this.ctx, r);
      store.delete(r.id);
    }
  }

  /** An operation's location: the resource's, else its nearest ancestor's (subnets, pools, zone groups). */
  private locationOf(r: Resource): string {
    if (r.location) return r.location;
    for (let p = parseId(r.id)?.parent; p && !SUBSCRIPTION.test(p) && !RESOURCE_GROUP.test(p); p = parseId(p)?.parent) {
      const parent = this.deps.store.get(p);
      if (parent?.location) return parent.location;
    }
    return "global";
  }
}
