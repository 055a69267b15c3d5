// The status page, served by the app itself with the API's auth (function key; a `code` query
// parameter is kept on every link). In Azure: /api/status and /api/status/requests/{id}; the local
// host also serves them at / and /requests/{id}.
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import type { PageLinks } from "../app/status-page.js";
import type { RequestState } from "../domain/records.js";
import { getDeps } from "./runtime.js";
import { httpCaller } from "./caller.js";
import { maySee } from "../domain/caller.js";

// The app layer is imported on first use: cold start loads only the registrations (src/main.ts).
const page = () => Promise.all([import("../app/status-page.js"), import("../app/request-list.js")]);

const html = async (status: number, body: string): Promise<HttpResponseInit> => ({
  status,
  body,
  headers: {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": `default-src 'none'; script-src '${(await import("../app/status-page-assets.js")).PAGE_SCRIPT_HASH}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
  },
});

function linksFor(request: HttpRequest): PageLinks {
  const url = new URL(request.url);
  const code = url.searchParams.get("code");
  return { base: url.pathname.startsWith("/api/status") ? "/api/status" : "", keep: code ? new URLSearchParams({ code }).toString() : "" };
}

export async function statusListPage(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const [{ renderRequestList }, { listRequests, REQUEST_STATES }] = await page();
  const deps = await getDeps();
  const stateParam = request.query.get("state") ?? "";
  const state = REQUEST_STATES.includes(stateParam as RequestState) ? (stateParam as RequestState) : undefined;
  const cluster = request.query.get("cluster")?.trim() || undefined;
  const [{ value: requests, unreadable }, drifted] = await Promise.all([listRequests(deps, { state, cluster, caller: who.caller }), import("../app/drift.js").then((m) => m.heldClusters(deps, { drifted: true, caller: who.caller }))]);
  return html(200, renderRequestList({ requests, unreadable, state, cluster, states: REQUEST_STATES, drifted }, linksFor(request), deps.now()));
}

export async function statusRequestPage(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const [[{ renderRequestPage }], { statusOf }] = await Promise.all([page(), import("../app/accept.js")]);
  const deps = await getDeps();
  const found = await statusOf(deps, request.params.id);
  const doc = found && maySee(who.caller, found, deps.settings.callerPolicy) ? found : undefined;
  if (!doc) return html(404, `<!doctype html><html lang="en"><title>Not found</title><main><h1>No request ${request.params.id.replace(/[<>&"']/g, "")}</h1></main></html>`);
  return html(200, renderRequestPage(doc, linksFor(request), deps.now()));
}

functions.app.http("statusListPage", { route: "status", methods: ["GET"], authLevel: "function", handler: statusListPage });
functions.app.http("statusRequestPage", { route: "status/requests/{id}", methods: ["GET"], authLevel: "function", handler: statusRequestPage });
