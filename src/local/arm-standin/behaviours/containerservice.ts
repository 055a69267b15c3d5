// Microsoft.ContainerService: managed clusters, their agent pools (children at …/agentPools/{p},
// kept in step with the cluster's agentPoolProfiles), node-image upgrades, and the upgrade
// profiles AKS computes. The checks are the ones AKS makes at PUT time (400/403 before any work),
// so a test against the stand-in fails where a deployment would.
import { randomBytes, randomUUID } from "node:crypto";
import { ArmError, badRequest } from "../errors.js";
import { norm, type ParsedId } from "../ids.js";
import type { Resource } from "../store.js";
import { holdsRole, ROLE } from "./authorization.js";
import { TENANT_ID } from "./managedidentity.js";
import type { ActionPlan, Behaviour, Ctx, WriteRequest } from "./types.js";
import { LATENCIES, standInMs } from "../latencies.js";

const POOL_TYPE = "Microsoft.ContainerService/managedClusters/agentPools";
const DEFAULT_KUBERNETES_VERSION = "1.31.7";
export const INITIAL_NODE_IMAGE = { ubuntu: "AKSUbuntu-2204gen2containerd-202410.01.0", azureLinux: "AKSAzureLinux-V2gen2-202410.01.0" };

const isPreview = (apiVersion: string) => /-preview$/i.test(apiVersion);
const isAzureLinux = (pool: Record<string, any>) => /^(AzureLinux|CBLMariner|Mariner)/i.test(pool.osSKU ?? "");
const latestImage = (ctx: Ctx, pool: Record<string, any>) => (isAzureLinux(pool) ? ctx.settings.latestNodeImageVersion.azureLinux : ctx.settings.latestNodeImageVersion.ubuntu);
const initialImage = (pool: Record<string, any>) => (isAzureLinux(pool) ? INITIAL_NODE_IMAGE.azureLinux : INITIAL_NODE_IMAGE.ubuntu);
const clusterOf = (poolId: string) => poolId.replace(/\/agentPools\/[^/]+$/i, "");
const poolsOf = (ctx: Ctx, clusterId: string) => ctx.store.under(clusterId).filter((r) => r.type.toLowerCase() === POOL_TYPE.toLowerCase());

/**
 * Values that exist only in preview api-versions of AKS, and the preview feature flag each needs
 * (registered, then the provider registered again so that the flag reaches the RP).
 */
const PREVIEW_ONLY: Record<string, { feature: string }> = {
  "outboundType:block": { feature: "NetworkIsolatedClusterPreview" },
  "workloadRuntime:KataMshvVmIsolation": { feature: "KataVMIsolationPreview" },
};

function requirePreview(ctx: Ctx, req: WriteRequest, property: string, value: string): void {
  const rule = PREVIEW_ONLY[`${property}:${value}`];
  if (!rule || req.seeding) return;
  if (!isPreview(req.apiVersion))
    throw badRequest("InvalidParameter", `The value '${value}' of property '${property}' is not supported in api-version ${req.apiVersion}: it exists only in preview api-versions.`);
  if (!ctx.previewFeatureEnabled(req.id.sub, "Microsoft.ContainerService", rule.feature))
    throw badRequest("BadRequest", `Feature Microsoft.ContainerService/${rule.feature} is not enabled. Please see https://aka.ms/aks/previews for how to enable features.`);
}

/** Properties AKS does not let an update change. */
function refuseChange(kind: string, name: string, before: Record<string, any> | undefined, after: Record<string, any>, props: string[]): void {
  if (!before) return;
  for (const k of props)
    if (after[k] !== undefined && before[k] !== undefined && String(after[k]).toLowerCase() !== String(before[k]).toLowerCase())
      throw badRequest("PropertyChangeNotAllowed", `Changing property '${k}' is not allowed on ${kind} '${name}' (from '${before[k]}' to '${after[k]}').`);
}

