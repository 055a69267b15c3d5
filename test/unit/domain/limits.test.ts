// The contract's limits, checked before JSON.parse and zod: no input hangs, overflows the stack or
// turns into a 500.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDecoded, LIMITS, parseRequestText, textDepth, valueDepth } from "../../../src/domain/limits.js";
import { validateRequest } from "../../../src/domain/validate.js";
import { example } from "../../helpers/examples.js";

const deepText = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const deepValue = (n: number) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};
const errorsOf = (r: { ok: boolean; errors?: { path: string; message: string }[] }) => (r.ok ? [] : r.errors!);

describe("limits before parsing", () => {
  it("counts nesting without counting brackets inside strings", () => {
    assert.equal(textDepth('{"a":[{"b":"}}]]{{"}]}'), 3);
    assert.equal(textDepth('{"a":"\\"{{{"}'), 1);
  });

  it("a 10,000-deep body is one error at the body, not a stack overflow", () => {
    const text = deepText(10_000);
    const r = parseRequestText(text);
    assert.deepEqual(errorsOf(r).map((e) => e.path), [""]);
    assert.match(errorsOf(r)[0].message, /more than 16 levels/);
    assert.equal(valueDepth(deepValue(10_000)), LIMITS.depth + 1, "stops counting past the limit");
    assert.match(errorsOf(checkDecoded(deepValue(10_000)))[0].message, /levels/);
    assert.equal(validateRequest(deepValue(10_000)).ok, false);
  });

  it("a body over 256 KB is refused before it is parsed (100 KB of invalid JSON is just not JSON)", () => {
    const big = JSON.stringify({ ...example("pod-sandboxing.json"), tags: { a: "x".repeat(200) }, pad: "y".repeat(300_000) });
    assert.match(errorsOf(parseRequestText(big))[0].message, /at most 262144/);
    assert.match(errorsOf(parseRequestText("{".repeat(10) + "x".repeat(100_000)))[0].message, /not JSON/);
    assert.match(errorsOf(parseRequestText("x".repeat(10 * 1024 * 1024)))[0].message, /at most 262144/);
  });

  it("20,000 pool names are one problem (the count); at most 100 problems are listed, then how many more", () => {
    const cluster = example("pod-sandboxing.json").cluster;
    const many = errorsOf(validateRequest({ operation: "upgradeNodeImages", cluster, nodePoolNames: Array.from({ length: 20_000 }, (_, i) => `p${i}`) }));
    assert.deepEqual(many.map((e) => e.path), ["nodePoolNames"]);
    const raw = { operation: "upgradeNodeImages", cluster: { ...cluster, subscriptionId: "x" }, nodePoolNames: Array.from({ length: 100 }, () => "") };
    const errs = errorsOf(validateRequest(raw));
    assert.equal(errs.length, LIMITS.errorsListed + 1);
    assert.match(errs.at(-1)!.message, /and 1 more problem/);
  });
});
