// An in-process queue with the Service Bus semantics the app relies on: peek-lock delivery with a
// delivery count, abandon on failure and redelivery, dead-letter after maxDeliveryCount, scheduled
// enqueue, and duplicate detection by message id. Tests can also
// make it deliver every message twice or fail sends, to check at-least-once behaviour.
import type { OutboundMessage, QueueName, QueueSender } from "../app/queue.js";

export interface ReceivedMessage {
  body: unknown;
  messageId: string;
  deliveryCount: number;
  subject?: string;
  applicationProperties?: Record<string, string>;
  enqueuedAt: Date;
}

export interface DeadLetter extends ReceivedMessage {
  reason: string;
  description: string;
}

/** The handler settles as a plain Service Bus trigger does: returning completes, throwing abandons. */
export type Handler = (msg: ReceivedMessage) => Promise<void>;

export interface BusOptions {
  maxDeliveryCount?: number; // Service Bus default: 10
  duplicateDetectionWindowMs?: number; // Service Bus default: 10 minutes
  maxConcurrentCalls?: number; // per queue, as host.json's serviceBus.maxConcurrentCalls
  /** Test fault: deliver every message twice (as at-least-once delivery may). */
  deliverTwice?: boolean;
}

interface Queued {
  msg: ReceivedMessage;
  visibleAt: number;
}