function checkPool(ctx: Ctx, req: WriteRequest, name: string, pool: Record<string, any>, before?: Record<string, any>): void {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(name))
    throw badRequest("InvalidParameter", `The agent pool name '${name}' is not valid: it must start with a lowercase letter, contain only lowercase letters and numbers, and be at most 12 characters long.`);
  const runtime: string | undefined = pool.workloadRuntime;
  if (runtime) {
    if (!["OCIContainer", "WasmWasi", "KataVmIsolation", "KataMshvVmIsolation"].includes(runtime))
      throw badRequest("InvalidParameter", `The value '${runtime}' of property 'workloadRuntime' of agent pool '${name}' is not valid.`);
    requirePreview(ctx, req, "workloadRuntime", runtime);
    // Pod Sandboxing runs Kata on Azure Linux hosts only.
    if (runtime.startsWith("Kata") && !isAzureLinux(pool))
      throw badRequest("InvalidParameter", `Agent pool '${name}' uses workloadRuntime '${runtime}', which requires osSKU 'AzureLinux' (got '${pool.osSKU ?? "Ubuntu"}').`);
  }
  refuseChange("agent pool", name, before, pool, ["vmSize", "osType", "workloadRuntime", "osSKU"]);
  if (!req.seeding && pool.vnetSubnetID && !ctx.store.get(pool.vnetSubnetID))
    throw badRequest("InvalidParameter", `The subnet ${pool.vnetSubnetID} of agent pool '${name}' was not found.`);
}

/** Server-owned fields of a pool (profile entry or child resource), kept across updates. */
function completePool(pool: Record<string, any>, before: Record<string, any> | undefined, kubernetesVersion: string): Record<string, any> {
  const osSKU = pool.osSKU ?? before?.osSKU ?? ((pool.osType ?? "Linux") === "Linux" ? "Ubuntu" : undefined);
  const done = { ...pool, osSKU };
  return {
    type: "VirtualMachineScaleSets",
    osType: "Linux",
    count: 1,
    ...done,
    orchestratorVersion: pool.orchestratorVersion ?? before?.orchestratorVersion ?? kubernetesVersion,
    currentOrchestratorVersion: pool.orchestratorVersion ?? before?.currentOrchestratorVersion ?? kubernetesVersion,
    // The client's nodeImageVersion counts only for a seed (AKS picks the image itself).
    nodeImageVersion: before?.nodeImageVersion ?? pool.nodeImageVersion ?? initialImage(done),
    powerState: { code: "Running" },
  };
}

/** The control-plane identity's principal (user-assigned if given, else the system-assigned one). */
function controlPlanePrincipal(ctx: Ctx, cluster: Resource): string | undefined {
  const ua = Object.keys(cluster.identity?.userAssignedIdentities ?? {})[0];
  return ua ? ctx.store.get(ua)?.properties.principalId : cluster.identity?.principalId;
}

const GRANTS_SUBNET_JOIN = [ROLE.NetworkContributor, ROLE.Contributor, ROLE.Owner];
const GRANTS_IDENTITY_ASSIGN = [ROLE.ManagedIdentityOperator, ROLE.ManagedIdentityContributor, ROLE.Contributor, ROLE.Owner];

