// Step 5 of the BYO ACR chain (network-isolated procedure): the control-plane and kubelet
// user-assigned identities (`az identity create`). Their outputs feed the cluster (CLUSTER_INPUTS)
// and the role assignments (principal ids), and the request's outputs (client ids).
import type { Identity } from "@azure/arm-msi";
import type { CreateRequest } from "../contract.js";
import type { StepDef } from "../step.js";
import { lastSegment, STEP, type ByoNames } from "./byo-names.js";
import { putStep } from "./put-step.js";

type Which = "controlPlane" | "kubelet";

export function identityStep(req: CreateRequest, which: Which, id: string, dependsOn: string[]): StepDef {
  return putStep({
    name: which === "controlPlane" ? STEP.cpIdentity : STEP.kubeletIdentity,
    dependsOn,
    describe: `user-assigned identity ${lastSegment(id)} (${which === "controlPlane" ? "cluster control plane" : "kubelet"})`,
    kind: "userAssignedIdentity",
    resourceId: id,
    id: () => id,
    body: (): Identity => ({ location: req.cluster.location!, tags: req.tags }),
    // An identity's principal is what matters and a PUT cannot change it; an existing one is used as it is.
    satisfied: () => true,
    outputs: (_ctx, r) => ({ [`${which}IdentityId`]: r?.id ?? id, [`${which}IdentityPrincipalId`]: r?.principalId, [`${which}IdentityClientId`]: r?.clientId }),
  });
}

/** Both identities; they live in the cluster's resource group. */
export function identitySteps(req: CreateRequest, n: ByoNames, dependsOn: string[]): StepDef[] {
  return [identityStep(req, "controlPlane", n.identity.controlPlane, dependsOn), identityStep(req, "kubelet", n.identity.kubelet, dependsOn)];
}
