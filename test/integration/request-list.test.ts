// The request list (GET /api/requests and the page's list) reads only the short fields it shows:
// one huge rejection, or one row nobody can read, never fails it for everyone.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { TABLES } from "../../src/state/tables.js";
import { example } from "../helpers/examples.js";
import { startTestHost } from "../helpers/local.js";

describe("request list", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0 })));
  after(async () => host.close());

  it("a rejected create with 100 pools, each with an unknown 290-character key, leaves the list readable and stores bounded problems", async () => {
    const raw = example("pod-sandboxing.json");
    const pool = raw.nodePools[0];
    const nodePools = Array.from({ length: 100 }, (_, i) => ({ ...pool, name: `p${i}`, ["k".repeat(290)]: true }));
    const bad = { ...raw, requestId: "list-huge-reject", nodePools };
    const posted = await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(bad) });
    assert.equal(posted.status, 400);

    const list = await fetch(`${host.url}/api/requests`);
    assert.equal(list.status, 200);
    const body = await list.json();
    assert.equal(body.unreadable, undefined);
    assert.ok(body.value.some((r: any) => r.id === "list-huge-reject" && r.state === "Rejected"));
    const page = await fetch(`${host.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /list-huge-reject/);

    const doc = await (await fetch(`${host.url}/api/requests/list-huge-reject`)).json();
    const details: { path: string; message: string }[] = doc.error.details;
    assert.match(doc.error.message, /\b10[0-9] problem\(s\)/);
    assert.match(details.at(-1)!.message, /^and \d+ more problem\(s\), not kept$/);
    assert.ok(details.every((d) => d.path.length <= 401 && d.message.length <= 401));
    const row = await host.azurite.tableClient(TABLES.requests).getEntity<Record<string, unknown>>("list-huge-reject", "request");
    assert.equal(row.error_1, undefined, "the problems fit in one Table property");
  });

  it("a row that cannot be read is left out and counted, and the rest of the list is answered", async () => {
    const table = host.azurite.tableClient(TABLES.requests);
    await table.createEntity({ partitionKey: "list-broken-row", rowKey: "request", id: "list-broken-row", operation: '{"unterminated', target: "", state: "Rejected", createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z" });
    const res = await fetch(`${host.url}/api/requests?top=500`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.unreadable, 1);
    assert.ok(body.value.some((r: any) => r.id === "list-huge-reject"));
    assert.ok(!body.value.some((r: any) => r.id === "list-broken-row"));
    const page = await (await fetch(`${host.url}/`)).text();
    assert.match(page, /1 could not be read and are not shown/);
  });
});