function validateCluster(ctx: Ctx, req: WriteRequest): void {
  const { resource: r, existing } = req;
  const p = r.properties;
  const old = existing?.properties;
  const outbound: string | undefined = p.networkProfile?.outboundType;
  if (outbound) requirePreview(ctx, req, "outboundType", outbound);
  // Network isolated clusters (outbound none or block) pull their bootstrap images from a cache.
  if ((outbound === "none" || outbound === "block") && p.bootstrapProfile?.artifactSource !== "Cache")
    throw badRequest("InvalidParameter", `outboundType '${outbound}' requires bootstrapProfile.artifactSource 'Cache' (a network isolated cluster cannot pull from the internet).`);
  const oldPools = new Map<string, Record<string, any>>((old?.agentPoolProfiles ?? []).map((x: any) => [x.name, x]));
  for (const pool of p.agentPoolProfiles ?? []) checkPool(ctx, req, pool.name, pool, oldPools.get(pool.name));
  refuseChange("managed cluster", r.name, old, p, ["dnsPrefix", "nodeResourceGroup"]);

  const access = p.apiServerAccessProfile ?? {};
  if (access.subnetId && !access.enableVnetIntegration) throw badRequest("InvalidParameter", "apiServerAccessProfile.subnetId can only be set when apiServerAccessProfile.enableVnetIntegration is true.");
  // API server VNet integration cannot be turned off once on.
  if (old?.apiServerAccessProfile?.enableVnetIntegration && !access.enableVnetIntegration)
    throw badRequest("InvalidParameter", "API Server VNet integration cannot be disabled once it is enabled (apiServerAccessProfile.enableVnetIntegration true -> false).");

  const uaKeys = Object.keys(r.identity?.userAssignedIdentities ?? {});
  if (r.identity?.type === "UserAssigned" && uaKeys.length !== 1) throw badRequest("InvalidParameter", "A managed cluster takes exactly one user-assigned control-plane identity.");
  if (req.seeding) return;

  const registry = p.bootstrapProfile?.containerRegistryId;
  if (registry && !ctx.store.get(registry)) throw badRequest("InvalidParameter", `The container registry ${registry} in bootstrapProfile.containerRegistryId was not found.`);
  for (const k of uaKeys) if (!ctx.store.get(k)) throw badRequest("InvalidParameter", `The user-assigned identity ${k} was not found.`);

  const kubelet: string | undefined = p.identityProfile?.kubeletidentity?.resourceId;
  const customKubelet = kubelet && (!old || norm(kubelet) !== norm(old.identityProfile?.kubeletidentity?.resourceId ?? ""));
  if (customKubelet) {
    if (!ctx.store.get(kubelet)) throw badRequest("InvalidParameter", `The kubelet identity ${kubelet} was not found.`);
    if (r.identity?.type !== "UserAssigned") throw badRequest("InvalidParameter", "A custom kubelet identity needs a user-assigned control-plane identity.");
    const principal = controlPlanePrincipal(ctx, r);
    if (!holdsRole(ctx, principal, kubelet, GRANTS_IDENTITY_ASSIGN))
      throw badRequest(
        "CustomKubeletIdentityMissingPermissionError",
        `The cluster using user-assigned managed identity must be granted 'Managed Identity Operator' role to assign kubelet identity. You can run 'az role assignment create --assignee ${principal} --role 'Managed Identity Operator' --scope ${kubelet}' to grant the permission.`,
      );
  }

  const nodeSubnets: string[] = [...new Set<string>((p.agentPoolProfiles ?? []).map((x: any) => x.vnetSubnetID).filter(Boolean))];
  if (access.enableVnetIntegration && access.subnetId) {
    const subnet = ctx.store.get(access.subnetId);
    if (!subnet) throw badRequest("InvalidParameter", `The API server subnet ${access.subnetId} was not found.`);
    if (!(subnet.properties.delegations ?? []).some((d: any) => (d.properties?.serviceName ?? d.serviceName) === "Microsoft.ContainerService/managedClusters"))
      throw badRequest("SubnetIsNotDelegated", `The API server subnet ${access.subnetId} must be delegated to Microsoft.ContainerService/managedClusters.`);
    const bits = Number(String(subnet.properties.addressPrefix ?? "").split("/")[1]);
    if (bits > 28) throw badRequest("InvalidParameter", `The API server subnet ${access.subnetId} must be at least /28 (it is /${bits}).`);
    const vnet = access.subnetId.replace(/\/subnets\/[^/]+$/i, "");
    for (const s of nodeSubnets)
      if (norm(s.replace(/\/subnets\/[^/]+$/i, "")) !== norm(vnet)) throw badRequest("InvalidParameter", `The API server subnet and the node subnet ${s} must be in the same virtual network.`);
    // AKS joins both subnets with the control-plane identity: it must be allowed to, at the subnet or above.
    const principal = controlPlanePrincipal(ctx, r);
    for (const scope of [access.subnetId, ...nodeSubnets])
      if (!holdsRole(ctx, principal, scope, GRANTS_SUBNET_JOIN))
        throw new ArmError(
          403,
          "LinkedAuthorizationFailed",
          `The client '${principal ?? "(cluster identity)"}' with object id '${principal ?? ""}' does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${scope}' or the linked scope(s) are invalid. Grant the cluster identity Network Contributor on the subnet.`,
        );
  }
}

/** Mirrors a pool child into its cluster's agentPoolProfiles (AKS shows one through the other). */
function syncPoolIntoCluster(ctx: Ctx, pool: Resource): void {
  const cluster = ctx.store.get(clusterOf(pool.id));
  if (!cluster) return;
  const entry = { name: pool.name, ...pool.properties };
  const list: any[] = cluster.properties.agentPoolProfiles ?? [];
  const at = list.findIndex((x) => x.name?.toLowerCase() === pool.name.toLowerCase());
  cluster.properties.agentPoolProfiles = at >= 0 ? list.map((x, i) => (i === at ? entry : x)) : [...list, entry];
}

