// The local host's signal that a request has ended: its row saved in a final state. Waiting for a
// thousand requests by reading each one's status over and over costs thousands of Table queries a
// second, all of them answered "still running"; a signal costs nothing while they run.
import type { TableClient } from "@azure/data-tables";
import { isTerminal } from "../app/status.js";
import { RequestStore, type RequestRecord } from "../state/request-store.js";

/** The request store, announcing every request row it saves in a final state. */
export class SignallingRequestStore extends RequestStore {
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(table: TableClient) {
    super(table);
  }

  /** Resolves at the next save of request `id` in a final state (check its state after subscribing). */
  nextFinish(id: string): Promise<void> {
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  override async saveRequest(rec: RequestRecord): Promise<string> {
    const etag = await super.saveRequest(rec);
    if (isTerminal(rec.state)) this.announce(rec.id);
    return etag;
  }

  override async createRejected(rec: RequestRecord): Promise<boolean> {
    const created = await super.createRejected(rec);
    this.announce(rec.id);
    return created;
  }

  override async replaceRejected(rec: RequestRecord, etag: string | undefined): Promise<void> {
    await super.replaceRejected(rec, etag);
    this.announce(rec.id);
  }

  private announce(id: string): void {
    const waiting = this.waiters.get(id);
    this.waiters.delete(id);
    waiting?.forEach((w) => w());
  }
}
