// One view over the SDKs' two poller generations: modular SDKs (@azure/core-lro 3 PollerLike,
// restored with the package's restorePoller) and classic SDKs (SimplePollerLike, restored with
// the begin method's `resumeFrom` option). The runner never waits on either: it submits, stores
// the serialized state, and later polls once per invocation.
import { operationFailure } from "./errors.js";

export interface AnyPoller {
  /** Modular pollers send the initial request lazily; classic begin* methods already sent it. */
  submitted?(): Promise<void>;
  serialize?(): Promise<string>;
  toString(): string;
  poll(options?: unknown): Promise<unknown>;
  isDone: boolean | (() => boolean);
  result?: unknown;
  getResult?: () => unknown;
  operationState?: { status: string; error?: { code?: string; message?: string } };
  getOperationState?: () => { status: string; error?: { code?: string; message?: string } };
}

export type Progress = { done: true; result?: unknown } | { done: false; pollerState: string };

const isDone = (p: AnyPoller) => (typeof p.isDone === "function" ? p.isDone() : p.isDone);
const stateOf = (p: AnyPoller) => p.getOperationState?.() ?? p.operationState;
const resultOf = (p: AnyPoller): unknown => (p.getResult ? p.getResult() : p.result);

const serialize = async (p: AnyPoller) => (p.serialize ? p.serialize() : p.toString());

function outcome(p: AnyPoller, pollerState: string): Progress {
  const state = stateOf(p);
  if (state?.status === "failed" || state?.status === "canceled") throw operationFailure(state.error);
  return isDone(p) ? { done: true, result: resultOf(p) } : { done: false, pollerState };
}

/** After the initial request: done already (synchronous answer), or the state to resume from. */
export async function submitted(p: AnyPoller): Promise<Progress> {
  await p.submitted?.();
  return outcome(p, isDone(p) ? "" : await serialize(p));
}

/** One status poll (a GET of the operation), never a wait. */
export async function pollOnce(p: AnyPoller): Promise<Progress> {
  if (!isDone(p)) await p.poll();
  return outcome(p, isDone(p) ? "" : await serialize(p));
}
