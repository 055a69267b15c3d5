// Request and step state in Table Storage: one partition per request, one row per step (parallel
// steps never contend for a row), the request row updated with ETag concurrency.
import type { TableClient, TableEntityResult } from "@azure/data-tables";
import { ConcurrencyError } from "../app/optimistic.js";
import type { RequestList, RequestListRow, RequestStore } from "../app/stores.js";
import type { RequestRecord, RequestState, StepRecord } from "../domain/records.js";
import { encodeKey, findEntity, isStatus } from "./entity.js";

const REQUEST_ROW = "request";
const stepRow = (name: string) => `step:${encodeKey(name)}`;

const JSON_FIELDS = ["body", "plan", "warnings", "error", "outputs", "operation", "postSent", "lastError", "created", "source", "notStarted", "requestedBy"] as const;

/**
 * A Table property holds at most 64 KiB (32 K UTF-16 characters): a JSON field longer than a part is
 * stored in numbered parts (`body`, `body_1`, `body_2`, …) and joined on read. The contract's size
 * limit (256 KB) keeps the whole row under the 1 MiB entity limit. A `delete`'s row holds, as
 * `source` (in parts like any field), the body and step summaries of the request it deletes, and its
 * own body is a few dozen characters: it is about the size of that request's row.
 */
const PART_CHARS = 30_000;
const PART_KEY = new RegExp(`^(${JSON_FIELDS.join("|")})_\\d+$`);
/** Entities in one partition transaction (the Table service's limit). */
const MAX_BATCH = 100;

function toEntity(partitionKey: string, rowKey: string, rec: object): Record<string, unknown> {
  const e: Record<string, unknown> = { partitionKey, rowKey };
  for (const [k, v] of Object.entries(rec)) {
    if (k === "etag" || v === undefined) continue;
    if (!(JSON_FIELDS as readonly string[]).includes(k)) {
      e[k] = v;
      continue;
    }
    const text = JSON.stringify(v);
    for (let i = 0, part = 0; i < text.length || part === 0; i += PART_CHARS, part++) e[part ? `${k}_${part}` : k] = text.slice(i, i + PART_CHARS);
  }
  return e;
}

function fromEntity<T>(e: TableEntityResult<Record<string, unknown>>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (["partitionKey", "rowKey", "timestamp", "odata.metadata"].includes(k) || PART_KEY.test(k)) continue;
    if (!(JSON_FIELDS as readonly string[]).includes(k) || typeof v !== "string") {
      out[k] = v;
      continue;
    }
    let text = v;
    for (let part = 1; typeof e[`${k}_${part}`] === "string"; part++) text += e[`${k}_${part}`] as string;
    out[k] = JSON.parse(text);
  }
  out.etag = e.etag;
  return out as T;
}

/** A list row from its selected properties, or undefined when one of them is not what it should be. */
function listRow(e: Record<string, unknown>): RequestListRow | undefined {
  const { id, operation, target, state, createdAt, updatedAt, requestedBy } = e;
  let op: unknown;
  let by: unknown;
  try {
    op = typeof operation === "string" ? JSON.parse(operation) : undefined;
    // Older rows have none; a row whose requester cannot be read is unreadable (its owner unknown).
    by = typeof requestedBy === "string" ? JSON.parse(requestedBy) : undefined;
  } catch {
    return undefined;
  }
  const texts = [id, op, target, state, createdAt, updatedAt];
  if (!texts.every((t) => typeof t === "string")) return undefined;
  if (by !== undefined && (typeof by !== "object" || by === null)) return undefined;
  return { id, operation: op, target, state, createdAt, updatedAt, ...(by ? { requestedBy: by } : {}) } as RequestListRow;
}

export class TableRequestStore implements RequestStore {
  constructor(private readonly table: TableClient) {}

  /**
   * Creates the step rows, then the request row; false when the request exists. The step rows go in
   * transactions of at most 100 entities; a part already written (by an intake that crashed, or runs
   * at the same time) is completed row by row and never overwritten. Runners act only once the
   * request row exists, so a request is visible only when all of its rows are.
   */
  async create(rec: RequestRecord, steps: StepRecord[]): Promise<boolean> {
    const pk = encodeKey(rec.id);
    const entities = steps.map((s) => toEntity(pk, stepRow(s.name), s));
    for (let i = 0; i < entities.length; i += MAX_BATCH) {
      const batch = entities.slice(i, i + MAX_BATCH);
      try {
        await this.table.submitTransaction(batch.map((e) => ["create", e]) as never);
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
        for (const entity of batch) await this.createIfAbsent(entity);
      }
    }
    return this.createIfAbsent(toEntity(pk, REQUEST_ROW, rec));
  }

