// Sends with @azure/service-bus: the Functions output binding can send only a body, and the
// runner needs message ids (duplicate detection) and scheduled enqueue (re-checks).
import { ServiceBusClient, type ServiceBusSender } from "@azure/service-bus";
import type { TokenCredential } from "@azure/core-auth";
import type { OutboundMessage, QueueName, QueueSender } from "../app/queue.js";


export class ServiceBusQueueSender implements QueueSender {
  private readonly client: ServiceBusClient;
  private readonly senders = new Map<string, ServiceBusSender>();

  /** Identity-based only (ServiceBusConnection__fullyQualifiedNamespace + the app's managed identity). */
  constructor(fullyQualifiedNamespace: string, credential: TokenCredential) {
    this.client = new ServiceBusClient(fullyQualifiedNamespace, credential);
  }

  async send(queue: QueueName, messages: OutboundMessage[]): Promise<void> {
    let sender = this.senders.get(queue);
    if (!sender) this.senders.set(queue, (sender = this.client.createSender(queue)));
    const now = Date.now();
    const immediate = messages.filter((m) => !m.scheduledEnqueueTime || m.scheduledEnqueueTime.getTime() <= now);
    const scheduled = messages.filter((m) => m.scheduledEnqueueTime && m.scheduledEnqueueTime.getTime() > now);
    const toSb = (m: OutboundMessage) => ({ body: m.body, messageId: m.messageId, subject: m.subject, contentType: "application/json" });
    if (immediate.length) await sender.sendMessages(immediate.map(toSb));
    for (const m of scheduled) await sender.scheduleMessages(toSb(m), m.scheduledEnqueueTime!);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
