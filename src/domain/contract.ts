// The request contract (v1): what other systems put on the `cluster-requests` queue, what
// `POST /api/requests` accepts and what `npm run provision -- FILE` reads. See docs/contract.md.
// Extend it (new optional fields, new operations); never rename or remove a field.
//
// Shape only lives here (types, formats). Rules that relate fields to each other, or that come
// from the procedures in docs/, live in rules.ts with a pointer to their source.
import { z } from "zod";
import { parseArmId } from "./arm-id.js";
import { LIMITS } from "./limits.js";

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// ARM naming rules (Microsoft.Resources / Microsoft.ContainerService / Microsoft.Network).
const resourceGroupName = z
  .string()
  .regex(/^[-\w._()]{1,90}$/u, "must be 1-90 letters, digits, '-', '_', '.', '(' or ')'")
  .refine((s) => !s.endsWith("."), "must not end with '.'");
const clusterName = z
  .string()
  .regex(/^[a-zA-Z0-9](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?$/, "must be 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit");
const networkResourceName = z
  .string()
  .regex(/^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?$/, "must be 1-80 letters, digits, '-', '_' or '.', starting with a letter or digit and ending with a letter, digit or '_'");
const identityName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/, "must be 3-128 letters, digits, '-' or '_', starting with a letter or digit");
const location = z.string().regex(/^[a-z0-9]{2,40}$/, "must be an Azure region name such as 'westus2' (lowercase, no spaces)");
const kubernetesVersion = z.string().regex(/^\d+\.\d+(\.\d+)?$/, "must be a Kubernetes version such as '1.30' or '1.30.3'");
export const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR such as '192.168.1.0/24'")
  .refine((s) => {
    const [ip, bits] = s.split("/");
    return ip.split(".").every((o) => Number(o) <= 255) && Number(bits) <= 32;
  }, "has an octet above 255 or a prefix length above 32");
const subnetId = z
  .string()
  .max(LIMITS.string)
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
    "must be a subnet resource id (/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/virtualNetworks/…/subnets/…)",
  )
  // Each segment by ARM's naming rules: an id with a '..' or '%2F' segment could name another resource.
  .superRefine((id, ctx) => {
    const parsed = parseArmId(id);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: `is not a valid resource id: it ${parsed.problem}` });
  });

/** Tags the app sets itself (on what it creates or changes); a request cannot set them. */
export const MANAGED_BY_TAG = "managed-by";
export const MANAGED_BY_VALUE = "aks-provisioner";
export const REQUEST_TAG = "aks-provisioner-request";

// ARM's tag rules: a name is 1-512 characters without < > % & \ ? /, a value at most 256; names
// compare case-insensitively. 50 tags per resource, two of them the app's own.
const tagName = z
  .string()
  .min(1)
  .max(LIMITS.tagName)
  .regex(/^[^<>%&\\?/]*$/, "a tag name cannot contain < > % & \\ ? or /")
  .refine((n) => ![MANAGED_BY_TAG, REQUEST_TAG].includes(n.toLowerCase()), `'${MANAGED_BY_TAG}' and '${REQUEST_TAG}' are set by the app`);
export const tags = z
  .record(tagName, z.string().max(LIMITS.tagValue))
  .refine((t) => Object.keys(t).length <= LIMITS.tags, `at most ${LIMITS.tags} tags (ARM allows 50; the app adds two)`)
  .refine((t) => new Set(Object.keys(t).map((k) => k.toLowerCase())).size === Object.keys(t).length, "two tag names differ only in case (ARM treats them as one)");

export const clusterRef = z.strictObject({
  subscriptionId: z.string().regex(guid, "must be a subscription id (a GUID)"),
  resourceGroup: resourceGroupName,
  name: clusterName,
  location: location.optional(),
  kubernetesVersion: kubernetesVersion.optional(),
});

export const cacheRule = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9-]{5,50}$/, "must be 5-50 letters, digits or '-'").default("acr-cache-rule"),
  sourceRepository: z.string().min(1).max(LIMITS.string).default("mcr.microsoft.com/*"),
  targetRepository: z.string().min(1).max(LIMITS.string).default("*"),
});

export const registry = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("aksManaged") }),
  z.strictObject({
    mode: z.literal("byo"),
    name: z.string().max(50, "a registry name is 5-50 letters or digits"),
    // Resource group of the registry and its network resources; defaults to the cluster's.
    resourceGroup: resourceGroupName.optional(),
    cacheRule: cacheRule.optional(),
    anonymousPullEnabled: z.boolean().default(true),
  }),
]);

