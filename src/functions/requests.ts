// POST /api/requests (202 + status URL; ?whatIf=true answers the plan and writes nothing)
// GET  /api/requests/{id} (the status document)
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { json } from "./http-util.js";
import { allowedScopes, getDeps } from "./runtime.js";

// The app layer is imported on first use: cold start loads only the registrations (src/main.ts).
const accept = () => import("../app/accept.js");

export async function postRequest(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const [{ acceptRequest, whatIf }, { parseJson }] = await Promise.all([accept(), import("../domain/validate.js")]);
  const parsed = parseJson(await request.text());
  const whatIfMode = ["true", "1"].includes(request.query.get("whatIf") ?? "");
  if (whatIfMode) {
    if (!parsed.ok) return json(400, { state: "Rejected", error: { code: "ValidationFailed", message: "the body is not JSON", details: parsed.errors } });
    // A plan needs no storage or queue, but a delete's plan reads what the deleted request recorded.
    const isDelete = (parsed.value as { operation?: unknown } | null)?.operation === "delete";
    const plan = await whatIf(parsed.value, { allowedScopes: await allowedScopes() }, isDelete ? await getDeps() : undefined);
    return plan.ok ? json(200, plan.plan) : json(400, { state: "Rejected", error: { code: "ValidationFailed", message: `${plan.errors.length} problem(s)`, details: plan.errors } });
  }
  const deps = await getDeps();
  const outcome = await acceptRequest(deps, parsed.ok ? parsed.value : undefined, undefined, parsed.ok ? undefined : parsed.errors);
  const location = new URL(`/api/requests/${encodeURIComponent(outcome.status.id)}`, request.url).toString();
  switch (outcome.kind) {
    case "accepted":
      return json(202, outcome.status, { location });
    case "existing":
      return json(200, outcome.status, { location });
    case "rejected":
      return json(400, outcome.status, { location });
    case "conflict":
      return json(409, { ...outcome.status, error: { code: "RequestIdConflict", message: outcome.message } }, { location });
  }
}

export async function getRequest(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const { statusOf } = await accept();
  const status = await statusOf(await getDeps(), request.params.id);
  return status ? json(200, status) : json(404, { error: { code: "RequestNotFound", message: `no request ${request.params.id}` } });
}

functions.app.http("postRequest", { route: "requests", methods: ["POST"], authLevel: "function", handler: postRequest });
functions.app.http("getRequest", { route: "requests/{id}", methods: ["GET"], authLevel: "function", handler: getRequest });