export class LocalBus implements QueueSender {
  private readonly queues = new Map<string, Queued[]>();
  private readonly seen = new Map<string, number>();
  private readonly handlers = new Map<string, Handler>();
  private readonly dead = new Map<string, DeadLetter[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly paused = new Set<string>();
  private readonly sendFaults: { match: (q: string, m: OutboundMessage) => boolean; times: number }[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  readonly stats = { sent: 0, duplicatesDropped: 0, delivered: 0, abandoned: 0, deadLettered: 0 };
  /** How long each handler invocation took (ms), per queue: the function busy time. */
  readonly busyMs = new Map<string, number[]>();

  constructor(private readonly opts: BusOptions = {}) {}

  async send(queue: QueueName, messages: OutboundMessage[]): Promise<void> {
    for (const m of messages) {
      const fault = this.sendFaults.find((f) => f.times > 0 && f.match(queue, m));
      if (fault) {
        fault.times--;
        throw new Error(`injected send failure for ${m.messageId}`);
      }
    }
    const now = Date.now();
    const window = this.opts.duplicateDetectionWindowMs ?? 600_000;
    this.forgetOlderThan(now - window);
    for (const m of messages) {
      const key = `${queue}|${m.messageId}`;
      if ((this.seen.get(key) ?? -Infinity) > now - window) {
        this.stats.duplicatesDropped++;
        continue;
      }
      this.seen.delete(key); // re-inserted at the back: the map stays in order of time
      this.seen.set(key, now);
      this.stats.sent++;
      // Bodies cross the wire as bytes: never share objects between sender and receiver.
      const body = typeof m.body === "string" ? m.body : JSON.parse(JSON.stringify(m.body));
      const msg: ReceivedMessage = { body, messageId: m.messageId, deliveryCount: 0, subject: m.subject, applicationProperties: m.applicationProperties, enqueuedAt: new Date(now) };
      const copies = this.opts.deliverTwice ? 2 : 1;
      for (let i = 0; i < copies; i++) this.enqueue(queue, { msg: { ...msg }, visibleAt: m.scheduledEnqueueTime?.getTime() ?? now });
    }
    this.kick();
  }

  /** What another system does: put a raw body (any text) on a queue. */
  async sendRaw(queue: QueueName, body: unknown, messageId: string): Promise<void> {
    this.enqueue(queue, { msg: { body, messageId, deliveryCount: 0, enqueuedAt: new Date() }, visibleAt: Date.now() });
    this.kick();
  }

  subscribe(queue: QueueName, handler: Handler): void {
    this.handlers.set(queue, handler);
    this.kick();
  }

  deadLetters(queue: QueueName): DeadLetter[] {
    return this.dead.get(queue) ?? [];
  }

  /** Test fault: the next `times` sends matching `match` throw (a lost send / a crash before sending). */
  failSends(match: (queue: string, m: OutboundMessage) => boolean, times = 1): void {
    this.sendFaults.push({ match, times });
  }

  /** Test control: sends work again. */
  clearSendFaults(): void {
    this.sendFaults.length = 0;
  }

  /** Test control: hold a queue's messages (they stay queued) until resume(). */
  pause(queue: QueueName): void {
    this.paused.add(queue);
  }

  resume(queue: QueueName): void {
    this.paused.delete(queue);
    this.kick();
  }

  pending(queue?: QueueName): number {
    const qs = queue ? [queue] : [...this.queues.keys()];
    return qs.reduce((n, q) => n + (this.queues.get(q)?.length ?? 0) + (this.inFlight.get(q) ?? 0), 0);
  }

  /** Resolves when nothing is queued (scheduled included) or being handled. */
  whenIdle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  /**
   * Message ids leave the duplicate-detection window as Service Bus forgets them: a host left
   * running would otherwise keep every id it ever saw. Ids are kept in order of first sight, so the
   * oldest are at the front.
   */
  private forgetOlderThan(cutoff: number): void {
    for (const [key, at] of this.seen) {
      if (at > cutoff) break;
      this.seen.delete(key);
    }
  }

  /**
   * Keeps each queue in order of visibility (first in, first out among equals), so a delivery round
   * looks at the front only: sorting the whole queue on every round made a thousand scheduled
   * re-checks cost more with every message.
   */
  private enqueue(name: string, item: Queued): void {
    const items = this.queue(name);
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid].visibleAt <= item.visibleAt) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, item);
  }

  private queue(name: string): Queued[] {
    if (!this.queues.has(name)) this.queues.set(name, []);
    return this.queues.get(name)!;
  }

  private kick(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), 0);
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let next = Infinity;
    for (const [name, items] of this.queues) {
      const handler = this.handlers.get(name);
      if (!handler || this.paused.has(name)) continue;
      while (items.length && items[0].visibleAt <= now && (this.inFlight.get(name) ?? 0) < (this.opts.maxConcurrentCalls ?? 16)) {
        const item = items.shift()!;
        void this.deliver(name, item, handler);
      }
      if (items.length) next = Math.min(next, items[0].visibleAt);
    }
    if (next < Infinity) this.timer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    this.checkIdle();
  }

  private async deliver(queue: string, item: Queued, handler: Handler): Promise<void> {
    this.inFlight.set(queue, (this.inFlight.get(queue) ?? 0) + 1);
    const msg = { ...item.msg, deliveryCount: item.msg.deliveryCount + 1 };
    this.stats.delivered++;
    const started = performance.now();
    try {
      await handler(msg);
    } catch (e) {
      // Abandon: the lock is released and the message is delivered again, until maxDeliveryCount.
      this.stats.abandoned++;
      if (msg.deliveryCount >= (this.opts.maxDeliveryCount ?? 10))
        this.toDeadLetter(queue, msg, "MaxDeliveryCountExceeded", `failed ${msg.deliveryCount} times; last error: ${(e as Error).message}`);
      else this.enqueue(queue, { msg, visibleAt: Date.now() + 20 });
    } finally {
      if (!this.busyMs.has(queue)) this.busyMs.set(queue, []);
      this.busyMs.get(queue)!.push(performance.now() - started);
      this.inFlight.set(queue, (this.inFlight.get(queue) ?? 1) - 1);
      this.kick();
    }
  }

  private toDeadLetter(queue: string, msg: ReceivedMessage, reason: string, description: string): void {
    this.stats.deadLettered++;
    if (!this.dead.has(queue)) this.dead.set(queue, []);
    this.dead.get(queue)!.push({ ...msg, reason, description });
  }

  private checkIdle(): void {
    if (this.pending() > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }
}
