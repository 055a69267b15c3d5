// The OpenAPI document: generated (docs/openapi.json is the build's output, not a hand-kept copy),
// valid OpenAPI 3.1, and true: every documented operation is called on the local host for each of
// its documented answers, and each answer's status, headers and body are as documented.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { openApiDocument } from "../../src/app/openapi.js";
import type { LocalHost } from "../../src/local/host.js";
import { QUEUES } from "../../src/app/queue.js";
import { startTestHost, waitForRequest } from "../helpers/local.js";
import { example, SUB } from "../helpers/examples.js";
import { startTokenIssuer, type TokenIssuer } from "../helpers/tokens.js";

const doc = openApiDocument() as any;
const METHODS = ["get", "post", "put", "patch", "delete"];
const operations = Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
);

describe("OpenAPI document", () => {
  it("is what the build writes to docs/openapi.json", () => {
    assert.deepEqual(JSON.parse(readFileSync("docs/openapi.json", "utf8")), doc, "run npm run schema (part of npm run build)");
  });

  it("validates as OpenAPI 3.1 and every $ref resolves", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, "3.1");
    assert.doesNotThrow(() => validator.resolveRefs());
  });

  it("lint: operation ids, path parameters declared, a success answer, x-ms-error-code on every JSON error", () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId || ids.has(op.operationId)) problems.push(`${where}: missing or repeated operationId`);
      ids.add(op.operationId);
      if (!op.summary) problems.push(`${where}: no summary`);
      const declared = (op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name).sort();
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      if (JSON.stringify(declared) !== JSON.stringify(templated)) problems.push(`${where}: path parameters ${declared} vs ${templated}`);
      if (!Object.keys(op.responses).some((c) => c.startsWith("2"))) problems.push(`${where}: no 2xx answer`);
      for (const [code, r] of Object.entries(op.responses) as [string, any][])
        if (code >= "400" && r.content?.["application/json"] && !r.headers?.["x-ms-error-code"]) problems.push(`${where} ${code}: no x-ms-error-code header`);
    }
    assert.deepEqual(problems, []);
  });
});

