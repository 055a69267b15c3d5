// One trace per request (W3C Trace Context): the request's trace id is fixed when it is accepted
// (the caller's, when its call carried one), and every message sent on its behalf carries it in its
// application properties (`traceparent`, and `Diagnostic-Id`, the name the Service Bus extension
// reads to link the triggered invocation to the trace), so Application Insights shows one
// end-to-end transaction across the request's step messages.
import { randomBytes } from "node:crypto";
import type { OutboundMessage, QueueName, QueueSender } from "./queue.js";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export const isTraceparent = (v: unknown): v is string => typeof v === "string" && TRACEPARENT.test(v) && !/^00-0{32}-/.test(v) && !/-0{16}-/.test(v);
export const traceIdOf = (traceparent: string) => traceparent.split("-")[1];

/** A new span in the same trace (a new trace when there is none). */
export function childOf(traceparent: string | undefined): string {
  const span = randomBytes(8).toString("hex");
  return isTraceparent(traceparent) ? `00-${traceIdOf(traceparent)}-${span}-01` : `00-${randomBytes(16).toString("hex")}-${span}-01`;
}

/** The application properties a message of request `requestId` carries. */
export const traceProperties = (requestId: string | undefined, traceparent: string) => ({
  ...(requestId ? { requestId } : {}),
  traceparent,
  "Diagnostic-Id": traceparent,
});

/** The first valid trace context among candidates (a message's properties, the host's context, …). */
export const firstTraceparent = (...candidates: unknown[]) => candidates.find(isTraceparent);

/** Sends every message with the invocation's trace and the request id its body names. */
export function tracedQueue(queue: QueueSender, traceparent: string): QueueSender {
  return {
    send(name: QueueName, messages: OutboundMessage[]) {
      return queue.send(
        name,
        messages.map((m) => {
          const requestId = (m.body as { requestId?: unknown } | undefined)?.requestId;
          return { ...m, applicationProperties: { ...m.applicationProperties, ...traceProperties(typeof requestId === "string" ? requestId : undefined, childOf(traceparent)) } };
        }),
      );
    },
  };
}
