// Validation rules that come from the procedures (docs/procedures.md) or the ARM API, in one place.
// Each rule names its source; a rejected request reports every broken rule with its field path.
// Rules here are static: they need only the request. Rules that depend on what exists in Azure
// (the cluster is VNet-integrated, the VNet has no other Arc scope…) are checked by the first
// steps of a plan, before any write.
import type { ClusterRequest, CreateRequest, NodePool } from "./contract.js";
import { contains, isNetworkAddress, overlaps, parseCidr, usableAddresses, type Cidr } from "./cidr.js";
import { parseResourceId } from "./naming.js";
import type { ValidationError } from "./validation-error.js";

const SRC = {
  sandbox: "Pod Sandboxing procedure: node pool requirements",
  isolated: "Network-isolated AKS procedure",
  isolatedByo: "Network-isolated AKS procedure, BYO ACR steps 1-6",
  vnetInt: "API server VNet integration procedure, bring-your-own VNet",
  arc: "Azure Arc private link procedure: current limitations",
  acr: "ARM API: Microsoft.ContainerRegistry naming rules",
  aks: "ARM API: Microsoft.ContainerService/managedClusters",
  contract: "Request contract (docs/contract.md)",
} as const;

/**
 * Gen2 VM families that support nested virtualisation, which Kata pod sandboxes need
 * (the procedure names Dsv3 as its example). Intel D/E families v3-v5 with any of the
 * d/s suffixes, and Fsv2. A size outside this list is rejected rather than guessed at.
 */
const NESTED_VIRT_SIZE = /^Standard_(?:[DE]\d+(?:d|s|ds)?_v[345]|F\d+s_v2)$/i;
const KATA = new Set(["KataVmIsolation", "KataMshvVmIsolation"]);
export const isKataPool = (p: Pick<NodePool, "workloadRuntime">): boolean => !!p.workloadRuntime && KATA.has(p.workloadRuntime);

/** The smallest API server subnet the procedure supports, and the addresses a cluster reserves in it. */
export const API_SERVER_SUBNET_MAX_PREFIX = 28;
export const API_SERVER_RESERVED_ADDRESSES = 9;

/** Regions where Azure Arc private link is not offered during the preview. */
export const ARC_PRIVATE_LINK_EXCLUDED_REGIONS = ["southeastasia"];