/**
 * The control-plane identity: the body's, else the cluster's (a PUT without `identity` keeps it),
 * else system-assigned; with the principal ids Azure fills in.
 */
function completeIdentity(ctx: Ctx, r: Resource, existing: Resource | undefined): void {
  r.identity = structuredClone(r.identity ?? existing?.identity ?? { type: "SystemAssigned" });
  if (r.identity.type === "SystemAssigned") {
    r.identity.principalId = existing?.identity?.principalId ?? randomUUID();
    r.identity.tenantId = TENANT_ID;
  }
  if (r.identity.userAssignedIdentities)
    r.identity.userAssignedIdentities = Object.fromEntries(
      Object.keys(r.identity.userAssignedIdentities).map((k) => {
        const id = ctx.store.get(k)?.properties;
        return [k, { principalId: id?.principalId, clientId: id?.clientId }];
      }),
    );
}

export const managedClusters: Behaviour = {
  durations: { create: standInMs(LATENCIES.clusterCreate), update: standInMs(LATENCIES.clusterUpdate) },
  busyCode: "OperationNotAllowed",
  noun: "managed cluster",
  write(ctx, req) {
    const { resource: r, existing } = req;
    completeIdentity(ctx, r, existing);
    validateCluster(ctx, req);
    const p = r.properties;
    const old = existing?.properties ?? {};
    const { sub, rg } = req.id;
    const location = r.location ?? existing?.location ?? "";
    p.kubernetesVersion ??= old.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    p.currentKubernetesVersion = p.kubernetesVersion;
    p.dnsPrefix ??= old.dnsPrefix ?? `${r.name}-${rg}-${sub.slice(0, 6)}`;
    const hash = old.fqdn?.match(/-([0-9a-f]{8})\.hcp\./)?.[1] ?? randomBytes(4).toString("hex");
    p.fqdn = `${p.dnsPrefix}-${hash}.hcp.${location}.azmk8s.io`;
    p.azurePortalFQDN = `${p.dnsPrefix}-${hash}.portal.hcp.${location}.azmk8s.io`;
    if (p.apiServerAccessProfile?.enablePrivateCluster) p.privateFQDN = old.privateFQDN ?? `${p.dnsPrefix}-${hash}.privatelink.${location}.azmk8s.io`;
    else delete p.privateFQDN;
    p.nodeResourceGroup ??= old.nodeResourceGroup ?? `MC_${rg}_${r.name}_${location}`;
    p.maxAgentPools = 100;
    p.powerState = { code: "Running" };
    p.networkProfile = { outboundType: "loadBalancer", ...(p.networkProfile ?? {}) };

    const kubelet = p.identityProfile?.kubeletidentity;
    if (kubelet?.resourceId) {
      const id = ctx.store.get(kubelet.resourceId)?.properties;
      p.identityProfile = { ...p.identityProfile, kubeletidentity: { resourceId: kubelet.resourceId, clientId: id?.clientId ?? kubelet.clientId, objectId: id?.principalId ?? kubelet.objectId } };
    } else {
      p.identityProfile = old.identityProfile ?? {
        kubeletidentity: {
          resourceId: `/subscriptions/${sub}/resourceGroups/${p.nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${r.name}-agentpool`,
          clientId: randomUUID(),
          objectId: randomUUID(),
        },
      };
    }

    // Pools: those in the body are created/updated; pools the body leaves out stay (a cluster PUT
    // does not delete pools: only DELETE …/agentPools/{p} does).
    const children = existing ? poolsOf(ctx, existing.id) : [];
    const before = (name: string) => children.find((c) => c.name.toLowerCase() === name.toLowerCase())?.properties ?? (old.agentPoolProfiles ?? []).find((x: any) => x.name === name);
    const pending = existing ? "Updating" : "Creating";
    const listed: any[] = (p.agentPoolProfiles ?? []).map((pool: any) => ({ ...completePool(pool, before(pool.name), p.kubernetesVersion), provisioningState: req.seeding ? "Succeeded" : pending }));
    const kept = children.filter((c) => !listed.some((x) => x.name.toLowerCase() === c.name.toLowerCase())).map((c) => ({ name: c.name, ...c.properties }));
    p.agentPoolProfiles = [...listed, ...kept];

    // AKS re-images every node when a cluster is converted to API server VNet integration.
    const converting = !!existing && !old.apiServerAccessProfile?.enableVnetIntegration && !!p.apiServerAccessProfile?.enableVnetIntegration;
    return {
      label: existing ? "update managed cluster" : "create managed cluster",
      onProvisioned(done) {
        for (const pool of done.properties.agentPoolProfiles ?? []) {
          if (converting) pool.nodeImageVersion = latestImage(ctx, pool);
          pool.provisioningState = "Succeeded";
          const { name, ...props } = pool;
          const id = `${done.id}/agentPools/${name}`;
          const child = ctx.store.get(id);
          ctx.store.put({ id: child?.id ?? id, name, type: POOL_TYPE, properties: props });
        }
      },
    };
  },
};

