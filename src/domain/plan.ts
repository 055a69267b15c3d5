// A request becomes a plan: a DAG of named steps (see step.ts). The plan is a pure function of the
// request, so every invocation recomputes the same plan instead of storing code in Table rows.
import { restoredRequest, type ClusterRequest } from "./contract.js";
import { createdTags } from "./managed.js";
import { PlanningError } from "./planning-error.js";
import { planCreate } from "./plans/create.js";
import * as existing from "./plans/existing.js";
import { planArcPrivateLink } from "./plans/arc-private-link.js";
import { planDelete, type DeleteSource } from "./plans/delete.js";
import type { Plan, StepDef } from "./step.js";

export { PlanningError };

/** `source`: for a `delete`, what the request it deletes recorded (see plans/delete.ts). */
export function planRequest(req: ClusterRequest, source?: DeleteSource): Plan {
  // Everything a plan creates carries the app's tags (managed-by, and the request's id; a restore's,
  // the id of the request it restores). A delete creates nothing: its steps remove what the deleted
  // request tagged.
  const owner = restoredRequest(req) ?? req.requestId;
  const plan = planFor(req.operation === "delete" ? req : { ...req, tags: createdTags(req.tags, owner) }, source);
  checkDag(plan.steps);
  return "onlySteps" in req && req.onlySteps ? narrowed(plan, req.onlySteps) : plan;
}

/** The plan cut to the steps named and those they depend on, in the plan's order. */
function narrowed(plan: Plan, only: string[]): Plan {
  only.forEach((name, i) => {
    if (!plan.steps.some((s) => s.name === name)) throw new PlanningError(`onlySteps[${i}]`, `'${name}' is not a step of this request's plan (its steps: ${plan.steps.map((s) => s.name).join(", ")})`);
  });
  const keep = new Set(only.flatMap((name) => [name, ...ancestors(plan.steps, name)]));
  return { ...plan, steps: plan.steps.filter((s) => keep.has(s.name)), warnings: [...plan.warnings, `only the steps ${only.join(", ")} and the ${keep.size - new Set(only).size} they depend on run (onlySteps)`] };
}

function planFor(req: ClusterRequest, source?: DeleteSource): Plan {
  switch (req.operation) {
    case "create":
      return planCreate(req);
    case "enableNetworkIsolation":
      return existing.planEnableNetworkIsolation(req);
    case "updateBootstrapRegistry":
      return existing.planByoRegistry(req);
    case "disableNetworkIsolation":
      return existing.planDisableNetworkIsolation(req);
    case "enableApiServerVnetIntegration":
      return existing.planEnableApiServerVnetIntegration(req);
    case "setPrivateCluster":
      return existing.planSetPrivateCluster(req);
    case "addSandboxPool":
      return existing.planAddSandboxPool(req);
    case "upgradeNodeImages":
      return existing.planUpgradeNodeImages(req);
    case "setDriftPolicy":
      return existing.planSetDriftPolicy(req);
    case "arcPrivateLink":
      return planArcPrivateLink(req);
    case "delete":
      return planDelete(req, source, (body) => planRequest(body));
    default: {
      const unknown: never = req;
      throw new PlanningError("operation", `unknown operation '${(unknown as { operation: string }).operation}'`);
    }
  }
}

/** Every dependency names a step of the plan, names are unique, and there is no cycle. */
export function checkDag(steps: StepDef[]): void {
  const byName = new Map(steps.map((s) => [s.name, s]));
  if (byName.size !== steps.length) throw new Error("plan has two steps with the same name");
  for (const s of steps) for (const d of s.dependsOn) if (!byName.has(d)) throw new Error(`step ${s.name} depends on unknown step ${d}`);
  const state = new Map<string, "visiting" | "done">();
  const visit = (s: StepDef) => {
    if (state.get(s.name) === "done") return;
    if (state.get(s.name) === "visiting") throw new Error(`plan has a cycle through ${s.name}`);
    state.set(s.name, "visiting");
    s.dependsOn.forEach((d) => visit(byName.get(d)!));
    state.set(s.name, "done");
  };
  steps.forEach(visit);
}

/** Steps whose dependencies have all succeeded and that have not started. */
export function readySteps(steps: StepDef[], succeeded: Set<string>, started: Set<string>): StepDef[] {
  return steps.filter((s) => !started.has(s.name) && !succeeded.has(s.name) && s.dependsOn.every((d) => succeeded.has(d)));
}

/** All steps a step depends on, directly or not (their outputs are visible to it). */
export function ancestors(steps: StepDef[], name: string): Set<string> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const out = new Set<string>();
  const walk = (n: string) => byName.get(n)?.dependsOn.forEach((d) => { if (!out.has(d)) { out.add(d); walk(d); } });
  walk(name);
  return out;
}