  private async createIfAbsent(entity: Record<string, unknown>): Promise<boolean> {
    try {
      await this.table.createEntity(entity as never);
      return true;
    } catch (e) {
      if (isStatus(e, 409)) return false;
      throw e;
    }
  }

  /** Removes a Rejected request's row (it has no steps) so that a corrected body can take its id. */
  async deleteRejected(rec: RequestRecord): Promise<void> {
    try {
      await this.table.deleteEntity(encodeKey(rec.id), REQUEST_ROW, { etag: rec.etag ?? "*" });
    } catch (e) {
      if (!isStatus(e, 404, 412)) throw e; // another intake replaced it first
    }
  }

  /** Replaces a Rejected request's row with the latest rejection of the same id. */
  async replaceRejected(rec: RequestRecord, etag: string | undefined): Promise<void> {
    try {
      await this.replace(encodeKey(rec.id), REQUEST_ROW, { ...rec, etag });
    } catch (e) {
      if (!(e instanceof ConcurrencyError)) throw e;
    }
  }

  /** A rejected request is a single row: it has no steps. */
  async createRejected(rec: RequestRecord): Promise<boolean> {
    return this.createIfAbsent(toEntity(encodeKey(rec.id), REQUEST_ROW, rec));
  }

  async getRequest(id: string): Promise<RequestRecord | undefined> {
    const e = await findEntity(this.table, encodeKey(id), REQUEST_ROW);
    return e && fromEntity<RequestRecord>(e);
  }

  async getSteps(id: string): Promise<StepRecord[]> {
    const pk = encodeKey(id).replace(/'/g, "''");
    const rows: StepRecord[] = [];
    const iter = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${pk}' and RowKey ge 'step:' and RowKey lt 'step;'` } });
    for await (const e of iter) rows.push(fromEntity<StepRecord>(e));
    return rows;
  }

  async getStep(id: string, name: string): Promise<StepRecord | undefined> {
    const e = await findEntity(this.table, encodeKey(id), stepRow(name));
    return e && fromEntity<StepRecord>(e);
  }

  /**
   * Request rows (one per partition, so this scans the table's request rows; at most `limit` are
   * read), optionally of one state. Only the fields a list shows are read, each a single short
   * property, so no row's size can make it unreadable; a row that still cannot be read (written by
   * hand, or by another version) is counted and skipped, never allowed to fail the list.
   */
  async listRequests(state: RequestState | undefined, limit: number): Promise<RequestList> {
    const filter = `RowKey eq '${REQUEST_ROW}'${state ? ` and state eq '${state.replace(/'/g, "''")}'` : ""}`;
    const select: (keyof RequestListRow)[] = ["id", "operation", "target", "state", "createdAt", "updatedAt", "requestedBy"];
    const list: RequestList = { rows: [], unreadable: 0 };
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) {
      const row = listRow(e);
      if (row) list.rows.push(row);
      else list.unreadable++;
      if (list.rows.length + list.unreadable >= limit) break;
    }
    return list;
  }

  /** Replaces the step row if nobody changed it since it was read; returns the new ETag. */
  async saveStep(rec: StepRecord): Promise<string> {
    return this.replace(encodeKey(rec.requestId), stepRow(rec.name), rec);
  }

  async saveRequest(rec: RequestRecord): Promise<string> {
    return this.replace(encodeKey(rec.id), REQUEST_ROW, rec);
  }

  private async replace(pk: string, rk: string, rec: { etag?: string }): Promise<string> {
    try {
      const r = await this.table.updateEntity(toEntity(pk, rk, rec) as never, "Replace", { etag: rec.etag ?? "*" });
      return r.etag ?? "";
    } catch (e) {
      if (isStatus(e, 412)) throw new ConcurrencyError(`${pk}/${rk} was changed by another invocation`);
      throw e;
    }
  }
}
