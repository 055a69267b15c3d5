// The step model. A plan is a DAG of steps; each step is pure: it says which ARM resources it
// needs to read, and from what it reads (plus the request and earlier steps' outputs) decides the
// one thing to do next. The runner (src/app) does the I/O and records the outcome.
import type { ClusterRequest } from "./contract.js";

/** The ARM resource kinds the adapters know how to read and write (src/azure/kinds). */
export type ResourceKind =
  | "provider"
  | "feature"
  | "resourceGroup"
  | "managedCluster"
  | "agentPool"
  | "virtualNetwork"
  | "subnet"
  | "networkSecurityGroup"
  | "securityRule"
  | "networkInterface"
  | "privateEndpoint"
  | "privateDnsZoneGroup"
  | "privateDnsZone"
  | "virtualNetworkLink"
  | "aRecordSet"
  | "registry"
  | "cacheRule"
  | "userAssignedIdentity"
  | "roleAssignment"
  | "privateLinkScope"
  | "connectedCluster";

export interface ResourceRef {
  kind: ResourceKind;
  id: string;
  /** Only for requests that ask for a preview-only value (outboundType block, KataMshvVmIsolation). */
  apiVersion?: string;
}

export type Outputs = Record<string, unknown>;
/** A resource as the SDK returns it (properties flattened), or undefined when it does not exist. */
export type Resource = Record<string, any>;

export interface StepContext {
  request: ClusterRequest;
  /** Outputs of the steps this step depends on (transitively), by step name. */
  outputs: Record<string, Outputs>;
  /** How many POST actions this step has already issued (persisted across invocations). */
  posts: number;
  /** ARM writes issued by each step this one depends on (0: it found its work already done). */
  writes: Record<string, number>;
}

export type Decision =
  | { do: "done"; outputs?: Outputs; resourceId?: string }
  | { do: "put"; ref: ResourceRef; body: unknown }
  | { do: "post"; ref: ResourceRef; action: string }
  | { do: "wait"; reason: string; resourceId?: string }
  | { do: "fail"; code: string; message: string };

export interface StepDef {
  name: string;
  dependsOn: string[];
  /** One line for `--plan` and the status document: what the step writes. */
  describe: string;
  /** The resource the step writes, when it is known before it runs (shown by --plan). */
  resourceId?: string;
  reads(ctx: StepContext): ResourceRef[];
  decide(ctx: StepContext, current: (Resource | undefined)[]): Decision;
  /** Outputs recorded when the step's write has completed, from the final resource. */
  outputs?(ctx: StepContext, result: Resource | undefined): Outputs;
  /** Longest a step may wait (decision "wait") before it fails; default 30 minutes. */
  maxWaitMs?: number;
}

export interface Plan {
  steps: StepDef[];
  /** Resource id the request is about (the cluster, or the Arc scope). */
  target: string;
  /** Warnings shown in the status document (e.g. one-way conversions). */
  warnings: string[];
}

export const PROVISIONING_IN_PROGRESS = (r: Resource | undefined): boolean => {
  const s = provisioningState(r);
  return !!s && !["succeeded", "failed", "canceled", "cancelled"].includes(s.toLowerCase());
};
export const provisioningState = (r: Resource | undefined): string | undefined =>
  r?.provisioningState ?? r?.properties?.provisioningState;
