// Microsoft.Network: virtual networks and subnets, network security groups and rules, private
// endpoints (with the NIC Azure creates for them) and their private DNS zone groups.
import { randomUUID } from "node:crypto";
import { ArmError, badRequest } from "../errors.js";
import { norm, parseId } from "../ids.js";
import type { Resource } from "../store.js";
import { upsertRecordSet } from "./privatedns.js";
import type { Behaviour, Ctx, PrivateLinkMember } from "./types.js";
import { LATENCIES, standInMs } from "../latencies.js";

// --- IPv4 ranges ----------------------------------------------------------------------------------

interface Range {
  start: number;
  end: number;
  bits: number;
}

const ipToInt = (ip: string): number | undefined => {
  const o = ip.split(".").map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
};
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

/** A CIDR range; an ArmError for what Azure refuses (bad syntax, host bits set). */
function cidr(prefix: string, owner: string): Range {
  const [ip, bitsText] = String(prefix).split("/");
  const start = ipToInt(ip ?? "");
  const bits = Number(bitsText);
  if (start === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw badRequest("InvalidAddressPrefixFormat", `Address prefix ${prefix} of resource ${owner} is not formatted correctly.`);
  const size = 2 ** (32 - bits);
  if (start % size !== 0)
    throw badRequest("InvalidCIDRNotation", `The address prefix ${prefix} in resource ${owner} has an invalid CIDR notation. For the given prefix length, the address prefix should be ${intToIp(start - (start % size))}/${bits}.`);
  return { start, end: start + size - 1, bits };
}
const inside = (outer: Range, inner: Range) => inner.start >= outer.start && inner.end <= outer.end;
const overlaps = (a: Range, b: Range) => a.start <= b.end && b.start <= a.end;
const prefixesOf = (subnet: { properties?: Record<string, any> }): string[] => {
  const p = subnet.properties ?? {};
  return p.addressPrefixes?.length ? p.addressPrefixes : p.addressPrefix ? [p.addressPrefix] : [];
};

// --- Virtual networks and subnets -----------------------------------------------------------------

const SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets";
const vnetOf = (subnetId: string) => subnetId.replace(/\/subnets\/[^/]+$/i, "");

/** Azure's checks for one subnet in its VNet: a valid prefix inside the address space, no overlap with a sibling. */
function checkSubnetRanges(vnet: Resource, name: string, prefixes: string[], siblings: { name: string; prefixes: string[] }[]): void {
  const spaces = (vnet.properties.addressSpace?.addressPrefixes ?? []).map((s: string) => cidr(s, vnet.id));
  for (const prefix of prefixes) {
    const range = cidr(prefix, `${vnet.id}/subnets/${name}`);
    if (range.bits > 29) throw badRequest("NetcfgInvalidSubnet", `Subnet '${name}' is not valid in virtual network '${vnet.name}': the smallest supported subnet is /29.`);
    if (!spaces.some((s: Range) => inside(s, range)))
      throw badRequest("NetcfgSubnetRangeOutsideVnet", `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnet.name}'.`);
    for (const sib of siblings)
      if (sib.name.toLowerCase() !== name.toLowerCase() && sib.prefixes.some((q) => overlaps(cidr(q, sib.name), range)))
        throw badRequest("NetcfgSubnetRangesOverlap", `Subnet '${name}' is not valid because its IP address range overlaps with that of an existing subnet '${sib.name}' in virtual network '${vnet.name}'.`);
  }
}

/** ARM's refusal to delete a subnet that something uses. */
function refuseSubnetInUse(ctx: Ctx, subnet: Resource): void {
  const user = subnetInUse(ctx, subnet.id);
  if (user) throw badRequest("InUseSubnetCannotBeDeleted", `Subnet ${subnet.name} is in use by ${user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`);
}

/**
 * The IP configurations AKS puts in a subnet, as ARM lists them on it: the nodes' VM scale set NICs
 * (in the cluster's node resource group) and, on an API server subnet, the internal load balancer's
 * frontend. They go when the cluster (and with it its node resource group) is deleted.
 */
function clusterIpConfigurations(ctx: Ctx, subnetId: string): { id: string }[] {
  const same = (id?: string) => !!id && norm(id) === norm(subnetId);
  return ctx.store.ofType("Microsoft.ContainerService/managedClusters").flatMap((c) => {
    const p = c.properties;
    const nodeRg = `/subscriptions/${parseId(c.id)!.sub}/resourceGroups/${p.nodeResourceGroup}`;
    const pools = (p.agentPoolProfiles ?? []).filter((pool: any) => same(pool.vnetSubnetID));
    const out = pools.map((pool: any) => ({
      id: `${nodeRg}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-${pool.name}-vmss/virtualMachines/0/networkInterfaces/aks-${pool.name}-vmss/ipConfigurations/ipconfig1`,
    }));
    if (same(p.apiServerAccessProfile?.subnetId)) out.push({ id: `${nodeRg}/providers/Microsoft.Network/loadBalancers/kube-apiserver/frontendIPConfigurations/kube-apiserver-frontend` });
    return out;
  });
}

/** What uses a subnet (Azure refuses to delete a subnet in use). */
function subnetInUse(ctx: Ctx, subnetId: string): string | undefined {
  const same = (id?: string) => !!id && norm(id) === norm(subnetId);
  for (const r of ctx.store.all()) {
    const t = r.type.toLowerCase();
    if (t === "microsoft.network/privateendpoints" && same(r.properties.subnet?.id)) return r.id;
    if (t === "microsoft.containerservice/managedclusters") {
      if (same(r.properties.apiServerAccessProfile?.subnetId) || (r.properties.agentPoolProfiles ?? []).some((p: any) => same(p.vnetSubnetID))) return r.id;
    }
  }
  return undefined;
}

/** Delegations as ARM returns them: with id, type and the actions the service is allowed. */
function completeDelegations(subnetId: string, delegations: any[] | undefined): any[] {
  return (delegations ?? []).map((d) => {
    const serviceName = d.properties?.serviceName ?? d.serviceName;
    return {
      name: d.name,
      id: `${subnetId}/delegations/${d.name}`,
      type: "Microsoft.Network/virtualNetworks/subnets/delegations",
      properties: { serviceName, actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"], provisioningState: "Succeeded" },
    };
  });
}

function subnetProperties(subnetId: string, props: Record<string, any>, existing?: Record<string, any>): Record<string, any> {
  return {
    // New subnets get network policies for private endpoints disabled (ARM's default since 2023).
    privateEndpointNetworkPolicies: "Disabled",
    privateLinkServiceNetworkPolicies: "Enabled",
    ...props,
    delegations: completeDelegations(subnetId, props.delegations ?? (props.delegations === undefined ? existing?.delegations : [])),
  };
}

export const virtualNetworks: Behaviour = {
  durations: { create: standInMs(LATENCIES.virtualNetwork) },
  busyCode: "AnotherOperationInProgress",
  write(ctx, { resource, existing, seeding }) {
    const p = resource.properties;
    for (const s of p.addressSpace?.addressPrefixes ?? []) cidr(s, resource.id);
    // Inline subnets become child resources. ARM treats the list as the whole set: a PUT that
    // leaves a subnet out deletes it (refused while something uses it).
    const inline: any[] = Array.isArray(p.subnets) ? p.subnets : [];
    delete p.subnets;
    const names = new Set<string>();
    for (const s of inline) {
      if (!s?.name) throw badRequest("InvalidRequestFormat", "Each subnet of a virtual network needs a name.");
      if (names.has(s.name.toLowerCase())) throw badRequest("DuplicateResourceName", `Subnet '${s.name}' appears more than once in virtual network '${resource.name}'.`);
      names.add(s.name.toLowerCase());
    }
    const asListed = inline.map((s) => ({ name: s.name as string, prefixes: prefixesOf(s) }));
    for (const s of asListed) checkSubnetRanges(resource, s.name, s.prefixes, asListed);
    const dropped = existing ? ctx.store.under(existing.id).filter((c) => c.type.toLowerCase() === SUBNET_TYPE.toLowerCase() && !names.has(c.name.toLowerCase())) : [];
    if (!seeding)
      for (const s of dropped) refuseSubnetInUse(ctx, s);
    return {
      onProvisioned(done) {
        for (const s of dropped) ctx.remove(s.id);
        for (const s of inline) {
          const id = `${done.id}/subnets/${s.name}`;
          const old = ctx.store.get(id);
          ctx.store.put({ ...(old ?? {}), id: old?.id ?? id, name: s.name, type: SUBNET_TYPE, properties: { ...subnetProperties(id, s.properties ?? {}, old?.properties), provisioningState: "Succeeded" } });
        }
      },
    };
  },
  checkDelete(ctx, vnet) {
    for (const s of ctx.store.under(vnet.id)) if (s.type.toLowerCase() === SUBNET_TYPE.toLowerCase()) refuseSubnetInUse(ctx, s);
  },
  view(ctx, r) {
    const subnets = ctx.store
      .under(r.id)
      .filter((c) => c.type.toLowerCase() === SUBNET_TYPE.toLowerCase())
      .map((s) => {
        const v = ctx.view(s);
        return { id: v.id, name: v.name, type: v.type, properties: v.properties };
      });
    return { ...r, properties: { ...r.properties, subnets, virtualNetworkPeerings: r.properties.virtualNetworkPeerings ?? [], enableDdosProtection: r.properties.enableDdosProtection ?? false } };
  },
};

export const subnets: Behaviour = {
  durations: { create: standInMs(LATENCIES.subnet) },
  busyCode: "AnotherOperationInProgress",
  // The network RP serialises subnet writes per VNet: parallel PUTs of two subnets of one VNet get
  // 409 AnotherOperationInProgress (the well-known reason templates create subnets one by one).
  locksParent: true,
  write(ctx, { resource, existing }) {
    const vnet = ctx.store.get(vnetOf(resource.id))!;
    const siblings = ctx.store
      .under(vnet.id)
      .filter((c) => c.type.toLowerCase() === SUBNET_TYPE.toLowerCase())
      .map((c) => ({ name: c.name, prefixes: prefixesOf(c) }));
    const prefixes = prefixesOf(resource);
    if (!prefixes.length) throw badRequest("NetcfgInvalidSubnet", `Subnet '${resource.name}' is not valid in virtual network '${vnet.name}': it has no address prefix.`);
    checkSubnetRanges(vnet, resource.name, prefixes, siblings);
    resource.properties = subnetProperties(resource.id, resource.properties, existing?.properties);
  },
  checkDelete: refuseSubnetInUse,
  view(ctx, r) {
    const endpoints = ctx.store.ofType("Microsoft.Network/privateEndpoints").filter((e) => norm(e.properties.subnet?.id ?? "") === norm(r.id));
    const ipConfigurations = [
      ...ctx.store
        .ofType("Microsoft.Network/networkInterfaces")
        .flatMap((n) => (n.properties.ipConfigurations ?? []).filter((c: any) => norm(c.properties?.subnet?.id ?? "") === norm(r.id)).map((c: any) => ({ id: c.id }))),
      ...clusterIpConfigurations(ctx, r.id),
    ];
    return { ...r, properties: { ...r.properties, ...(endpoints.length ? { privateEndpoints: endpoints.map((e) => ({ id: e.id })) } : {}), ...(ipConfigurations.length ? { ipConfigurations } : {}) } };
  },
};

// --- Network security groups ----------------------------------------------------------------------

const RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules";

function checkRule(nsg: string, name: string, p: Record<string, any>): void {
  const priority = Number(p.priority);
  if (!Number.isInteger(priority) || priority < 100 || priority > 4096)
    throw badRequest("SecurityRuleInvalidPriority", `Security rule ${name} has invalid priority ${p.priority}. Value provided: ${p.priority} Allowed range 100-4096.`);
  if (!["Inbound", "Outbound"].includes(p.direction)) throw badRequest("SecurityRuleInvalidDirection", `Security rule ${name} has invalid direction ${p.direction} in ${nsg}.`);
  if (!["Allow", "Deny"].includes(p.access)) throw badRequest("SecurityRuleInvalidAccess", `Security rule ${name} has invalid access ${p.access} in ${nsg}.`);
  if (!["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"].includes(p.protocol)) throw badRequest("SecurityRuleInvalidProtocol", `Security rule ${name} has invalid protocol ${p.protocol} in ${nsg}.`);
}

function checkNoConflict(rules: { name: string; properties: Record<string, any> }[]): void {
  for (let i = 0; i < rules.length; i++)
    for (let j = i + 1; j < rules.length; j++) {
      const [a, b] = [rules[i], rules[j]];
      if (Number(a.properties.priority) === Number(b.properties.priority) && a.properties.direction === b.properties.direction)
        throw badRequest("SecurityRuleConflict", `Security rule ${b.name} conflicts with rule ${a.name}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.`);
    }
}

/** The six rules every NSG has (read-only, lowest precedence). */
function defaultRules(nsgId: string): any[] {
  const rule = (name: string, direction: string, priority: number, access: string, src: string, dst: string, description: string) => ({
    name,
    id: `${nsgId}/defaultSecurityRules/${name}`,
    type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
    properties: { provisioningState: "Succeeded", description, protocol: "*", sourcePortRange: "*", destinationPortRange: "*", sourceAddressPrefix: src, destinationAddressPrefix: dst, access, priority, direction },
  });
  return [
    rule("AllowVnetInBound", "Inbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork", "Allow inbound traffic from all VMs in VNET"),
    rule("AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow", "AzureLoadBalancer", "*", "Allow inbound traffic from azure load balancer"),
    rule("DenyAllInBound", "Inbound", 65500, "Deny", "*", "*", "Deny all inbound traffic"),
    rule("AllowVnetOutBound", "Outbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork", "Allow outbound traffic from all VMs to all VMs in VNET"),
    rule("AllowInternetOutBound", "Outbound", 65001, "Allow", "*", "Internet", "Allow outbound traffic from all VMs to Internet"),
    rule("DenyAllOutBound", "Outbound", 65500, "Deny", "*", "*", "Deny all outbound traffic"),
  ];
}

export const networkSecurityGroups: Behaviour = {
  durations: { create: standInMs(LATENCIES.networkSecurityGroup) },
  busyCode: "AnotherOperationInProgress",
  checkDelete(ctx, nsg) {
    const user = ctx.store.all().find((r) => norm(r.properties?.networkSecurityGroup?.id ?? "") === norm(nsg.id));
    if (user)
      throw badRequest("InUseNetworkSecurityGroupCannotBeDeleted", `Network security group ${nsg.id} cannot be deleted because it is in use by the following resources: ${user.id}. In order to delete the Network security group, remove the association with the resource(s).`);
  },
  write(ctx, { resource, existing }) {
    // Like subnets in a VNet: the inline list is the whole set of rules.
    const inline: any[] = Array.isArray(resource.properties.securityRules) ? resource.properties.securityRules : [];
    delete resource.properties.securityRules;
    for (const r of inline) checkRule(resource.id, r.name, r.properties ?? {});
    checkNoConflict(inline.map((r) => ({ name: r.name, properties: r.properties ?? {} })));
    const names = new Set(inline.map((r) => String(r.name).toLowerCase()));
    return {
      onProvisioned(done) {
        if (existing) for (const old of ctx.store.under(done.id)) if (old.type.toLowerCase() === RULE_TYPE.toLowerCase() && !names.has(old.name.toLowerCase())) ctx.remove(old.id);
        for (const r of inline) {
          const id = `${done.id}/securityRules/${r.name}`;
          ctx.store.put({ id: ctx.store.get(id)?.id ?? id, name: r.name, type: RULE_TYPE, properties: { ...(r.properties ?? {}), provisioningState: "Succeeded" } });
        }
      },
    };
  },
  view(ctx, r) {
    const securityRules = ctx.store
      .under(r.id)
      .filter((c) => c.type.toLowerCase() === RULE_TYPE.toLowerCase())
      .map((c) => ({ id: c.id, name: c.name, type: c.type, properties: c.properties }));
    return { ...r, properties: { ...r.properties, securityRules, defaultSecurityRules: defaultRules(r.id) } };
  },
};

export const securityRules: Behaviour = {
  durations: { create: standInMs(LATENCIES.securityRule) },
  busyCode: "AnotherOperationInProgress",
  write(ctx, { resource }) {
    const nsgId = resource.id.replace(/\/securityRules\/[^/]+$/i, "");
    checkRule(nsgId, resource.name, resource.properties);
    const siblings = ctx.store.under(nsgId).filter((c) => c.type.toLowerCase() === RULE_TYPE.toLowerCase() && c.name.toLowerCase() !== resource.name.toLowerCase());
    checkNoConflict([...siblings, resource]);
  },
};

// --- Network interfaces (read-only here: Azure creates them for private endpoints) ---------------

export const networkInterfaces: Behaviour = {
  write(_ctx, { existing, seeding }) {
    if (existing?.properties.privateEndpoint && !seeding)
      throw badRequest("CannotModifyNicAttachedToPrivateEndpoint", `Network interface ${existing.id} is managed by private endpoint ${existing.properties.privateEndpoint.id} and cannot be modified.`);
  },
};

// --- Private endpoints ------------------------------------------------------------------------------

/** The lowest free addresses of a subnet, from .4 up (Azure keeps .0–.3 and the last one). */
function allocateIps(ctx: Ctx, subnet: Resource, count: number): string[] {
  const range = cidr(prefixesOf(subnet)[0], subnet.id);
  const used = new Set<number>();
  for (const nic of ctx.store.ofType("Microsoft.Network/networkInterfaces"))
    for (const c of nic.properties.ipConfigurations ?? [])
      if (norm(c.properties?.subnet?.id ?? "") === norm(subnet.id) && c.properties?.privateIPAddress) used.add(ipToInt(c.properties.privateIPAddress)!);
  const ips: string[] = [];
  for (let a = range.start + 4; a < range.end && ips.length < count; a++) if (!used.has(a)) ips.push(intToIp(a));
  if (ips.length < count) throw badRequest("SubnetIsFull", `Subnet ${subnet.id} has no free IP address left for ${count} more.`);
  return ips;
}

const connectionsOf = (pe: Resource): { manual: boolean; c: any }[] => [
  ...(pe.properties.privateLinkServiceConnections ?? []).map((c: any) => ({ manual: false, c })),
  ...(pe.properties.manualPrivateLinkServiceConnections ?? []).map((c: any) => ({ manual: true, c })),
];

/** Endpoints whose connection targets `targetId`: what a private link resource lists as its connections. */
export function endpointConnections(ctx: Ctx, target: Resource): any[] {
  return ctx.store
    .ofType("Microsoft.Network/privateEndpoints")
    .filter((pe) => connectionsOf(pe).some(({ c }) => norm(c.properties?.privateLinkServiceId ?? "") === norm(target.id)))
    .map((pe) => ({
      id: `${target.id}/privateEndpointConnections/${pe.name}`,
      name: pe.name,
      type: `${target.type}/privateEndpointConnections`,
      properties: {
        privateEndpoint: { id: pe.id },
        privateLinkServiceConnectionState: connectionsOf(pe)[0]?.c.properties?.privateLinkServiceConnectionState ?? { status: "Pending", description: "", actionsRequired: "None" },
        groupIds: connectionsOf(pe)[0]?.c.properties?.groupIds,
        provisioningState: pe.properties.provisioningState,
      },
    }));
}

export const privateEndpoints: Behaviour = {
  durations: { create: standInMs(LATENCIES.privateEndpoint) },
  busyCode: "AnotherOperationInProgress",
  write(ctx, { resource, existing, seeding }) {
    const p = resource.properties;
    const subnetId: string | undefined = p.subnet?.id;
    const subnet = subnetId ? ctx.store.get(subnetId) : undefined;
    if (!subnet) throw badRequest("InvalidResourceReference", `Resource ${subnetId ?? "(no subnet)"} referenced by resource ${resource.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
    const vnet = ctx.store.get(vnetOf(subnet.id));
    if (vnet?.location && resource.location && vnet.location !== resource.location)
      throw badRequest(
        "InvalidResourceReference",
        `Resource ${subnet.id} referenced by resource ${resource.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region (the virtual network is in ${vnet.location}, the private endpoint in ${resource.location}).`,
      );
    const conns = connectionsOf(resource);
    if (conns.length !== 1) throw badRequest("PrivateEndpointMustHaveOneConnection", `Private endpoint ${resource.id} must have exactly one private link service connection.`);
    const { c: conn, manual } = conns[0];
    const targetId: string | undefined = conn.properties?.privateLinkServiceId;
    const target = targetId ? ctx.store.get(targetId) : undefined;
    if (!target) throw badRequest("PrivateLinkServiceNotFound", `Private link service ${targetId ?? "(none)"} referenced by private endpoint ${resource.id} was not found.`);
    const groupId: string = conn.properties?.groupIds?.[0] ?? "";
    const membersOf = ctx.behaviourOf(target.type).privateLinkMembers;
    if (!membersOf) throw badRequest("PrivateLinkServiceNotSupported", `Resource type ${target.type} does not support private endpoints in the ARM stand-in.`);
    const members = seeding && existing ? [] : membersOf(ctx, target, groupId);
    // What Azure owns on an endpoint survives a re-PUT: its NIC, IPs and DNS configuration.
    for (const k of ["networkInterfaces", "customDnsConfigs", "ipConfigurations"]) if (existing?.properties[k] !== undefined) p[k] = existing.properties[k];
    const state = manual ? { status: "Pending", description: "Awaiting approval", actionsRequired: "None" } : { status: "Approved", description: "Auto-Approved", actionsRequired: "None" };
    for (const { c } of connectionsOf(resource)) c.properties = { ...c.properties, privateLinkServiceConnectionState: state };
    return {
      onProvisioned(done) {
        if (done.properties.networkInterfaces?.length && ctx.store.get(done.properties.networkInterfaces[0].id)) return;
        createEndpointNic(ctx, done, subnet, groupId, members);
      },
    };
  },
  onDelete(ctx, pe) {
    for (const n of pe.properties.networkInterfaces ?? []) ctx.store.delete(n.id);
  },
};

/** The NIC Azure creates for an endpoint: one IP configuration per private link member. */
function createEndpointNic(ctx: Ctx, pe: Resource, subnet: Resource, groupId: string, members: PrivateLinkMember[]): void {
  const { sub, rg } = parseId(pe.id)!;
  const name = pe.properties.customNetworkInterfaceName || `${pe.name}.nic.${randomUUID()}`;
  const nicId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}`;
  const ips = allocateIps(ctx, subnet, members.length);
  const ipConfigurations = members.map((m, i) => {
    const configName = `privateEndpointIpConfig.${randomUUID()}`;
    return {
      name: configName,
      id: `${nicId}/ipConfigurations/${configName}`,
      type: "Microsoft.Network/networkInterfaces/ipConfigurations",
      properties: {
        provisioningState: "Succeeded",
        privateIPAddress: ips[i],
        privateIPAllocationMethod: "Dynamic",
        privateIPAddressVersion: "IPv4",
        primary: i === 0,
        subnet: { id: subnet.id },
        privateLinkConnectionProperties: { groupId, requiredMemberName: m.member, fqdns: [m.fqdn] },
      },
    };
  });
  ctx.store.put({
    id: nicId,
    name,
    type: "Microsoft.Network/networkInterfaces",
    location: pe.location,
    properties: { provisioningState: "Succeeded", ipConfigurations, privateEndpoint: { id: pe.id }, nicType: "Standard", enableAcceleratedNetworking: false, enableIPForwarding: false, macAddress: "", dnsSettings: { dnsServers: [], appliedDnsServers: [] } },
  });
  pe.properties.networkInterfaces = [{ id: nicId }];
  pe.properties.customDnsConfigs = members.map((m, i) => ({ fqdn: m.fqdn, ipAddresses: [ips[i]] }));
}

// --- Private DNS zone groups --------------------------------------------------------------------------

/** The zone of a private link FQDN: `privatelink.` + its public suffix, the longest that matches. */
function recordFor(fqdn: string, zoneName: string): string | undefined {
  const suffix = zoneName.toLowerCase().replace(/^privatelink\./, "");
  const f = fqdn.toLowerCase().replace(/\.$/, "");
  return f.endsWith(`.${suffix}`) ? fqdn.slice(0, f.length - suffix.length - 1) : undefined;
}

export const privateDnsZoneGroups: Behaviour = {
  durations: { create: standInMs(LATENCIES.privateDnsZoneGroup) },
  busyCode: "AnotherOperationInProgress",
  write(ctx, { resource, seeding }) {
    const configs: any[] = resource.properties.privateDnsZoneConfigs ?? [];
    if (!configs.length) throw badRequest("InvalidRequestFormat", `Private DNS zone group ${resource.id} needs at least one privateDnsZoneConfigs entry.`);
    if (!seeding)
      for (const cfg of configs) {
        const zoneId = cfg.properties?.privateDnsZoneId;
        if (!zoneId || !ctx.store.get(zoneId)) throw badRequest("InvalidPrivateDnsZoneIds", `Private DNS zone ${zoneId ?? "(none)"} referenced by ${resource.id} was not found.`);
      }
    return {
      onProvisioned(done) {
        const pe = ctx.store.get(parseId(done.id)!.parent);
        const dnsConfigs: any[] = pe?.properties.customDnsConfigs ?? [];
        for (const cfg of done.properties.privateDnsZoneConfigs ?? []) {
          const zone = ctx.store.get(cfg.properties?.privateDnsZoneId ?? "");
          const recordSets: any[] = [];
          if (zone) {
            // As Azure does: each FQDN of the endpoint whose suffix is this zone's gets an A record
            // (created, or overwritten with the endpoint's IPs), TTL 10.
            const claimed = (fqdn: string) => longestZoneFor(ctx, done, fqdn);
            for (const d of dnsConfigs) {
              const rel = recordFor(d.fqdn, zone.name);
              if (rel === undefined || norm(claimed(d.fqdn) ?? "") !== norm(zone.id)) continue;
              const rs = upsertRecordSet(ctx, zone, "A", rel, { ttl: 10, aRecords: d.ipAddresses.map((ip: string) => ({ ipv4Address: ip })) });
              recordSets.push({ recordType: "A", recordSetName: rel, fqdn: `${rel}.${zone.name}`, provisioningState: "Succeeded", ttl: 10, ipAddresses: [...d.ipAddresses], id: rs.id });
            }
          }
          cfg.name ??= zone?.name.replace(/\./g, "-");
          cfg.id = `${done.id}/privateDnsZoneConfigs/${cfg.name}`;
          cfg.properties = { ...cfg.properties, recordSets: recordSets.map(({ id: _id, ...rs }) => rs) };
        }
      },
    };
  },
  onDelete(ctx, group) {
    // Azure removes the records a zone group made when the group goes.
    for (const cfg of group.properties.privateDnsZoneConfigs ?? []) {
      const zoneId = cfg.properties?.privateDnsZoneId;
      for (const rs of cfg.properties?.recordSets ?? []) if (zoneId) ctx.store.delete(`${zoneId}/${rs.recordType}/${rs.recordSetName}`);
    }
  },
};

/** Of the zones a group references, the one with the longest suffix matching `fqdn`. */
function longestZoneFor(ctx: Ctx, group: Resource, fqdn: string): string | undefined {
  let best: { id: string; len: number } | undefined;
  for (const cfg of group.properties.privateDnsZoneConfigs ?? []) {
    const zone = ctx.store.get(cfg.properties?.privateDnsZoneId ?? "");
    if (zone && recordFor(fqdn, zone.name) !== undefined && (!best || zone.name.length > best.len)) best = { id: zone.id, len: zone.name.length };
  }
  return best?.id;
}

/** For error messages elsewhere: is this id inside a VNet? */
export const isSubnetId = (id: string) => /\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i.test(id);

/** Throws ARM's reference error unless the subnet exists. */
export function requireSubnet(ctx: Ctx, subnetId: string, referrer: string): Resource {
  const s = ctx.store.get(subnetId);
  if (!s || !isSubnetId(subnetId)) throw new ArmError(400, "InvalidResourceReference", `Resource ${subnetId} referenced by resource ${referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
  return s;
}

export const vnetOfSubnet = vnetOf;
