// Microsoft.HybridCompute/privateLinkScopes: the Azure Arc private link scope. Its create is
// synchronous in the API (the SDK's createOrUpdate is no LRO), so the stand-in answers Succeeded at
// once. As a private link target (group "hybridcompute") its endpoint gets one IP per Arc service
// FQDN; the records belong in privatelink.his.arc.azure.com, privatelink.guestconfiguration.azure.com
// and privatelink.dp.kubernetesconfiguration.azure.com.
import { randomUUID } from "node:crypto";
import { badRequest } from "../errors.js";
import { endpointConnections } from "./network.js";
import type { Behaviour, PrivateLinkMember } from "./types.js";
import { LATENCIES, standInMs } from "../latencies.js";

/**
 * The Arc endpoints a private endpoint to a scope serves. The FQDNs are the documented ones; the
 * member names are the stand-in's own labels (nothing in the app depends on them).
 */
export function arcMembers(location: string): PrivateLinkMember[] {
  const l = location.toLowerCase().replace(/\s+/g, "");
  return [
    { member: "HybridCompute.Global", fqdn: "gbl.his.arc.azure.com" },
    { member: `HybridCompute.${l}`, fqdn: `${l}.his.arc.azure.com` },
    { member: "GuestConfiguration.Global", fqdn: "agentserviceapi.guestconfiguration.azure.com" },
    { member: `GuestConfiguration.${l}`, fqdn: `${l}-gas.guestconfiguration.azure.com` },
    { member: `KubernetesConfiguration.${l}`, fqdn: `${l}.dp.kubernetesconfiguration.azure.com` },
  ];
}

export const privateLinkScopes: Behaviour = {
  // PrivateLinkScopes_Delete is long-running (x-ms-long-running-operation), the create is not.
  deleteMs: standInMs(LATENCIES.privateLinkScopeDelete),
  write(_ctx, { resource, existing }) {
    const p = resource.properties;
    p.publicNetworkAccess ??= "Disabled";
    if (!["Enabled", "Disabled"].includes(p.publicNetworkAccess)) throw badRequest("InvalidParameter", `publicNetworkAccess must be 'Enabled' or 'Disabled', not '${p.publicNetworkAccess}'.`);
    p.privateLinkScopeId = existing?.properties.privateLinkScopeId ?? randomUUID();
  },
  view(ctx, r) {
    return { ...r, properties: { ...r.properties, privateEndpointConnections: endpointConnections(ctx, r) } };
  },
  privateLinkMembers(_ctx, scope, groupId) {
    if (groupId.toLowerCase() !== "hybridcompute") throw badRequest("PrivateEndpointBadRequest", `Group id '${groupId}' is not valid for ${scope.id}: the only group is 'hybridcompute'.`);
    return arcMembers(scope.location ?? "");
  },
};
