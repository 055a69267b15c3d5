// The HTTP side of the local host, from the app's own registrations: every HTTP-triggered function
// at /api/{its route} for its methods, every Event Grid-triggered function behind the host's webhook
// (/runtime/webhooks/eventgrid?functionName=…), each invoked through the functions-core stand-in as
// the worker would. Plus local-only routes: one plays "another system" putting a raw message on a
// queue; one hands out tokens of the host's own issuer (AUTH_MODE=local). Like Core Tools, no function keys are asked for: the local host listens on 127.0.0.1 only.
import type http from "node:http";
import { SUBSCRIPTION_VALIDATION } from "../domain/events.js";
import type { LocalBus } from "./bus.js";
import { localObjectId, type LocalIssuer } from "./local-issuer.js";
import { toTypedData, type FunctionsCoreStandIn, type HttpData, type TypedData } from "./functions-core.js";

/** The Functions host's default route prefix (host.json extensions.http.routePrefix). */
const ROUTE_PREFIX = "/api/";

interface Route {
  functionName: string;
  /** The route template, without the prefix. */
  route: string;
  methods: string[];
  pattern: RegExp;
  params: string[];
}

const PARAMETER = /\{(\*?)([A-Za-z0-9_]+)(?::[^}?]*)?\??\}/g;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `clusters/{subscriptionId}/{name:alpha}`, `requests/{id}:cancel` → a pattern and its parameter
 * names. A parameter may share its segment with literal text (`{id}:cancel`); `{*rest}` takes the rest.
 */
export function routePattern(template: string, prefix = ROUTE_PREFIX): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = template
    .split("/")
    .map((part) => {
      let out = "";
      let last = 0;
      for (const m of part.matchAll(PARAMETER)) {
        params.push(m[2]);
        out += escape(part.slice(last, m.index)) + (m[1] ? "(.+)" : "([^/]+?)");
        last = m.index + m[0].length;
      }
      return out + escape(part.slice(last));
    })
    .join("/");
  return { pattern: new RegExp(`^${escape(prefix)}${source}$`), params };
}

export function httpRoutes(core: FunctionsCoreStandIn): Route[] {
  return core.byTrigger("httpTrigger").map(({ functionName, binding }) => ({
    functionName,
    route: String(binding.route ?? functionName),
    methods: ((binding.methods as string[] | undefined) ?? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]).map((m) => m.toUpperCase()),
    ...routePattern(String(binding.route ?? functionName)),
  }));
}

/** The status page at the local host's root as well (Azure serves it at /api/status only). */
const LOCAL_ALIASES: Record<string, string> = { "": "status", "requests/{id}": "status/requests/{id}" };

/** Routes of the local host's own, each invoking the function registered at another route. */
function localAliases(routes: Route[]): Route[] {
  return Object.entries(LOCAL_ALIASES).flatMap(([alias, route]) => {
    const target = routes.find((r) => r.route === route);
    return target ? [{ ...target, route: alias, ...routePattern(alias, "/") }] : [];
  });
}

export function localRoutes(core: FunctionsCoreStandIn, bus: LocalBus, issuer?: LocalIssuer): http.RequestListener {
  const registered = httpRoutes(core);
  const routes = [...registered, ...localAliases(registered)];
  const queues = new Set(core.byTrigger("serviceBusTrigger").map((f) => String(f.binding.queueName)));
  const eventGrid = new Set(core.byTrigger("eventGridTrigger").map((f) => f.functionName));
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
      const body = await readBody(req);
      if (url.pathname === "/runtime/webhooks/eventgrid") return send(res, await eventGridWebhook(core, eventGrid, req, url, body));
      const queueMatch = req.method === "POST" && url.pathname.match(/^\/local\/queues\/([^/]+)$/);
      if (req.method === "POST" && url.pathname === "/local/token") return send(res, await localToken(issuer, body));
      if (queueMatch) {
        const queue = decodeURIComponent(queueMatch[1]);
        if (!queues.has(queue)) return send(res, json(404, { error: `no queue ${queue}` }));
        const messageId = url.searchParams.get("messageId") ?? crypto.randomUUID();
        await bus.sendRaw(queue as never, body.toString("utf8"), messageId);
        return send(res, json(202, { queue, messageId }));
      }
      for (const r of routes) {
        const m = r.methods.includes(req.method ?? "") && url.pathname.match(r.pattern);
        if (!m) continue;
        const request: HttpData = {
          method: req.method,
          url: url.toString(),
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")])),
          query: Object.fromEntries(url.searchParams),
          params: Object.fromEntries(r.params.map((p, i) => [p, decodeURIComponent(m[i + 1])])),
          body: { bytes: body },
        };
        // As the host does: an HTTP caller's traceparent becomes the invocation's trace context.
        const traceContext = typeof req.headers.traceparent === "string" ? { traceParent: req.headers.traceparent } : undefined;
        return send(res, (await core.invoke(r.functionName, { http: request }, {}, undefined, traceContext))?.http ?? { statusCode: "204" });
      }
      send(res, json(404, { error: `no route for ${req.method} ${url.pathname}` }));
    } catch (e) {
      send(res, json(500, { error: (e as Error).message }));
    }
  };
}

