// The HTTP routes the Functions host exposes, mapped onto the exported handlers, plus one local-only
// route that plays "another system" putting a raw message on a queue.
import type http from "node:http";
import functions, { type HttpResponseInit } from "@azure/functions";
import { getCluster } from "../functions/clusters.js";
import { getOpenApi } from "../functions/openapi.js";
import { statusListPage, statusRequestPage } from "../functions/status-page.js";
import { getRequest, getRequests, postCancel, postRequest } from "../functions/requests.js";
import { CLUSTER_EVENTS_FUNCTION, clusterEvents } from "../functions/events.js";
import { SUBSCRIPTION_VALIDATION } from "../domain/events.js";
import { QUEUES, type QueueName } from "../app/queue.js";
import type { LocalBus } from "./bus.js";

const { HttpRequest, InvocationContext } = functions;

type Handler = (req: InstanceType<typeof HttpRequest>, ctx: InstanceType<typeof InvocationContext>) => Promise<HttpResponseInit>;
interface Route { method: string; pattern: RegExp; params: string[]; name: string; handler: Handler }

const routes: Route[] = [
  { method: "POST", pattern: /^\/api\/requests$/, params: [], name: "postRequest", handler: postRequest },
  { method: "GET", pattern: /^\/api\/requests$/, params: [], name: "getRequests", handler: getRequests },
  { method: "POST", pattern: /^\/api\/requests\/([^/]+):cancel$/, params: ["id"], name: "cancelRequest", handler: postCancel },
  { method: "GET", pattern: /^\/api\/requests\/([^/]+)$/, params: ["id"], name: "getRequest", handler: getRequest },
  { method: "GET", pattern: /^\/api\/openapi\.json$/, params: [], name: "getOpenApi", handler: getOpenApi },
  { method: "GET", pattern: /^\/api\/status$/, params: [], name: "statusListPage", handler: statusListPage },
  { method: "GET", pattern: /^\/api\/status\/requests\/([^/]+)$/, params: ["id"], name: "statusRequestPage", handler: statusRequestPage },
  // The status page at the local host's root as well.
  { method: "GET", pattern: /^\/$/, params: [], name: "statusListPage", handler: statusListPage },
  { method: "GET", pattern: /^\/requests\/([^/]+)$/, params: ["id"], name: "statusRequestPage", handler: statusRequestPage },
  { method: "GET", pattern: /^\/api\/clusters\/([^/]+)\/([^/]+)\/([^/]+)$/, params: ["subscriptionId", "resourceGroup", "name"], name: "getCluster", handler: getCluster },
];

/** Adds a route (the Event Grid webhook registers itself this way). */
export function addLocalRoute(route: Route): void {
  routes.push(route);
}

export type InvocationContextFactory = (functionName: string, init?: ConstructorParameters<typeof InvocationContext>[0]) => InstanceType<typeof InvocationContext>;

export function localRoutes(bus: LocalBus, context: InvocationContextFactory): http.RequestListener {
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
      const body = await readBody(req);
      if (url.pathname === "/runtime/webhooks/eventgrid") return send(res, await eventGridWebhook(req, url, body, context));
      const queueMatch = req.method === "POST" && url.pathname.match(/^\/local\/queues\/([^/]+)$/);
      if (queueMatch) {
        const queue = decodeURIComponent(queueMatch[1]) as QueueName;
        if (!Object.values(QUEUES).includes(queue)) return send(res, { status: 404, jsonBody: { error: `no queue ${queue}` } });
        const messageId = url.searchParams.get("messageId") ?? crypto.randomUUID();
        await bus.sendRaw(queue, body, messageId);
        return send(res, { status: 202, jsonBody: { queue, messageId } });
      }
      for (const r of routes) {
        const m = req.method === r.method && url.pathname.match(r.pattern);
        if (!m) continue;
        const params = Object.fromEntries(r.params.map((p, i) => [p, decodeURIComponent(m[i + 1])]));
        const request = new HttpRequest({ method: r.method, url: url.toString(), headers: req.headers as Record<string, string>, query: Object.fromEntries(url.searchParams), params, body: { string: body } });
        const traceParent = req.headers.traceparent;
        const ctx = context(r.name, typeof traceParent === "string" ? { traceContext: { traceParent } } : {});
        return send(res, await r.handler(request, ctx));
      }
      send(res, { status: 404, jsonBody: { error: `no route for ${req.method} ${url.pathname}` } });
    } catch (e) {
      send(res, { status: 500, jsonBody: { error: (e as Error).message } });
    }
  };
}

/**
 * The Functions host's Event Grid webhook: the subscription validation handshake of both schemas
 * (Event Grid: SubscriptionValidationEvent → validationResponse; CloudEvents: OPTIONS with
 * WebHook-Request-Origin → WebHook-Allowed-Origin), then one invocation per event.
 */
async function eventGridWebhook(req: http.IncomingMessage, url: URL, body: string, context: InvocationContextFactory): Promise<HttpResponseInit> {
  if (url.searchParams.get("functionName") !== CLUSTER_EVENTS_FUNCTION)
    return { status: 404, jsonBody: { error: `no Event Grid function named ${url.searchParams.get("functionName")}` } };
  if (req.method === "OPTIONS") {
    const origin = req.headers["webhook-request-origin"];
    return { status: 200, headers: { "WebHook-Allowed-Origin": String(origin ?? "*"), "WebHook-Allowed-Rate": "120" } };
  }
  if (req.method !== "POST") return { status: 405 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { status: 400, jsonBody: { error: "the body is not JSON" } };
  }
  // As the Functions host does: each entry goes to the function, whatever it holds (it type-checks).
  const events: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const field = (e: unknown, k: string) => (e && typeof e === "object" ? (e as Record<string, unknown>)[k] : undefined);
  const validation = events.find((e) => (field(e, "eventType") ?? field(e, "type")) === SUBSCRIPTION_VALIDATION);
  if (validation) return { status: 200, jsonBody: { validationResponse: field(field(validation, "data"), "validationCode") } };
  for (const e of events) await clusterEvents(e as Record<string, unknown>, context(CLUSTER_EVENTS_FUNCTION));
  return { status: 200 };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, r: HttpResponseInit): void {
  const headers = Object.fromEntries(Object.entries((r.headers ?? {}) as Record<string, string>));
  const text = r.jsonBody !== undefined ? JSON.stringify(r.jsonBody) : typeof r.body === "string" ? r.body : "";
  if (r.jsonBody !== undefined) headers["content-type"] = "application/json";
  res.writeHead(r.status ?? 200, headers);
  res.end(text);
}
