// Azure Arc-enabled Kubernetes private link (Arc private link procedure): the scope, its private
// endpoint in the VNet, private DNS (or the record table for on-premises DNS), the NSG rules for the
// service tags, and the association of the connected clusters. Two read-only checks run first and
// every write depends on them, so a request that breaks a documented limit writes nothing.
import type { ClusterRequest } from "../contract.js";
import { providerId, subnetResourceId } from "../naming.js";
import type { Decision, Plan, Resource, StepContext, StepDef } from "../step.js";
import { putStep } from "../steps/put-step.js";

type ArcRequest = Extract<ClusterRequest, { operation: "arcPrivateLink" }>;

/** Private DNS zones of the Arc endpoints (Azure's private endpoint DNS zone values for Azure Arc). */
export const ARC_ZONES = ["privatelink.his.arc.azure.com", "privatelink.guestconfiguration.azure.com", "privatelink.dp.kubernetesconfiguration.azure.com"];
/** The names that must resolve to private IPs (the procedure's troubleshooting section). */
export const ARC_CHECK_FQDNS = ["gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"];

/** The procedure's NSG table: outbound TCP 443 from VirtualNetwork to each service tag. */
export const ARC_NSG_RULES = [
  { name: "AllowAADOutboundAccess", tag: "AzureActiveDirectory", priority: 150, direction: "Outbound" },
  { name: "AllowAzOutboundAccess", tag: "AzureResourceManager", priority: 151, direction: "Outbound" },
  { name: "AllowAzureFrontDoorFirstPartyAccess", tag: "AzureFrontDoor.FirstParty", priority: 152, direction: "Outbound" },
  // "Allow (both inbound and outbound)": a rule has one direction and names are unique per NSG, so
  // the inbound half is its own rule, at the same priority in the other direction.
  { name: "AllowAzureFrontDoorFirstPartyAccessInbound", tag: "AzureFrontDoor.FirstParty", priority: 152, direction: "Inbound" },
  { name: "AllowMCROutboundAccess", tag: "MicrosoftContainerRegistry", priority: 153, direction: "Outbound" },
] as const;

export function ruleBody(r: (typeof ARC_NSG_RULES)[number]): Record<string, unknown> {
  const outbound = r.direction === "Outbound";
  return {
    protocol: "Tcp",
    sourceAddressPrefix: outbound ? "VirtualNetwork" : r.tag,
    sourcePortRange: "*",
    destinationAddressPrefix: outbound ? r.tag : "VirtualNetwork",
    destinationPortRange: "443",
    access: "Allow",
    priority: r.priority,
    direction: r.direction,
  };
}

const NETWORK_CHECK = "arc:check:network";
const CHECK = "arc:check";
const SCOPE = "arc:scope";
const ENDPOINT = "arc:privateEndpoint";
const ZONE_GROUP = "arc:dnsZoneGroup";
const HYBRID_SCOPES = "/providers/microsoft.hybridcompute/privatelinkscopes/";