export const networkIsolation = z.strictObject({
  outboundType: z.enum(["none", "block"]),
  registry: registry.default({ mode: "aksManaged" }),
});

export const apiServer = z.strictObject({
  access: z.enum(["privateLink", "vnetIntegration", "public"]).optional(),
  private: z.boolean().optional(),
  subnetId: subnetId.optional(),
});

export const network = z.strictObject({
  resourceGroup: resourceGroupName.optional(),
  vnetName: networkResourceName.optional(),
  addressPrefixes: z.array(cidr).min(1).max(LIMITS.addressPrefixes).optional(),
  subnets: z
    .strictObject({
      nodes: cidr.optional(),
      registry: cidr.optional(),
      apiServer: cidr.optional(),
    })
    .optional(),
  subnetNames: z
    .strictObject({ nodes: networkResourceName.optional(), registry: networkResourceName.optional(), apiServer: networkResourceName.optional() })
    .optional(),
});

export const identities = z.strictObject({ controlPlane: identityName, kubelet: identityName });

// AKS agent pool names; a pool name is also a segment of the pool's resource id.
const poolName = z.string().regex(/^[a-z][a-z0-9]{0,11}$/, "must be 1-12 lowercase letters or digits, starting with a letter");

export const nodePool = z.strictObject({
  name: poolName,
  mode: z.enum(["System", "User"]).default("User"),
  vmSize: z.string().max(64).regex(/^Standard_[A-Za-z0-9_]+$/, "must be a VM size such as 'Standard_D4s_v3'"),
  count: z.int().min(0).max(1000).default(1),
  osSku: z.enum(["Ubuntu", "AzureLinux", "Ubuntu2204", "Ubuntu2404"]).optional(),
  workloadRuntime: z.enum(["OCIContainer", "KataVmIsolation", "KataMshvVmIsolation"]).optional(),
});

/**
 * A request id: 1-100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit (so never
 * '.' or '..', which a URL path cannot carry). It is a Table partition key and part of message ids.
 */
export const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
export const REQUEST_ID_RULE = "must be 1-100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit";
const requestIdText = z.string().regex(REQUEST_ID, REQUEST_ID_RULE);

/** A step name of a plan (as `?whatIf=true` and the status document list them). */
const stepName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,119}$/, "must be a step name of this request's plan (as ?whatIf=true lists them)");
const envelope = {
  requestId: requestIdText.optional(),
  tags: tags.optional(),
  /**
   * Run only these steps of the plan, and the steps they depend on (whose outputs they need): what
   * this app's restores of a deleted or changed resource send (the request that made it, narrowed
   * to the steps that make it again). Every step still reads first and writes only what differs.
   */
  onlySteps: z.array(stepName).min(1).max(60).optional(),
  /**
   * Set by this app only, on its restore of resources a request made: that request's id. What the
   * restore makes again is tagged and recorded as that request's, so that request's delete removes
   * it; a caller's request that carries it is refused.
   */
  restores: requestIdText.optional(),
};
/**
 * What the app does when a setting this request establishes is changed outside it: `report` (the
 * default) records the drift; `restore` also puts it back through a request of its own.
 */
export const driftPolicy = z.enum(["report", "restore"]);
const existingCluster = { ...envelope, cluster: clusterRef, driftPolicy: driftPolicy.optional() };

export const createRequest = z.strictObject({
  operation: z.literal("create"),
  ...existingCluster,
  networkIsolation: networkIsolation.optional(),
  apiServer: apiServer.optional(),
  network: network.optional(),
  identities: identities.optional(),
  nodePools: z.array(nodePool).min(1, "a cluster needs at least one node pool").max(LIMITS.nodePools, `at most ${LIMITS.nodePools} node pools (the AKS limit)`),
});

export const enableNetworkIsolationRequest = z.strictObject({
  operation: z.literal("enableNetworkIsolation"),
  ...existingCluster,
  networkIsolation,
  network: network.optional(),
});

export const updateBootstrapRegistryRequest = z.strictObject({
  operation: z.literal("updateBootstrapRegistry"),
  ...existingCluster,
  networkIsolation: z.strictObject({ outboundType: z.enum(["none", "block"]).optional(), registry }),
  network: network.optional(),
});

