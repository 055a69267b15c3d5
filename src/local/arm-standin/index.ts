// A local stand-in for Azure Resource Manager, reached by the real SDK clients over HTTPS. It keeps
// what ARM's contract promises the app: resources by id (case-insensitive), PUT/PATCH/GET/DELETE,
// long-running operations with Azure-AsyncOperation + Retry-After, 404/409 error bodies, a 409 for a
// resource busy with another operation, and the per-type behaviours in behaviours.ts that make
// tests meaningful (a cluster refuses what ARM refuses; a node-image upgrade moves the image).
// Durations are the real ones scaled down (timeScale).
import https from "node:https";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { localCertificate } from "./cert.js";
import { canonical, norm, parseId } from "./ids.js";
import { behaviourFor, DURATIONS_MS, StandInError, type Ctx, type Res } from "./behaviours.js";

export interface ArmStandInOptions {
  port?: number;
  timeScale?: number;
  principalReplicationDelayMs?: number;
  latestNodeImageVersion?: { ubuntu: string; azureLinux: string };
}
export interface RecordedRequest { method: string; path: string; apiVersion?: string; body?: unknown; status: number; at: number }
export interface FaultRule { method?: string; path: RegExp; status: number; code: string; message?: string; retryAfterSeconds?: number; times?: number }
export interface ArmStandIn {
  endpoint: string;
  caPem: string;
  requests: RecordedRequest[];
  writes(): RecordedRequest[];
  get(id: string): any | undefined;
  list(prefix: string): any[];
  seed(resource: { id: string; location?: string; properties?: any; [k: string]: unknown }): void;
  addFault(rule: FaultRule): void;
  setUnregisteredProviders(namespaces: string[]): void;
  close(): Promise<void>;
}

interface Operation { id: string; resourceId: string; location: string; doneAt: number; status: "InProgress" | "Succeeded" | "Failed"; finish: () => void; startedAt: number }

