// The two read-only steps every write of the Arc plan depends on. They check the procedure's
// "current limitations" against what exists in Azure and fail the request, with every broken limit
// and its field path, before anything is written:
// - at most one Azure Arc private link scope per VNet (an endpoint in the VNet to another scope);
// - a connected cluster connects to one scope only (a listed cluster already in another scope);
// - the clusters in the scope's region;
// - the private endpoint in the VNet's region (the endpoint step takes the VNet's region; an
//   endpoint of that name that already exists elsewhere, or to something else, is refused);
// - the NSG rules of the procedure's table can be written (their priorities are free in their
//   direction) and come before any rule that blocks internet access.
// The first step reads the VNet, the second what the VNet names (its endpoints) and the rest.
import type { HybridComputePrivateLinkScope } from "@azure/arm-hybridcompute";
import type { NetworkSecurityGroup, PrivateEndpoint, VirtualNetwork } from "@azure/arm-network";
import type { ConnectedCluster } from "../arm-models.js";
import { defineStep, type Decision, type StepContext, type StepDef } from "../step.js";
import { sameId } from "../naming.js";
import { ARC_LIMIT, ARC_STEP, sameRegion, type ArcIds, type ArcRequest } from "./arc-names.js";
import { nsgProblems } from "./arc-nsg.js";

const HYBRID_SCOPE = "/providers/microsoft.hybridcompute/privatelinkscopes/";

/** What the first step found in the VNet (its outputs, read by the check and the endpoint steps). */
export interface NetworkFacts {
  vnetFound: boolean;
  vnetLocation?: string;
  subnetFound: boolean;
  /** Private endpoints in any subnet of the VNet, other than the request's own. */
  endpointsInVnet: string[];
}

export function networkFacts(vnet: VirtualNetwork | undefined, subnetName: string, ownEndpoint: string): NetworkFacts {
  if (!vnet) return { vnetFound: false, subnetFound: false, endpointsInVnet: [] };
  const subnets = vnet.subnets ?? [];
  const endpoints = subnets.flatMap((s) => (s.privateEndpoints ?? []).map((e) => String(e.id))).filter((id) => !sameId(id, ownEndpoint));
  return {
    vnetFound: true,
    vnetLocation: vnet.location,
    subnetFound: subnets.some((s) => String(s.name).toLowerCase() === subnetName.toLowerCase()),
    endpointsInVnet: [...new Set(endpoints)],
  };
}

export function readNetworkStep(req: ArcRequest, ids: ArcIds): StepDef {
  return defineStep({
    name: ARC_STEP.readNetwork,
    dependsOn: [],
    describe: `read VNet ${req.network.vnetName}: region, subnet ${req.network.subnetName}, private endpoints in it (no write)`,
    resourceId: ids.vnet,
    reads: () => [{ kind: "virtualNetwork", id: ids.vnet }],
    decide: (_ctx, [vnet]): Decision => ({ do: "done", resourceId: ids.vnet, outputs: { vnet: networkFacts(vnet, req.network.subnetName, ids.endpoint) } }),
  });
}

/** The first step's findings, as a later step sees them. */
export const networkFactsOf = (ctx: StepContext): NetworkFacts =>
  (ctx.outputs[ARC_STEP.readNetwork]?.vnet as NetworkFacts | undefined) ?? { vnetFound: false, subnetFound: false, endpointsInVnet: [] };

/** Where an endpoint connects to (automatic or manual-approval connections). */
const targetsOf = (pe: PrivateEndpoint): string[] =>
  [...(pe.privateLinkServiceConnections ?? []), ...(pe.manualPrivateLinkServiceConnections ?? [])].map((c) => String(c.privateLinkServiceId ?? "")).filter(Boolean);

export const connectCommand = (req: ArcRequest, ids: ArcIds, i: number): string => {
  const c = req.connectedClusters[i];
  return `az connectedk8s connect -g ${c.resourceGroup} -n ${c.name} -l ${req.scope.location} --enable-private-link true --private-link-scope-resource-id ${ids.scope}`;
};

export interface Found {
  facts: NetworkFacts;
  scope?: HybridComputePrivateLinkScope;
  endpoint?: PrivateEndpoint;
  nsg?: NetworkSecurityGroup;
  clusters: (ConnectedCluster | undefined)[];
  /** The endpoints in facts.endpointsInVnet, same order. */
  otherEndpoints: (PrivateEndpoint | undefined)[];
}