export const disableNetworkIsolationRequest = z.strictObject({ operation: z.literal("disableNetworkIsolation"), ...existingCluster });

export const enableApiServerVnetIntegrationRequest = z.strictObject({
  operation: z.literal("enableApiServerVnetIntegration"),
  ...existingCluster,
  network: network.optional(),
  apiServer: apiServer.optional(),
});

export const setPrivateClusterRequest = z.strictObject({
  operation: z.literal("setPrivateCluster"),
  ...existingCluster,
  apiServer: z.strictObject({ private: z.boolean(), access: apiServer.shape.access, subnetId: subnetId.optional() }),
});

export const addSandboxPoolRequest = z.strictObject({
  operation: z.literal("addSandboxPool"),
  ...existingCluster,
  nodePools: z.array(nodePool).min(1).max(LIMITS.nodePools, `at most ${LIMITS.nodePools} node pools (the AKS limit)`),
});

export const upgradeNodeImagesRequest = z.strictObject({
  operation: z.literal("upgradeNodeImages"),
  ...existingCluster,
  nodePoolNames: z.array(poolName).min(1).max(LIMITS.nodePools, `at most ${LIMITS.nodePools} pool names (the AKS limit)`).optional(),
});

/** Changes what the app does about drift of a cluster (see driftPolicy); writes nothing to ARM. */
export const setDriftPolicyRequest = z.strictObject({
  operation: z.literal("setDriftPolicy"),
  ...existingCluster,
  driftPolicy,
});

export const arcPrivateLinkRequest = z.strictObject({
  operation: z.literal("arcPrivateLink"),
  ...envelope,
  /** What the app does when what this request made (the scope, endpoint, zones, links, NSG rules) is changed outside it. */
  driftPolicy: driftPolicy.optional(),
  scope: z.strictObject({
    subscriptionId: z.string().regex(guid, "must be a subscription id (a GUID)"),
    resourceGroup: resourceGroupName,
    name: networkResourceName,
    location,
    publicNetworkAccess: z.boolean().default(false),
  }),
  network: z.strictObject({
    resourceGroup: resourceGroupName,
    vnetName: networkResourceName,
    subnetName: networkResourceName,
    nsgName: networkResourceName.optional(),
  }),
  privateEndpoint: z.strictObject({ name: networkResourceName, dns: z.enum(["azurePrivateDns", "manual"]).default("azurePrivateDns") }),
  connectedClusters: z.array(z.strictObject({ resourceGroup: resourceGroupName, name: clusterName })).max(LIMITS.connectedClusters, `at most ${LIMITS.connectedClusters} connected clusters per request`).default([]),
});

/**
 * Removes what an earlier `create` or `arcPrivateLink` request created (its step rows and tags say
 * what), in the reverse order of that request's steps; keeps what it only used or found, and what
 * others still use. No `tags`: it creates nothing.
 */
export const deleteRequest = z.strictObject({
  operation: z.literal("delete"),
  requestId: requestIdText.optional(),
  deletes: requestIdText,
  confirm: z.literal(true, { error: "must be true: a delete removes resources for good (submit with ?whatIf=true first to see the list)" }),
});

export const clusterRequest = z.discriminatedUnion("operation", [
  createRequest,
  enableNetworkIsolationRequest,
  updateBootstrapRegistryRequest,
  disableNetworkIsolationRequest,
  enableApiServerVnetIntegrationRequest,
  setPrivateClusterRequest,
  addSandboxPoolRequest,
  upgradeNodeImagesRequest,
  setDriftPolicyRequest,
  arcPrivateLinkRequest,
  deleteRequest,
]);

export type ClusterRequest = z.infer<typeof clusterRequest>;
export type CreateRequest = z.infer<typeof createRequest>;
export type DeleteRequest = z.infer<typeof deleteRequest>;
export type NodePool = z.infer<typeof nodePool>;
export type Operation = ClusterRequest["operation"];

/** The request a restore of this app makes again what it made (`restores`); undefined for any other request. */
export const restoredRequest = (r: ClusterRequest): string | undefined => ("restores" in r ? r.restores : undefined);
export const operations = clusterRequest.options.map((o) => o.shape.operation.value) as Operation[];

/** JSON Schema of the request (draft 2020-12) for callers; `npm run schema` writes it to docs/. */
export function requestJsonSchema(): unknown {
  return z.toJSONSchema(clusterRequest, { io: "input", target: "draft-2020-12" });
}
