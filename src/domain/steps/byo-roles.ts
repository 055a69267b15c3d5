// The role assignments of a `create` request that brings its own identities:
// - AcrPull for the kubelet identity on the BYO registry (network-isolated procedure, step 5);
// - Network Contributor for the control-plane identity on the API server subnet and on the nodes
//   subnet (API server VNet integration procedure, BYO VNet: "die Clusteridentität benötigt
//   Berechtigungen sowohl für das API-Serversubnetz als auch für das Knotensubnetz"). On the nodes
//   subnet it is given for every BYO VNet: AKS joins the nodes' NICs to it with that identity;
// - Managed Identity Operator for the control-plane identity on the kubelet identity: AKS needs it
//   to assign a custom kubelet identity (`az aks create --assign-kubelet-identity` grants it
//   itself; over the ARM API the caller must).
import type { CreateRequest } from "../contract.js";
import { apiServerAccess } from "../rules.js";
import type { StepContext, StepDef } from "../step.js";
import { STEP, type ByoNames } from "./byo-names.js";
import { BUILTIN_ROLE, networkContributorOnSubnet, roleAssignmentStep } from "./role-assignment.js";

const output = (step: string, key: string) => (ctx: StepContext) => ctx.outputs[step][key] as string;
const cpPrincipal = output(STEP.cpIdentity, "controlPlaneIdentityPrincipalId");
const kubeletPrincipal = output(STEP.kubeletIdentity, "kubeletIdentityPrincipalId");

export function roleSteps(req: CreateRequest, n: ByoNames): StepDef[] {
  const steps: StepDef[] = [
    roleAssignmentStep({
      name: STEP.identityOperator,
      dependsOn: [STEP.cpIdentity, STEP.kubeletIdentity],
      describe: "Managed Identity Operator for the control-plane identity on the kubelet identity (needed to assign a custom kubelet identity)",
      subscriptionId: n.sub,
      role: BUILTIN_ROLE.ManagedIdentityOperator,
      scope: () => n.identity.kubelet,
      principalId: cpPrincipal,
      outputKey: "managedIdentityOperatorRoleAssignmentId",
    }),
  ];
  if (req.network)
    steps.push(
      networkContributorOnSubnet({
        name: STEP.ncNodes,
        dependsOn: [STEP.cpIdentity, STEP.vnet],
        which: "nodes",
        subscriptionId: n.sub,
        subnetId: () => n.subnet.nodes,
        principalId: cpPrincipal,
        outputKey: "nodesSubnetNetworkContributorRoleAssignmentId",
      }),
    );
  if (req.network && apiServerAccess(req) === "vnetIntegration" && n.apiServerSubnetId)
    steps.push(
      networkContributorOnSubnet({
        name: STEP.ncApiServer,
        dependsOn: [STEP.cpIdentity, STEP.vnet],
        which: "API server",
        subscriptionId: n.sub,
        subnetId: () => n.apiServerSubnetId!,
        principalId: cpPrincipal,
        outputKey: "apiServerSubnetNetworkContributorRoleAssignmentId",
      }),
    );
  if (req.networkIsolation?.registry.mode === "byo")
    steps.push(
      roleAssignmentStep({
        name: STEP.acrPull,
        dependsOn: [STEP.kubeletIdentity, STEP.registry],
        describe: "AcrPull for the kubelet identity on the registry",
        subscriptionId: n.sub,
        role: BUILTIN_ROLE.AcrPull,
        scope: () => n.registryId,
        principalId: kubeletPrincipal,
        outputKey: "acrPullRoleAssignmentId",
      }),
    );
  return steps;
}
