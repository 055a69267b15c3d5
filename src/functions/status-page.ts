// The status page, served by the app itself with the API's auth (function key; a `code` query
// parameter is kept on every link). In Azure: /api/status and /api/status/requests/{id}; the local
// host also serves them at / and /requests/{id}.
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { statusOf } from "../app/accept.js";
import { listRequests, REQUEST_STATES } from "../app/request-list.js";
import { renderRequestList, renderRequestPage, type PageLinks } from "../app/status-page.js";
import { PAGE_SCRIPT_HASH } from "../app/status-page-assets.js";
import type { RequestState } from "../state/request-store.js";
import { getDeps } from "./runtime.js";

const html = (status: number, body: string): HttpResponseInit => ({
  status,
  body,
  headers: {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": `default-src 'none'; script-src '${PAGE_SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
  },
});

function linksFor(request: HttpRequest): PageLinks {
  const url = new URL(request.url);
  const code = url.searchParams.get("code");
  return { base: url.pathname.startsWith("/api/status") ? "/api/status" : "", keep: code ? new URLSearchParams({ code }).toString() : "" };
}

export async function statusListPage(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const stateParam = request.query.get("state") ?? "";
  const state = REQUEST_STATES.includes(stateParam as RequestState) ? (stateParam as RequestState) : undefined;
  const cluster = request.query.get("cluster")?.trim() || undefined;
  const requests = await listRequests(deps, { state, cluster });
  return html(200, renderRequestList({ requests, state, cluster, states: REQUEST_STATES }, linksFor(request), deps.now()));
}

export async function statusRequestPage(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const doc = await statusOf(deps, request.params.id);
  if (!doc) return html(404, `<!doctype html><html lang="en"><title>Not found</title><main><h1>No request ${request.params.id.replace(/[<>&"']/g, "")}</h1></main></html>`);
  return html(200, renderRequestPage(doc, linksFor(request), deps.now()));
}

functions.app.http("statusListPage", { route: "status", methods: ["GET"], authLevel: "function", handler: statusListPage });
functions.app.http("statusRequestPage", { route: "status/requests/{id}", methods: ["GET"], authLevel: "function", handler: statusRequestPage });
