// whatIf of a `delete`: every step reads what exists now and decides, as if the steps before it had
// done what they decided; nothing is written. The answer is the exact list: what would be deleted,
// kept (and why), found gone, or dissociated.
import { ancestors } from "../domain/plan.js";
import type { ClusterRequest } from "../domain/contract.js";
import type { Outputs, Plan, StepDef } from "../domain/step.js";
import type { DeleteOutputs } from "../domain/steps/delete-resource.js";
import type { AppDeps } from "./deps.js";

export interface DryRunEntry {
  step: string;
  resourceId?: string;
  action: "delete" | "keep" | "gone" | "dissociate" | "unchanged" | "wait";
  reason?: string;
}

export async function dryRun(deps: Pick<AppDeps, "arm">, request: ClusterRequest, plan: Plan): Promise<DryRunEntry[]> {
  const outputs: Record<string, Outputs> = {};
  const entries: DryRunEntry[] = [];
  for (const s of topological(plan.steps)) {
    const visible = ancestors(plan.steps, s.name);
    const ctx = { request, outputs: Object.fromEntries(Object.entries(outputs).filter(([n]) => visible.has(n))), posts: 0, writes: {} };
    const current = await Promise.all(s.reads(ctx).map((r) => deps.arm.read(r)));
    const d = s.decide(ctx, current);
    const out = (d.do === "done" || d.do === "delete" ? d.outputs ?? {} : {}) as DeleteOutputs;
    outputs[s.name] = out;
    const resourceId = s.resourceId;
    if (d.do === "delete") entries.push({ step: s.name, resourceId, action: "delete" });
    else if (d.do === "put") entries.push({ step: s.name, resourceId, action: "dissociate" });
    else if (d.do === "wait") entries.push({ step: s.name, resourceId, action: "wait", reason: d.reason });
    else if (d.do === "fail") entries.push({ step: s.name, resourceId, action: "keep", reason: `${d.code}: ${d.message}` });
    else if (out.kept) entries.push({ step: s.name, resourceId, action: "keep", reason: out.kept.reason });
    else if (out.alreadyGone) entries.push({ step: s.name, resourceId, action: "gone" });
    else entries.push({ step: s.name, resourceId, action: "unchanged" });
  }
  return entries;
}

/** The steps in an order where each comes after those it depends on. */
function topological(steps: StepDef[]): StepDef[] {
  const done = new Set<string>();
  const out: StepDef[] = [];
  while (out.length < steps.length) {
    const next = steps.filter((s) => !done.has(s.name) && s.dependsOn.every((d) => done.has(d)));
    next.forEach((s) => done.add(s.name));
    out.push(...next);
  }
  return out;
}
