// The app's ARM rate buckets in Table Storage, shared by every function instance: one row per
// (subscription, bucket) holding a single number, the bucket's "theoretical arrival time" (GCRA,
// see src/app/arm-pacing.ts). Updated with ETag concurrency: of two instances taking a slot at once,
// one saves and the other reads again.
import type { TableClient } from "@azure/data-tables";
import { ConcurrencyError } from "../app/optimistic.js";
import type { PacingStore } from "../app/stores.js";
import type { BucketState } from "../domain/records.js";
import { encodeKey, findEntity, isStatus } from "./entity.js";

export class TablePacingStore implements PacingStore {
  constructor(private readonly table: TableClient) {}

  async get(subscription: string, bucket: string): Promise<BucketState | undefined> {
    const e = await findEntity<{ tat: number }>(this.table, encodeKey(subscription), encodeKey(bucket));
    return e && { tat: Number(e.tat), etag: e.etag };
  }

  async save(subscription: string, bucket: string, state: BucketState): Promise<void> {
    const entity = { partitionKey: encodeKey(subscription), rowKey: encodeKey(bucket), tat: state.tat };
    try {
      if (state.etag) await this.table.updateEntity(entity, "Replace", { etag: state.etag });
      else await this.table.createEntity(entity);
    } catch (e) {
      if (isStatus(e, 412, 409)) throw new ConcurrencyError(`rate bucket ${bucket} of ${subscription} changed concurrently`);
      throw e;
    }
  }
}
