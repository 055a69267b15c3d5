// The requests API over HTTP on the local host, as a client of an Azure long-running operation
// sees it: 202 + Operation-Location + Retry-After, a status monitor with `status`, errors with
// `x-ms-error-code`, `target` and `details[]`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { startTestHost } from "../helpers/local.js";
import { example } from "../helpers/examples.js";

const withId = (raw: any, requestId: string, name: string) => ({ ...raw, requestId, cluster: { ...raw.cluster, name } });

async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (done(v) || i > 1200) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("HTTP API (Azure REST API guidelines for long-running operations)", () => {
  let host: LocalHost;
  const post = (path: string, body?: unknown) => fetch(host.url + path, { method: "POST", body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  before(async () => (host = await startTestHost({ httpPort: 0 })));
  after(async () => host.close());

  it("POST answers 202 with Operation-Location and Retry-After, and so does a repeat; the monitor ends Succeeded", async () => {
    const raw = withId(example("pod-sandboxing.json"), "api-lro-1", "aks-api-1");
    const first = await post("/api/requests", raw);
    assert.equal(first.status, 202);
    const location = first.headers.get("operation-location")!;
    assert.equal(location, `${host.url}/api/requests/api-lro-1`);
    assert.match(first.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/);
    const body = await first.json();
    assert.equal(body.status, "NotStarted");
    assert.equal(body.state, "Accepted", "the contract's state stays beside the status");

    const repeat = await post("/api/requests", raw);
    assert.equal(repeat.status, 202);
    assert.equal(repeat.headers.get("operation-location"), location);
    assert.match(repeat.headers.get("retry-after") ?? "", /^[1-9][0-9]*$/);

    const final = await until(async () => {
      const r = await fetch(location);
      return { r, doc: await r.json() };
    }, ({ doc }) => doc.status === "Succeeded" || doc.status === "Failed");
    assert.equal(final.r.status, 200);
    assert.equal(final.doc.status, "Succeeded");
    assert.equal(final.doc.state, "Succeeded");
    assert.equal(final.r.headers.get("retry-after"), null, "no Retry-After once finished");
  });

  it("a failed request's monitor carries ARM's code and message as error {code, message, target, details[]}", async () => {
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-api-fail$/, status: 400, code: "InvalidParameter", message: "Node pool VM size Standard_D4s_v3 is not allowed here." });
    const res = await post("/api/requests", withId(example("pod-sandboxing.json"), "api-fail-1", "aks-api-fail"));
    assert.equal(res.status, 202);
    const doc = await until(async () => (await fetch(res.headers.get("operation-location")!)).json(), (d) => d.status !== "Running" && d.status !== "NotStarted");
    assert.equal(doc.status, "Failed");
    assert.equal(doc.error.code, "InvalidParameter");
    assert.match(doc.error.target, /managedClusters\/aks-api-fail$/);
    assert.deepEqual(doc.error.details.map((d: any) => [d.code, d.message]), [["InvalidParameter", "Node pool VM size Standard_D4s_v3 is not allowed here."]]);
  });

  it("a rejected body answers 400 with x-ms-error-code and one detail per field, targeted at its path", async () => {
    const res = await post("/api/requests", { operation: "create", cluster: { subscriptionId: "x", resourceGroup: "rg", name: "a", location: "westus2" }, nodePools: [{ name: "p", vmSize: "Standard_B2s", workloadRuntime: "KataVmIsolation", mode: "System" }] });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("x-ms-error-code"), "ValidationFailed");
    const doc = await res.json();
    assert.equal(doc.status, "Failed");
    assert.equal(doc.state, "Rejected");
    const fields = ["cluster.subscriptionId", "nodePools[0].osSku", "nodePools[0].vmSize"];
    assert.deepEqual(doc.error.details.map((d: any) => d.target), fields);
    assert.deepEqual(doc.error.details.map((d: any) => d.path), fields, "the contract's path stays");
  });

  it("errors carry x-ms-error-code: unknown request, unknown query value, a different body under one requestId", async () => {
    const missing = await fetch(`${host.url}/api/requests/no-such-request`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-ms-error-code"), "RequestNotFound");
    assert.equal((await missing.json()).error.code, "RequestNotFound");
    const badQuery = await fetch(`${host.url}/api/requests?state=Sleeping`);
    assert.equal(badQuery.status, 400);
    assert.equal(badQuery.headers.get("x-ms-error-code"), "InvalidQueryParameter");
    assert.deepEqual((await badQuery.json()).error.details.map((d: any) => d.target), ["state"]);
    const raw = withId(example("pod-sandboxing.json"), "api-conflict", "aks-api-conflict");
    assert.equal((await post("/api/requests", raw)).status, 202);
    const conflict = await post("/api/requests", { ...raw, tags: { other: "body" } });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.headers.get("x-ms-error-code"), "RequestIdConflict");
  });

  it("GET /api/requests lists recent requests, newest first, filtered by state and cluster", async () => {
    const all = await (await fetch(`${host.url}/api/requests`)).json();
    const ids = all.value.map((r: any) => r.id);
    assert.ok(ids.includes("api-lro-1") && ids.includes("api-fail-1"), ids.join());
    const created = all.value.map((r: any) => r.createdAt);
    assert.deepEqual(created, [...created].sort().reverse());
    const failed = await (await fetch(`${host.url}/api/requests?state=Failed`)).json();
    assert.deepEqual(failed.value.map((r: any) => r.id), ["api-fail-1"]);
    const byCluster = await (await fetch(`${host.url}/api/requests?cluster=AKS-API-1`)).json();
    assert.deepEqual(byCluster.value.map((r: any) => [r.id, r.status]), [["api-lro-1", "Succeeded"]]);
  });
});
