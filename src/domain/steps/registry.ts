// Steps 2-4 of the BYO ACR chain (network-isolated procedure): the Premium registry and its cache
// rule, the private endpoint and the private IPs of its two members, the privatelink.azurecr.io
// zone, its VNet link and the two A records. Shared by `create` and by the operations that bring a
// registry to an existing cluster (plans/existing.ts).
import type { CacheRule, Registry } from "@azure/arm-containerregistry";
import type { NetworkInterface, PrivateEndpoint } from "@azure/arm-network";
import type { PrivateZone, RecordSet, VirtualNetworkLink } from "@azure/arm-privatedns";
import { providerId } from "../naming.js";
import { defineStep, type Decision, type StepContext, type StepDef } from "../step.js";
import { lastSegment, STEP } from "./byo-names.js";
import { overExisting, putStep } from "./put-step.js";

export const REGISTRY_ZONE = "privatelink.azurecr.io";
/** The procedure's cache rule: `az acr cache create -n acr-cache-rule --source-repo "mcr.microsoft.com/*" --target-repo "*"`. */
export const DEFAULT_CACHE_RULE = { name: "acr-cache-rule", sourceRepository: "mcr.microsoft.com/*", targetRepository: "*" } as const;
/** `az network private-dns record-set a create` makes record sets with a TTL of 3600 s. */
export const RECORD_TTL = 3600;

/** What the registry chain needs to know; lazy where an existing cluster's facts decide it. */
export interface RegistryChain {
  sub: string;
  /** Resource group of the private endpoint and the private DNS zone (the network's). */
  networkRg: string;
  registryName: string;
  registryId: string;
  registry: { anonymousPullEnabled: boolean; cacheRule?: { name: string; sourceRepository: string; targetRepository: string } };
  tags?: Record<string, string>;
  location: (ctx: StepContext) => string;
  vnetId: (ctx: StepContext) => string;
  registrySubnetId: (ctx: StepContext) => string;
  /** Steps the registry (and, unless zoneDependsOn is given, the zone) waits for: resource groups, providers, the cluster read. */
  dependsOn: string[];
  /** Steps the private DNS zone waits for (default: dependsOn). */
  zoneDependsOn?: string[];
  /** The step after which the registry subnet exists. */
  networkStep: string;
  /** What the request itself says (a create), so that the plan names the resources before they run. */
  known?: { location: string; vnetId: string };
}

const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

export const privateEndpointId = (sub: string, networkRg: string, registryName: string) => providerId(sub, networkRg, "Microsoft.Network/privateEndpoints", `pe-${registryName}`);
export const registryZoneId = (sub: string, networkRg: string) => providerId(sub, networkRg, "Microsoft.Network/privateDnsZones", REGISTRY_ZONE);

/** The private IP of one private link member (`registry`, `registry_data_{location}`) on the endpoint's NIC. */
export function memberIp(nic: NetworkInterface | undefined, member: string): string | undefined {
  return (nic?.ipConfigurations ?? []).find((c) => same(c.privateLinkConnectionProperties?.requiredMemberName, member))?.privateIPAddress;
}

