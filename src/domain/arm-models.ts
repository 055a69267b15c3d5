// What each ARM resource kind the steps touch looks like, as the Azure SDKs model it: the type a read
// returns and the type a write takes. Steps build bodies of these types, so a misspelt or unknown
// property does not compile. Type-only imports: nothing of the SDKs is loaded by the domain.
//
// The SDKs flatten `properties` (a managed cluster is written as { location, agentPoolProfiles, … });
// the generic resources API used for Arc connected clusters keeps ARM's JSON as it is, so its model
// (ConnectedCluster below) is written from the published spec, with `properties` as ARM has it.
import type { AgentPool, ManagedCluster } from "@azure/arm-containerservice";
import type { CacheRule, Registry } from "@azure/arm-containerregistry";
import type { FeatureResult } from "@azure/arm-features";
import type { HybridComputePrivateLinkScope } from "@azure/arm-hybridcompute";
import type { Identity } from "@azure/arm-msi";
import type { NetworkInterface, NetworkSecurityGroup, PrivateDnsZoneGroup, PrivateEndpoint, SecurityRule, Subnet, VirtualNetwork } from "@azure/arm-network";
import type { PrivateZone, RecordSet, VirtualNetworkLink } from "@azure/arm-privatedns";
import type { RoleAssignment, RoleAssignmentCreateParameters } from "@azure/arm-authorization";
import type { GenericResourceExpanded, Provider, ResourceGroup } from "@azure/arm-resources";

/**
 * Microsoft.Kubernetes/connectedClusters, api-version 2026-05-01 (the newest stable), from the
 * published spec (Azure/azure-rest-api-specs @ 4aee256d40872caaf8bafeb9f57b1a4175e859f1:
 * specification/hybridkubernetes/resource-manager/Microsoft.Kubernetes/HybridKubernetes/stable/
 * 2026-05-01/connectedClusters.json, definitions ConnectedCluster and ConnectedClusterProperties),
 * as far as the app reads and writes it; what it does not name is passed through as read.
 * @azure/arm-hybridkubernetes 2.x models api-version 2021-10-01, which has neither
 * privateLinkState nor privateLinkScopeResourceId.
 */
export interface ConnectedCluster {
  readonly id?: string;
  readonly name?: string;
  readonly type?: string;
  /** Required. */
  location: string;
  tags?: Record<string, string>;
  /** Required: `None` or `SystemAssigned`; principalId and tenantId are read-only. */
  identity: { type: "None" | "SystemAssigned"; readonly principalId?: string; readonly tenantId?: string };
  /** Extensible enum. */
  kind?: "ProvisionedCluster" | (string & {});
  properties: ConnectedClusterProperties;
}

export interface ConnectedClusterProperties {
  /** Required: the agent's public key (base64), set by `az connectedk8s connect`. */
  agentPublicKeyCertificate: string;
  distribution?: string;
  distributionVersion?: string;
  infrastructure?: string;
  provisioningState?: "Succeeded" | "Failed" | "Canceled" | "Provisioning" | "Updating" | "Deleting" | "Accepted";
  privateLinkState?: "Enabled" | "Disabled";
  privateLinkScopeResourceId?: string;
  azureHybridBenefit?: "True" | "False" | "NotApplicable";
  arcAgentProfile?: {
    desiredAgentVersion?: string;
    agentAutoUpgrade?: "Enabled" | "Disabled";
    systemComponents?: { type?: string; userSpecifiedVersion?: string; majorVersion?: number; readonly currentVersion?: string }[];
    readonly agentErrors?: { message?: string; severity?: string; component?: string; time?: string }[];
    readonly agentState?: string;
  };
  oidcIssuerProfile?: { enabled?: boolean; readonly issuerUrl?: string; selfHostedIssuerUrl?: string };
  readonly kubernetesVersion?: string;
  readonly totalNodeCount?: number;
  readonly totalCoreCount?: number;
  readonly agentVersion?: string;
  readonly offering?: string;
  readonly managedIdentityCertificateExpirationTime?: string;
  readonly lastConnectivityTime?: string;
  readonly connectivityStatus?: "Connecting" | "Connected" | "Offline" | "Expired" | "AgentNotInstalled";
  readonly miscellaneousProperties?: Record<string, string>;
  /** aadProfile, securityProfile, gateway, arcAgentryConfigurations: passed through as read. */
  [other: string]: unknown;
}

/** A read of an agent pool carries the latest node image AKS offers it (from its upgrade profile). */
export type AgentPoolWithLatestImage = AgentPool & { latestNodeImageVersion?: string };

/** What a GET returns, per resource kind. */
export interface ArmReadModels {
  provider: Provider;
  feature: FeatureResult;
  resourceGroup: ResourceGroup;
  managedCluster: ManagedCluster;
  agentPool: AgentPoolWithLatestImage;
  virtualNetwork: VirtualNetwork;
  subnet: Subnet;
  networkSecurityGroup: NetworkSecurityGroup;
  securityRule: SecurityRule;
  networkInterface: NetworkInterface;
  privateEndpoint: PrivateEndpoint;
  privateDnsZoneGroup: PrivateDnsZoneGroup;
  privateDnsZone: PrivateZone;
  virtualNetworkLink: VirtualNetworkLink;
  aRecordSet: RecordSet;
  registry: Registry;
  cacheRule: CacheRule;
  userAssignedIdentity: Identity;
  roleAssignment: RoleAssignment;
  privateLinkScope: HybridComputePrivateLinkScope;
  connectedCluster: ConnectedCluster;
  // Lists, read by a delete to see what else is in a zone or a resource group.
  virtualNetworkLinkList: { value: VirtualNetworkLink[] };
  aRecordSetList: { value: RecordSet[] };
  resourceGroupContents: { value: GenericResourceExpanded[] };
}

/**
 * What a PUT takes, per kind that the steps write: the model a read returns, but for a role
 * assignment (written as RoleAssignmentCreateParameters) and an agent pool (no upgrade-profile
 * field); providers, features, network interfaces and the lists are never PUT.
 */
export type ArmWriteModels = Omit<ArmReadModels, "provider" | "feature" | "networkInterface" | "roleAssignment" | "agentPool" | "virtualNetworkLinkList" | "aRecordSetList" | "resourceGroupContents"> & {
  roleAssignment: RoleAssignmentCreateParameters;
  agentPool: AgentPool;
};

/** The POST actions the steps run, per kind. */
export interface ArmActions {
  provider: "register";
  feature: "register";
  agentPool: "upgradeNodeImageVersion";
}

export type ResourceKind = keyof ArmReadModels;
export type WritableKind = keyof ArmWriteModels;
export type ActionKind = keyof ArmActions;
