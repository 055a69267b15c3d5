// The HTTP API's documents as zod schemas: the source of the OpenAPI document (src/app/openapi.ts).
// The TypeScript types the code uses are checked against them below, so the schemas cannot drift
// from what the handlers send.
import { z } from "zod";
import type { PlanDocument } from "./accept.js";
import type { RequestSummary } from "./request-list.js";
import type { StatusDocument } from "./status.js";

const REQUEST_STATE = z.enum(["Accepted", "Running", "Succeeded", "Failed", "Rejected", "Canceled"]).describe("The contract's state (v1 values plus Canceled).");
const OPERATION_STATUS = z.enum(["NotStarted", "Running", "Succeeded", "Failed", "Canceled"]).describe("The Azure REST API guidelines' status of a long-running operation.");
const STEP_STATE = z.enum(["Pending", "Running", "Succeeded", "Failed", "Canceled"]);
const TIME = z.string().describe("ISO 8601, UTC");

export const errorDetail = z
  .object({
    code: z.string(),
    message: z.string(),
    target: z.string().optional().describe("The field path (validation) or the resource (ARM) the detail is about."),
    path: z.string().optional().describe("The contract's field path of a validation error (same as target)."),
    source: z.string().optional().describe("The procedure or ARM rule behind a validation error."),
  })
  .describe("One problem, as the Azure REST API guidelines shape an error detail.");

export const apiError = z
  .object({
    code: z.string().describe("Also in the x-ms-error-code header."),
    message: z.string(),
    target: z.string().optional(),
    details: z.array(errorDetail).optional(),
  })
  .describe("An error by the Azure REST API guidelines.");

const stepError = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ path: z.string(), message: z.string(), source: z.string().optional() })).optional() });

export const requestedBy = z
  .object({
    via: z.enum(["http", "queue", "event", "timer", "sweep", "local"]).describe("How the request came: a caller over HTTP or the queue, the app itself (an event, the node-image timer, the drift sweep), or the local host without a token check."),
    objectId: z.string().optional().describe("The token's oid: the user's or service principal's object id."),
    appId: z.string().optional().describe("The token's azp/appid: the client application."),
    userPrincipalName: z.string().optional(),
    displayName: z.string().optional(),
    roles: z.array(z.string()).optional().describe("The app roles the token carried."),
  })
  .describe("Who asked for the request.");
export const stepStatus = z.object({
  name: z.string(),
  state: STEP_STATE,
  attempts: z.number().int(),
  startedAt: TIME.optional(),
  finishedAt: TIME.optional(),
  resourceId: z.string().optional(),
  error: stepError.optional().describe("ARM's code and message when the step failed."),
  dependsOn: z.array(z.string()),
  description: z.string().describe("What the step writes."),
  lastError: stepError.optional().describe("The last transient error the step is retrying."),
  waitingFor: z.string().optional().describe("What the step waits for, in words (e.g. the request that holds its cluster)."),
  waitingForRequest: z.string().optional().describe("The id of the request this step is queued behind: it holds the cluster (one writer per cluster)."),
  nextCheckAt: TIME.optional().describe("When a running or queued step looks again."),
  armWrites: z.number().int(),
  throttled: z.number().int().optional().describe("Times the step waited for ARM's rate limits (paced by the app, or answered 429)."),
});

export const statusMonitor = z
  .object({
    id: z.string(),
    operation: z.string(),
    target: z.string().describe("The resource id the request is about."),
    state: REQUEST_STATE,
    status: OPERATION_STATUS,
    createdAt: TIME,
    updatedAt: TIME,
    cancelRequestedAt: TIME.optional(),
    requestedBy: requestedBy.optional(),
    steps: z.array(stepStatus),
    error: apiError.optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    warnings: z.array(z.string()).optional(),
    waitingFor: z.string().optional().describe("Why an Accepted request has not started: the first send of its steps failed; the message's redelivery, or the same POST again, starts it."),
    lastError: stepError.optional().describe("The error of that send (code FirstSendFailed)."),
  })
  .describe("The status monitor of a request: the contract's status document with the guidelines' status.");

export const errorResponse = z.looseObject({ error: apiError }).describe("An error answer (a status monitor may carry it too).");

export const planDocument = z.object({
  operation: z.string(),
  target: z.string(),
  warnings: z.array(z.string()),
  steps: z.array(z.object({ name: z.string(), dependsOn: z.array(z.string()), writes: z.string(), resourceId: z.string().optional() })),
});

export const requestSummary = z.object({ id: z.string(), operation: z.string(), target: z.string(), state: REQUEST_STATE, status: OPERATION_STATUS, createdAt: TIME, updatedAt: TIME, requestedBy: requestedBy.optional() });
export const requestList = z.object({
  value: z.array(requestSummary),
  unreadable: z.number().int().min(1).optional().describe("Request rows that could not be read and are left out of the list (each is logged)."),
});

export const driftEntry = z
  .object({
    setting: z.string().describe("The ARM property (bootstrapProfile.artifactSource, apiServerAccessProfile.enablePrivateCluster, agentPoolProfiles[kata1], …), or 'cluster'."),
    resourceId: z.string(),
    desired: z.unknown().describe("What the request that set it established."),
    actual: z.unknown().describe("What ARM holds now (null: gone)."),
    detectedAt: TIME,
    via: z.enum(["event", "sweep"]),
    restore: z.string().optional().describe("With driftPolicy restore: 'queued <request id>', 'not restorable: <why>' or 'given up: <why>'."),
  })
  .describe("A held setting that ARM no longer shows as held.");

export const desiredState = z
  .looseObject({
    settings: z.record(z.string(), z.unknown()).describe("The held settings, at the values the requests established."),
    policy: z.enum(["report", "restore"]),
    heldBy: z.string().describe("The request that last changed what is held."),
    generation: z.number().int(),
  })
  .describe("What this app holds the cluster to.");

export const driftList = z.object({
  value: z.array(z.object({ id: z.string(), policy: z.enum(["report", "restore"]), heldBy: z.string().describe("The request that last set what is held."), drift: z.array(driftEntry) })),
});

export const clusterStatus = z
  .looseObject({
    id: z.string(),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    name: z.string(),
    generation: z.number().int(),
    upgrades: z.object({ pending: z.array(z.looseObject({ pool: z.string(), state: z.string() })), past: z.array(z.looseObject({ pool: z.string(), state: z.string() })) }),
    events: z.record(z.string(), z.unknown()),
    desired: desiredState.optional(),
    drift: z.array(driftEntry).describe("Where ARM differs from the desired state now (empty: nothing drifted, or nothing held)."),
  })
  .describe("What this app knows of a cluster: last-known isolation settings, node-image upgrades, the latest AKS events.");

// The handlers' types must fit the schemas (a compile error here means a schema to update).
type Fits<Schema, T extends Schema> = T;
export type SchemaChecks = [
  Fits<z.input<typeof statusMonitor>, StatusDocument>,
  Fits<z.input<typeof planDocument>, PlanDocument>,
  Fits<z.input<typeof requestSummary>, RequestSummary>,
];
