import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stepMessageId } from "../../../src/app/queue.js";

describe("step message ids", () => {
  it("stay within 128 characters and differ by seq for a maximal (100-character) request id", () => {
    const requestId = "r".repeat(100);
    const ids = [0, 1, 2, 10].map((seq) => stepMessageId({ requestId, step: "role:networkContributor:apiServerSubnet", seq }));
    assert.ok(ids.every((id) => id.length <= 128), ids.map((i) => i.length).join(","));
    assert.equal(new Set(ids).size, ids.length, "each re-check has its own id");
    assert.ok(ids[0].startsWith("rrrr"), "a readable prefix");
  });

  it("are deterministic: the same (request, step, seq) is the same id (duplicate detection)", () => {
    assert.equal(stepMessageId({ requestId: "a", step: "cluster", seq: 3 }), stepMessageId({ requestId: "a", step: "cluster", seq: 3 }));
    assert.notEqual(stepMessageId({ requestId: "a|b", step: "c", seq: 1 }), stepMessageId({ requestId: "a", step: "b|c", seq: 1 }));
  });
});