/**
 * A token of the local issuer for `{ "name": "alice", "roles": ["Team.A"] }` (AUTH_MODE=local only):
 * what `az account get-access-token` is against a tenant.
 */
async function localToken(issuer: LocalIssuer | undefined, body: Buffer): Promise<HttpData> {
  if (!issuer) return json(404, { error: "this host checks no tokens of its own: start it with AUTH_MODE=local" });
  let asked: unknown;
  try {
    asked = JSON.parse(body.toString("utf8") || "{}");
  } catch {
    return json(400, { error: "the body is not JSON" });
  }
  const { name, roles, upn } = (asked ?? {}) as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((r) => typeof r === "string" && r.length > 0);
  if (typeof name !== "string" || !name || !strings(roles) || (upn !== undefined && typeof upn !== "string"))
    return json(400, { error: 'give { "name": "…", "roles": ["…"] } (upn optional): the caller\'s display name and its app roles' });
  return json(200, { tokenType: "Bearer", accessToken: await issuer.tokenFor({ name, roles, upn }), expiresIn: 3600, objectId: localObjectId(name) });
}

/**
 * The Functions host's Event Grid webhook: the subscription validation handshake of both schemas
 * (Event Grid: SubscriptionValidationEvent → validationResponse; CloudEvents: OPTIONS with
 * WebHook-Request-Origin → WebHook-Allowed-Origin), then one invocation per event.
 */
async function eventGridWebhook(core: FunctionsCoreStandIn, functions: Set<string>, req: http.IncomingMessage, url: URL, body: Buffer): Promise<HttpData> {
  const functionName = url.searchParams.get("functionName") ?? "";
  if (!functions.has(functionName)) return json(404, { error: `no Event Grid function named ${functionName}` });
  if (req.method === "OPTIONS") {
    const origin = req.headers["webhook-request-origin"];
    return { statusCode: "200", headers: { "WebHook-Allowed-Origin": String(origin ?? "*"), "WebHook-Allowed-Rate": "120" } };
  }
  if (req.method !== "POST") return { statusCode: "405" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return json(400, { error: "the body is not JSON" });
  }
  // As the Functions host does: each entry goes to the function, whatever it holds (it type-checks).
  const events: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const field = (e: unknown, k: string) => (e && typeof e === "object" ? (e as Record<string, unknown>)[k] : undefined);
  const validation = events.find((e) => (field(e, "eventType") ?? field(e, "type")) === SUBSCRIPTION_VALIDATION);
  if (validation) return json(200, { validationResponse: field(field(validation, "data"), "validationCode") });
  for (const e of events) await core.invoke(functionName, toTypedData(e));
  return { statusCode: "200" };
}

const json = (status: number, value: unknown): HttpData => ({ statusCode: String(status), headers: { "content-type": "application/json" }, body: { string: JSON.stringify(value) } });

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Writes an RPC HTTP response (as the worker returns it) to the client. */
function send(res: http.ServerResponse, r: HttpData): void {
  res.writeHead(Number(r.statusCode ?? 200), r.headers ?? {});
  res.end(bodyBytes(r.body));
}

function bodyBytes(body: TypedData | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  return Buffer.from(body.string ?? body.json ?? "");
}
