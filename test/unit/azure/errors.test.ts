// ARM errors are classified once (src/azure/errors.ts): what is retried later and what fails the
// request with ARM's own code and message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyArmError, operationFailure, retryAfterMs } from "../../../src/azure/errors.js";

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] });
/** An SDK RestError as the pipeline throws it: status, and ARM's body. */
const restError = (statusCode: number | undefined, code: string, h: Record<string, string> = {}) => ({
  name: "RestError",
  statusCode,
  message: "sdk message",
  response: { headers: headers(h), bodyAsText: JSON.stringify({ error: { code, message: `ARM says ${code}` } }) },
});

describe("ARM error classification", () => {
  const cases: [number | undefined, string, boolean][] = [
    [429, "TooManyRequests", true],
    [500, "InternalServerError", true],
    [503, "ServiceUnavailable", true],
    [undefined, "ECONNRESET", true],
    [409, "OperationNotAllowed", true],
    [409, "AnotherOperationInProgress", true],
    [400, "PrincipalNotFound", true],
    [409, "RoleAssignmentUpdateNotPermitted", false],
    [400, "InvalidParameter", false],
    [403, "AuthorizationFailed", false],
    [409, "QuotaExceeded", false],
    [404, "ResourceGroupNotFound", false],
  ];
  for (const [status, code, transient] of cases)
    it(`${status ?? "no answer"} ${code} is ${transient ? "transient" : "terminal"}, with ARM's code and message`, () => {
      const e = classifyArmError(restError(status, code));
      assert.deepEqual([e.code, e.message, e.status, e.transient], [code, `ARM says ${code}`, status, transient]);
    });

  it("keeps ARM's Retry-After: milliseconds headers first, then seconds, then a date", () => {
    assert.equal(classifyArmError(restError(429, "TooManyRequests", { "retry-after": "7" })).retryAfterMs, 7000);
    assert.equal(retryAfterMs(headers({ "retry-after-ms": "250", "retry-after": "7" })), 250);
    assert.equal(retryAfterMs(headers({ "x-ms-retry-after-ms": "1500" })), 1500);
    const at = retryAfterMs(headers({ "retry-after": new Date(Date.now() + 60_000).toUTCString() }))!;
    assert.ok(at > 0 && at <= 60_000);
    assert.equal(retryAfterMs(headers({})), undefined);
  });

  it("a long-running operation that ended Failed carries the operation's error; only a transient code is retried", () => {
    const failed = operationFailure({ code: "ReconcileVMSSAgentPoolFailed", message: "quota" });
    assert.deepEqual([failed.code, failed.message, failed.transient], ["ReconcileVMSSAgentPoolFailed", "quota", false]);
    assert.equal(operationFailure({ code: "InternalServerError" }).transient, true);
    assert.equal(operationFailure(undefined).code, "OperationFailed");
  });
});
