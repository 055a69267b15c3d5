// GET /api/openapi.json: the API as OpenAPI 3.1, generated from the zod schemas on first use.
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { json } from "./http-util.js";

let document: Promise<Record<string, unknown>> | undefined;

export async function getOpenApi(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  document ??= import("../app/openapi.js").then((m) => m.openApiDocument());
  return json(200, await document);
}

functions.app.http("getOpenApi", { route: "openapi.json", methods: ["GET"], authLevel: "function", handler: getOpenApi });