describe("every documented answer of every route, on the local host", () => {
  let host: LocalHost;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "api", components: doc.components });
  const seen = new Set<string>();

  const good = { ...example("pod-sandboxing.json"), requestId: "walk-ok", cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-walk" } };
  const held = { ...good, requestId: "walk-held", cluster: { ...good.cluster, name: "aks-walk-held" } };
  const invalid = { operation: "create", cluster: { subscriptionId: "x", resourceGroup: "rg", name: "a", location: "westus2" }, nodePools: [] };

  // With the token check on: an admin who may do everything, and a viewer who sees every request but may only upgrade node images.
  let issuer: TokenIssuer;
  let admin: string;
  let viewer: string;
  const people = {
    admin: { oid: "cccccccc-0000-0000-0000-000000000003", upn: "ops@platform.example", name: "Ops", roles: ["Admin"] },
    viewer: { oid: "dddddddd-0000-0000-0000-000000000004", upn: "viewer@team.example", name: "Viewer", roles: ["Elsewhere"] },
  };
  before(async () => {
    issuer = await startTokenIssuer();
    [admin, viewer] = await Promise.all([issuer.mint(people.admin), issuer.mint(people.viewer)]);
    const callerPolicy = {
      roles: {
        Admin: { operations: ["*" as const], scopes: [`/subscriptions/${SUB}`], requests: "scopes" as const },
        Elsewhere: { operations: ["upgradeNodeImages" as const], scopes: [`/subscriptions/${SUB}`], requests: "read" as const },
      },
    };
    host = await startTestHost({ httpPort: 0, settings: { auth: issuer.settings, callerPolicy } });
    await fetch(`${host.url}/api/requests`, { method: "POST", headers: { authorization: `Bearer ${admin}` }, body: JSON.stringify(good) });
    await waitForRequest(host, "walk-ok");
  });
  after(async () => {
    await host.close();
    await issuer.close();
  });

  /** Calls one operation and checks the answer against the document; returns the body. */
  async function call(operationId: string, expect: number, { params = {}, query = "", body, token = admin }: { params?: Record<string, string>; query?: string; body?: unknown; token?: string | null } = {}) {
    const { path, method, op } = operations.find((o) => o.op.operationId === operationId)!;
    const url = `${host.url}/api${path.replace(/\{([^}]+)\}/g, (_, p) => encodeURIComponent(params[p]))}${query}`;
    const res = await fetch(url, { method: method.toUpperCase(), headers: token ? { authorization: `Bearer ${token}` } : {}, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, expect, `${operationId}: ${text.slice(0, 500)}`);
    const documented = op.responses[String(res.status)];
    assert.ok(documented, `${operationId} answered ${res.status}, which is not documented`);
    const [type, media] = Object.entries(documented.content as Record<string, any>)[0];
    assert.equal(res.headers.get("content-type")?.split(";")[0], type, operationId);
    for (const h of Object.keys(documented.headers ?? {}).filter((h) => h !== "Retry-After")) assert.ok(res.headers.get(h), `${operationId} ${res.status}: header ${h}`);
    if (type === "application/json") {
      const schema = media.schema.$ref ? { $ref: `api${media.schema.$ref}` } : media.schema;
      const validate = ajv.compile(schema);
      assert.ok(validate(JSON.parse(text)), `${operationId} ${res.status}: ${JSON.stringify(validate.errors, null, 2)}`);
    }
    seen.add(`${operationId} ${res.status}`);
    return type === "application/json" ? JSON.parse(text) : text;
  }

  it("answers each documented status with its documented headers and body", async () => {
    await call("postRequest", 202, { body: good });
    await call("postRequest", 200, { query: "?whatIf=true", body: good });
    await call("postRequest", 400, { body: invalid });
    await call("postRequest", 409, { body: { ...good, tags: { another: "body" } } });
    // Service Bus unreachable for the first send of a new request's steps: recorded, not started.
    host.bus.failSends((q, m) => q === QUEUES.steps && (m.body as { requestId?: string }).requestId === "walk-unsent", 1);
    assert.equal((await call("postRequest", 503, { body: { ...good, requestId: "walk-unsent", cluster: { ...good.cluster, name: "aks-walk-unsent" } } })).lastError.code, "FirstSendFailed");
    await call("listRequests", 200, { query: "?state=Succeeded&top=10" });
    await call("listHeldClusters", 200, { query: "?drifted=true" });
    await call("listHeldClusters", 200, {});
    await call("listHeldClusters", 400, { query: "?drifted=maybe" });
    await call("listRequests", 400, { query: "?top=0" });
    assert.equal((await call("getRequest", 200, { params: { id: "walk-ok" } })).status, "Succeeded");
    await call("getRequest", 404, { params: { id: "nothing-here" } });
    host.bus.pause(QUEUES.steps);
    await fetch(`${host.url}/api/requests`, { method: "POST", headers: { authorization: `Bearer ${admin}` }, body: JSON.stringify(held) });
    assert.equal((await call("cancelRequest", 202, { params: { id: "walk-held" } })).status, "Canceled");
    host.bus.resume(QUEUES.steps);
    await call("cancelRequest", 404, { params: { id: "nothing-here" } });
    await call("cancelRequest", 409, { params: { id: "walk-ok" } });
    await call("getCluster", 200, { params: { subscriptionId: SUB, resourceGroup: good.cluster.resourceGroup, name: "aks-walk" } });
    await call("getCluster", 404, { params: { subscriptionId: SUB, resourceGroup: "rg", name: "never-seen" } });
    assert.match(await call("statusListPage", 200, { query: "?state=Succeeded" }), /walk-ok/);
    assert.match(await call("statusRequestPage", 200, { params: { id: "walk-ok" } }), /Request walk-ok/);
    await call("statusRequestPage", 404, { params: { id: "nothing-here" } });
    assert.equal((await call("getOpenApi", 200, { token: null })).openapi, "3.1.0");
    // Without a token every other route answers 401; a caller without the rights, 403.
    for (const { op } of operations.filter((o) => o.op.responses["401"]))
      await call(op.operationId, 401, { token: null, params: { id: "walk-ok", subscriptionId: SUB, resourceGroup: "rg", name: "aks-walk" }, body: op.operationId === "postRequest" ? good : undefined });
    await call("postRequest", 403, { token: viewer, body: { ...good, requestId: "walk-refused" } });
    await call("cancelRequest", 403, { token: viewer, params: { id: "walk-ok" } });

    const documented = operations.flatMap(({ op }) => Object.keys(op.responses).map((code) => `${op.operationId} ${code}`));
    assert.deepEqual([...seen].sort(), documented.sort(), "every documented answer was seen");
  });
});
