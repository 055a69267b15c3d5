import { createHash } from "node:crypto";

// The queues and their messages, and the outbound side as a port (QueueSender): Service Bus in
// Azure (src/messaging), the in-process bus locally (src/local/bus.ts).
export const QUEUES = {
  /** Other systems' requests: a sender proves who it is with a token (TOKEN_PROPERTY). */
  requests: "cluster-requests",
  steps: "provisioning-steps",
  /** The app's own requests (node-image upgrades, drift restores): only the app may send here. */
  upgrades: "node-image-upgrades",
} as const;

/** On the app's own requests: what started it (`event`, `timer`, `sweep`), recorded as its requestedBy. */
export const OWN_REQUEST_VIA = "aks-provisioner-via";
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface OutboundMessage {
  body: unknown;
  /** Deterministic id: Service Bus duplicate detection drops a second send with the same id. */
  messageId: string;
  /** Deliver no earlier than this (scheduled message). */
  scheduledEnqueueTime?: Date;
  subject?: string;
  /** Service Bus application properties (the request id and its W3C trace context). */
  applicationProperties?: Record<string, string>;
}

export interface QueueSender {
  send(queue: QueueName, messages: OutboundMessage[]): Promise<void>;
}

/** A step message: "act on step `step` of request `requestId`, if its sequence is still `seq`". */
export interface StepMessage {
  requestId: string;
  step: string;
  seq: number;
}

/**
 * A step message's id: a readable prefix (cut to fit) and the SHA-256 of (request, step, seq), so
 * that ids are at most 128 characters (the Service Bus limit) and two messages never share one —
 * a cut id without the hash would drop the seq of a long request id, and duplicate detection would
 * then drop every re-check.
 */
export function stepMessageId(m: StepMessage): string {
  const hash = createHash("sha256").update(JSON.stringify([m.requestId, m.step, m.seq])).digest("hex");
  return `${`${m.requestId}|${m.step}|${m.seq}`.slice(0, 63)}#${hash}`;
}
