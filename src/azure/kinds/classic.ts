// Helpers for classic (core-client) SDKs: their begin* methods return a SimplePollerLike and
// resume from a serialized state with the `resumeFrom` option (no initial request is re-sent).
import type { AnyPoller } from "../lro.js";
import type { Started } from "./kind.js";

type Begin = (options?: { resumeFrom?: string }) => Promise<unknown>;

export async function begin(call: Begin): Promise<Started> {
  return { poller: (await call()) as AnyPoller };
}

export async function resumeFrom(call: Begin, state: string): Promise<{ poller: AnyPoller }> {
  return { poller: (await call({ resumeFrom: state })) as AnyPoller };
}