export async function startArmStandIn(options: ArmStandInOptions = {}): Promise<ArmStandIn> {
  const { key, cert } = await localCertificate();
  const resources = new Map<string, Res>();
  const operations = new Map<string, Operation>();
  const busy = new Map<string, Operation>(); // resource id (normalised) → running operation
  const faults: (FaultRule & { left: number })[] = [];
  const requests: RecordedRequest[] = [];
  const unregistered = new Set<string>();
  const features = new Map<string, string>();
  const scale = options.timeScale ?? 1;
  let endpoint = "";

  const ctx: Ctx = {
    get: (id) => resources.get(norm(id)),
    put: (r) => void resources.set(norm(r.id), r),
    remove: (id) => void resources.delete(norm(id)),
    list: (prefix) => [...resources.values()].filter((r) => norm(r.id).startsWith(norm(prefix))),
    isBusy: (id) => settle() || busy.has(norm(id)),
    now: () => Date.now(),
    principalDelayMs: options.principalReplicationDelayMs ?? 0,
    latestImage: options.latestNodeImageVersion ?? { ubuntu: "AKSUbuntu-2204gen2containerd-202411.12.0", azureLinux: "AKSAzureLinux-V2gen2-202411.12.0" },
  };

  /** Completes the operations whose time has come (evaluated lazily on every request). */
  function settle(): false {
    const now = Date.now();
    for (const op of operations.values()) {
      if (op.status === "InProgress" && now >= op.doneAt) {
        op.status = "Succeeded";
        busy.delete(norm(op.resourceId));
        op.finish();
      }
    }
    return false;
  }

  function startOperation(resourceId: string, location: string, durationMs: number, finish: () => void): Operation {
    const op: Operation = { id: randomUUID(), resourceId, location, startedAt: Date.now(), doneAt: Date.now() + durationMs * scale, status: "InProgress", finish };
    operations.set(op.id, op);
    busy.set(norm(resourceId), op);
    return op;
  }

  const server = https.createServer({ key, cert }, async (req, res) => {
    // Not new URL(req.url): a scope-relative path such as "//subscriptions/…" (the authorization
    // SDK sends the scope as a path segment) would parse as a host name.
    const [rawPath, query = ""] = (req.url ?? "/").split("?", 2);
    const url = { searchParams: new URLSearchParams(query) };
    const body = await readBody(req);
    const path = canonical(decodeURIComponent(rawPath).replace(/\/{2,}/g, "/"));
    const apiVersion = url.searchParams.get("api-version") ?? undefined;
    const record: RecordedRequest = { method: req.method ?? "GET", path, apiVersion, body, status: 0, at: Date.now() };
    requests.push(record);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json", "x-ms-request-id": randomUUID(), ...headers });
      res.end(payload === undefined ? "" : JSON.stringify(payload));
    };
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => send(status, { error: { code, message } }, headers);
    try {
      if (!/^Bearer .+/.test(req.headers.authorization ?? "")) return error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
      if (!apiVersion) return error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
      const fault = faults.find((f) => f.left > 0 && f.path.test(path) && (!f.method || f.method === req.method));
      if (fault) {
        fault.left--;
        return error(fault.status, fault.code, fault.message ?? `injected ${fault.code}`, fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {});
      }
      settle();
      const method = req.method ?? "GET";
      const asyncHeaders = (op: Operation) => {
        const remaining = Math.max(0, op.doneAt - Date.now());
        const opUrl = `${endpoint}/subscriptions/${parseId(op.resourceId).sub}/providers/${parseId(op.resourceId).type.split("/")[0]}/locations/${op.location}/operations/${op.id}?api-version=${apiVersion}`;
        return { "azure-asyncoperation": opUrl, location: opUrl.replace("/operations/", "/operationresults/"), "retry-after": String(Math.max(1, Math.ceil(remaining / 1000))), "retry-after-ms": String(Math.max(50, Math.round(remaining))) };
      };

      // Operation status and results
      const opMatch = path.match(/\/locations\/[^/]+\/(operations|operationresults)\/([^/]+)$/i);
      if (opMatch && method === "GET") {
        const op = operations.get(opMatch[2]);
        if (!op) return error(404, "OperationNotFound", `operation ${opMatch[2]} not found`);
        // The result of a finished action: the resource it acted on (AKS answers 200 with the pool).
        if (opMatch[1].toLowerCase() === "operationresults") return op.status === "InProgress" ? send(202, undefined, asyncHeaders(op)) : send(200, ctx.get(op.resourceId) ?? {});
        const doc = { id: path, name: op.id, status: op.status, startTime: new Date(op.startedAt).toISOString(), ...(op.status !== "InProgress" ? { endTime: new Date(op.doneAt).toISOString() } : {}) };
        return send(200, doc, op.status === "InProgress" ? asyncHeaders(op) : {});
      }

      // Providers and preview features
      const feat = path.match(/^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Features\/providers\/([^/]+)\/features\/([^/]+?)(\/register)?$/i);
      if (feat) {
        const key = `${feat[2]}/${feat[3]}`.toLowerCase();
        if (feat[4] && method === "POST") features.set(key, "Registered");
        const state = features.get(key) ?? "NotRegistered";
        return send(200, { id: path.replace(/\/register$/i, ""), name: `${feat[2]}/${feat[3]}`, type: "Microsoft.Features/providers/features", properties: { state } });
      }
      const prov = path.match(/^\/subscriptions\/([^/]+)\/providers\/([^/]+?)(\/register)?$/i);
      if (prov) {
        if (prov[3] && method === "POST") unregistered.delete(prov[2].toLowerCase());
        const state = unregistered.has(prov[2].toLowerCase()) ? "NotRegistered" : "Registered";
        return send(200, { id: `/subscriptions/${prov[1]}/providers/${prov[2]}`, namespace: prov[2], registrationState: state, resourceTypes: [] });
      }

      // Actions (POST …/{action})
      if (method === "POST") {
        const i = path.lastIndexOf("/");
        const target = path.slice(0, i);
        const action = path.slice(i + 1);
        const b = behaviourFor(parseId(target).type);
        if (!b.action) return error(404, "NotFound", `no action ${action} on ${target}`);
        const outcome = b.action(ctx, target, action);
        if (outcome.durationMs) {
          const op = startOperation(target, ctx.get(target)?.location ?? "global", outcome.durationMs, outcome.finish ?? (() => {}));
          return send(202, undefined, asyncHeaders(op));
        }
        return send(200, outcome.body ?? {});
      }

      const id = parseId(path);
      if (id.collection && method === "GET") {
        const items = ctx.list(path + "/").filter((r) => norm(parseId(r.id).parent ?? "") === norm(path.replace(/\/[^/]+$/, "")) && parseId(r.id).type.toLowerCase() === id.type.toLowerCase());
        return send(200, { value: items.map((r) => behaviourFor(parseId(r.id).type).view?.(ctx, r) ?? r) });
      }
      const b = behaviourFor(id.type);
      const existing = ctx.get(path);
      if (method === "GET" || method === "HEAD") {
        const computed = !existing && b.virtualGet?.(ctx, path);
        if (computed) return send(200, computed);
        if (!existing) return error(404, id.type === "Microsoft.Resources/resourceGroups" ? "ResourceGroupNotFound" : "ResourceNotFound", `The Resource '${id.type}/${id.name}' under resource group '${id.rg}' was not found.`);
        return send(200, b.view?.(ctx, existing) ?? existing);
      }
      if (method === "DELETE") {
        ctx.remove(path);
        return send(existing ? 200 : 204);
      }
      if (method === "PUT" || method === "PATCH") {
        // the parent must exist: the resource group, or the parent resource of a child
        if (id.rg && id.type !== "Microsoft.Resources/resourceGroups" && !ctx.get(`/subscriptions/${id.sub}/resourceGroups/${id.rg}`))
          return error(404, "ResourceGroupNotFound", `Resource group '${id.rg}' could not be found.`);
        if (id.parent && parseId(id.parent).type !== "Microsoft.Resources/resourceGroups" && norm(id.parent) !== norm(`/subscriptions/${id.sub}`) && !ctx.get(id.parent) && !/\/providers\/Microsoft\.Authorization\//i.test(path))
          return error(404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${id.parent}' not found.`);
        if (busy.has(norm(path))) return error(409, b.busyCode ?? "AnotherOperationInProgress", `Operation is not allowed because there's an in progress operation on ${id.name}.`);
        const incoming = (body ?? {}) as Res;
        const merged: Res = method === "PATCH" && existing ? { ...existing, ...incoming, properties: { ...existing.properties, ...(incoming.properties ?? {}) }, tags: incoming.tags ?? existing.tags } : { ...incoming };
        const resource: Res = { ...merged, id: existing?.id ?? path, name: id.name, type: id.type, properties: { ...(merged.properties ?? {}) } };
        const outcome = b.put ? b.put(ctx, resource, existing, apiVersion) : {};
        const duration = outcome.durationMs ?? DURATIONS_MS[id.type.toLowerCase()];
        if (duration) {
          resource.properties.provisioningState = existing ? "Updating" : "Creating";
          ctx.put(resource);
          const op = startOperation(resource.id, resource.location ?? "global", duration, () => {
            const r = ctx.get(resource.id);
            if (!r) return;
            r.properties.provisioningState = "Succeeded";
            outcome.finish?.(r);
          });
          return send(existing ? 200 : 201, b.view?.(ctx, resource) ?? resource, asyncHeaders(op));
        }
        resource.properties.provisioningState = "Succeeded";
        ctx.put(resource);
        outcome.finish?.(resource);
        return send(existing ? 200 : 201, b.view?.(ctx, ctx.get(resource.id)!) ?? resource);
      }
      return error(405, "MethodNotAllowed", `${method} is not supported`);
    } catch (e) {
      if (e instanceof StandInError) return error(e.status, e.code, e.message);
      return error(500, "InternalServerError", (e as Error).message);
    }
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    caPem: cert,
    requests,
    writes: () => requests.filter((r) => ["PUT", "PATCH", "POST", "DELETE"].includes(r.method) && r.status < 400 && !/\/providers\/[^/]+\/register$/i.test(r.path) && !/Microsoft\.Features/i.test(r.path)),
    get: (id) => (settle(), ctx.get(id)),
    list: (prefix) => (settle(), ctx.list(prefix)),
    seed(resource) {
      const id = parseId(resource.id);
      const r: Res = { ...resource, id: canonical(resource.id), name: id.name, type: id.type, properties: { ...(resource.properties ?? {}), provisioningState: "Succeeded" } } as Res;
      const b = behaviourFor(id.type);
      const outcome = b.put ? b.put(ctx, r, ctx.get(r.id), "seed") : {};
      ctx.put(r);
      outcome.finish?.(r);
    },
    addFault: (rule) => void faults.push({ ...rule, left: rule.times ?? 1 }),
    setUnregisteredProviders: (ns) => ns.forEach((n) => unregistered.add(n.toLowerCase())),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: import("node:http").IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(text);
      }
    });
  });
}
