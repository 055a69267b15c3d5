// Which behaviour each resource type has. A type not listed is a plain stored resource: PUT/GET/
// DELETE/list work for it, synchronously, with no extra checks.
import { roleAssignments } from "./authorization.js";
import { agentPools, agentPoolUpgradeProfiles, clusterUpgradeProfiles, managedClusters } from "./containerservice.js";
import { cacheRules, registries } from "./containerregistry.js";
import { privateLinkScopes } from "./hybridcompute.js";
import { connectedClusters } from "./kubernetes.js";
import { userAssignedIdentities } from "./managedidentity.js";
import { networkInterfaces, networkSecurityGroups, privateDnsZoneGroups, privateEndpoints, securityRules, subnets, virtualNetworks } from "./network.js";
import { allRecordSets, privateDnsZones, RECORD_TYPES, recordSets, virtualNetworkLinks } from "./privatedns.js";
import { groupResources, resourceGroups } from "./resources.js";
import type { Behaviour } from "./types.js";

const BEHAVIOURS: Record<string, Behaviour> = {
  "Microsoft.Resources/resourceGroups": resourceGroups,
  "Microsoft.Resources/resources": groupResources,
  "Microsoft.ContainerService/managedClusters": managedClusters,
  "Microsoft.ContainerService/managedClusters/agentPools": agentPools,
  "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles": agentPoolUpgradeProfiles,
  "Microsoft.ContainerService/managedClusters/upgradeProfiles": clusterUpgradeProfiles,
  "Microsoft.Network/virtualNetworks": virtualNetworks,
  "Microsoft.Network/virtualNetworks/subnets": subnets,
  "Microsoft.Network/networkSecurityGroups": networkSecurityGroups,
  "Microsoft.Network/networkSecurityGroups/securityRules": securityRules,
  "Microsoft.Network/networkInterfaces": networkInterfaces,
  "Microsoft.Network/privateEndpoints": privateEndpoints,
  "Microsoft.Network/privateEndpoints/privateDnsZoneGroups": privateDnsZoneGroups,
  "Microsoft.Network/privateDnsZones": privateDnsZones,
  "Microsoft.Network/privateDnsZones/virtualNetworkLinks": virtualNetworkLinks,
  "Microsoft.Network/privateDnsZones/ALL": allRecordSets,
  ...Object.fromEntries(RECORD_TYPES.map((t) => [`Microsoft.Network/privateDnsZones/${t}`, recordSets])),
  "Microsoft.ContainerRegistry/registries": registries,
  "Microsoft.ContainerRegistry/registries/cacheRules": cacheRules,
  "Microsoft.ManagedIdentity/userAssignedIdentities": userAssignedIdentities,
  "Microsoft.Authorization/roleAssignments": roleAssignments,
  "Microsoft.HybridCompute/privateLinkScopes": privateLinkScopes,
  "Microsoft.Kubernetes/connectedClusters": connectedClusters,
};

const BY_KEY = new Map(Object.entries(BEHAVIOURS).map(([type, b]) => [type.toLowerCase(), { type, b }]));

export const behaviourOf = (type: string): Behaviour => BY_KEY.get(type.toLowerCase())?.b ?? {};

/** The type's usual spelling (whatever casing the request path used). */
export const canonicalType = (type: string): string => BY_KEY.get(type.toLowerCase())?.type ?? type;
