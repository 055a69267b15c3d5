// The common shape of a step that makes one ARM resource look as desired (PUT semantics).
import { PROVISIONING_IN_PROGRESS, provisioningState, type Decision, type Outputs, type Resource, type ResourceKind, type StepContext, type StepDef } from "../step.js";

export interface PutStepSpec<T> {
  name: string;
  dependsOn: string[];
  describe: string;
  kind: ResourceKind;
  id: (ctx: StepContext) => string;
  body: (ctx: StepContext) => T;
  apiVersion?: (ctx: StepContext) => string | undefined;
  /** Whether the existing resource already is what we want; default: `body` is a subset of it. */
  satisfied?: (actual: Resource, desired: T, ctx: StepContext) => boolean;
  outputs?: (ctx: StepContext, result: Resource | undefined) => Outputs;
  /** Known id for --plan when it does not depend on earlier outputs. */
  resourceId?: string;
  maxWaitMs?: number;
}

export function putStep<T>(spec: PutStepSpec<T>): StepDef {
  return {
    name: spec.name,
    dependsOn: spec.dependsOn,
    describe: spec.describe,
    resourceId: spec.resourceId,
    maxWaitMs: spec.maxWaitMs,
    reads: (ctx) => [{ kind: spec.kind, id: spec.id(ctx), apiVersion: spec.apiVersion?.(ctx) }],
    decide(ctx, [actual]): Decision {
      const id = spec.id(ctx);
      const desired = spec.body(ctx);
      // Someone (maybe this step, before a crash) is already writing it: re-check, never write over it.
      if (PROVISIONING_IN_PROGRESS(actual)) return { do: "wait", reason: `${id} is ${provisioningState(actual)}`, resourceId: id };
      const ok = actual && provisioningState(actual)?.toLowerCase() !== "failed" && (spec.satisfied ?? ((a, d) => isSubset(d, a)))(actual, desired, ctx);
      if (ok) return { do: "done", resourceId: id, outputs: spec.outputs?.(ctx, actual) };
      return { do: "put", ref: { kind: spec.kind, id, apiVersion: spec.apiVersion?.(ctx) }, body: desired };
    },
    outputs: spec.outputs,
  };
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