export function planArcPrivateLink(req: ArcRequest): Plan {
  const { scope, network, privateEndpoint, connectedClusters } = req;
  const sub = scope.subscriptionId;
  const scopeId = providerId(sub, scope.resourceGroup, "Microsoft.HybridCompute/privateLinkScopes", scope.name);
  const vnetId = providerId(sub, network.resourceGroup, "Microsoft.Network/virtualNetworks", network.vnetName);
  const subnetId = subnetResourceId(vnetId, network.subnetName);
  const nsgId = network.nsgName ? providerId(sub, network.resourceGroup, "Microsoft.Network/networkSecurityGroups", network.nsgName) : undefined;
  const peId = providerId(sub, network.resourceGroup, "Microsoft.Network/privateEndpoints", privateEndpoint.name);
  const clusterIds = connectedClusters.map((c) => providerId(sub, c.resourceGroup, "Microsoft.Kubernetes/connectedClusters", c.name));
  const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

  const networkCheck: StepDef = {
    name: NETWORK_CHECK,
    dependsOn: [],
    describe: `read VNet ${network.vnetName}: subnet, region, private endpoints already in it (no write)`,
    resourceId: vnetId,
    reads: () => [{ kind: "virtualNetwork", id: vnetId }],
    decide(_ctx, [vnet]): Decision {
      if (!vnet) return { do: "fail", code: "ArcPrivateLinkLimit", message: `network.vnetName: VNet ${vnetId} does not exist` };
      const subnet = (vnet.subnets ?? []).find((s: Resource) => same(s.name, network.subnetName));
      if (!subnet) return { do: "fail", code: "ArcPrivateLinkLimit", message: `network.subnetName: VNet ${network.vnetName} has no subnet ${network.subnetName}` };
      const endpoints = (vnet.subnets ?? []).flatMap((s: Resource) => (s.privateEndpoints ?? []).map((e: Resource) => e.id as string)).filter((id: string) => !same(id, peId));
      return { do: "done", resourceId: vnetId, outputs: { vnetLocation: vnet.location, endpointsInVnet: endpoints } };
    },
  };

  const check: StepDef = {
    name: CHECK,
    dependsOn: [NETWORK_CHECK],
    describe: "check the documented limits: one scope per VNet, one scope per cluster, clusters in the scope's region, NSG priorities free and below any deny-internet rule (no write)",
    resourceId: scopeId,
    reads: (ctx) => [
      ...clusterIds.map((id) => ({ kind: "connectedCluster" as const, id })),
      ...(nsgId ? [{ kind: "networkSecurityGroup" as const, id: nsgId }] : []),
      ...((ctx.outputs[NETWORK_CHECK].endpointsInVnet as string[]) ?? []).map((id) => ({ kind: "privateEndpoint" as const, id })),
    ],
    decide(ctx, current): Decision {
      const clusters = current.slice(0, clusterIds.length);
      const nsg = nsgId ? current[clusterIds.length] : undefined;
      const endpoints = current.slice(clusterIds.length + (nsgId ? 1 : 0));
      const problems: string[] = [];
      for (const pe of endpoints) {
        const target = (pe?.privateLinkServiceConnections ?? []).map((c: Resource) => String(c.privateLinkServiceId ?? "")).find((t: string) => t.toLowerCase().includes(HYBRID_SCOPES));
        if (target && !same(target, scopeId)) problems.push(`network.vnetName: VNet ${network.vnetName} already has a private endpoint (${pe!.name}) to another Azure Arc private link scope (${target}); one scope per VNet`);
      }
      clusters.forEach((c, i) => {
        if (!c) return; // not onboarded yet: the outputs carry its connect command
        const other = c.properties?.privateLinkScopeResourceId;
        if (other && !same(other, scopeId)) problems.push(`connectedClusters[${i}]: ${c.name} is already associated with scope ${other}; a cluster connects to one scope only`);
        if (c.location && c.location !== scope.location) problems.push(`connectedClusters[${i}]: ${c.name} is in ${c.location}, the scope in ${scope.location}; they must be in the same region`);
      });
      if (nsgId && !nsg) problems.push(`network.nsgName: network security group ${nsgId} does not exist`);
      for (const rule of nsg?.securityRules ?? []) {
        const mine = ARC_NSG_RULES.find((r) => same(r.name, rule.name));
        const clash = ARC_NSG_RULES.find((r) => r.priority === rule.priority && same(r.direction, rule.direction));
        if (clash && !mine) problems.push(`network.nsgName: rule ${rule.name} already uses priority ${rule.priority} (${rule.direction}), which ${clash.name} needs`);
        const deniesInternet = same(rule.access, "Deny") && same(rule.direction, "Outbound") && ["internet", "*", "0.0.0.0/0"].includes(String(rule.destinationAddressPrefix ?? "").toLowerCase());
        if (deniesInternet && rule.priority <= 153) problems.push(`network.nsgName: rule ${rule.name} denies internet traffic at priority ${rule.priority}; the Arc rules (150-153) must come before any such rule`);
      }
      if (problems.length) return { do: "fail", code: "ArcPrivateLinkLimit", message: problems.join("; ") };
      return { do: "done", resourceId: scopeId, outputs: { notOnboarded: clusterIds.filter((_, i) => !clusters[i]).map((id) => id.split("/").pop()) } };
    },
  };

  const scopeStep = putStep({
    name: SCOPE,
    dependsOn: [CHECK],
    describe: `Azure Arc private link scope ${scope.name} (public network access ${scope.publicNetworkAccess ? "enabled" : "disabled"})`,
    kind: "privateLinkScope",
    resourceId: scopeId,
    id: () => scopeId,
    body: () => ({ location: scope.location, tags: req.tags, properties: { publicNetworkAccess: scope.publicNetworkAccess ? "Enabled" : "Disabled" } }),
    outputs: () => ({ privateLinkScopeId: scopeId }),
  });

  const endpoint = putStep({
    name: ENDPOINT,
    dependsOn: [SCOPE],
    describe: `private endpoint ${privateEndpoint.name} to the scope (group hybridcompute) in ${network.vnetName}/${network.subnetName}, in the VNet's region`,
    kind: "privateEndpoint",
    resourceId: peId,
    id: () => peId,
    body: (ctx: StepContext) => ({
      location: ctx.outputs[NETWORK_CHECK].vnetLocation as string,
      tags: req.tags,
      subnet: { id: subnetId },
      privateLinkServiceConnections: [{ name: `${scope.name}-connection`, privateLinkServiceId: scopeId, groupIds: ["hybridcompute"] }],
    }),
    satisfied: (a) => !!a.customDnsConfigs?.length,
    outputs: (_ctx, pe) => {
      const records = (pe?.customDnsConfigs ?? []).map((d: Resource) => ({ fqdn: d.fqdn, ipAddresses: d.ipAddresses }));
      // The endpoint may list a regional name ({region}.dp.kubernetesconfiguration.azure.com).
      const ipOf = (fqdn: string) => records.find((r: { fqdn: string }) => r.fqdn === fqdn || r.fqdn.endsWith(`.${fqdn}`))?.ipAddresses?.[0];
      return {
        privateEndpointId: peId,
        ...(privateEndpoint.dns === "manual" ? { dnsRecordsToConfigure: records } : {}),
        mustResolveToPrivateIps: Object.fromEntries(ARC_CHECK_FQDNS.map((f) => [f, ipOf(f) ?? null])),
      };
    },
  });

  const steps: StepDef[] = [networkCheck, check, scopeStep, endpoint];
  if (privateEndpoint.dns === "azurePrivateDns") {
    const zoneId = (z: string) => providerId(sub, network.resourceGroup, "Microsoft.Network/privateDnsZones", z);
    for (const z of ARC_ZONES) {
      steps.push(
        putStep({ name: `dns:zone:${z}`, dependsOn: [CHECK], describe: `private DNS zone ${z}`, kind: "privateDnsZone", resourceId: zoneId(z), id: () => zoneId(z), body: () => ({ location: "global", tags: req.tags }) }),
        putStep({
          name: `dns:link:${z}`,
          dependsOn: [`dns:zone:${z}`],
          describe: `link ${z} to ${network.vnetName} (registration disabled)`,
          kind: "virtualNetworkLink",
          resourceId: `${zoneId(z)}/virtualNetworkLinks/link-${network.vnetName}`,
          id: () => `${zoneId(z)}/virtualNetworkLinks/link-${network.vnetName}`,
          body: () => ({ location: "global", tags: req.tags, virtualNetwork: { id: vnetId }, registrationEnabled: false }),
        }),
      );
    }
    // A zone group puts the endpoint's records into the zones and keeps them in step with it.
    const groupId = `${peId}/privateDnsZoneGroups/default`;
    steps.push(
      putStep({
        name: ZONE_GROUP,
        dependsOn: [ENDPOINT, ...ARC_ZONES.map((z) => `dns:zone:${z}`)],
        describe: "private DNS zone group: the endpoint's A records in the Arc zones",
        kind: "privateDnsZoneGroup",
        resourceId: groupId,
        id: () => groupId,
        body: () => ({ privateDnsZoneConfigs: ARC_ZONES.map((z) => ({ name: z.replace(/\./g, "-"), privateDnsZoneId: zoneId(z) })) }),
      }),
    );
  }
  if (nsgId)
    for (const r of ARC_NSG_RULES)
      steps.push(
        putStep({
          name: `nsg:${r.name}`,
          dependsOn: [CHECK],
          describe: `NSG rule ${r.name}: ${r.direction} TCP 443 ${r.direction === "Outbound" ? `to ${r.tag}` : `from ${r.tag}`}, priority ${r.priority}`,
          kind: "securityRule",
          resourceId: `${nsgId}/securityRules/${r.name}`,
          id: () => `${nsgId}/securityRules/${r.name}`,
          body: () => ruleBody(r),
        }),
      );
  clusterIds.forEach((id, i) =>
    steps.push({
      name: `associate:${connectedClusters[i].name}`,
      dependsOn: [SCOPE, ENDPOINT],
      describe: `associate connected cluster ${connectedClusters[i].name} with the scope (private link state enabled)`,
      resourceId: id,
      reads: () => [{ kind: "connectedCluster", id }],
      decide(_ctx, [c]): Decision {
        const name = connectedClusters[i].name;
        const command = `az connectedk8s connect -g ${connectedClusters[i].resourceGroup} -n ${name} -l ${scope.location} --enable-private-link true --private-link-scope-resource-id ${scopeId}`;
        if (!c) return { do: "done", outputs: { [`connectCommand:${name}`]: command } };
        if (same(c.properties?.privateLinkState, "Enabled") && same(c.properties?.privateLinkScopeResourceId, scopeId)) return { do: "done", resourceId: id };
        return { do: "put", ref: { kind: "connectedCluster", id }, body: { properties: { privateLinkState: "Enabled", privateLinkScopeResourceId: scopeId } } };
      },
    }),
  );
  return { steps, target: scopeId, warnings: ["Connect/Cluster Connect and custom locations are not supported on private-link clusters (procedure: current limitations)"] };
}