export function checkRules(req: ClusterRequest): ValidationError[] {
  const errors: ValidationError[] = [];
  const fail = (path: string, message: string, source?: string) => errors.push({ path, message, source });

  switch (req.operation) {
    case "create":
      checkCreate(req, fail);
      break;
    case "enableNetworkIsolation":
    case "updateBootstrapRegistry": {
      const reg = req.networkIsolation.registry;
      if (req.operation === "updateBootstrapRegistry" && reg.mode !== "byo")
        fail("networkIsolation.registry.mode", "changing the bootstrap registry needs a bring-your-own registry (mode 'byo')", SRC.isolated);
      if (reg.mode === "byo") {
        checkRegistryName(reg.name, "networkIsolation.registry.name", fail);
        if (!req.network?.subnets?.registry)
          fail("network.subnets.registry", "a bring-your-own registry needs a subnet for its private endpoint (CIDR in the cluster's VNet)", SRC.isolatedByo);
        checkSubnetFormats(req.network?.subnets, fail);
      } else if (req.network) {
        fail("network", "only a bring-your-own registry uses network settings", SRC.contract);
      }
      break;
    }
    case "enableApiServerVnetIntegration": {
      if (req.apiServer?.access && req.apiServer.access !== "vnetIntegration")
        fail("apiServer.access", "must be 'vnetIntegration' (or omitted) for this operation", SRC.contract);
      const cidrText = req.network?.subnets?.apiServer;
      if (!cidrText && !req.apiServer?.subnetId)
        fail("network.subnets.apiServer", "give the API server subnet: a new subnet's CIDR here, or an existing subnet's id in apiServer.subnetId", SRC.vnetInt);
      if (cidrText && req.apiServer?.subnetId)
        fail("apiServer.subnetId", "give either network.subnets.apiServer (new subnet) or apiServer.subnetId (existing subnet), not both", SRC.contract);
      checkSubnetFormats(req.network?.subnets, fail);
      if (cidrText) checkApiServerSubnetSize(cidrText, "network.subnets.apiServer", fail);
      break;
    }
    case "addSandboxPool":
      checkPoolNames(req.nodePools, fail);
      req.nodePools.forEach((p, i) => {
        if (!isKataPool(p))
          fail(`nodePools[${i}].workloadRuntime`, "a sandbox pool needs workloadRuntime 'KataVmIsolation' (or the preview name 'KataMshvVmIsolation')", SRC.sandbox);
        checkKataPool(p, `nodePools[${i}]`, undefined, fail);
      });
      break;
    case "upgradeNodeImages":
      if (req.nodePoolNames && new Set(req.nodePoolNames).size !== req.nodePoolNames.length)
        fail("nodePoolNames", "lists a pool more than once", SRC.contract);
      break;
    case "arcPrivateLink":
      if (ARC_PRIVATE_LINK_EXCLUDED_REGIONS.includes(req.scope.location))
        fail("scope.location", `Azure Arc private link is not available in ${req.scope.location} during the preview`, SRC.arc);
      {
        const seen = new Set<string>();
        req.connectedClusters.forEach((c, i) => {
          const key = `${c.resourceGroup}/${c.name}`.toLowerCase();
          if (seen.has(key)) fail(`connectedClusters[${i}]`, "lists a cluster more than once", SRC.contract);
          seen.add(key);
        });
      }
      break;
    case "setPrivateCluster":
      if (req.apiServer.access && req.apiServer.access !== "vnetIntegration")
        fail("apiServer.access", "private mode can be toggled only on a cluster with API server VNet integration", SRC.vnetInt);
      break;
    case "disableNetworkIsolation":
    case "setDriftPolicy":
      break;
    case "delete":
      // What it deletes is checked against the recorded requests when it is accepted (src/app/delete-source.ts).
      if (req.requestId && req.requestId === req.deletes) fail("deletes", "names this request itself: give the requestId of the create or arcPrivateLink request to delete", SRC.contract);
      break;
  }
  return errors;
}

type Fail = (path: string, message: string, source?: string) => void;

function checkCreate(req: CreateRequest, fail: Fail): void {
  if (!req.cluster.location) fail("cluster.location", "is required to create a cluster", SRC.contract);

  checkPoolNames(req.nodePools, fail);
  if (!req.nodePools.some((p) => p.mode === "System"))
    fail("nodePools", "needs at least one pool with mode 'System'", SRC.aks);
  req.nodePools.forEach((p, i) => {
    if (p.mode === "System" && p.count < 1) fail(`nodePools[${i}].count`, "a System pool needs at least one node", SRC.aks);
    checkKataPool(p, `nodePools[${i}]`, req.cluster.kubernetesVersion, fail);
  });

  const access = apiServerAccess(req);
  if (req.apiServer?.private && access === "public")
    fail("apiServer.private", "a public API server cannot be private: use access 'privateLink' or 'vnetIntegration'", SRC.vnetInt);
  if (req.apiServer?.subnetId && access !== "vnetIntegration")
    fail("apiServer.subnetId", "an API server subnet is used only with access 'vnetIntegration'", SRC.aks);

  const net = req.network;
  const reg = req.networkIsolation?.registry;
  if (reg?.mode === "byo") {
    checkRegistryName(reg.name, "networkIsolation.registry.name", fail);
    if (!net) fail("network", "a bring-your-own registry needs a VNet (network.vnetName, addressPrefixes, subnets) for its private endpoint", SRC.isolatedByo);
    else if (!net.subnets?.registry) fail("network.subnets.registry", "a bring-your-own registry needs a subnet for its private endpoint", SRC.isolatedByo);
  }
  if (net) checkNetwork(req, fail);
  if (access === "vnetIntegration" && net && !net.subnets?.apiServer && !req.apiServer?.subnetId)
    fail("network.subnets.apiServer", "API server VNet integration with your own VNet needs an API server subnet (at least /28)", SRC.vnetInt);
  if (req.identities && req.identities.controlPlane === req.identities.kubelet)
    fail("identities.kubelet", "must differ from the control-plane identity", SRC.isolatedByo);
  checkByoApiServerSubnet(req, fail);
  if (net) checkSubnetNames(net, fail);
}

