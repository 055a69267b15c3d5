// The one optimistic-concurrency helper: retries a read-change-save on ETag conflicts, and never
// reports success for a change it could not save.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConcurrencyError, withRetryOnConflict } from "../../../src/app/optimistic.js";

describe("withRetryOnConflict", () => {
  it("runs the attempt again from a fresh read after a conflict", async () => {
    let calls = 0;
    const result = await withRetryOnConflict("row", async () => {
      calls++;
      if (calls < 3) throw new ConcurrencyError("changed");
      return "saved";
    });
    assert.deepEqual([result, calls], ["saved", 3]);
  });

  it("throws when every attempt conflicted (the caller's message is then redelivered)", async () => {
    let calls = 0;
    await assert.rejects(
      withRetryOnConflict("cluster aks-1", async () => {
        calls++;
        throw new ConcurrencyError("changed");
      }, 4),
      (e: Error) => e instanceof ConcurrencyError && /cluster aks-1: still conflicting after 4 attempts/.test(e.message),
    );
    assert.equal(calls, 4);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await assert.rejects(
      withRetryOnConflict("row", async () => {
        calls++;
        throw new Error("table unreachable");
      }),
      /table unreachable/,
    );
    assert.equal(calls, 1);
  });
});
