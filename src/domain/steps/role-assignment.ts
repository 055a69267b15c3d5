// A role assignment whose name is derived from (scope, principal, role): a re-run PUTs the same
// name and changes nothing. principalType ServicePrincipal, as the procedures pass for managed
// identities (`--assignee-principal-type ServicePrincipal`; it also lets ARM accept a principal
// Entra has not replicated yet).
//
// Two answers of ARM are not failures:
// - PrincipalNotFound right after the identity was created is Entra's replication delay: it is
//   classified transient (src/azure/errors.ts) and the runner tries again with backoff;
// - 409 RoleAssignmentExists means the same (scope, principal, role) is already assigned under
//   another name (made by hand or by `az`): the adapter (src/azure/kinds/identity.ts) answers with
//   that assignment, and the step is done.
import type { RoleAssignmentCreateParameters } from "@azure/arm-authorization";
import { ROLE, roleAssignmentName, roleDefinitionId } from "../naming.js";
import type { StepContext, StepDef } from "../step.js";
import { putStep } from "./put-step.js";

/** Built-in role definition ids (the same GUID in every tenant). */
export const BUILTIN_ROLE = {
  ...ROLE,
  /** The control-plane identity needs it on a custom kubelet identity (`az aks create --assign-kubelet-identity` assigns it). */
  ManagedIdentityOperator: "f1a07417-d97a-45cb-824c-7a7467783830",
} as const;

export function roleAssignmentStep(o: {
  name: string;
  dependsOn: string[];
  describe: string;
  subscriptionId: string;
  /** A role definition GUID (BUILTIN_ROLE). */
  role: string;
  scope: (ctx: StepContext) => string;
  principalId: (ctx: StepContext) => string;
  /** Key of the assignment's id in the step's outputs (default: the step name). */
  outputKey?: string;
}): StepDef {
  const id = (ctx: StepContext) => `${o.scope(ctx)}/providers/Microsoft.Authorization/roleAssignments/${roleAssignmentName(o.scope(ctx), o.principalId(ctx), o.role)}`;
  return putStep({
    name: o.name,
    dependsOn: o.dependsOn,
    describe: o.describe,
    kind: "roleAssignment",
    id,
    body: (ctx): RoleAssignmentCreateParameters => ({ roleDefinitionId: roleDefinitionId(o.subscriptionId, o.role), principalId: o.principalId(ctx), principalType: "ServicePrincipal" }),
    // An assignment is immutable: if it exists under our deterministic name it is the one we want.
    satisfied: () => true,
    outputs: (_ctx, r) => ({ [o.outputKey ?? o.name]: r?.id }),
  });
}

/**
 * Network Contributor for a cluster identity on a subnet (API server VNet integration procedure:
 * the cluster identity needs it on the API server subnet and on the nodes subnet). The one
 * definition used by `create` and by the conversion of an existing cluster.
 */
export function networkContributorOnSubnet(o: { name: string; dependsOn: string[]; which: "API server" | "nodes"; subscriptionId: string; subnetId: (ctx: StepContext) => string; principalId: (ctx: StepContext) => string; outputKey?: string }): StepDef {
  return roleAssignmentStep({
    name: o.name,
    dependsOn: o.dependsOn,
    describe: `Network Contributor for the cluster identity on the ${o.which} subnet`,
    subscriptionId: o.subscriptionId,
    role: BUILTIN_ROLE.NetworkContributor,
    scope: o.subnetId,
    principalId: o.principalId,
    outputKey: o.outputKey,
  });
}
