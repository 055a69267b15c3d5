// The local host's signal that a request has ended: its row saved in a final state. Waiting for a
// thousand requests by reading each one's status over and over costs thousands of Table queries a
// second, all of them answered "still running"; a signal costs nothing while they run.
import type { TableClient } from "@azure/data-tables";
import { isTerminal } from "../app/status.js";
import type { RequestRecord } from "../domain/records.js";
import { TableRequestStore } from "../state/request-store.js";

/** Who waits for which request to end; outlives a restart of the function side. */
export class RequestFinishes {
  private readonly waiters = new Map<string, (() => void)[]>();

  /** Resolves at the next save of request `id` in a final state (check its state after subscribing). */
  next(id: string): Promise<void> {
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  announce(id: string): void {
    const waiting = this.waiters.get(id);
    this.waiters.delete(id);
    waiting?.forEach((w) => w());
  }
}

/** The request store, announcing every request row it saves in a final state. */
export class SignallingRequestStore extends TableRequestStore {
  constructor(
    table: TableClient,
    private readonly finishes: RequestFinishes,
  ) {
    super(table);
  }

  override async saveRequest(rec: RequestRecord): Promise<string> {
    const etag = await super.saveRequest(rec);
    if (isTerminal(rec.state)) this.finishes.announce(rec.id);
    return etag;
  }

  override async createRejected(rec: RequestRecord): Promise<boolean> {
    const created = await super.createRejected(rec);
    this.finishes.announce(rec.id);
    return created;
  }

  override async replaceRejected(rec: RequestRecord, etag: string | undefined): Promise<void> {
    await super.replaceRejected(rec, etag);
    this.finishes.announce(rec.id);
  }
}
