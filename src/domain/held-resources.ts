// The resources a request made that the procedures need to keep existing as made, held with the
// cluster's desired state. Each is the step that made it: the step is its own check (its read and
// decide(), with the outputs its request recorded) — a step that would write again has drifted, and
// the request that made it, narrowed to that step (onlySteps), is its restore.
// - network-isolated procedure (BYO registry): the Premium registry with public network access
//   disabled, its private endpoint, the privatelink.azurecr.io zone, its VNet link, the two A
//   records, and the roles AcrPull and Managed Identity Operator;
// - API server VNet integration: Network Contributor on the API server (and nodes) subnet;
// - Azure Arc private link: the private link scope, its private endpoint and DNS zone group, the
//   three zones and their VNet links, the NSG rules 150–153.
import { STEP } from "./steps/byo-names.js";
import { ARC_STEP } from "./steps/arc-names.js";
import { ARC_ZONES } from "./steps/arc-dns.js";
import { ARC_NSG_RULES } from "./steps/arc-nsg.js";
import { isSubset, withoutTags } from "./steps/put-step.js";
import type { Decision } from "./step.js";

export interface HeldResource {
  /** The step of `requestId` that made it (and makes it again). */
  step: string;
  resourceId: string;
  requestId: string;
}

/** The registry chain: released when isolation is turned off or moved to another registry. */
export const REGISTRY_STEPS: readonly string[] = [STEP.registry, STEP.endpoint, STEP.zone, STEP.link, STEP.recordRegistry, STEP.recordData, STEP.acrPull, STEP.identityOperator];

export const HELD_STEPS: ReadonlySet<string> = new Set([
  ...REGISTRY_STEPS,
  STEP.ncApiServer,
  STEP.ncNodes,
  ARC_STEP.scope,
  ARC_STEP.endpoint,
  ARC_STEP.zoneGroup,
  ...ARC_ZONES.flatMap((z) => [ARC_STEP.zone(z), ARC_STEP.link(z)]),
  ...ARC_NSG_RULES.map((r) => ARC_STEP.rule(r.name)),
]);

/** The setting a held resource's drift is recorded under. */
export const resourceSetting = (step: string) => `resource[${step}]`;
export const stepOfSetting = (setting: string) => /^resource\[(.+)\]$/.exec(setting)?.[1];

/**
 * A held resource's step decided again against ARM now: a write means it drifted. `desired` and
 * `actual` are the properties that differ (or presence, when it is gone).
 */
export function resourceDrift(decision: Decision, actual: unknown): { desired: unknown; actual: unknown } | undefined {
  if (decision.do !== "put") return undefined;
  if (!actual) return { desired: "present", actual: null };
  const want = withoutTags(decision.body) as Record<string, unknown>;
  const have = actual as Record<string, unknown>;
  const diff = differing(want, have);
  // A failed last write (or a shape isSubset does not see): the whole body, as the step would send it.
  if (!diff) return { desired: want, actual: { provisioningState: (have.provisioningState ?? (have.properties as { provisioningState?: string } | undefined)?.provisioningState) ?? null } };
  return diff;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** The properties of `want` that `have` does not hold, down to the nested ones that differ (`properties.publicNetworkAccess`, not all of `properties`). */
function differing(want: Record<string, unknown>, have: Record<string, unknown>): { desired: Record<string, unknown>; actual: Record<string, unknown> } | undefined {
  const desired: Record<string, unknown> = {};
  const actualOut: Record<string, unknown> = {};
  for (const [k, w] of Object.entries(want)) {
    if (w === undefined || isSubset(w, have[k])) continue;
    const inner = isRecord(w) && isRecord(have[k]) ? differing(w, have[k] as Record<string, unknown>) : undefined;
    desired[k] = inner ? inner.desired : w;
    actualOut[k] = inner ? inner.actual : (have[k] ?? null);
  }
  return Object.keys(desired).length ? { desired, actual: actualOut } : undefined;
}
