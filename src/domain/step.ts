// The step model. A plan is a DAG of steps; each step is pure: it says which ARM resources it
// needs to read, and from what it reads (plus the request and earlier steps' outputs) decides the
// one thing to do next. The runner (src/app) does the I/O and records the outcome.
import type { ActionKind, ArmActions, ArmReadModels, ArmWriteModels, ResourceKind, WritableKind } from "./arm-models.js";
import type { ClusterRequest } from "./contract.js";

export type { ResourceKind } from "./arm-models.js";

export interface ResourceRef<K extends ResourceKind = ResourceKind> {
  kind: K;
  id: string;
  /** Only for requests that ask for a preview-only value (outboundType block, KataMshvVmIsolation). */
  apiVersion?: string;
}

export type Outputs = Record<string, unknown>;
/** A resource of kind K as its SDK reads it (properties flattened, but for Arc's generic API). */
export type Read<K extends ResourceKind> = ArmReadModels[K];
/** Any resource a step may have read, for code that only looks at provisioningState or id. */
export type AnyResource = ArmReadModels[ResourceKind];

export interface StepContext {
  request: ClusterRequest;
  /** Outputs of the steps this step depends on (transitively), by step name. */
  outputs: Record<string, Outputs>;
  /** How many POST actions this step has already issued (persisted across invocations). */
  posts: number;
  /** ARM writes issued by each step this one depends on (0: it found its work already done). */
  writes: Record<string, number>;
}

/** A PUT of a body of the SDK model of its kind: build it with put(). */
/**
 * `creates`: the resources this write brings into being (recorded in the step's row, so that a later
 * `delete` removes only them). Default: `ref`, when the step's own read of it found nothing.
 */
export type PutDecision = { [K in WritableKind]: { do: "put"; ref: ResourceRef<K>; body: ArmWriteModels[K]; creates?: string[] } }[WritableKind];
/** A POST action the kind has: build it with post(). */
export type PostDecision = { [K in ActionKind]: { do: "post"; ref: ResourceRef<K>; action: ArmActions[K] } }[ActionKind];

export type Decision =
  | { do: "done"; outputs?: Outputs; resourceId?: string }
  | PutDecision
  | PostDecision
  /** A DELETE of `ref`; `outputs` are recorded with it (what goes with the resource). */
  | { do: "delete"; ref: ResourceRef; outputs?: Outputs }
  | { do: "wait"; reason: string; resourceId?: string }
  | { do: "fail"; code: string; message: string };

/**
 * One step. `R` lists the kinds it reads, in order: `decide` gets each read typed with its SDK model.
 * Define steps with defineStep() so that R is inferred from `reads`.
 */
export interface StepDef<R extends readonly ResourceKind[] = readonly ResourceKind[]> {
  name: string;
  dependsOn: string[];
  /** One line for `--plan` and the status document: what the step writes. */
  describe: string;
  /** The resource the step writes, when it is known before it runs (shown by --plan). */
  resourceId?: string;
  reads(ctx: StepContext): { [I in keyof R]: ResourceRef<R[I]> };
  decide(ctx: StepContext, current: { [I in keyof R]: Read<R[I]> | undefined }): Decision;
  /** Outputs recorded when the step's write has completed, from the final resource. */
  outputs?(ctx: StepContext, result: unknown): Outputs;
  /** Longest a step may wait (decision "wait") before it fails; default 30 minutes. */
  maxWaitMs?: number;
}

export interface Plan {
  steps: StepDef[];
  /** Resource id the request is about (the cluster, or the Arc scope). */
  target: string;
  /** Warnings shown in the status document (e.g. one-way conversions). */
  warnings: string[];
  /** The request's outputs from its steps' (default: all merged into one object). */
  outputs?(byStep: Record<string, Outputs>): Outputs;
}

/** Infers the kinds a step reads from its `reads`, and types `decide`'s arguments by them. */
export const defineStep = <const R extends readonly ResourceKind[]>(step: StepDef<R>): StepDef => step as unknown as StepDef;

/** A PUT decision whose body must be the SDK model of the ref's kind. */
export const put = <K extends WritableKind>(ref: ResourceRef<K>, body: ArmWriteModels[K], creates?: string[]): PutDecision =>
  (creates ? { do: "put", ref, body, creates } : { do: "put", ref, body }) as PutDecision;
export const post = <K extends ActionKind>(ref: ResourceRef<K>, action: ArmActions[K]): PostDecision => ({ do: "post", ref, action }) as PostDecision;

type WithState = { provisioningState?: string; properties?: { provisioningState?: string } };

export const PROVISIONING_IN_PROGRESS = (r: unknown): boolean => {
  const s = provisioningState(r);
  return !!s && !["succeeded", "failed", "canceled", "cancelled"].includes(s.toLowerCase());
};
/**
 * The resource's last operation ended Failed or Canceled: whatever its properties say, they are not
 * known to hold (ARM stores a PUT's body before the operation fails), so it is written again.
 */
export const LAST_WRITE_FAILED = (r: unknown): boolean => ["failed", "canceled", "cancelled"].includes(provisioningState(r)?.toLowerCase() ?? "");
export const provisioningState = (r: unknown): string | undefined => {
  const w = r as WithState | undefined;
  return w?.provisioningState ?? w?.properties?.provisioningState;
};
