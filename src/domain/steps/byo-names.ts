// Names and ids of what a `create` request brings itself (BYO VNet, BYO registry, user-assigned
// identities). Deterministic: the same request always names the same resources, so a re-run
// finds them instead of creating new ones.
import type { CreateRequest } from "../contract.js";
import { providerId, subnetResourceId } from "../naming.js";
import { DEFAULT_SUBNET_NAME } from "../rules.js";
import { CLUSTER_INPUTS } from "./cluster.js";

/** Step names of the BYO chain. The cluster step reads the outputs of four of them (CLUSTER_INPUTS). */
export const STEP = {
  vnet: CLUSTER_INPUTS.vnet,
  cpIdentity: CLUSTER_INPUTS.controlPlaneIdentity,
  kubeletIdentity: CLUSTER_INPUTS.kubeletIdentity,
  registry: CLUSTER_INPUTS.registry,
  cacheRule: "registry:cacheRule",
  endpoint: "registry:privateEndpoint",
  endpointIps: "registry:privateIps",
  zone: "dns:zone",
  link: "dns:vnetLink",
  recordRegistry: "dns:record:registry",
  recordData: "dns:record:data",
  acrPull: "role:acrPull:kubelet",
  identityOperator: "role:managedIdentityOperator:kubelet",
  ncApiServer: "role:networkContributor:apiServerSubnet",
  ncNodes: "role:networkContributor:nodesSubnet",
} as const;

export const DEFAULT_SUBNET_NAMES = DEFAULT_SUBNET_NAME;

/** The procedure's names when the request gives none: `id-{cluster}-cp`, `id-{cluster}-kubelet`. */
export const defaultIdentityNames = (cluster: string) => ({ controlPlane: `id-${cluster}-cp`, kubelet: `id-${cluster}-kubelet` });

export interface ByoNames {
  sub: string;
  location: string;
  clusterRg: string;
  /** Resource group of the VNet, the private endpoint and the private DNS zone. */
  networkRg: string;
  vnetName: string;
  vnetId: string;
  subnet: { nodes: string; registry: string; apiServer: string };
  /** The API server subnet the cluster uses: an existing one (apiServer.subnetId) or ours. */
  apiServerSubnetId?: string;
  registryRg: string;
  registryName: string;
  registryId: string;
  identity: { controlPlane: string; kubelet: string };
}

export function byoNames(req: CreateRequest): ByoNames {
  const { subscriptionId: sub, resourceGroup, name, location } = req.cluster;
  const net = req.network;
  const networkRg = net?.resourceGroup ?? resourceGroup;
  const vnetName = net?.vnetName ?? "";
  const vnetId = providerId(sub, networkRg, "Microsoft.Network/virtualNetworks", vnetName);
  const reg = req.networkIsolation?.registry;
  const registryRg = (reg?.mode === "byo" && reg.resourceGroup) || resourceGroup;
  const registryName = reg?.mode === "byo" ? reg.name : "";
  const ids = req.identities ?? defaultIdentityNames(name);
  const subnet = {
    nodes: subnetResourceId(vnetId, net?.subnetNames?.nodes ?? DEFAULT_SUBNET_NAMES.nodes),
    registry: subnetResourceId(vnetId, net?.subnetNames?.registry ?? DEFAULT_SUBNET_NAMES.registry),
    apiServer: subnetResourceId(vnetId, net?.subnetNames?.apiServer ?? DEFAULT_SUBNET_NAMES.apiServer),
  };
  return {
    sub,
    location: location!,
    clusterRg: resourceGroup,
    networkRg,
    vnetName,
    vnetId,
    subnet,
    apiServerSubnetId: req.apiServer?.subnetId ?? (net?.subnets?.apiServer ? subnet.apiServer : undefined),
    registryRg,
    registryName,
    registryId: providerId(sub, registryRg, "Microsoft.ContainerRegistry/registries", registryName),
    identity: {
      controlPlane: providerId(sub, resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", ids.controlPlane),
      kubelet: providerId(sub, resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", ids.kubelet),
    },
  };
}

export const lastSegment = (id: string) => id.split("/").pop()!;
