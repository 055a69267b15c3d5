// What a step sees when it decides: its request, and the outputs and writes of the steps it
// depends on, from the request's step rows. The runner and the drift check build it the same way.
import type { ClusterRequest } from "../domain/contract.js";
import { ancestors } from "../domain/plan.js";
import type { RequestRecord, StepRecord } from "../domain/records.js";
import type { Outputs, StepContext, StepDef } from "../domain/step.js";

/** What a step of `req` sees: the request, and the outputs and writes of the steps it depends on. */
export function contextFor(req: Pick<RequestRecord, "body">, def: StepDef, rows: StepRecord[], steps: StepDef[], posts: number): StepContext {
  const visible = ancestors(steps, def.name);
  const outputs: Record<string, Outputs> = {};
  const writes: Record<string, number> = {};
  for (const r of rows) {
    if (!visible.has(r.name)) continue;
    if (r.outputs) outputs[r.name] = r.outputs;
    writes[r.name] = r.writes ?? 0;
  }
  return { request: req.body as ClusterRequest, outputs, posts, writes };
}
