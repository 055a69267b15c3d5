// The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas (the request contract and
// src/app/api-schema.ts): served at /api/openapi.json and written to docs/openapi.json by the build.
import { z } from "zod";
import { requestJsonSchema } from "../domain/contract.js";
import { apiError, clusterStatus, desiredState, driftEntry, driftList, errorDetail, errorResponse, planDocument, requestList, requestSummary, statusMonitor, stepStatus } from "./api-schema.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: string, description: string, headers?: Record<string, unknown>) => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema: ref(schema) } } });
const htmlBody = (description: string) => ({ description, content: { "text/html": { schema: { type: "string" } } } });
const errorHeader = { "x-ms-error-code": { description: "The error code (as in error.code).", schema: { type: "string" } } };
const error = (description: string) => jsonBody("ErrorResponse", description, errorHeader);
const lroHeaders = {
  "Operation-Location": { description: "The status monitor's URL.", schema: { type: "string", format: "uri" } },
  "Retry-After": { description: "Seconds until the next step re-check is due (absent once the request finished).", schema: { type: "integer", minimum: 1 } },
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" }, description: "The request id (the body's requestId, or the one the app gave it)." };

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  const named = { ErrorDetail: errorDetail, Error: apiError, ErrorResponse: errorResponse, StepStatus: stepStatus, StatusMonitor: statusMonitor, PlanDocument: planDocument, RequestSummary: requestSummary, RequestList: requestList, ClusterStatus: clusterStatus, DriftEntry: driftEntry, DesiredState: desiredState, DriftList: driftList };
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}` });
  const { $schema: _s, ...request } = requestJsonSchema() as Record<string, unknown>;
  // Components are plain schemas inside the document: no $schema or $id of their own.
  const plain = Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _x, $id: _i, ...s }]) => [id, s]));
  return { ClusterRequest: { ...request, description: "A request of the contract (docs/contract.md)." }, ...plain };
}

/** The API's version (changes when a document changes incompatibly; additions keep it). */
export const API_VERSION = "1.0";

/** Every route but this document checks the caller's token; those that act also the caller's rights. */
function withCallerAnswers<P extends Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>>(paths: P): P {
  for (const item of Object.values(paths))
    for (const op of Object.values(item)) {
      if (op.operationId === "getOpenApi") continue;
      op.responses["401"] = error("No valid token (with the token check on): missing, malformed, forged, expired, for another audience or tenant; WWW-Authenticate says why.");
      if (op.operationId === "postRequest" || op.operationId === "cancelRequest")
        op.responses["403"] = error("The caller's roles (CALLER_POLICY) do not allow this operation, scope or request: every problem with its field path; nothing was written.");
    }
  return paths;
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "aks-provisioner",
      version: API_VERSION,
      description:
        "Provisions hardened AKS clusters. A request is a long-running operation by the Azure REST API guidelines: POST it, then follow the Operation-Location at the Retry-After until status is Succeeded, Failed or Canceled.",
    },
    servers: [{ url: "/api" }],
    security: [
      { functionKey: [], entraId: [] },
      { functionKeyQuery: [], entraId: [] },
    ],
    paths: withCallerAnswers({
      "/requests": {
        post: {
          operationId: "postRequest",
          summary: "Submit a request (or, with whatIf=true, answer its plan and write nothing)",
          parameters: [{ name: "whatIf", in: "query", required: false, schema: { type: "string", enum: ["true", "1"] } }],
          requestBody: { required: true, content: { "application/json": { schema: ref("ClusterRequest") } } },
          responses: {
            "202": jsonBody("StatusMonitor", "Accepted, or the same request submitted again: follow Operation-Location.", lroHeaders),
            "200": jsonBody("PlanDocument", "whatIf=true: the plan."),
            "400": { ...jsonBody("ErrorResponse", "Rejected: every problem with its field path; nothing was written.", errorHeader) },
            "409": error("The requestId names a request with another body."),
            "503": jsonBody("StatusMonitor", "Recorded but not started: the first send of its steps failed (waitingFor, lastError say so). POST the same body again after Retry-After to start it.", { ...errorHeader, "Retry-After": { description: "Seconds until the same POST may start it.", schema: { type: "integer", minimum: 1 } } }),
          },
        },
        get: {
          operationId: "listRequests",
          summary: "Recent requests, newest first",
          parameters: [
            { name: "state", in: "query", required: false, schema: { type: "string", enum: ["Accepted", "Running", "Succeeded", "Failed", "Rejected", "Canceled"] } },
            { name: "cluster", in: "query", required: false, schema: { type: "string" }, description: "A part of the target's resource id (case-insensitive)." },
            { name: "top", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
          ],
          responses: { "200": jsonBody("RequestList", "The requests."), "400": error("An invalid query parameter.") },
        },
      },
      "/requests/{id}": {
        get: {
          operationId: "getRequest",
          summary: "The status monitor of a request",
          parameters: [idParam],
          responses: {
            "200": jsonBody("StatusMonitor", "The status monitor (Retry-After while it runs).", { "Retry-After": lroHeaders["Retry-After"] }),
            "404": error("No such request."),
          },
        },
      },
      "/requests/{id}:cancel": {
        post: {
          operationId: "cancelRequest",
          summary: "Cancel: no new step starts, ARM writes in flight finish, then the request is Canceled",
          parameters: [idParam],
          responses: {
            "202": jsonBody("StatusMonitor", "Canceling (or already canceled): follow Operation-Location.", lroHeaders),
            "404": error("No such request."),
            "409": error("The request already finished."),
          },
        },
      },
      "/clusters": {
        get: {
          operationId: "listHeldClusters",
          summary: "The clusters whose hardened state this app holds, each with its drift (diff against the desired state)",
          parameters: [{ name: "drifted", in: "query", required: false, description: "true: only the clusters that drifted", schema: { type: "string", enum: ["true", "false"] } }],
          responses: { "200": jsonBody("DriftList", "The held (or drifted) clusters; none: an empty list."), "400": error("drifted is neither true nor false.") },
        },
      },
      "/clusters/{subscriptionId}/{resourceGroup}/{name}": {
        get: {
          operationId: "getCluster",
          summary: "What this app knows of a cluster",
          parameters: ["subscriptionId", "resourceGroup", "name"].map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
          responses: { "200": jsonBody("ClusterStatus", "The cluster."), "404": error("This app has not seen the cluster.") },
        },
      },
      "/status": {
        get: {
          operationId: "statusListPage",
          summary: "The status page: recent requests",
          parameters: [
            { name: "state", in: "query", required: false, schema: { type: "string" } },
            { name: "cluster", in: "query", required: false, schema: { type: "string" } },
          ],
          responses: { "200": htmlBody("The page.") },
        },
      },
      "/status/requests/{id}": {
        get: { operationId: "statusRequestPage", summary: "The status page of one request: its timeline", parameters: [idParam], responses: { "200": htmlBody("The page."), "404": htmlBody("No such request.") } },
      },
      "/openapi.json": {
        get: { operationId: "getOpenApi", summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } } },
      },
    }),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        functionKey: { type: "apiKey", in: "header", name: "x-functions-key", description: "A function key (not needed on the local host)." },
        functionKeyQuery: { type: "apiKey", in: "query", name: "code", description: "A function key as a query parameter (the status page's links keep it)." },
        entraId: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An Entra ID access token for the app's registration (AUTH_AUDIENCE): az account get-access-token --resource api://{app id}. Not needed on the local host unless AUTH_AUDIENCE is set there." },
      },
    },
  };
}
