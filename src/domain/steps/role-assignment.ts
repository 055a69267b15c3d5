// A role assignment whose name is derived from (scope, principal, role): a re-run PUTs the same
// name and changes nothing. principalType ServicePrincipal, as the procedures pass for managed
// identities (it also lets ARM accept a principal Entra has not replicated yet).
import { ROLE, roleAssignmentName, roleDefinitionId } from "../naming.js";
import type { StepContext, StepDef } from "../step.js";
import { putStep } from "./put-step.js";

export function roleAssignmentStep(o: {
  name: string;
  dependsOn: string[];
  describe: string;
  subscriptionId: string;
  role: (typeof ROLE)[keyof typeof ROLE];
  scope: (ctx: StepContext) => string;
  principalId: (ctx: StepContext) => string;
}): StepDef {
  const id = (ctx: StepContext) => `${o.scope(ctx)}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(o.scope(ctx), o.principalId(ctx), o.role)}`;
  return putStep({
    name: o.name,
    dependsOn: o.dependsOn,
    describe: o.describe,
    kind: "roleAssignment",
    id,
    body: (ctx) => ({ roleDefinitionId: roleDefinitionId(o.subscriptionId, o.role), principalId: o.principalId(ctx), principalType: "ServicePrincipal" }),
    // An assignment is immutable: if it exists under our deterministic name it is the one we want.
    satisfied: () => true,
    outputs: (_ctx, r) => ({ [`${o.name}`]: r?.id }),
  });
}
