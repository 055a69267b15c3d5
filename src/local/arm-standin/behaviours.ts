// Per-type behaviour of the ARM stand-in: what ARM fills in, what it refuses, what happens when an
// operation completes. Everything not listed here is a plain resource store.
import { createHash, randomUUID } from "node:crypto";
import { norm, parseId } from "./ids.js";

export type Res = { id: string; name: string; type: string; location?: string; tags?: Record<string, string>; identity?: any; sku?: any; properties: Record<string, any>; [k: string]: any };

export interface Ctx {
  get(id: string): Res | undefined;
  put(r: Res): void;
  remove(id: string): void;
  list(prefix: string): Res[];
  isBusy(id: string): boolean;
  now(): number;
  principalDelayMs: number;
  latestImage: { ubuntu: string; azureLinux: string };
}

export interface PutOutcome { durationMs?: number; finish?: (r: Res) => void }
export interface ActionOutcome { durationMs?: number; finish?: () => void; body?: unknown }
export interface Behaviour {
  put?(ctx: Ctx, r: Res, existing: Res | undefined, apiVersion: string | undefined): PutOutcome;
  view?(ctx: Ctx, r: Res): Res;
  action?(ctx: Ctx, id: string, action: string): ActionOutcome;
  /** A read-only child that ARM computes (e.g. an agent pool's upgrade profile). */
  virtualGet?(ctx: Ctx, path: string): unknown | undefined;
  busyCode?: string;
}

export class StandInError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) {
    super(message);
  }
}
const bad = (code: string, message: string) => new StandInError(400, code, message);

/** Real durations (minutes for a cluster) scaled down about 200x; multiplied again by timeScale. */
export const DURATIONS_MS: Record<string, number> = {
  "microsoft.containerservice/managedclusters": 3000,
  "microsoft.containerservice/managedclusters/agentpools": 1500,
  "microsoft.network/virtualnetworks": 300,
  "microsoft.network/virtualnetworks/subnets": 300,
  "microsoft.network/networksecuritygroups": 300,
  "microsoft.network/networksecuritygroups/securityrules": 200,
  "microsoft.network/privateendpoints": 1200,
  "microsoft.network/privateendpoints/privatednszonegroups": 400,
  "microsoft.network/privatednszones": 400,
  "microsoft.network/privatednszones/virtualnetworklinks": 500,
  "microsoft.containerregistry/registries": 800,
  "microsoft.containerregistry/registries/cacherules": 400,
};
const UPGRADE_MS = 2000;
const CLUSTER_UPDATE_MS = 2000;
const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";

