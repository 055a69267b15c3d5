// The port through which the app reaches Azure Resource Manager. src/azure/arm-gateway.ts
// implements it with the Azure SDKs; every read and body is the SDK model of its kind
// (src/domain/arm-models.ts), so the adapter table and the steps agree at compile time.
import type { ActionKind, ArmActions, ArmReadModels, ArmWriteModels, ResourceKind, WritableKind } from "../domain/arm-models.js";
import type { PendingWrite } from "../domain/records.js";
import type { ResourceRef } from "../domain/step.js";

/** Where a write stands after one call: done (with the final resource, when ARM returned one), or still running. */
export type WriteProgress = { done: true; result?: unknown } | { done: false; pollerState: string; retryAfterMs?: number };

export interface Arm {
  read<K extends ResourceKind>(ref: ResourceRef<K>): Promise<ArmReadModels[K] | undefined>;
  put<K extends WritableKind>(ref: ResourceRef<K>, body: ArmWriteModels[K]): Promise<WriteProgress>;
  post<K extends ActionKind>(ref: ResourceRef<K>, action: ArmActions[K]): Promise<WriteProgress>;
  /** Starts a DELETE; a resource that is not there (404) is deleted already. */
  delete(ref: ResourceRef): Promise<WriteProgress>;
  /** One status poll of a running write (never a wait). */
  poll(write: PendingWrite): Promise<WriteProgress>;
}

/**
 * What the port throws when ARM refused or could not answer: ARM's own code and message, and
 * whether a later attempt may succeed. The adapter classifies every failure once (src/azure/errors.ts).
 */
export class ArmError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: number | undefined,
    public readonly transient: boolean,
    public readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
