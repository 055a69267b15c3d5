// Plan of a `create` request: preflight → resource group → (BYO chain) → cluster → verify.
import type { CreateRequest } from "../contract.js";
import { clusterId } from "../naming.js";
import type { Plan, StepDef } from "../step.js";
import { clusterStep, verifyStep } from "../steps/cluster.js";
import { featureStep, providerStep, providerStepName } from "../steps/preflight.js";
import { RESOURCE_GROUP_STEP, resourceGroupStep } from "../steps/resource-group.js";
import { byoSteps } from "../steps/byo.js";

export function planCreate(req: CreateRequest): Plan {
  const { subscriptionId: sub, resourceGroup, location } = req.cluster;
  const features = previewFeatures(req);
  const providers = ["Microsoft.ContainerService"];
  if (req.networkIsolation) providers.push("Microsoft.ContainerRegistry");
  if (req.network) providers.push("Microsoft.Network", "Microsoft.ManagedIdentity");

  const preflight: StepDef[] = [
    ...features.map((f) => featureStep(sub, "Microsoft.ContainerService", f)),
    ...providers.map((ns) => providerStep(sub, ns, ns === "Microsoft.ContainerService" ? features : [])),
  ];
  const rg = resourceGroupStep(sub, resourceGroup, location!, req.tags);
  const byo = byoSteps(req, [RESOURCE_GROUP_STEP, ...providers.filter((p) => p !== "Microsoft.ContainerService").map(providerStepName)]);
  // The cluster is written last: after the role assignments, the private endpoint and the DNS
  // records exist (missing permissions or records make AKS provisioning fail).
  const cluster = clusterStep(req, [RESOURCE_GROUP_STEP, ...providers.map(providerStepName), ...byo.map((s) => s.name)]);
  return {
    steps: [...preflight, rg, ...byo, cluster, verifyStep(req)],
    target: clusterId(sub, resourceGroup, req.cluster.name),
    warnings: [],
  };
}

/** Feature flags are needed only for preview-only values; everything else is GA in the stable API. */
export function previewFeatures(req: Pick<CreateRequest, "networkIsolation" | "nodePools">): string[] {
  const flags: string[] = [];
  if (req.networkIsolation?.outboundType === "block") flags.push("NetworkIsolatedClusterPreview");
  if (req.nodePools?.some((p) => p.workloadRuntime === "KataMshvVmIsolation")) flags.push("KataVMIsolationPreview");
  return flags;
}
