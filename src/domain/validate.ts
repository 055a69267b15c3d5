// Whole-request validation: the schema (every shape error at once), then the rules — also when
// the shape is wrong, on the parts that parsed — then the allowed scopes. One function for the
// HTTP API (with or without ?whatIf=true), the queue and the CLI, so the three always agree.
import type { z } from "zod";
import { clusterRequest, type ClusterRequest } from "./contract.js";
import { capErrors, checkDecoded, parseRequestText } from "./limits.js";
import { checkRules } from "./rules.js";
import type { ValidationError } from "./validation-error.js";
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
 * The rules (and scopes) that can still be judged when the shape is wrong. Each field with a shape
 * error is stood in for by a placeholder the schema accepts (a GUID, a short name, a CIDR, a count…),
 * so that a required field with a bad value does not take its parent, and every rule on the other
 * fields, with it; where no placeholder fits, the field is dropped (a dropped default comes back; a
 * dropped optional object goes). Only problems about other fields than the shape errors' are added,
 * so a user fixing the listed problems meets no new ones and never sees one about a placeholder.
 */
function rulesOnWhatParsed(raw: unknown, shape: ValidationError[], opts: ValidationOptions): ValidationError[] {
  if (!raw || typeof raw !== "object" || shape.some((e) => e.path === "operation" || e.path === "")) return [];
  let candidate: unknown = structuredClone(raw);
  let pending = clusterRequest.safeParse(raw).error?.issues ?? [];
  // Arrays that lost an item: the items after it changed index, so no rule about them is reported.
  const shifted = new Set<string>();
  const stoodIn = new Set<string>();
  // Each round stands in for (or drops) the fields of the remaining issues; a required field dropped
  // is reported again and its parent goes in the next round (bounded by the contract's depth).
  for (let round = 0; round < 6 && pending.length; round++) {
    for (const issue of pending) {
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) candidate = dropPath(candidate, [...issue.path, k], [], shifted);
        continue;
      }
      const placed = stoodIn.size < MAX_PLACEHOLDERS && !stoodIn.has(formatPath(issue.path)) ? withPlaceholder(candidate, issue) : undefined;
      if (placed !== undefined) {
        candidate = placed;
        stoodIn.add(formatPath(issue.path));
      } else candidate = dropPath(candidate, round > 0 && issue.path.length > 1 ? issue.path.slice(0, -1) : issue.path, [], shifted);
    }
    const again = clusterRequest.safeParse(candidate);
    if (again.success) {
      const under = (p: string, q: string) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`);
      const related = (p: string) => [...shifted].some((a) => under(p, a)) || shape.some((s) => s.path.split(", ").some((sp) => under(p, sp) || under(sp, p)));
      return [...checkRules(again.data), ...checkScopes(again.data, opts.allowedScopes)].filter((e) => !related(e.path));
    }
    pending = again.error.issues;
  }
  return [];
}

/**
 * Values that satisfy the contract's shapes of its fields: ids and names, a region, a CIDR, a VM
 * size, counts and flags. Tried in turn at a field with a shape error; the first the schema takes
 * there stands in for it.
 */
const PLACEHOLDERS: readonly unknown[] = ["00000000-0000-0000-0000-000000000000", "a", "a1", "placeholder01", "westus2", "10.0.0.0/24", "Standard_D4s_v3", "1.30.3", 1, 3, true, false];
/** Each stand-in costs a parse per value tried: a body with many bad fields drops the rest instead. */
const MAX_PLACEHOLDERS = 12;

/**
 * `v` with a placeholder at the issue's path that the schema accepts there, or undefined when none
 * fits. Only values of the type the schema expects there (or of the value given) are tried.
 */
function withPlaceholder(v: unknown, issue: z.core.$ZodIssue): unknown {
  const path = issue.path;
  if (!path.length) return undefined;
  const at = formatPath(path);
  const type = issue.code === "invalid_type" ? issue.expected : typeof valueAt(v, path);
  for (const value of PLACEHOLDERS.filter((p) => typeof p === type)) {
    const tried = setPath(v, path, value);
    if (tried === undefined) return undefined;
    const r = clusterRequest.safeParse(tried);
    if (r.success || !r.error.issues.some((i) => formatPath(i.path) === at)) return tried;
  }
  return undefined;
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined), v);
}

/** A copy of `v` with `value` at `path` (its parents must exist), or undefined when they do not. */
function setPath(v: unknown, path: readonly PropertyKey[], value: unknown): unknown {
  if (!v || typeof v !== "object") return undefined;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...v }) as Record<PropertyKey, unknown>;
  if (!rest.length) {
    copy[head] = value;
    return copy;
  }
  const inner = setPath(copy[head], rest, value);
  if (inner === undefined) return undefined;
  copy[head] = inner;
  return copy;
}

/** A copy of `v` without the value at `path`; an array that loses an item is noted in `shifted`. */
function dropPath(v: unknown, path: readonly PropertyKey[], at: PropertyKey[], shifted: Set<string>): unknown {
  if (!path.length || !v || typeof v !== "object") return v;
  const [head, ...rest] = path;
  if (Array.isArray(v)) {
    const i = Number(head);
    if (rest.length) return v.map((x, j) => (j === i ? dropPath(x, rest, [...at, j], shifted) : x));
    shifted.add(formatPath(at));
    return v.filter((_, j) => j !== i);
  }
  const o = { ...(v as Record<PropertyKey, unknown>) };
  if (rest.length) o[head] = dropPath(o[head], rest, [...at, head], shifted);
  else delete o[head];
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
  if (issue.code === "invalid_key") return { path, message: issue.issues.map((i) => i.message).join("; ") };
  if (issue.code === "unrecognized_keys") {
    return { path: issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(", "), message: `unknown field(s): ${issue.keys.join(", ")}` };
  }
  return { path, message: issue.message };
}
