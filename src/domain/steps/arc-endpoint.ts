// The Azure Arc private link scope and its private endpoint (procedure: "Create an Azure Arc
// Private Link Scope", "Create a private endpoint").
import type { HybridComputePrivateLinkScope } from "@azure/arm-hybridcompute";
import type { PrivateEndpoint } from "@azure/arm-network";
import type { StepDef } from "../step.js";
import { networkFactsOf } from "./arc-check.js";
import { ARC_GROUP_ID, ARC_STEP, type ArcIds, type ArcRequest } from "./arc-names.js";
import { isSubset, putStep } from "./put-step.js";

/** The names the troubleshooting section says must resolve to private IPs in the VNet. */
export const ARC_CHECK_FQDNS = ["gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"];

/** The scope body (HybridComputePrivateLinkScope: this model keeps its `properties` envelope). */
export function scopeBody(req: ArcRequest): HybridComputePrivateLinkScope {
  return { location: req.scope.location, tags: req.tags, properties: { publicNetworkAccess: req.scope.publicNetworkAccess ? "Enabled" : "Disabled" } };
}

export function scopeStep(req: ArcRequest, ids: ArcIds): StepDef {
  return putStep({
    name: ARC_STEP.scope,
    dependsOn: [ARC_STEP.check],
    describe: `Azure Arc private link scope ${req.scope.name} in ${req.scope.location}, public network access ${req.scope.publicNetworkAccess ? "Enabled" : "Disabled"}`,
    kind: "privateLinkScope",
    resourceId: ids.scope,
    id: () => ids.scope,
    body: () => scopeBody(req),
    outputs: () => ({ privateLinkScopeId: ids.scope }),
  });
}

/** The endpoint lives in the VNet's region (a limit of the procedure), which the first check step read. */
export function endpointBody(req: ArcRequest, ids: ArcIds, vnetLocation: string): PrivateEndpoint {
  return {
    location: vnetLocation,
    tags: req.tags,
    subnet: { id: ids.subnet },
    privateLinkServiceConnections: [{ name: `${req.scope.name}-connection`, privateLinkServiceId: ids.scope, groupIds: [ARC_GROUP_ID] }],
  };
}

export interface DnsRecord {
  fqdn: string;
  ipAddresses: string[];
}

/** The endpoint's FQDN → private IP table (its customDnsConfigs); a name without an IP is left out: no empty records. */
export function recordTable(pe: PrivateEndpoint | undefined): DnsRecord[] {
  return (pe?.customDnsConfigs ?? [])
    .map((d) => ({ fqdn: String(d.fqdn ?? ""), ipAddresses: (d.ipAddresses ?? []).filter(Boolean) }))
    .filter((d) => d.fqdn && d.ipAddresses.length);
}

/**
 * The troubleshooting names with the private IP each should resolve to (null while unknown). The
 * endpoint lists the data plane under its regional name ({region}.dp.kubernetesconfiguration.azure.com),
 * so a name also matches a record one label below it.
 */
export function mustResolve(records: DnsRecord[]): Record<string, string | null> {
  const ipOf = (name: string) => (records.find((r) => r.fqdn === name) ?? records.find((r) => r.fqdn.endsWith(`.${name}`)))?.ipAddresses[0];
  return Object.fromEntries(ARC_CHECK_FQDNS.map((f) => [f, ipOf(f) ?? null]));
}

export function endpointStep(req: ArcRequest, ids: ArcIds): StepDef {
  const { network, privateEndpoint } = req;
  return putStep({
    name: ARC_STEP.endpoint,
    dependsOn: [ARC_STEP.scope],
    describe: `private endpoint ${privateEndpoint.name} to the scope (group ${ARC_GROUP_ID}) in ${network.vnetName}/${network.subnetName}, in the VNet's region`,
    kind: "privateEndpoint",
    resourceId: ids.endpoint,
    id: () => ids.endpoint,
    body: (ctx) => endpointBody(req, ids, networkFactsOf(ctx).vnetLocation ?? ""),
    // Done only once the endpoint has its DNS configuration (the record table comes from it).
    satisfied: (actual, desired) => isSubset(desired, actual) && recordTable(actual).length > 0,
    outputs: (_ctx, pe) => {
      const records = recordTable(pe);
      return {
        privateEndpointId: ids.endpoint,
        ...(privateEndpoint.dns === "manual" ? { dnsRecordsToConfigure: records } : {}),
        mustResolveToPrivateIps: mustResolve(records),
      };
    },
  });
}
