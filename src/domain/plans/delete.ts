// Plan of a `delete` request: the reverse of the deleted request's DAG, over what it created.
//
// What it created is what its step rows recorded when they wrote (`created`: the ids a PUT brought
// into being; rows written before that was recorded fall back to the id of a step's PUTs). Nothing
// it only read, referenced or found already there is in the plan. A resource is deleted after every
// resource whose step depended (directly or not) on the step that created it: the cluster before
// its role assignments and identities, the endpoint before its subnet, records and links before
// their zone, subnets before their VNet, everything before its resource group. Resources one step
// created together (a VNet and its inline subnets) go one by one, children first: the network RP
// serialises writes under one VNet. A connected cluster the request associated is dissociated
// (not deleted) before the scope goes.
import type { ClusterRequest, DeleteRequest } from "../contract.js";
import { PlanningError } from "../planning-error.js";
import { resourceKindOf } from "../resource-kinds.js";
import type { Outputs, Plan, StepDef } from "../step.js";
import { deleteStep, dissociateStep, type DeleteOutputs } from "../steps/delete-resource.js";

/** What the deleted request recorded, read when the delete was accepted (stored with it, so its plan never changes). */
export interface DeleteSource {
  id: string;
  body: ClusterRequest;
  steps: { name: string; writes: number; posts: number; resourceId?: string; created?: string[] }[];
}

/** The operations a `delete` can undo: they create resources of their own. */
export const DELETABLE_OPERATIONS = ["create", "arcPrivateLink"] as const;

type Original = { steps: StepDef[]; target: string };

export function planDelete(req: DeleteRequest, source: DeleteSource | undefined, planOriginal: (body: ClusterRequest) => Original): Plan {
  if (!source) throw new PlanningError("deletes", `request ${req.deletes} is not known`);
  const original = planOriginal(source.body);
  const rows = new Map(source.steps.map((r) => [r.name, r]));

  // Per original step: its delete steps, in the order they run.
  const chains = new Map<string, { name: string; make: (dependsOn: string[]) => StepDef }[]>();
  const planned: string[] = [];
  for (const s of original.steps) {
    const row = rows.get(s.name);
    if (!row) continue;
    const created = (row.created ?? (row.writes - row.posts > 0 && row.resourceId ? [row.resourceId] : [])).filter((id) => {
      const kind = resourceKindOf(id);
      return kind !== undefined && kind !== "connectedCluster";
    });
    const chain: { name: string; make: (dependsOn: string[]) => StepDef }[] = [];
    // Children before parents (deeper ids first), otherwise in the order they were created.
    const depth = (id: string) => id.split("/").length;
    for (const id of [...created].sort((a, b) => depth(b) - depth(a))) {
      const name = created.length === 1 || (row.resourceId && sameText(id, row.resourceId)) ? `delete:${s.name}` : `delete:${s.name}:${id.split("/").pop()}`;
      planned.push(id);
      chain.push({ name, make: (dependsOn) => deleteStep({ name, dependsOn, id, requestId: source.id, planned }) });
    }
    if (row.resourceId && resourceKindOf(row.resourceId) === "connectedCluster" && row.writes - row.posts > 0) {
      const name = `undo:${s.name}`;
      const id = row.resourceId;
      chain.push({ name, make: (dependsOn) => dissociateStep({ name, dependsOn, id, scopeId: original.target }) });
    }
    if (chain.length) chains.set(s.name, chain);
  }

  // Reverse the DAG: the first delete of step S waits for the last delete of every step that depended on S.
  const dependents = descendantsOf(original.steps);
  const steps: StepDef[] = [];
  for (const [stepName, chain] of chains) {
    const after = [...dependents.get(stepName)!].filter((d) => chains.has(d)).map((d) => chains.get(d)!.at(-1)!.name);
    chain.forEach((c, i) => steps.push(c.make(i === 0 ? after : [chain[i - 1].name])));
  }
  // One order the original DAG does not give: a zone group writes records into zones it does not
  // depend on the links of; its records must be gone before the links are judged (a link through
  // which records of others resolve is kept).
  const zoneGroups = steps.filter((s) => resourceKindOf(s.resourceId!) === "privateDnsZoneGroup").map((s) => s.name);
  for (const s of steps) if (resourceKindOf(s.resourceId!) === "virtualNetworkLink") s.dependsOn.push(...zoneGroups.filter((g) => !s.dependsOn.includes(g)));
  reduce(steps);

  const warnings = steps.length ? [] : [`request ${source.id} recorded no resource it created: there is nothing to delete`];
  return { steps, target: original.target, warnings, outputs: summarize };
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** For each step, every step that depends on it directly or not. */
function descendantsOf(steps: StepDef[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(steps.map((s) => [s.name, new Set<string>()]));
  const byName = new Map(steps.map((s) => [s.name, s]));
  const visit = (from: string, through: string) => byName.get(through)?.dependsOn.forEach((d) => {
    if (out.get(d)!.has(from)) return;
    out.get(d)!.add(from);
    visit(from, d);
  });
  for (const s of steps) visit(s.name, s.name);
  return out;
}

/** Drops a dependency that another dependency already implies (a readable plan, the same order). */
function reduce(steps: StepDef[]): void {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const reach = new Map<string, Set<string>>();
  const reachable = (n: string): Set<string> => {
    if (!reach.has(n)) {
      const set = new Set<string>();
      for (const d of byName.get(n)!.dependsOn) {
        set.add(d);
        reachable(d).forEach((x) => set.add(x));
      }
      reach.set(n, set);
    }
    return reach.get(n)!;
  };
  for (const s of steps) s.dependsOn = s.dependsOn.filter((d) => !s.dependsOn.some((o) => o !== d && reachable(o).has(d)));
}

/** The request's outputs: what was deleted, what was gone already, what was kept and why. */
function summarize(byStep: Record<string, Outputs>): Outputs {
  const o = Object.values(byStep) as DeleteOutputs[];
  const list = <T>(pick: (x: DeleteOutputs) => T | undefined) => o.map(pick).filter((x): x is T => x !== undefined);
  return { deleted: list((x) => x.deleted), alreadyGone: list((x) => x.alreadyGone), kept: list((x) => x.kept), dissociated: list((x) => x.dissociated) };
}


