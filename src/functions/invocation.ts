// The app's ports for one invocation: every message it sends carries the trace and the request id
// (application properties), every line it logs carries the request id, the trace id and the
// Functions invocationId (through context.log, so Application Insights files it under the invocation).
import type { InvocationContext } from "@azure/functions";
import type { AppDeps } from "../app/deps.js";
import { childOf, firstTraceparent, traceIdOf, tracedQueue } from "../app/trace.js";

/** The Service Bus application properties of the triggering message, where the trigger exposes them. */
export const messageProperties = (context: InvocationContext) => (context.triggerMetadata?.applicationProperties ?? {}) as Record<string, unknown>;

/**
 * `traceparents`: where this invocation's trace may come from, in order (the message's properties,
 * an HTTP caller's header); then the host's own trace context; else a new trace.
 */
export function forInvocation(deps: AppDeps, context: InvocationContext, scope: { requestId?: string; traceparents?: unknown[] }): AppDeps {
  const traceparent = firstTraceparent(...(scope.traceparents ?? []), context.traceContext?.traceParent) ?? childOf(undefined);
  const fields = { ...(scope.requestId ? { requestId: scope.requestId } : {}), traceId: traceIdOf(traceparent), invocationId: context.invocationId };
  return {
    ...deps,
    traceparent,
    queue: tracedQueue(deps.queue, traceparent),
    log: (message, data) => {
      const { level, ...rest } = data ?? {};
      (level === "warning" ? context.warn : context.log).call(context, JSON.stringify({ message, ...fields, ...rest }));
    },
  };
}

/** Trace candidates of a triggering message: its `traceparent`, or its `Diagnostic-Id` (`diagnostic-Id` once the worker has camel-cased the binding data). */
export const messageTrace = (properties: Record<string, unknown> | undefined) => [properties?.traceparent, properties?.["Diagnostic-Id"] ?? properties?.["diagnostic-Id"]];