/**
 * An existing API server subnet (apiServer.subnetId) on create. The API server VNet integration
 * procedure: the subnet must be in the same VNet as the cluster's nodes, and it cannot be used by
 * other workloads, nor by a private endpoint (the registry's).
 */
function checkByoApiServerSubnet(req: CreateRequest, fail: Fail): void {
  const given = req.apiServer?.subnetId;
  if (!given || apiServerAccess(req) !== "vnetIntegration") return;
  const net = req.network;
  if (net?.subnets?.apiServer) {
    fail("apiServer.subnetId", "give either network.subnets.apiServer (a new subnet) or apiServer.subnetId (an existing subnet), not both", SRC.contract);
    return;
  }
  if (!net) {
    fail("apiServer.subnetId", "an existing API server subnet must be in the VNet of the cluster's nodes: bring that VNet in 'network' (the AKS-managed VNet cannot hold it)", SRC.vnetInt);
    return;
  }
  if (!net.vnetName) return; // reported by checkNetwork
  const p = parseResourceId(given);
  const vnetIdx = p.segments.findIndex((x) => x.toLowerCase() === "virtualnetworks");
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const inNodesVnet =
    same(p.subscriptionId, req.cluster.subscriptionId) && same(p.resourceGroup, net.resourceGroup ?? req.cluster.resourceGroup) && vnetIdx >= 0 && same(p.segments[vnetIdx + 1], net.vnetName);
  if (!inNodesVnet) {
    fail("apiServer.subnetId", `the API server subnet must be in the VNet of the cluster's nodes (${net.vnetName} in resource group ${net.resourceGroup ?? req.cluster.resourceGroup})`, SRC.vnetInt);
    return;
  }
  for (const role of ["nodes", "registry"] as const)
    if (net.subnets?.[role] && same(p.name, net.subnetNames?.[role] ?? DEFAULT_SUBNET_NAME[role]))
      fail("apiServer.subnetId", `is the ${role} subnet: the API server subnet cannot be shared with ${role === "nodes" ? "other workloads" : "a private endpoint"}`, SRC.vnetInt);
}

/** Default subnet names of a BYO VNet (network.subnetNames overrides them; steps/byo-names.ts names the subnets with them). */
export const DEFAULT_SUBNET_NAME = { nodes: "snet-nodes", registry: "snet-registry", apiServer: "snet-apiserver" } as const;

/**
 * Each subnet the request creates has its own name (ARM: subnet names are unique in a VNet). Two
 * roles under one name would put the API server into the nodes' or the private endpoint's subnet,
 * which the API server VNet integration procedure forbids, or drop one subnet's settings.
 */
function checkSubnetNames(net: NonNullable<CreateRequest["network"]>, fail: Fail): void {
  const roles = (["nodes", "registry", "apiServer"] as const).filter((r) => net.subnets?.[r]);
  const seen = new Map<string, string>();
  for (const r of roles) {
    const name = (net.subnetNames?.[r] ?? DEFAULT_SUBNET_NAME[r]).toLowerCase();
    const other = seen.get(name);
    if (other) fail(`network.subnetNames.${r}`, `'${name}' is also the name of the ${other} subnet: each subnet needs its own name`, SRC.vnetInt);
    else seen.set(name, r);
  }
}