const hex = (s: string, n: number) => createHash("sha1").update(s).digest("hex").slice(0, n);
const guidFor = (s: string) => {
  const h = hex(s, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const isPreview = (v?: string) => !!v && v.endsWith("-preview");
const initialImage = (pool: any) => (pool.osSKU === "AzureLinux" ? "AKSAzureLinux-V2gen2-202410.01.0" : "AKSUbuntu-2204gen2containerd-202410.01.0");
const latestFor = (ctx: Ctx, pool: any) => (pool.osSKU === "AzureLinux" ? ctx.latestImage.azureLinux : ctx.latestImage.ubuntu);

// --- Microsoft.ContainerService ---------------------------------------------------------------

function validateCluster(ctx: Ctx, r: Res, existing: Res | undefined, apiVersion?: string): void {
  const p = r.properties;
  const seeded = apiVersion === "seed";
  const outbound = p.networkProfile?.outboundType;
  if (outbound === "none" && p.bootstrapProfile?.artifactSource !== "Cache")
    throw bad("InvalidParameter", "outboundType 'none' requires bootstrapProfile.artifactSource 'Cache'.");
  if (!seeded && outbound === "block" && !isPreview(apiVersion)) throw bad("InvalidParameter", `outboundType 'block' is not supported in api-version ${apiVersion}.`);
  for (const pool of p.agentPoolProfiles ?? []) checkPool(pool, apiVersion);
  const access = p.apiServerAccessProfile ?? {};
  if (access.subnetId && !access.enableVnetIntegration) throw bad("InvalidParameter", "apiServerAccessProfile.subnetId can only be set when enableVnetIntegration is true.");
  if (existing?.properties.apiServerAccessProfile?.enableVnetIntegration && access.enableVnetIntegration === false)
    throw bad("InvalidParameter", "API server VNet integration cannot be disabled once enabled.");
  if (seeded) return;
  const registry = p.bootstrapProfile?.containerRegistryId;
  if (registry && !ctx.get(registry)) throw bad("InvalidParameter", `bootstrapProfile.containerRegistryId ${registry} does not exist.`);
  for (const idKey of Object.keys(r.identity?.userAssignedIdentities ?? {}))
    if (!ctx.get(idKey)) throw bad("InvalidParameter", `user-assigned identity ${idKey} does not exist.`);
  const kubelet = p.identityProfile?.kubeletidentity?.resourceId;
  // A kubelet identity AKS made itself (in the node resource group) is not the caller's to create.
  if (kubelet && kubelet !== existing?.properties.identityProfile?.kubeletidentity?.resourceId && !ctx.get(kubelet)) throw bad("InvalidParameter", `kubelet identity ${kubelet} does not exist.`);
  const nodeSubnets: string[] = (p.agentPoolProfiles ?? []).map((x: any) => x.vnetSubnetID).filter(Boolean);
  for (const s of nodeSubnets) if (!ctx.get(s)) throw bad("InvalidParameter", `subnet ${s} does not exist.`);
  if (access.enableVnetIntegration && access.subnetId) {
    const subnet = ctx.get(access.subnetId);
    if (!subnet) throw bad("InvalidParameter", `API server subnet ${access.subnetId} does not exist.`);
    if (!(subnet.properties.delegations ?? []).some((d: any) => (d.properties?.serviceName ?? d.serviceName) === "Microsoft.ContainerService/managedClusters"))
      throw bad("SubnetIsNotDelegated", `Subnet ${access.subnetId} is not delegated to Microsoft.ContainerService/managedClusters.`);
    const principal = clusterPrincipal(r, existing);
    for (const scope of [access.subnetId, ...nodeSubnets])
      if (!hasRole(ctx, principal, scope, NETWORK_CONTRIBUTOR))
        throw new StandInError(403, "LinkedAuthorizationFailed", `The cluster identity ${principal} does not have Network Contributor on ${scope}.`);
  }
}

function checkPool(pool: any, apiVersion?: string): void {
  const runtime = pool.workloadRuntime;
  if (runtime === "KataMshvVmIsolation" && apiVersion !== "seed" && !isPreview(apiVersion))
    throw bad("InvalidParameter", `workloadRuntime 'KataMshvVmIsolation' is not supported in api-version ${apiVersion}.`);
  if (runtime?.startsWith("Kata") && pool.osSKU !== "AzureLinux") throw bad("InvalidParameter", `Pod Sandboxing requires osSKU AzureLinux (pool ${pool.name}).`);
}

/** The control-plane identity's principal: the user-assigned one if any, else the system-assigned one. */
function clusterPrincipal(r: Res, existing?: Res): string | undefined {
  const ua = Object.values(r.identity?.userAssignedIdentities ?? {}) as any[];
  const uaKeys = Object.keys(r.identity?.userAssignedIdentities ?? {});
  return ua[0]?.principalId ?? (uaKeys[0] ? principalOfIdentity.get(norm(uaKeys[0])) : undefined) ?? existing?.identity?.principalId ?? r.identity?.principalId;
}
const principalOfIdentity = new Map<string, string>();

function hasRole(ctx: Ctx, principal: string | undefined, scope: string, role: string): boolean {
  if (!principal) return false;
  return ctx.list("/subscriptions/").some(
    (a) => a.type === "Microsoft.Authorization/roleAssignments" && a.properties.principalId === principal && String(a.properties.roleDefinitionId).toLowerCase().endsWith(role) && norm(scope).startsWith(norm(a.properties.scope)),
  );
}

const managedClusters: Behaviour = {
  busyCode: "OperationNotAllowed",
  put(ctx, r, existing, apiVersion) {
    validateCluster(ctx, r, existing, apiVersion);
    if (existing && ctx.list(`${r.id}/agentPools/`).some((p) => ctx.isBusy(p.id)))
      throw new StandInError(409, "OperationNotAllowed", "Operation is not allowed because there's an in progress node image upgrade operation.");
    const p = r.properties;
    const old = existing?.properties ?? {};
    const prefix = p.dnsPrefix ?? r.name;
    p.fqdn = old.fqdn ?? `${prefix}-${hex(r.id, 8)}.hcp.${r.location}.azmk8s.io`;
    if (p.apiServerAccessProfile?.enablePrivateCluster) p.privateFQDN = old.privateFQDN ?? `${prefix}-${hex(r.id, 8)}.privatelink.${r.location}.azmk8s.io`;
    p.nodeResourceGroup = old.nodeResourceGroup ?? `MC_${parseId(r.id).rg}_${r.name}_${r.location}`;
    p.currentKubernetesVersion = p.kubernetesVersion ?? old.currentKubernetesVersion ?? "1.30.3";
    p.powerState = { code: "Running" };
    r.identity = { ...(r.identity ?? { type: "SystemAssigned" }) };
    if (r.identity.type === "SystemAssigned") {
      r.identity.principalId = existing?.identity?.principalId ?? guidFor(`${r.id}|cp`);
      r.identity.tenantId = "72f988bf-0000-0000-0000-000000000000";
    }
    for (const [k, v] of Object.entries(r.identity.userAssignedIdentities ?? {})) (v as any).principalId ??= principalOfIdentity.get(norm(k));
    p.identityProfile ??= old.identityProfile ?? {
      kubeletidentity: { resourceId: `/subscriptions/${parseId(r.id).sub}/resourceGroups/${p.nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${r.name}-agentpool`, clientId: guidFor(`${r.id}|kc`), objectId: guidFor(`${r.id}|ko`) },
    };
    const converting = !old.apiServerAccessProfile?.enableVnetIntegration && !!p.apiServerAccessProfile?.enableVnetIntegration && !!existing;
    const oldPools = new Map<string, any>((old.agentPoolProfiles ?? []).map((x: any) => [x.name, x]));
    p.agentPoolProfiles = (p.agentPoolProfiles ?? []).map((pool: any) => ({
      ...pool,
      nodeImageVersion: oldPools.get(pool.name)?.nodeImageVersion ?? pool.nodeImageVersion ?? initialImage(pool),
      currentOrchestratorVersion: p.currentKubernetesVersion,
      provisioningState: "Succeeded",
    }));
    return {
      durationMs: existing ? CLUSTER_UPDATE_MS : undefined,
      finish(done) {
        // Converting to API server VNet integration re-images every pool (AKS does it itself).
        if (converting) for (const pool of done.properties.agentPoolProfiles) pool.nodeImageVersion = latestFor(ctx, pool);
        for (const pool of done.properties.agentPoolProfiles) {
          const { name, ...props } = pool;
          const id = `${done.id}/agentPools/${name}`;
          ctx.put({ id, name, type: "Microsoft.ContainerService/managedClusters/agentPools", properties: { ...(ctx.get(id)?.properties ?? {}), ...props, provisioningState: "Succeeded" } });
        }
      },
    };
  },
};

function syncPoolIntoCluster(ctx: Ctx, pool: Res): void {
  const cluster = ctx.get(pool.id.replace(/\/agentPools\/[^/]+$/i, ""));
  if (!cluster) return;
  const { provisioningState: _p, ...props } = pool.properties;
  const list = (cluster.properties.agentPoolProfiles ?? []).filter((x: any) => x.name !== pool.name);
  cluster.properties.agentPoolProfiles = [...list, { name: pool.name, ...props, provisioningState: pool.properties.provisioningState }];
}

const agentPools: Behaviour = {
  busyCode: "OperationNotAllowed",
  put(ctx, r, existing, apiVersion) {
    const clusterId = r.id.replace(/\/agentPools\/[^/]+$/i, "");
    if (ctx.isBusy(clusterId)) throw new StandInError(409, "OperationNotAllowed", "Operation is not allowed because there's an in progress update managed cluster operation.");
    checkPool({ ...r.properties, name: r.name }, apiVersion);
    r.properties.nodeImageVersion = existing?.properties.nodeImageVersion ?? initialImage(r.properties);
    return {
      durationMs: apiVersion === "seed" ? undefined : DURATIONS_MS["microsoft.containerservice/managedclusters/agentpools"],
      finish: (done) => syncPoolIntoCluster(ctx, done),
    };
  },
  action(ctx, id, action) {
    if (action !== "upgradeNodeImageVersion") throw new StandInError(404, "NotFound", `no action ${action}`);
    const pool = ctx.get(id);
    if (!pool) throw new StandInError(404, "ResourceNotFound", `agent pool ${id} not found`);
    const clusterId = id.replace(/\/agentPools\/[^/]+$/i, "");
    if (ctx.isBusy(id) || ctx.isBusy(clusterId))
      throw new StandInError(409, "OperationNotAllowed", "Operation is not allowed because there's another operation in progress on the cluster or node pool.");
    pool.properties.provisioningState = "UpgradingNodeImageVersion";
    syncPoolIntoCluster(ctx, pool);
    return {
      durationMs: UPGRADE_MS,
      finish() {
        pool.properties.provisioningState = "Succeeded";
        pool.properties.nodeImageVersion = latestFor(ctx, pool.properties);
        syncPoolIntoCluster(ctx, pool);
      },
    };
  },
};

const upgradeProfiles: Behaviour = {
  virtualGet(ctx, path) {
    const poolId = path.replace(/\/upgradeProfiles\/[^/]+$/i, "");
    const pool = ctx.get(poolId);
    if (!pool) return undefined;
    return { id: path, name: "default", type: "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles", properties: { kubernetesVersion: pool.properties.currentOrchestratorVersion ?? "1.30.3", osType: "Linux", upgrades: [], latestNodeImageVersion: latestFor(ctx, pool.properties) } };
  },
};

// --- Microsoft.Network -------------------------------------------------------------------------

const toInt = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
const range = (cidr: string) => {
  const [ip, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = toInt(ip) - (toInt(ip) % size);
  return [start, start + size - 1] as const;
};
const inside = (outer: string, inner: string) => range(inner)[0] >= range(outer)[0] && range(inner)[1] <= range(outer)[1];
const overlap = (a: string, b: string) => range(a)[0] <= range(b)[1] && range(b)[0] <= range(a)[1];

function checkSubnet(ctx: Ctx, vnet: Res, name: string, prefix: string | undefined): void {
  if (!prefix) return;
  const spaces: string[] = vnet.properties.addressSpace?.addressPrefixes ?? [];
  if (!spaces.some((s) => inside(s, prefix))) throw bad("NetcfgSubnetRangeOutsideVnet", `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnet.name}'.`);
  for (const sib of ctx.list(`${vnet.id}/subnets/`))
    if (sib.name.toLowerCase() !== name.toLowerCase() && sib.properties.addressPrefix && overlap(sib.properties.addressPrefix, prefix))
      throw bad("NetcfgSubnetRangesOverlap", `Subnet '${name}' is not valid because its IP address range overlaps with that of subnet '${sib.name}'.`);
}

const virtualNetworks: Behaviour = {
  put(ctx, r) {
    const inline: any[] = r.properties.subnets ?? [];
    delete r.properties.subnets;
    return {
      finish(done) {
        for (const s of inline) {
          const id = `${done.id}/subnets/${s.name}`;
          ctx.put({ id, name: s.name, type: "Microsoft.Network/virtualNetworks/subnets", properties: { ...(s.properties ?? {}), provisioningState: "Succeeded" } });
        }
      },
    };
  },
  view(ctx, r) {
    // As ARM does, each subnet lists the private endpoints in it (read-only).
    const endpoints = ctx.list("/subscriptions/").filter((e) => e.type === "Microsoft.Network/privateEndpoints");
    const subnets = ctx.list(`${r.id}/subnets/`).map((s) => ({
      id: s.id,
      name: s.name,
      properties: { ...s.properties, privateEndpoints: endpoints.filter((e) => norm(e.properties.subnet?.id ?? "") === norm(s.id)).map((e) => ({ id: e.id })) },
    }));
    return { ...r, properties: { ...r.properties, subnets } };
  },
};

const subnets: Behaviour = {
  put(ctx, r) {
    const vnet = ctx.get(r.id.replace(/\/subnets\/[^/]+$/i, ""))!;
    checkSubnet(ctx, vnet, r.name, r.properties.addressPrefix);
    return {};
  },
};

/** Private link members by target type: (group) → [member, fqdn] pairs. */
function members(target: Res): [string, string][] {
  if (target.type === "Microsoft.ContainerRegistry/registries")
    return [["registry", `${target.name}.azurecr.io`], [`registry_data_${target.location}`, `${target.name}.${target.location}.data.azurecr.io`]];
  if (target.type === "Microsoft.HybridCompute/privateLinkScopes") {
    const l = target.location;
    return [["his", "gbl.his.arc.azure.com"], ["his2", `${l}.his.arc.azure.com`], ["guestconfig", "agentserviceapi.guestconfiguration.azure.com"], ["guestconfig2", `${l}-gas.guestconfiguration.azure.com`], ["kubeconfig", `${l}.dp.kubernetesconfiguration.azure.com`]];
  }
  return [["default", `${target.name}.privatelink.example`]];
}

const privateEndpoints: Behaviour = {
  put(ctx, r) {
    const subnetId = r.properties.subnet?.id;
    const subnet = subnetId && ctx.get(subnetId);
    if (!subnet) throw bad("InvalidParameter", `subnet ${subnetId} does not exist.`);
    const vnet = ctx.get(subnetId.replace(/\/subnets\/[^/]+$/i, ""));
    if (vnet?.location && r.location && vnet.location !== r.location) throw bad("InvalidParameter", `The private endpoint must be in the region of its VNet (${vnet.location}).`);
    const conn = (r.properties.privateLinkServiceConnections ?? [])[0];
    const targetId = conn?.properties?.privateLinkServiceId;
    const target = targetId && ctx.get(targetId);
    if (!target) throw bad("InvalidParameter", `private link resource ${targetId} does not exist.`);
    if (target.type === "Microsoft.ContainerRegistry/registries" && target.sku?.name !== "Premium") throw bad("InvalidParameter", "Private endpoints need a Premium registry.");
    return {
      finish(done) {
        const used = ctx.list(`/subscriptions/`).filter((n) => n.type === "Microsoft.Network/networkInterfaces" && n.properties.subnetId?.toLowerCase() === subnetId.toLowerCase()).length;
        const prefix: string = subnet.properties.addressPrefix ?? "10.0.0.0/24";
        const base = range(prefix)[0] + 4;
        let k = used * 8;
        const ip = () => {
          const a = base + k++;
          return [24, 16, 8, 0].map((s) => (a >>> s) & 255).join(".");
        };
        const groupId = conn.properties.groupIds?.[0];
        const configs = members(target).map(([member, fqdn]) => ({ member, fqdn, ip: ip() }));
        const nicId = `/subscriptions/${parseId(done.id).sub}/resourceGroups/${parseId(done.id).rg}/providers/Microsoft.Network/networkInterfaces/${done.name}.nic.${randomUUID()}`;
        ctx.put({
          id: nicId,
          name: nicId.split("/").pop()!,
          type: "Microsoft.Network/networkInterfaces",
          location: done.location,
          properties: {
            provisioningState: "Succeeded",
            subnetId,
            ipConfigurations: configs.map((c) => ({ name: `privateEndpointIpConfig.${c.member}`, properties: { privateIPAddress: c.ip, privateIPAllocationMethod: "Dynamic", subnet: { id: subnetId }, privateLinkConnectionProperties: { groupId, requiredMemberName: c.member, fqdns: [c.fqdn] } } })),
          },
        });
        done.properties.networkInterfaces = [{ id: nicId }];
        done.properties.customDnsConfigs = configs.map((c) => ({ fqdn: c.fqdn, ipAddresses: [c.ip] }));
        for (const c of done.properties.privateLinkServiceConnections ?? []) c.properties = { ...c.properties, privateLinkServiceConnectionState: { status: "Approved", description: "Auto-Approved" } };
      },
    };
  },
};

const privateDnsZoneGroups: Behaviour = {
  put(ctx, r) {
    return {
      finish(done) {
        const pe = ctx.get(done.id.replace(/\/privateDnsZoneGroups\/[^/]+$/i, ""));
        for (const cfg of done.properties.privateDnsZoneConfigs ?? []) {
          const zoneId: string = cfg.properties?.privateDnsZoneId;
          const zone = ctx.get(zoneId);
          if (!zone) continue;
          const suffix = zone.name.replace(/^privatelink\./, "");
          const recordSets = [];
          for (const d of pe?.properties.customDnsConfigs ?? []) {
            if (!String(d.fqdn).endsWith(`.${suffix}`)) continue;
            const rel = d.fqdn.slice(0, -(suffix.length + 1));
            const id = `${zone.id}/A/${rel}`;
            ctx.put({ id, name: rel, type: "Microsoft.Network/privateDnsZones/A", properties: { provisioningState: "Succeeded", ttl: 10, aRecords: d.ipAddresses.map((ip: string) => ({ ipv4Address: ip })), fqdn: `${d.fqdn}.` } });
            recordSets.push({ recordType: "A", recordSetName: rel, fqdn: `${rel}.${zone.name}`, ipAddresses: d.ipAddresses });
          }
          cfg.properties = { ...cfg.properties, recordSets };
        }
      },
    };
  },
};

const networkSecurityGroups: Behaviour = {
  put(ctx, r) {
    const inline: any[] = r.properties.securityRules ?? [];
    delete r.properties.securityRules;
    return {
      finish(done) {
        for (const s of inline) ctx.put({ id: `${done.id}/securityRules/${s.name}`, name: s.name, type: "Microsoft.Network/networkSecurityGroups/securityRules", properties: { ...(s.properties ?? {}), provisioningState: "Succeeded" } });
      },
    };
  },
  view(ctx, r) {
    return { ...r, properties: { ...r.properties, securityRules: ctx.list(`${r.id}/securityRules/`).map((s) => ({ id: s.id, name: s.name, properties: s.properties })) } };
  },
};

const securityRules: Behaviour = {
  put(ctx, r) {
    const nsgId = r.id.replace(/\/securityRules\/[^/]+$/i, "");
    const clash = ctx.list(`${nsgId}/securityRules/`).find((s) => s.name.toLowerCase() !== r.name.toLowerCase() && s.properties.priority === r.properties.priority && s.properties.direction === r.properties.direction);
    if (clash) throw bad("SecurityRuleConflict", `Security rule ${r.name} conflicts with rule ${clash.name}: same priority ${clash.properties.priority} and direction.`);
    return {};
  },
};

// --- Identities, registries, Arc -----------------------------------------------------------------

const userAssignedIdentities: Behaviour = {
  put(ctx, r, existing) {
    r.properties.principalId = existing?.properties.principalId ?? randomUUID();
    r.properties.clientId = existing?.properties.clientId ?? randomUUID();
    r.properties.tenantId = "72f988bf-0000-0000-0000-000000000000";
    r.createdAt = existing?.createdAt ?? ctx.now();
    principalOfIdentity.set(norm(r.id), r.properties.principalId);
    return {};
  },
};

/** Principals ARM (Entra) knows: identities after their replication delay, and clusters' own identities. */
function principalKnown(ctx: Ctx, principal: string): boolean {
  return ctx.list("/subscriptions/").some((r) => {
    if (r.type === "Microsoft.ManagedIdentity/userAssignedIdentities") return r.properties.principalId === principal && ctx.now() - (r.createdAt ?? 0) >= ctx.principalDelayMs;
    if (r.type === "Microsoft.ContainerService/managedClusters") return r.identity?.principalId === principal || r.properties.identityProfile?.kubeletidentity?.objectId === principal;
    return false;
  });
}

const roleAssignments: Behaviour = {
  put(ctx, r, existing) {
    const scope = r.id.slice(0, r.id.toLowerCase().lastIndexOf("/providers/microsoft.authorization/roleassignments/"));
    const p = r.properties;
    const scopeType = parseId(scope).type;
    if (scopeType !== "Microsoft.Resources/resourceGroups" || parseId(scope).rg) {
      if (!/^\/subscriptions\/[^/]+$/i.test(scope) && !ctx.get(scope)) throw new StandInError(404, "ResourceNotFound", `The scope ${scope} does not exist.`);
    }
    if (!principalKnown(ctx, p.principalId))
      throw bad("PrincipalNotFound", `Principal ${p.principalId} does not exist in the directory 72f988bf-0000-0000-0000-000000000000. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.`);
    const dup = ctx.list("/subscriptions/").find((a) => a.type === r.type && norm(a.id) !== norm(r.id) && a.properties.principalId === p.principalId && norm(a.properties.scope) === norm(scope) && norm(a.properties.roleDefinitionId) === norm(p.roleDefinitionId));
    if (dup) throw new StandInError(409, "RoleAssignmentExists", "The role assignment already exists.");
    if (existing && (existing.properties.principalId !== p.principalId || norm(existing.properties.roleDefinitionId) !== norm(p.roleDefinitionId)))
      throw new StandInError(400, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
    p.scope = scope;
    return {};
  },
};

const registries: Behaviour = {
  put(_ctx, r) {
    if (!/^[a-zA-Z0-9]{5,50}$/.test(r.name)) throw bad("InvalidResourceName", `Resource name ${r.name} is invalid: 5-50 alphanumeric characters.`);
    r.properties.loginServer = `${r.name.toLowerCase()}.azurecr.io`;
    r.properties.dataEndpointHostNames = [`${r.name.toLowerCase()}.${r.location}.data.azurecr.io`];
    return {};
  },
};

const privateLinkScopes: Behaviour = {
  put(_ctx, r, existing) {
    r.properties.privateLinkScopeId = existing?.properties.privateLinkScopeId ?? randomUUID();
    return {};
  },
  view(ctx, r) {
    const endpoints = ctx
      .list("/subscriptions/")
      .filter((e) => e.type === "Microsoft.Network/privateEndpoints" && (e.properties.privateLinkServiceConnections ?? []).some((c: any) => norm(c.properties?.privateLinkServiceId ?? "") === norm(r.id)));
    return { ...r, properties: { ...r.properties, privateEndpointConnections: endpoints.map((e) => ({ id: `${r.id}/privateEndpointConnections/${e.name}`, name: e.name, properties: { privateEndpoint: { id: e.id }, privateLinkServiceConnectionState: { status: "Approved" } } })) } };
  },
};

const BEHAVIOURS: Record<string, Behaviour> = {
  "microsoft.containerservice/managedclusters": managedClusters,
  "microsoft.containerservice/managedclusters/agentpools": agentPools,
  "microsoft.containerservice/managedclusters/agentpools/upgradeprofiles": upgradeProfiles,
  "microsoft.network/virtualnetworks": virtualNetworks,
  "microsoft.network/virtualnetworks/subnets": subnets,
  "microsoft.network/privateendpoints": privateEndpoints,
  "microsoft.network/privateendpoints/privatednszonegroups": privateDnsZoneGroups,
  "microsoft.network/networksecuritygroups": networkSecurityGroups,
  "microsoft.network/networksecuritygroups/securityrules": securityRules,
  "microsoft.managedidentity/userassignedidentities": userAssignedIdentities,
  "microsoft.authorization/roleassignments": roleAssignments,
  "microsoft.containerregistry/registries": registries,
  "microsoft.hybridcompute/privatelinkscopes": privateLinkScopes,
};

export const behaviourFor = (type: string): Behaviour => BEHAVIOURS[type.toLowerCase()] ?? {};
