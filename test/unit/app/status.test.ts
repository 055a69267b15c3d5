// The status monitor's pure parts: the guidelines' status from the contract's state, the error's
// target and details, Retry-After from the next re-check.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retryAfterSeconds, statusDocument } from "../../../src/app/status.js";
import type { RequestRecord, StepRecord } from "../../../src/domain/records.js";

const T0 = "2026-01-01T00:00:00.000Z";
const request = (over: Partial<RequestRecord>): RequestRecord => ({
  id: "r1",
  operation: "create",
  target: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
  state: "Running",
  createdAt: T0,
  updatedAt: T0,
  body: {},
  bodyHash: "",
  plan: [
    { name: "resourceGroup", dependsOn: [], describe: "resource group" },
    { name: "cluster", dependsOn: ["resourceGroup"], describe: "cluster", resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c" },
  ],
  warnings: [],
  ...over,
});
const step = (over: Partial<StepRecord>): StepRecord => ({ requestId: "r1", name: "cluster", state: "Running", seq: 1, attempts: 1, posts: 0, writes: 1, ...over });

describe("status monitor", () => {
  it("maps the contract's states to the guidelines' status", () => {
    const status = (state: RequestRecord["state"]) => statusDocument(request({ state }), []).status;
    assert.deepEqual(
      (["Accepted", "Running", "Succeeded", "Failed", "Rejected", "Canceled"] as const).map(status),
      ["NotStarted", "Running", "Succeeded", "Failed", "Failed", "Canceled"],
    );
  });

  it("a failed step is the error's target, with ARM's code and message as its detail", () => {
    const doc = statusDocument(request({ state: "Failed", error: { code: "QuotaExceeded", message: "step cluster: no cores left" } }), [
      step({ state: "Failed", error: { code: "QuotaExceeded", message: "no cores left" } }),
    ]);
    assert.deepEqual(doc.error, {
      code: "QuotaExceeded",
      message: "step cluster: no cores left",
      target: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
      details: [{ code: "QuotaExceeded", message: "no cores left", target: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c" }],
    });
  });

  it("validation errors become details targeted at their path, keeping path and source", () => {
    const doc = statusDocument(request({ state: "Rejected", plan: [], error: { code: "ValidationFailed", message: "1 problem", details: [{ path: "nodePools[0].osSku", message: "must be AzureLinux", source: "pod-sandboxing" }] } }), []);
    assert.deepEqual(doc.error!.details, [{ code: "InvalidValue", message: "must be AzureLinux", target: "nodePools[0].osSku", path: "nodePools[0].osSku", source: "pod-sandboxing" }]);
  });

  it("Retry-After is the time to the earliest re-check, at least 1 s, and absent once finished", () => {
    const now = new Date("2026-01-01T00:01:00.000Z");
    const running = statusDocument(request({}), [step({ nextCheckAt: "2026-01-01T00:01:07.200Z" }), step({ name: "resourceGroup", nextCheckAt: "2026-01-01T00:01:30.000Z" })]);
    assert.equal(retryAfterSeconds(running, now), 8);
    const overdue = statusDocument(request({}), [step({ nextCheckAt: "2026-01-01T00:00:50.000Z" })]);
    assert.equal(retryAfterSeconds(overdue, now), 1);
    assert.equal(retryAfterSeconds(statusDocument(request({ state: "Succeeded" }), []), now), undefined);
    assert.equal(retryAfterSeconds(statusDocument(request({ state: "Canceled" }), []), now), undefined);
  });
});
