import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalHash } from "../../../src/app/accept.js";
import { validateRequest } from "../../../src/domain/validate.js";
import { example } from "../../helpers/examples.js";

const parsed = (raw: unknown) => {
  const v = validateRequest(raw);
  assert.ok(v.ok);
  return v.request;
};

describe("idempotency by meaning", () => {
  it("the same request with keys and tags in another order, or a default spelt out, has the same hash", () => {
    const a = { ...example("pod-sandboxing.json"), tags: { team: "a", env: "b" } };
    const b = Object.fromEntries(Object.entries({ ...a, tags: { env: "b", team: "a" } }).reverse());
    b.nodePools = a.nodePools.map((p: Record<string, unknown>) => ({ mode: "User", count: 1, ...p }));
    assert.equal(canonicalHash(parsed(a)), canonicalHash(parsed(b)));
    assert.notEqual(canonicalHash(parsed(a)), canonicalHash(parsed({ ...a, tags: { team: "a", env: "c" } })));
  });
});
