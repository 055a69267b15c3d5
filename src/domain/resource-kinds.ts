// Which adapter kind an ARM resource id is, from its type: a `delete` plan knows its resources only
// by the ids the deleted request recorded.
import type { ResourceKind } from "./step.js";

const BY_TYPE: Record<string, ResourceKind> = {
  "microsoft.containerservice/managedclusters": "managedCluster",
  "microsoft.containerservice/managedclusters/agentpools": "agentPool",
  "microsoft.network/virtualnetworks": "virtualNetwork",
  "microsoft.network/virtualnetworks/subnets": "subnet",
  "microsoft.network/networksecuritygroups": "networkSecurityGroup",
  "microsoft.network/networksecuritygroups/securityrules": "securityRule",
  "microsoft.network/privateendpoints": "privateEndpoint",
  "microsoft.network/privateendpoints/privatednszonegroups": "privateDnsZoneGroup",
  "microsoft.network/privatednszones": "privateDnsZone",
  "microsoft.network/privatednszones/virtualnetworklinks": "virtualNetworkLink",
  "microsoft.network/privatednszones/a": "aRecordSet",
  "microsoft.containerregistry/registries": "registry",
  "microsoft.containerregistry/registries/cacherules": "cacheRule",
  "microsoft.managedidentity/userassignedidentities": "userAssignedIdentity",
  "microsoft.authorization/roleassignments": "roleAssignment",
  "microsoft.hybridcompute/privatelinkscopes": "privateLinkScope",
  "microsoft.kubernetes/connectedclusters": "connectedCluster",
};

/** `…/providers/{Ns}/{type}/{name}[/{child}/{name}]` → the full type, of the last provider segment (extension resources). */
export function resourceTypeOf(id: string): string | undefined {
  const p = id.split("/").filter(Boolean);
  const at = p.map((x) => x.toLowerCase()).lastIndexOf("providers");
  if (at < 0) return p.length === 4 && p[2].toLowerCase() === "resourcegroups" ? "Microsoft.Resources/resourceGroups" : undefined;
  const rest = p.slice(at + 1);
  if (rest.length < 3 || rest.length % 2 === 0) return undefined;
  return [rest[0], ...rest.slice(1).filter((_, i) => i % 2 === 0)].join("/");
}

export function resourceKindOf(id: string): ResourceKind | undefined {
  const type = resourceTypeOf(id)?.toLowerCase();
  if (type === "microsoft.resources/resourcegroups") return "resourceGroup";
  return type ? BY_TYPE[type] : undefined;
}

/** Whether `id` is `ancestor` or lies under it (children, extension resources), ignoring case. */
export const isSameOrUnder = (id: string, ancestor: string): boolean => {
  const a = ancestor.toLowerCase().replace(/\/+$/, "");
  const i = id.toLowerCase();
  return i === a || i.startsWith(`${a}/`);
};