/** Every documented limit the request breaks, as "field.path: sentence". */
export function limitProblems(req: ArcRequest, ids: ArcIds, f: Found): string[] {
  const { network, scope, privateEndpoint } = req;
  const problems: string[] = [];
  if (!f.facts.vnetFound) problems.push(`network.vnetName: VNet ${network.vnetName} does not exist in resource group ${network.resourceGroup}`);
  else if (!f.facts.subnetFound) problems.push(`network.subnetName: VNet ${network.vnetName} has no subnet ${network.subnetName}`);

  if (f.scope && !sameRegion(f.scope.location, scope.location))
    problems.push(`scope.location: scope ${scope.name} already exists in ${f.scope.location} (a scope cannot move to ${scope.location})`);

  for (const pe of f.otherEndpoints) {
    const other = pe && targetsOf(pe).find((t) => t.toLowerCase().includes(HYBRID_SCOPE) && !sameId(t, ids.scope));
    if (other)
      problems.push(`network.vnetName: VNet ${network.vnetName} already has a private endpoint (${pe!.name}) to another Azure Arc private link scope, ${other} (at most one scope per VNet)`);
  }

  const pe = f.endpoint;
  if (pe) {
    const targets = targetsOf(pe);
    if (!targets.some((t) => sameId(t, ids.scope)))
      problems.push(`privateEndpoint.name: private endpoint ${privateEndpoint.name} already exists and connects to ${targets.join(", ") || "nothing"}, not to scope ${scope.name}`);
    if (pe.subnet?.id && !sameId(pe.subnet.id, ids.subnet))
      problems.push(`privateEndpoint.name: private endpoint ${privateEndpoint.name} already exists in subnet ${pe.subnet.id}, not in ${network.vnetName}/${network.subnetName}`);
    else if (f.facts.vnetLocation && pe.location && !sameRegion(pe.location, f.facts.vnetLocation))
      problems.push(`privateEndpoint.name: private endpoint ${privateEndpoint.name} already exists in ${pe.location} (the endpoint must be in the VNet's region, ${f.facts.vnetLocation})`);
  }

  f.clusters.forEach((c, i) => {
    if (!c) return; // not onboarded yet: the outputs carry its connect command
    const name = req.connectedClusters[i].name;
    const other = c.properties?.privateLinkScopeResourceId || undefined;
    if (other && !sameId(other, ids.scope))
      problems.push(`connectedClusters[${i}]: ${name} is already associated with scope ${other} (a connected cluster connects to one private link scope only)`);
    if (!sameRegion(c.location, scope.location))
      problems.push(`connectedClusters[${i}]: ${name} is in ${c.location}, the scope in ${scope.location} (the clusters and the scope must be in the same region)`);
  });

  if (ids.nsg && network.nsgName) {
    if (!f.nsg) problems.push(`network.nsgName: network security group ${network.nsgName} does not exist in resource group ${network.resourceGroup}`);
    else problems.push(...nsgProblems(f.nsg, network.nsgName));
  }
  return problems;
}

type CheckReads = [HybridComputePrivateLinkScope?, PrivateEndpoint?, ...(NetworkSecurityGroup | ConnectedCluster | PrivateEndpoint | undefined)[]];

export function checkStep(req: ArcRequest, ids: ArcIds): StepDef {
  return defineStep({
    name: ARC_STEP.check,
    dependsOn: [ARC_STEP.readNetwork],
    describe: "check the documented limits (one scope per VNet, one scope per cluster, clusters in the scope's region, endpoint in the VNet's region, NSG priorities free and before any deny-internet rule); no write",
    resourceId: ids.scope,
    // Fixed positions first, then the clusters, then the other endpoints in the VNet.
    reads: (ctx) => [
      { kind: "privateLinkScope", id: ids.scope },
      { kind: "privateEndpoint", id: ids.endpoint },
      ...(ids.nsg ? [{ kind: "networkSecurityGroup" as const, id: ids.nsg }] : []),
      ...ids.clusters.map((id) => ({ kind: "connectedCluster" as const, id })),
      ...networkFactsOf(ctx).endpointsInVnet.map((id) => ({ kind: "privateEndpoint" as const, id })),
    ],
    decide(ctx, current): Decision {
      // The reads' layout is known (see reads): scope, endpoint, [nsg], clusters, other endpoints.
      const [scope, endpoint, ...rest] = current as unknown as CheckReads;
      const nsg = ids.nsg ? (rest.shift() as NetworkSecurityGroup | undefined) : undefined;
      const clusters = rest.slice(0, ids.clusters.length) as (ConnectedCluster | undefined)[];
      const otherEndpoints = rest.slice(ids.clusters.length) as (PrivateEndpoint | undefined)[];
      const problems = limitProblems(req, ids, { facts: networkFactsOf(ctx), scope, endpoint, nsg, clusters, otherEndpoints });
      if (problems.length) return { do: "fail", code: ARC_LIMIT, message: problems.join("; ") };
      const connectCommands = ids.clusters.map((_, i) => (clusters[i] ? undefined : connectCommand(req, ids, i))).filter((c): c is string => !!c);
      return { do: "done", resourceId: ids.scope, outputs: connectCommands.length ? { connectCommands } : {} };
    },
  });
}
