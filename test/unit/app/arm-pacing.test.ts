// GCRA slots (src/app/arm-pacing.ts) and which bucket a request draws from (src/domain/arm-limits.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reserve, takeSlot } from "../../../src/app/arm-pacing.js";
import type { PacingStore } from "../../../src/app/stores.js";
import type { BucketState } from "../../../src/domain/records.js";
import { ConcurrencyError } from "../../../src/app/optimistic.js";
import { ARM_RATE_LIMITS, bucketsOf, scaleLimits } from "../../../src/domain/arm-limits.js";

const AKS = ARM_RATE_LIMITS.aksWrites;
const cluster = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";

/** A store in memory with ETags, that can be told to lose the next N races. */
class MemoryStore implements PacingStore {
  rows = new Map<string, { tat: number; etag: number }>();
  conflicts = 0;
  async get(sub: string, b: string): Promise<BucketState | undefined> {
    const r = this.rows.get(`${sub}|${b}`);
    return r && { tat: r.tat, etag: String(r.etag) };
  }
  async save(sub: string, b: string, s: BucketState): Promise<void> {
    const key = `${sub}|${b}`;
    const r = this.rows.get(key);
    if (this.conflicts > 0 || String(r?.etag ?? "") !== (s.etag ?? "")) {
      this.conflicts--;
      throw new ConcurrencyError("changed");
    }
    this.rows.set(key, { tat: s.tat, etag: (r?.etag ?? 0) + 1 });
  }
}

describe("ARM pacing: GCRA slots", () => {
  it("a full bucket lets `capacity` writes go at once, then one per interval: AKS writes 20, then one a minute", () => {
    let tat: number | undefined;
    const at: number[] = [];
    for (let i = 0; i < 23; i++) {
      const r = reserve(tat, 0, AKS);
      at.push(r.at);
      tat = r.tat;
    }
    assert.deepEqual(at.slice(0, 20), Array(20).fill(0));
    assert.deepEqual(at.slice(20).map(Math.round), [60_000, 120_000, 180_000]);
    // An hour later the bucket is full again.
    assert.equal(reserve(tat, 3600_000, AKS).at, 3600_000);
  });

  it("scaled limits refill faster (timeScale 0.05: a minute becomes 3 s); timeScale 0 never defers", () => {
    const scaled = scaleLimits(ARM_RATE_LIMITS, 0.05).aksWrites;
    let tat: number | undefined;
    for (let i = 0; i < 20; i++) tat = reserve(tat, 0, scaled).tat;
    assert.equal(Math.round(reserve(tat, 0, scaled).at), 3_000);
    const instant = scaleLimits(ARM_RATE_LIMITS, 0).aksWrites;
    tat = undefined;
    for (let i = 0; i < 100; i++) {
      const r = reserve(tat, 0, instant);
      assert.equal(r.at, 0);
      tat = r.tat;
    }
  });

  it("takeSlot: shared through the store, retried on an ETag conflict, answers the wait from the time it reserved at", async () => {
    const store = new MemoryStore();
    const limit = { capacity: 2, perSecond: 1 };
    const now = () => 5_000;
    store.conflicts = 3;
    assert.deepEqual([await takeSlot(store, "s", "writes", limit, now), await takeSlot(store, "s", "writes", limit, now), await takeSlot(store, "s", "writes", limit, now)], [0, 0, 1_000]);
    assert.equal(await takeSlot(store, "other", "writes", limit, now), 0, "each subscription has its own bucket");
    store.conflicts = 100;
    await assert.rejects(takeSlot(store, "s", "writes", limit, now), (e: Error) => !(e instanceof ConcurrencyError) && /still conflicting/.test(e.message));
  });

  it("buckets: reads, writes, deletes; AKS cluster and pool PUTs and upgrade POSTs also draw from the AKS bucket", () => {
    assert.deepEqual(bucketsOf("GET", cluster), ["reads"]);
    assert.deepEqual(bucketsOf("PUT", cluster), ["writes", "aksWrites"]);
    assert.deepEqual(bucketsOf("PUT", `${cluster}/agentPools/kata`), ["writes", "aksWrites"]);
    assert.deepEqual(bucketsOf("POST", `${cluster}/agentPools/kata/upgradeNodeImageVersion`), ["writes", "aksWrites"]);
    assert.deepEqual(bucketsOf("POST", `${cluster}/listClusterUserCredential`), ["writes"]);
    assert.deepEqual(bucketsOf("DELETE", cluster), ["deletes"]);
    assert.deepEqual(bucketsOf("PUT", `${cluster}/maintenanceConfigurations/default`), ["writes"]);
    assert.deepEqual(bucketsOf("PUT", "/subscriptions/s/resourceGroups/rg"), ["writes"]);
  });
});
