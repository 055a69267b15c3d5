// The queues and their messages, and the outbound side as a port (QueueSender): Service Bus in
// Azure (src/messaging), the in-process bus locally (src/local/bus.ts).
export const QUEUES = {
  requests: "cluster-requests",
  steps: "provisioning-steps",
  upgrades: "node-image-upgrades",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface OutboundMessage {
  body: unknown;
  /** Deterministic id: Service Bus duplicate detection drops a second send with the same id. */
  messageId: string;
  /** Deliver no earlier than this (scheduled message). */
  scheduledEnqueueTime?: Date;
  subject?: string;
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

export const stepMessageId = (m: StepMessage) => `${m.requestId}|${m.step}|${m.seq}`.slice(0, 128);
