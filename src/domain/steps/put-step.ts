// The common shape of a step that makes one ARM resource look as desired (PUT semantics).
import type { ArmReadModels, ArmWriteModels, WritableKind } from "../arm-models.js";
import { LAST_WRITE_FAILED, PROVISIONING_IN_PROGRESS, defineStep, provisioningState, put, type Decision, type Outputs, type StepContext, type StepDef } from "../step.js";

export interface PutStepSpec<K extends WritableKind> {
  name: string;
  dependsOn: string[];
  describe: string;
  kind: K;
  id: (ctx: StepContext) => string;
  /**
   * The desired resource, as the SDK model of its kind. Annotate the function's return type
   * (`(ctx): Registry => ({ … })`): TypeScript checks an object literal for unknown properties only
   * against a declared type, not against an inferred return type.
   */
  body: (ctx: StepContext) => ArmWriteModels[K];
  apiVersion?: (ctx: StepContext) => string | undefined;
  /** Whether the existing resource already is what we want; default: `body` is a subset of it. */
  satisfied?: (actual: ArmReadModels[K], desired: ArmWriteModels[K], ctx: StepContext) => boolean;
  /**
   * The body to PUT over a resource that exists but differs (drift): a PUT replaces, so it must
   * carry what is there besides our properties (see overExisting). Default: `desired` as it is.
   */
  merge?: (actual: ArmReadModels[K], desired: ArmWriteModels[K]) => ArmWriteModels[K];
  outputs?: (ctx: StepContext, result: ArmReadModels[K] | undefined) => Outputs;
  /** Known id for --plan when it does not depend on earlier outputs. */
  resourceId?: string;
  maxWaitMs?: number;
}

export function putStep<K extends WritableKind>(spec: PutStepSpec<K>): StepDef {
  return defineStep<[K]>({
    name: spec.name,
    dependsOn: spec.dependsOn,
    describe: spec.describe,
    resourceId: spec.resourceId,
    maxWaitMs: spec.maxWaitMs,
    reads: (ctx) => [{ kind: spec.kind, id: spec.id(ctx), apiVersion: spec.apiVersion?.(ctx) }],
    decide(ctx, [actual]: [ArmReadModels[K] | undefined]): Decision {
      const id = spec.id(ctx);
      const desired = spec.body(ctx);
      // Someone (maybe this step, before a crash) is already writing it: re-check, never write over it.
      if (PROVISIONING_IN_PROGRESS(actual)) return { do: "wait", reason: `${id} is ${provisioningState(actual)}`, resourceId: id };
      // Tags record who made a resource; they never cause a write of their own (a re-run under a new
      // request id finds the resource as desired and leaves it alone).
      const ok = actual && !LAST_WRITE_FAILED(actual) && (spec.satisfied ?? ((a, d) => isSubset(d, a)))(actual, withoutTags(desired), ctx);
      if (ok) return { do: "done", resourceId: id, outputs: spec.outputs?.(ctx, actual) };
      const body = actual && spec.merge ? spec.merge(actual, desired) : desired;
      return put<K>({ kind: spec.kind, id, apiVersion: spec.apiVersion?.(ctx) }, body);
    },
    outputs: spec.outputs as StepDef["outputs"],
  });
}

/**
 * Whether every value in `desired` is present and equal in `actual` (deep). Arrays of named objects
 * are matched by name, other arrays by position; strings compare case-insensitively because ARM
 * normalises the case of ids and enum values.
 */
export function isSubset(desired: unknown, actual: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null || typeof desired !== "object") {
    if (typeof desired === "string" && typeof actual === "string") return desired.toLowerCase() === actual.toLowerCase();
    return desired === actual;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length < desired.length) return false;
    return desired.every((d, i) => {
      const name = (d as { name?: string } | null)?.name;
      const match = name !== undefined ? actual.find((a) => typeof a?.name === "string" && a.name.toLowerCase() === String(name).toLowerCase()) : actual[i];
      return isSubset(d, match);
    });
  }
  if (!actual || typeof actual !== "object") return false;
  return Object.entries(desired).every(([k, v]) => {
    const key = Object.keys(actual).find((a) => a.toLowerCase() === k.toLowerCase());
    return isSubset(v, key === undefined ? undefined : (actual as Record<string, unknown>)[key]);
  });
}

/**
 * PUT replaces a resource. When one of ours already exists but differs from what the request asks
 * (drift, or someone changed it), the PUT must carry what is there besides our properties, or ARM
 * resets them (a registry's network rules, a VNet's DNS servers, a subnet's NSG): pass this as `merge`.
 * A shallow merge over the resource as read: our properties win, tags are merged. The SDK
 * serializers send only writable properties, so read-only ones from the read are dropped.
 */
export function overExisting<T extends { tags?: Record<string, string> }>(actual: T, desired: T): T {
  const defined = Object.fromEntries(Object.entries(desired).filter(([, v]) => v !== undefined)) as Partial<T>;
  const tags = actual.tags || desired.tags ? { ...(actual.tags ?? {}), ...(desired.tags ?? {}) } : undefined;
  return { ...actual, ...defined, ...(tags ? { tags } : {}) };
}

/** A desired body without its tags, for comparing with what exists. */
export function withoutTags<T>(body: T): T {
  if (!body || typeof body !== "object" || !("tags" in body)) return body;
  const { tags: _t, ...rest } = body as Record<string, unknown>;
  return rest as T;
}
