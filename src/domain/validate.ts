// Whole-request validation: the schema (every shape error at once), then the rules — also when
// the shape is wrong, on the parts that parsed — then the allowed scopes. One function for the
// HTTP API (with or without ?whatIf=true), the queue and the CLI, so the three always agree.
import type { z } from "zod";
import { clusterRequest, type ClusterRequest } from "./contract.js";
import { capErrors, checkDecoded, parseRequestText } from "./limits.js";
import { checkRules, type ValidationError } from "./rules.js";
import { checkScopes, type AllowedScopes } from "./scopes.js";

export type Validation = { ok: true; request: ClusterRequest } | { ok: false; errors: ValidationError[] };

export interface ValidationOptions {
  /** ALLOWED_SCOPES; undefined = unrestricted (local host only). */
  allowedScopes?: AllowedScopes;
}

export function validateRequest(raw: unknown, opts: ValidationOptions = {}): Validation {
  const checked = checkDecoded(raw);
  if (!checked.ok) return checked;
  const parsed = clusterRequest.safeParse(raw);
  if (parsed.success) {
    const errors = [...checkRules(parsed.data), ...checkScopes(parsed.data, opts.allowedScopes)];
    return errors.length ? { ok: false, errors: capErrors(errors) } : { ok: true, request: parsed.data };
  }
  const shape = parsed.error.issues.map(toValidationError);
  return { ok: false, errors: capErrors([...shape, ...rulesOnWhatParsed(raw, shape, opts)]) };
}

/**
 * The rules (and scopes) that can still be judged when the shape is wrong: the fields with shape
 * errors are dropped (a dropped default comes back; a dropped optional object goes), and what remains
 * is checked. Only problems about other fields than the shape errors' are added, so a user fixing
 * the listed problems meets no new ones.
 */
function rulesOnWhatParsed(raw: unknown, shape: ValidationError[], opts: ValidationOptions): ValidationError[] {
  if (!raw || typeof raw !== "object" || shape.some((e) => e.path === "operation" || e.path === "")) return [];
  const issues = clusterRequest.safeParse(raw).error?.issues ?? [];
  let candidate: unknown = structuredClone(raw);
  let pending = issues;
  // Each round drops the fields of the remaining issues; a required field dropped is reported again
  // one level up, so a few rounds settle (bounded by the contract's depth).
  for (let round = 0; round < 6 && pending.length; round++) {
    for (const issue of pending) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const k of keys) candidate = candidate === GIVE_UP ? GIVE_UP : dropPath(candidate, k, round);
    }
    if (candidate === GIVE_UP) return [];
    const again = clusterRequest.safeParse(candidate);
    if (again.success) {
      const related = (p: string) => shape.some((s) => s.path.split(", ").some((sp) => sp === p || p.startsWith(`${sp}.`) || p.startsWith(`${sp}[`) || sp.startsWith(`${p}.`) || sp.startsWith(`${p}[`)));
      return [...checkRules(again.data), ...checkScopes(again.data, opts.allowedScopes)].filter((e) => !related(e.path));
    }
    pending = again.error.issues;
  }
  return [];
}

const GIVE_UP = Symbol("give up");

/**
 * A copy of `v` without the value at `path`. An array item is not removed (the items after it would
 * change their index, and the rules' paths with it): that gives up.
 */
function dropPath(v: unknown, path: readonly PropertyKey[], round: number): unknown {
  // In later rounds drop the parent instead: the field itself was required.
  const p = round > 0 && path.length > 1 ? path.slice(0, -1) : path;
  if (!p.length || !v || typeof v !== "object") return v;
  const [head, ...rest] = p;
  if (Array.isArray(v)) {
    if (!rest.length) return GIVE_UP;
    const i = Number(head);
    const items = v.map((x, j) => (j === i ? dropPath(x, rest, 0) : x));
    return items.includes(GIVE_UP) ? GIVE_UP : items;
  }
  const o = { ...(v as Record<PropertyKey, unknown>) };
  if (!rest.length) delete o[head];
  else {
    const child = dropPath(o[head], rest, 0);
    if (child === GIVE_UP) return GIVE_UP;
    o[head] = child;
  }
  return o;
}

/** Parses a message or HTTP body: size and depth first, then JSON; a failure is one error at path "". */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; errors: ValidationError[] } {
  return parseRequestText(text);
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