export function registrySteps(o: RegistryChain): StepDef[] {
  const rule = o.registry.cacheRule ?? DEFAULT_CACHE_RULE;
  const ruleId = `${o.registryId}/cacheRules/${rule.name}`;
  const peId = privateEndpointId(o.sub, o.networkRg, o.registryName);
  const zoneId = registryZoneId(o.sub, o.networkRg);
  const linkId = (ctx: StepContext) => `${zoneId}/virtualNetworkLinks/link-${lastSegment(o.vnetId(ctx))}`;
  const knownVnet = o.known && lastSegment(o.known.vnetId);
  const location = o.known?.location ?? "{the cluster's location}";

  // Step 2: `az acr create --sku Premium --public-network-enabled false`, `az acr update --anonymous-pull-enabled true`.
  const registry = putStep({
    name: STEP.registry,
    dependsOn: o.dependsOn,
    describe: `Premium registry ${o.registryName}: public network access disabled, anonymous pull ${o.registry.anonymousPullEnabled ? "enabled" : "disabled"}`,
    kind: "registry",
    resourceId: o.registryId,
    id: () => o.registryId,
    body: (ctx): Registry => ({ location: o.location(ctx), tags: o.tags, sku: { name: "Premium" }, publicNetworkAccess: "Disabled", anonymousPullEnabled: o.registry.anonymousPullEnabled }),
    merge: overExisting,
    outputs: (_ctx, r) => ({ registryId: o.registryId, registryLoginServer: r?.loginServer }),
  });
  const cache = putStep({
    name: STEP.cacheRule,
    dependsOn: [STEP.registry],
    describe: `cache rule ${rule.name}: ${rule.sourceRepository} → ${rule.targetRepository}`,
    kind: "cacheRule",
    resourceId: ruleId,
    id: () => ruleId,
    body: (): CacheRule => ({ sourceRepository: rule.sourceRepository, targetRepository: rule.targetRepository }),
    outputs: () => ({ registryCacheRuleId: ruleId }),
  });

  // Step 3: `az network private-endpoint create --group-id registry` in the registry subnet.
  const endpoint = putStep({
    name: STEP.endpoint,
    dependsOn: [STEP.registry, o.networkStep],
    describe: `private endpoint pe-${o.registryName} to the registry (group registry) in the registry subnet`,
    kind: "privateEndpoint",
    resourceId: peId,
    id: () => peId,
    body: (ctx): PrivateEndpoint => ({
      location: o.location(ctx),
      tags: o.tags,
      subnet: { id: o.registrySubnetId(ctx) },
      privateLinkServiceConnections: [{ name: `${o.registryName}-connection`, privateLinkServiceId: o.registryId, groupIds: ["registry"] }],
    }),
    // Ours when it is in our subnet, connects to our registry's `registry` group and has its NIC.
    satisfied: (a, d) =>
      same(a.subnet?.id, d.subnet?.id) &&
      (a.privateLinkServiceConnections ?? []).some((c) => same(c.privateLinkServiceId, o.registryId) && (c.groupIds ?? []).some((g) => same(g, "registry"))) &&
      !!a.networkInterfaces?.length,
    outputs: (_ctx, r) => ({ registryEndpointId: peId, registryEndpointNicId: r?.networkInterfaces?.[0]?.id }),
  });
  // Step 3 (cont.): the NIC's IPs for members `registry` and `registry_data_{location}` (a read, no write).
  const ips = defineStep({
    name: STEP.endpointIps,
    dependsOn: [STEP.endpoint],
    describe: `read the endpoint's network interface: private IPs of members registry and registry_data_${location} (no write)`,
    reads: (ctx) => [{ kind: "networkInterface", id: ctx.outputs[STEP.endpoint].registryEndpointNicId as string }],
    decide(ctx, [nic]): Decision {
      const dataMember = `registry_data_${o.location(ctx)}`;
      const registryIp = memberIp(nic, "registry");
      const dataIp = memberIp(nic, dataMember);
      if (!nic) return { do: "fail", code: "NetworkInterfaceNotFound", message: `the private endpoint's network interface ${ctx.outputs[STEP.endpoint].registryEndpointNicId} was not found` };
      if (!registryIp || !dataIp) return { do: "fail", code: "PrivateEndpointIpsMissing", message: `the endpoint's NIC has no IP for member ${registryIp ? dataMember : "registry"}` };
      return { do: "done", resourceId: nic.id, outputs: { registryPrivateIp: registryIp, registryDataPrivateIp: dataIp } };
    },
  });

  // Step 4: the zone (global), its link to the VNet with registration disabled, and the records.
  const zone = putStep({
    name: STEP.zone,
    dependsOn: o.zoneDependsOn ?? o.dependsOn,
    describe: `private DNS zone ${REGISTRY_ZONE}`,
    kind: "privateDnsZone",
    resourceId: zoneId,
    id: () => zoneId,
    body: (): PrivateZone => ({ location: "global", tags: o.tags }),
    outputs: () => ({ registryDnsZoneId: zoneId }),
  });
  const link = putStep({
    name: STEP.link,
    dependsOn: [STEP.zone, o.networkStep],
    describe: knownVnet ? `VNet link link-${knownVnet} of ${REGISTRY_ZONE} to VNet ${knownVnet} (registration disabled)` : `VNet link link-{VNet} of ${REGISTRY_ZONE} to the cluster's VNet (registration disabled)`,
    kind: "virtualNetworkLink",
    resourceId: knownVnet ? `${zoneId}/virtualNetworkLinks/link-${knownVnet}` : undefined,
    id: linkId,
    body: (ctx): VirtualNetworkLink => ({ location: "global", tags: o.tags, virtualNetwork: { id: o.vnetId(ctx) }, registrationEnabled: false }),
  });
  // Explicit A records, not a private DNS zone group on the endpoint. Both would write the same two
  // records; explicit records because:
  // - they are the procedure's step 4, record by record (`record-set a create` / `add-record`), so
  //   what this app writes is what the document reviewer expects to find, under the names it gives;
  // - each record is a step with its own id in the status document, and a re-run compares each one
  //   (name and IP) instead of trusting a zone group to have done it;
  // - the endpoint's two member IPs become request outputs, which the user needs anyway (on-premises
  //   DNS forwarders, firewall rules).
  // The cost: if the endpoint were re-created with other IPs, a zone group would follow and these do
  // not; a re-run of the request fixes them (the IPs step reads the NIC again). Never both: a zone
  // group would fight the explicit records over the same names.
  const record = (name: string, relative: (ctx: StepContext) => string, what: string, ipKey: "registryPrivateIp" | "registryDataPrivateIp"): StepDef =>
    putStep({
      name,
      dependsOn: [STEP.zone, STEP.endpointIps],
      describe: `A record ${what} in ${REGISTRY_ZONE} → the endpoint's ${ipKey === "registryPrivateIp" ? "registry" : "data endpoint"} IP`,
      kind: "aRecordSet",
      resourceId: o.known || ipKey === "registryPrivateIp" ? `${zoneId}/A/${what}` : undefined,
      id: (ctx) => `${zoneId}/A/${relative(ctx)}`,
      body: (ctx): RecordSet => ({ ttl: RECORD_TTL, aRecords: [{ ipv4Address: ctx.outputs[STEP.endpointIps][ipKey] as string }] }),
      // Exactly the endpoint's IP: a stale second address would send pulls to a dead endpoint.
      satisfied: (a, d) => a.aRecords?.length === 1 && a.aRecords[0].ipv4Address === d.aRecords?.[0].ipv4Address,
    });
  return [
    registry,
    cache,
    endpoint,
    ips,
    zone,
    link,
    record(STEP.recordRegistry, () => o.registryName, o.registryName, "registryPrivateIp"),
    record(STEP.recordData, (ctx) => `${o.registryName}.${o.location(ctx)}.data`, `${o.registryName}.${location}.data`, "registryDataPrivateIp"),
  ];
}
