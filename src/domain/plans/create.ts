// Plan of a `create` request: preflight → resource groups → (BYO chain) → cluster → verify.
//
// The BYO chain (network-isolated procedure, BYO ACR steps 1-5; API server VNet integration
// procedure, BYO VNet) is a DAG, not a sequence: each step waits only for what it needs.
// - after the providers and resource groups, at once: the VNet (subnets inline), the registry, the
//   privatelink.azurecr.io zone, both identities;
// - after the registry: the cache rule; after registry + VNet: the private endpoint, then its member
//   IPs, then (with the zone) the two A records; after zone + VNet: the zone's VNet link;
// - after the identities and the resource they are scoped to: AcrPull (registry), Network
//   Contributor (nodes and API server subnets), Managed Identity Operator (kubelet identity).
// So the critical path is registry → private endpoint → IPs → A records → cluster → verify.
//
// The cluster is written last, after every one of them: AKS fails provisioning when a role
// assignment (Network Contributor on the subnets), the endpoint or the records are missing.
import { previewValues, previewWarnings } from "../api-versions.js";
import type { CreateRequest } from "../contract.js";
import { clusterId } from "../naming.js";
import type { Plan, StepDef } from "../step.js";
import { byoNames, STEP } from "../steps/byo-names.js";
import { vnetStep } from "../steps/virtual-network.js";
import { registrySteps } from "../steps/registry.js";
import { roleSteps } from "../steps/byo-roles.js";
import { clusterStep, verifyStep } from "../steps/cluster.js";
import { identitySteps } from "../steps/identity.js";
import { apiServerSubnetCheckStep } from "../steps/api-server-subnet-check.js";
import { apiServerAccess } from "../rules.js";
import { featureStep, providerStep, providerStepName } from "../steps/preflight.js";
import { RESOURCE_GROUP_STEP, resourceGroupStep } from "../steps/resource-group.js";

const NETWORK = "Microsoft.Network";
const IDENTITY = "Microsoft.ManagedIdentity";
const REGISTRY = "Microsoft.ContainerRegistry";

/** The request creates its own user-assigned identities: when it names them, or brings its own VNet. */
export const ownIdentities = (req: Pick<CreateRequest, "identities" | "network">): boolean => !!(req.identities || req.network);

export function planCreate(req: CreateRequest): Plan {
  const { subscriptionId: sub, resourceGroup, location } = req.cluster;
  const features = previewFeatures(req);
  const providers = ["Microsoft.ContainerService"];
  if (req.networkIsolation) providers.push(REGISTRY);
  if (req.network) providers.push(NETWORK);
  if (ownIdentities(req)) providers.push(IDENTITY);

  const preflight: StepDef[] = [
    ...features.map((f) => featureStep(sub, "Microsoft.ContainerService", f)),
    ...providers.map((ns) => providerStep(sub, ns, ns === "Microsoft.ContainerService" ? features : [])),
  ];
  const rg = resourceGroupStep(sub, resourceGroup, location!, req.tags);
  const byo = byoSteps(req);
  const cluster = clusterStep(req, [RESOURCE_GROUP_STEP, ...providers.map(providerStepName), ...byo.map((s) => s.name)]);
  return {
    steps: readFirst(req, [...preflight, rg, ...byo, cluster, verifyStep(req)]),
    target: clusterId(sub, resourceGroup, req.cluster.name),
    warnings: previewWarnings(previewValues(req)),
  };
}

/**
 * Read before you grant: an existing API server subnet (apiServer.subnetId) is read and checked
 * first, and every other step waits for it, so a subnet that fails the check writes nothing.
 */
function readFirst(req: CreateRequest, steps: StepDef[]): StepDef[] {
  const given = req.apiServer?.subnetId;
  if (!given || apiServerAccess(req) !== "vnetIntegration" || !req.network?.vnetName) return steps;
  const n = byoNames(req);
  const check = apiServerSubnetCheckStep({ subnetId: given, dependsOn: [], location: () => req.cluster.location, nodesVnetId: () => n.vnetId });
  return [check, ...steps.map((s) => (s.dependsOn.length ? s : { ...s, dependsOn: [check.name] }))];
}

/** The steps a create request brings itself (none for a cluster on the AKS-managed VNet with system identities). */
export function byoSteps(req: CreateRequest): StepDef[] {
  if (!ownIdentities(req)) return [];
  const n = byoNames(req);
  const { resourceGroup } = req.cluster;
  // Network and registry resources go to their own resource groups when the request names them.
  const rgStepName = (rg: string) => (rg === resourceGroup ? RESOURCE_GROUP_STEP : `${RESOURCE_GROUP_STEP}:${rg}`);
  const extraRgs = [...new Set([req.network ? n.networkRg : resourceGroup, n.registryRg])].filter((rg) => rg !== resourceGroup);
  const steps: StepDef[] = extraRgs.map((g) => resourceGroupStep(n.sub, g, n.location, req.tags, rgStepName(g)));

  if (req.network) steps.push(vnetStep(req, n, [rgStepName(n.networkRg), providerStepName(NETWORK)]));
  steps.push(...identitySteps(req, n, [RESOURCE_GROUP_STEP, providerStepName(IDENTITY)]));
  const reg = req.networkIsolation?.registry;
  if (reg?.mode === "byo" && req.network)
    steps.push(
      ...registrySteps({
        sub: n.sub,
        networkRg: n.networkRg,
        registryName: n.registryName,
        registryId: n.registryId,
        registry: reg,
        tags: req.tags,
        location: () => n.location,
        vnetId: () => n.vnetId,
        registrySubnetId: () => n.subnet.registry,
        dependsOn: [rgStepName(n.registryRg), providerStepName(REGISTRY)],
        zoneDependsOn: [rgStepName(n.networkRg), providerStepName(NETWORK)],
        networkStep: STEP.vnet,
        known: { location: n.location, vnetId: n.vnetId },
      }),
    );
  steps.push(...roleSteps(req, n));
  return steps;
}

/** Feature flags are needed only for preview-only values; everything else is GA in the stable API. */
export function previewFeatures(req: Pick<CreateRequest, "networkIsolation" | "nodePools">): string[] {
  const flags: string[] = [];
  if (req.networkIsolation?.outboundType === "block") flags.push("NetworkIsolatedClusterPreview");
  if (req.nodePools?.some((p) => p.workloadRuntime === "KataMshvVmIsolation")) flags.push("KataVMIsolationPreview");
  return flags;
}
