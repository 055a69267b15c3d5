// Ids, step names and small helpers of the Azure Arc private link plan (arcPrivateLink). Every id is
// a pure function of the request, so a re-run writes to the same resources.
import type { ClusterRequest } from "../contract.js";
import { providerId, subnetResourceId } from "../naming.js";

export type ArcRequest = Extract<ClusterRequest, { operation: "arcPrivateLink" }>;

/** The error code of a request that breaks a documented limit (found by the read-only check steps). */
export const ARC_LIMIT = "ArcPrivateLinkLimit";

/** Private link sub-resource (group id) of a Microsoft.HybridCompute/privateLinkScopes scope. */
export const ARC_GROUP_ID = "hybridcompute";

export const ARC_STEP = {
  /** Reads the VNet (region, subnet, private endpoints already in it); never fails. */
  readNetwork: "arc:check:network",
  /** Reads everything else the limits need and fails the request before any write. */
  check: "arc:check",
  scope: "arc:scope",
  endpoint: "arc:privateEndpoint",
  zone: (z: string) => `arc:dns:zone:${z}`,
  link: (z: string) => `arc:dns:link:${z}`,
  zoneGroup: "arc:dns:zoneGroup",
  rule: (name: string) => `arc:nsg:${name}`,
  associate: (cluster: string) => `arc:associate:${cluster}`,
} as const;

export interface ArcIds {
  scope: string;
  vnet: string;
  subnet: string;
  nsg?: string;
  endpoint: string;
  zoneGroup: string;
  /** Same order as the request's connectedClusters. */
  clusters: string[];
  zone(z: string): string;
  link(z: string): string;
  rule(name: string): string;
}

/**
 * The scope, the VNet and the connected clusters are in the scope's subscription: during the
 * preview the procedure requires the VNet and the clusters in the scope's subscription (portal step 4).
 */
export function arcIds(req: ArcRequest): ArcIds {
  const { scope, network, privateEndpoint, connectedClusters } = req;
  const sub = scope.subscriptionId;
  const vnet = providerId(sub, network.resourceGroup, "Microsoft.Network/virtualNetworks", network.vnetName);
  const nsg = network.nsgName ? providerId(sub, network.resourceGroup, "Microsoft.Network/networkSecurityGroups", network.nsgName) : undefined;
  const endpoint = providerId(sub, network.resourceGroup, "Microsoft.Network/privateEndpoints", privateEndpoint.name);
  const zone = (z: string) => providerId(sub, network.resourceGroup, "Microsoft.Network/privateDnsZones", z);
  return {
    scope: providerId(sub, scope.resourceGroup, "Microsoft.HybridCompute/privateLinkScopes", scope.name),
    vnet,
    subnet: subnetResourceId(vnet, network.subnetName),
    nsg,
    endpoint,
    zoneGroup: `${endpoint}/privateDnsZoneGroups/default`,
    clusters: connectedClusters.map((c) => providerId(sub, c.resourceGroup, "Microsoft.Kubernetes/connectedClusters", c.name)),
    zone,
    link: (z) => `${zone(z)}/virtualNetworkLinks/link-${network.vnetName}`,
    rule: (name) => `${nsg}/securityRules/${name}`,
  };
}

/** ARM answers regions as names ("eastus"); some tools write display names ("East US"). */
export const sameRegion = (a?: string, b?: string): boolean => !!a && !!b && a.replace(/\s+/g, "").toLowerCase() === b.replace(/\s+/g, "").toLowerCase();
