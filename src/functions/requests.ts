// The requests API, a long-running operation by the Azure REST API guidelines:
// POST /api/requests                 202 + Operation-Location + Retry-After (also on a repeat);
//                                    ?whatIf=true answers the plan and writes nothing
// GET  /api/requests/{id}            the status monitor (the contract's status document), Retry-After while it runs
// POST /api/requests/{id}:cancel     202: no new step starts, ARM writes in flight finish, then Canceled
// GET  /api/requests                 recent requests (?state=&cluster=&top=)
// Errors carry `error {code, message, target, details[]}` and `x-ms-error-code`.
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import type { StatusDocument } from "../app/status.js";
import type { RequestState } from "../domain/records.js";
import { json } from "./http-util.js";
import { forInvocation } from "./invocation.js";
import { allowedScopes, getDeps, runnerSettings } from "./runtime.js";
import { forbidden, httpCaller } from "./caller.js";
import { mayActOn, maySee } from "../domain/caller.js";
import { lazy } from "../lazy.js";

// The app layer is imported on first use: cold start loads only the registrations (src/main.ts).
const accept = lazy(() => import("../app/accept.js"));
const statusModule = lazy(() => import("../app/status.js"));

const monitorUrl = (request: HttpRequest, id: string) => new URL(`/api/requests/${encodeURIComponent(id)}`, request.url).toString();

/** The status monitor with the headers that tell a client where and when to look again. */
async function monitor(request: HttpRequest, httpStatus: number, doc: StatusDocument, now: Date): Promise<HttpResponseInit> {
  const retryAfter = (await statusModule()).retryAfterSeconds(doc, now);
  const url = monitorUrl(request, doc.id);
  return json(httpStatus, doc, { "operation-location": url, location: url, ...(retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {}) });
}

/** When a caller whose request could not be started should POST it again. */
const NOT_STARTED_RETRY_S = 10;

const notFound = (id: string) => json(404, { error: { code: "RequestNotFound", message: `no request ${id}`, target: "id" } });

export async function postRequest(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const [{ acceptRequest, whatIf }, { parseJson }] = await Promise.all([accept(), import("../domain/validate.js")]);
  const parsed = parseJson(await request.text());
  const whatIfMode = ["true", "1"].includes(request.query.get("whatIf") ?? "");
  if (whatIfMode) {
    // A plan needs no storage or queue, but a delete's plan reads what the deleted request recorded.
    const isDelete = parsed.ok && (parsed.value as { operation?: unknown } | null)?.operation === "delete";
    const plan = parsed.ok ? await whatIf(parsed.value, { allowedScopes: await allowedScopes() }, isDelete ? await getDeps() : undefined, { caller: who.caller, policy: (await runnerSettings()).callerPolicy }) : parsed;
    if (plan.ok) return json(200, plan.plan);
    if ("forbidden" in plan && plan.forbidden) return forbidden(plan.errors);
    const details = plan.errors.map((e) => ({ code: "InvalidValue", message: e.message, target: e.path, path: e.path, source: e.source }));
    return json(400, { state: "Rejected", status: "Failed", error: { code: "ValidationFailed", message: `${plan.errors.length} problem(s)`, details } });
  }
  // The caller's trace, when it sent one, becomes the request's.
  const deps = forInvocation(await getDeps(), context, { traceparents: [request.headers.get("traceparent")] });
  const outcome = await acceptRequest(deps, parsed.ok ? parsed.value : undefined, undefined, parsed.ok ? undefined : parsed.errors, { caller: who.caller });
  switch (outcome.kind) {
    case "accepted":
    case "existing": // a repeat is the same operation: the same answer
      return await monitor(request, 202, outcome.status, deps.now());
    case "rejected":
      return await monitor(request, 400, outcome.status, deps.now());
    case "conflict":
      return json(409, { ...outcome.status, error: { code: "RequestIdConflict", message: outcome.message, target: "requestId" } }, { location: monitorUrl(request, outcome.status.id) });
    case "notStarted": // recorded, not started: the same POST again starts it
      return json(503, outcome.status, { "retry-after": String(NOT_STARTED_RETRY_S), "x-ms-error-code": "FirstSendFailed", location: monitorUrl(request, outcome.status.id) });
    case "forbidden":
      return forbidden(outcome.errors);
  }
}

export async function getRequest(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const { statusOf } = await accept();
  const deps = await getDeps();
  const status = await statusOf(deps, request.params.id);
  // Another team's request is, to this caller, no request at all.
  return status && maySee(who.caller, status, deps.settings.callerPolicy) ? await monitor(request, 200, status, deps.now()) : notFound(request.params.id);
}

export async function postCancel(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const { cancelRequest } = await import("../app/cancel.js");
  const deps = forInvocation(await getDeps(), context, { requestId: request.params.id });
  const rec = await deps.requests.getRequest(request.params.id);
  if (!rec || !maySee(who.caller, rec, deps.settings.callerPolicy)) return notFound(request.params.id);
  if (!mayActOn(who.caller, rec, "cancel", deps.settings.callerPolicy))
    return forbidden([{ path: "id", message: `request ${rec.id} is not this caller's to cancel (its own requests only, or a role with requests "scopes" over its target)`, source: "CALLER_POLICY setting" }]);
  const outcome = await cancelRequest(deps, request.params.id);
  if (outcome.kind === "notFound") return notFound(request.params.id);
  if (outcome.kind === "finished")
    return json(409, { ...outcome.status, error: { code: "RequestAlreadyFinished", message: `request ${outcome.status.id} is ${outcome.status.state}: nothing to cancel`, target: "id" } });
  return monitor(request, 202, outcome.status, deps.now());
}

export async function getRequests(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const { listRequests, REQUEST_STATES } = await import("../app/request-list.js");
  const state = request.query.get("state") ?? undefined;
  const top = Number(request.query.get("top") ?? 50);
  const details = [
    ...(state && !REQUEST_STATES.includes(state as RequestState) ? [{ code: "InvalidValue", message: `must be one of ${REQUEST_STATES.join(", ")}`, target: "state" }] : []),
    ...(!Number.isInteger(top) || top < 1 || top > 500 ? [{ code: "InvalidValue", message: "must be an integer from 1 to 500", target: "top" }] : []),
  ];
  if (details.length) return json(400, { error: { code: "InvalidQueryParameter", message: `${details.length} invalid query parameter(s)`, details } });
  const { value, unreadable } = await listRequests(await getDeps(), { state: state as RequestState | undefined, cluster: request.query.get("cluster") ?? undefined, top, caller: who.caller });
  return json(200, unreadable ? { value, unreadable } : { value });
}

functions.app.http("postRequest", { route: "requests", methods: ["POST"], authLevel: "function", handler: postRequest });
functions.app.http("getRequests", { route: "requests", methods: ["GET"], authLevel: "function", handler: getRequests });
functions.app.http("getRequest", { route: "requests/{id}", methods: ["GET"], authLevel: "function", handler: getRequest });
functions.app.http("cancelRequest", { route: "requests/{id}:cancel", methods: ["POST"], authLevel: "function", handler: postCancel });