function checkNetwork(req: CreateRequest, fail: Fail): void {
  const net = req.network!;
  if (!net.vnetName) fail("network.vnetName", "is required when you bring your own VNet", SRC.isolatedByo);
  if (!net.addressPrefixes) fail("network.addressPrefixes", "is required when you bring your own VNet", SRC.isolatedByo);
  if (!net.subnets?.nodes) fail("network.subnets.nodes", "is required when you bring your own VNet", SRC.isolatedByo);
  const spaces = (net.addressPrefixes ?? []).map(parseCidr);
  spaces.forEach((c, i) => {
    if (!isNetworkAddress(c)) fail(`network.addressPrefixes[${i}]`, `${c.text} is not the first address of its block`, SRC.isolatedByo);
  });
  checkSubnetFormats(net.subnets, fail);
  const subnets = Object.entries(net.subnets ?? {}).filter(([, v]) => v) as [string, string][];
  const parsed: [string, Cidr][] = subnets.map(([k, v]) => [k, parseCidr(v)]);
  for (const [k, c] of parsed) {
    if (spaces.length && !spaces.some((s) => contains(s, c)))
      fail(`network.subnets.${k}`, `${c.text} is not inside the VNet's address space (${net.addressPrefixes!.join(", ")})`, SRC.isolatedByo);
  }
  for (let i = 0; i < parsed.length; i++)
    for (let j = i + 1; j < parsed.length; j++)
      if (overlaps(parsed[i][1], parsed[j][1]))
        fail(`network.subnets.${parsed[j][0]}`, `${parsed[j][1].text} overlaps the ${parsed[i][0]} subnet ${parsed[i][1].text}`, SRC.isolatedByo);
  if (net.subnets?.apiServer) checkApiServerSubnetSize(net.subnets.apiServer, "network.subnets.apiServer", fail);
}

function checkSubnetFormats(subnets: Record<string, string | undefined> | undefined, fail: Fail): void {
  for (const [k, v] of Object.entries(subnets ?? {})) {
    if (v && !isNetworkAddress(parseCidr(v))) fail(`network.subnets.${k}`, `${v} is not the first address of its block`, SRC.isolatedByo);
  }
}

function checkApiServerSubnetSize(text: string, path: string, fail: Fail): void {
  const c = parseCidr(text);
  if (c.bits > API_SERVER_SUBNET_MAX_PREFIX)
    fail(path, `the API server subnet must be /${API_SERVER_SUBNET_MAX_PREFIX} or larger (got /${c.bits})`, SRC.vnetInt);
  else if (usableAddresses(c) < API_SERVER_RESERVED_ADDRESSES)
    fail(path, `the API server subnet needs room for the ${API_SERVER_RESERVED_ADDRESSES} addresses a cluster reserves`, SRC.vnetInt);
}

function checkPoolNames(pools: NodePool[], fail: Fail): void {
  const seen = new Set<string>();
  pools.forEach((p, i) => {
    if (seen.has(p.name)) fail(`nodePools[${i}].name`, `pool name '${p.name}' is used twice`, SRC.aks);
    seen.add(p.name);
  });
}

function checkKataPool(p: NodePool, path: string, kubernetesVersion: string | undefined, fail: Fail): void {
  if (!isKataPool(p)) return;
  if (p.osSku !== "AzureLinux") fail(`${path}.osSku`, "Pod Sandboxing pools need osSku 'AzureLinux'", SRC.sandbox);
  if (!NESTED_VIRT_SIZE.test(p.vmSize))
    fail(`${path}.vmSize`, `${p.vmSize} is not a Generation 2 size with nested virtualisation (e.g. Standard_D4s_v3)`, SRC.sandbox);
  if (kubernetesVersion) {
    const [major, minor] = kubernetesVersion.split(".").map(Number);
    if (major === 1 && minor < 24) fail("cluster.kubernetesVersion", "Pod Sandboxing needs Kubernetes 1.24 or later", SRC.sandbox);
  }
}

function checkRegistryName(name: string, path: string, fail: Fail): void {
  if (!/^[a-zA-Z0-9]{5,50}$/.test(name)) fail(path, "a registry name is 5-50 letters or digits (no '-' or '_')", SRC.acr);
}

/** API server access mode of a create request: explicit, else private link when private, else public. */
export function apiServerAccess(req: Pick<CreateRequest, "apiServer">): "privateLink" | "vnetIntegration" | "public" {
  return req.apiServer?.access ?? (req.apiServer?.private ? "privateLink" : "public");
}
