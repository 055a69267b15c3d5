// Whole-request validation: the schema (every shape error at once), then the rules.
import type { z } from "zod";
import { clusterRequest, type ClusterRequest } from "./contract.js";
import { checkRules, type ValidationError } from "./rules.js";

export type Validation = { ok: true; request: ClusterRequest } | { ok: false; errors: ValidationError[] };

export function validateRequest(raw: unknown): Validation {
  const parsed = clusterRequest.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map(toValidationError) };
  const errors = checkRules(parsed.data);
  return errors.length ? { ok: false, errors } : { ok: true, request: parsed.data };
}

/** Parses a message or HTTP body; a body that is not JSON is one error at path "". */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; errors: ValidationError[] } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, errors: [{ path: "", message: `the body is not JSON: ${(e as Error).message}` }] };
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "");
}

function toValidationError(issue: z.core.$ZodIssue): ValidationError {
  const path = formatPath(issue.path);
  if (issue.code === "invalid_union" && path === "") {
    return { path: "operation", message: "must be one of the operations in the contract (create, enableNetworkIsolation, …)" };
  }
  if (issue.code === "unrecognized_keys") {
    return { path: issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(", "), message: `unknown field(s): ${issue.keys.join(", ")}` };
  }
  return { path, message: issue.message };
}