export const agentPools: Behaviour = {
  durations: { create: standInMs(LATENCIES.poolWrite) },
  busyCode: "OperationNotAllowed",
  noun: "agent pool",
  write(ctx, req) {
    const { resource: r, existing } = req;
    const cluster = ctx.store.get(clusterOf(r.id))!;
    checkPool(ctx, req, r.name, r.properties, existing?.properties);
    r.properties = completePool(r.properties, existing?.properties, cluster.properties.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);
    return {
      label: existing ? "update agent pool" : "create agent pool",
      onProvisioned: (done) => syncPoolIntoCluster(ctx, done),
    };
  },
  onDelete(ctx, pool) {
    // The cluster no longer lists a deleted pool.
    const cluster = ctx.store.get(clusterOf(pool.id));
    if (cluster) cluster.properties.agentPoolProfiles = (cluster.properties.agentPoolProfiles ?? []).filter((x: any) => x.name?.toLowerCase() !== pool.name.toLowerCase());
  },
  actions: {
    /** POST …/agentPools/{p}/upgradeNodeImageVersion: 202, then the pool runs the latest image for its OS. */
    upgradenodeimageversion(ctx, { target }): ActionPlan {
      target.properties.provisioningState = "UpgradingNodeImageVersion";
      syncPoolIntoCluster(ctx, target);
      return {
        durationMs: standInMs(LATENCIES.nodeImageUpgrade),
        label: "upgrade node image version",
        body: ctx.view(target),
        onDone() {
          target.properties.provisioningState = "Succeeded";
          target.properties.nodeImageVersion = latestImage(ctx, target.properties);
          syncPoolIntoCluster(ctx, target);
        },
        result: () => ctx.view(target),
      };
    },
  },
};

/** GET …/agentPools/{p}/upgradeProfiles/default (computed by AKS, read-only). */
export const agentPoolUpgradeProfiles: Behaviour = {
  computed(ctx, id: ParsedId) {
    if (id.name.toLowerCase() !== "default") return undefined;
    const pool = ctx.store.get(id.parent);
    if (!pool) return undefined;
    return {
      id: id.path,
      name: "default",
      type: "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles",
      properties: { kubernetesVersion: pool.properties.currentOrchestratorVersion ?? DEFAULT_KUBERNETES_VERSION, osType: pool.properties.osType ?? "Linux", upgrades: [], latestNodeImageVersion: latestImage(ctx, pool.properties) },
    };
  },
};

/** GET …/managedClusters/{c}/upgradeProfiles/default */
export const clusterUpgradeProfiles: Behaviour = {
  computed(ctx, id: ParsedId) {
    if (id.name.toLowerCase() !== "default") return undefined;
    const cluster = ctx.store.get(id.parent);
    if (!cluster) return undefined;
    const version = cluster.properties.currentKubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    return {
      id: id.path,
      name: "default",
      type: "Microsoft.ContainerService/managedClusters/upgradeProfiles",
      properties: {
        controlPlaneProfile: { kubernetesVersion: version, osType: "Linux", upgrades: [] },
        agentPoolProfiles: poolsOf(ctx, cluster.id).map((p) => ({ name: p.name, kubernetesVersion: p.properties.currentOrchestratorVersion ?? version, osType: p.properties.osType ?? "Linux", upgrades: [] })),
      },
    };
  },
};
