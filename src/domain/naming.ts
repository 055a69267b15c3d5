// Deterministic names and resource ids: the same request always names the same resources, so a
// re-run or a redelivered message writes to the same ids instead of creating new ones.
import { createHash } from "node:crypto";

export const rgId = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;
export const providerId = (sub: string, rg: string, type: string, name: string) => `${rgId(sub, rg)}/providers/${type}/${name}`;
export const clusterId = (sub: string, rg: string, name: string) => providerId(sub, rg, "Microsoft.ContainerService/managedClusters", name);
export const agentPoolId = (cluster: string, pool: string) => `${cluster}/agentPools/${pool}`;
export const subnetResourceId = (vnetId: string, subnet: string) => `${vnetId}/subnets/${subnet}`;

/** Built-in role definition ids (the same GUID in every tenant). */
export const ROLE = {
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  NetworkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
} as const;
export const roleDefinitionId = (sub: string, role: string) => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${role}`;

/**
 * Role assignment names must be GUIDs. Deriving the GUID from (scope, principal, role) makes the
 * assignment idempotent: a re-run PUTs the same name instead of failing with RoleAssignmentExists.
 * Name-based UUID (version 5 layout over SHA-1), as `az role assignment create` users do by hand.
 */
export function roleAssignmentName(scope: string, principalId: string, role: string): string {
  return nameGuid(`${scope.toLowerCase()}|${principalId.toLowerCase()}|${role.toLowerCase()}`);
}

export function nameGuid(text: string): string {
  const h = createHash("sha1").update(text).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}/...` (case-insensitive keys). */
export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string; segments: string[] } {
  const parts = id.split("/").filter(Boolean);
  const at = (key: string) => {
    const i = parts.findIndex((p) => p.toLowerCase() === key);
    return i >= 0 ? parts[i + 1] : "";
  };
  return { subscriptionId: at("subscriptions"), resourceGroup: at("resourcegroups"), name: parts[parts.length - 1] ?? "", segments: parts };
}

export const sameId = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
