// PUT replaces a resource. When one of ours already exists but differs from what the request asks
// (drift, or someone changed it), the PUT must carry what is there besides our properties, or ARM
// resets them (a registry's network rules, a VNet's DNS servers, a subnet's NSG).
import type { Decision, Resource, StepDef } from "../step.js";

/** Shallow merge over the resource as read: our properties win, tags are merged. */
export function overExisting(actual: Resource, desired: Record<string, unknown>): Record<string, unknown> {
  const defined = Object.fromEntries(Object.entries(desired).filter(([, v]) => v !== undefined));
  const tags = actual.tags || desired.tags ? { ...(actual.tags ?? {}), ...((desired.tags as object) ?? {}) } : undefined;
  return { ...actual, ...defined, ...(tags ? { tags } : {}) };
}

/**
 * The step, with its PUT body merged over the existing resource (read by the step's first read).
 * The SDK serializers send only writable properties, so read-only ones from the read are dropped.
 */
export function mergingExisting(step: StepDef, merge: (actual: Resource, desired: any) => unknown = overExisting): StepDef {
  return {
    ...step,
    decide(ctx, current): Decision {
      const d = step.decide(ctx, current);
      return d.do === "put" && current[0] ? { ...d, body: merge(current[0], d.body) } : d;
    },
  };
}
