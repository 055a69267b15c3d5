// How long Azure takes to finish each long-running write the stand-in models, per resource type,
// and where each figure comes from. The stand-in runs them SPEEDUP times faster than Azure (then
// times its timeScale); this table is the one source of its durations and of `npm run bench`'s
// latency table. A type absent here answers synchronously (identities, role assignments, records).

/** The stand-in's durations are Azure's divided by this (then multiplied by timeScale). */
export const SPEEDUP = 200;

export interface Latency {
  type: string;
  operation: "create" | "update" | "delete" | "upgradeNodeImageVersion";
  /** Seconds on Azure. */
  seconds: number;
  /** Where the figure comes from: a public report, or "estimate". */
  source: string;
}

const REPORTS = "public reports";
const ESTIMATE = "estimate (no public figure found)";

export const LATENCIES = {
  clusterCreate: { type: "Microsoft.ContainerService/managedClusters", operation: "create", seconds: 600, source: `${REPORTS}: AKS create 5–15 min, sometimes 20–30` },
  clusterUpdate: { type: "Microsoft.ContainerService/managedClusters", operation: "update", seconds: 400, source: ESTIMATE },
  poolWrite: { type: "Microsoft.ContainerService/managedClusters/agentPools", operation: "create", seconds: 300, source: ESTIMATE },
  nodeImageUpgrade: { type: "Microsoft.ContainerService/managedClusters/agentPools", operation: "upgradeNodeImageVersion", seconds: 400, source: ESTIMATE },
  registry: { type: "Microsoft.ContainerRegistry/registries", operation: "create", seconds: 160, source: ESTIMATE },
  cacheRule: { type: "Microsoft.ContainerRegistry/registries/cacheRules", operation: "create", seconds: 80, source: ESTIMATE },
  virtualNetwork: { type: "Microsoft.Network/virtualNetworks", operation: "create", seconds: 60, source: ESTIMATE },
  subnet: { type: "Microsoft.Network/virtualNetworks/subnets", operation: "create", seconds: 35, source: "public report: a subnet's NSG association completing after 35 s (hashicorp/terraform-provider-azurerm#28112)" },
  networkSecurityGroup: { type: "Microsoft.Network/networkSecurityGroups", operation: "create", seconds: 60, source: ESTIMATE },
  securityRule: { type: "Microsoft.Network/networkSecurityGroups/securityRules", operation: "create", seconds: 40, source: ESTIMATE },
  privateEndpoint: { type: "Microsoft.Network/privateEndpoints", operation: "create", seconds: 45, source: `${REPORTS}: private endpoint more than 40 s` },
  privateDnsZoneGroup: { type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", operation: "create", seconds: 80, source: ESTIMATE },
  privateDnsZone: { type: "Microsoft.Network/privateDnsZones", operation: "create", seconds: 33, source: `${REPORTS}: private DNS zone about 33 s` },
  virtualNetworkLink: { type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks", operation: "create", seconds: 35, source: `${REPORTS}: VNet link about 35 s` },
  privateLinkScopeDelete: { type: "Microsoft.HybridCompute/privateLinkScopes", operation: "delete", seconds: 60, source: ESTIMATE },
  resourceGroupDelete: { type: "Microsoft.Resources/resourceGroups", operation: "delete", seconds: 120, source: ESTIMATE },
} as const satisfies Record<string, Latency>;

/** The stand-in's duration at timeScale 1, in ms. */
export const standInMs = (l: Latency): number => (l.seconds * 1000) / SPEEDUP;
