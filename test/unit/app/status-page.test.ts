// The status page's HTML, without a browser: text from requests and ARM is escaped, colour always
// comes with words, links keep the function key, a running request asks to be refreshed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderRequestList, renderRequestPage } from "../../../src/app/status-page.js";
import type { StatusDocument } from "../../../src/app/status.js";

const doc = (over: Partial<StatusDocument>): StatusDocument => ({
  id: "r<1>",
  operation: "create",
  target: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
  state: "Running",
  status: "Running",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:10.000Z",
  steps: [
    { name: "resourceGroup", state: "Succeeded", attempts: 1, startedAt: "2026-01-01T00:00:01.000Z", finishedAt: "2026-01-01T00:00:03.000Z", dependsOn: [], description: "rg", armWrites: 1 },
    { name: "cluster", state: "Running", attempts: 2, startedAt: "2026-01-01T00:00:04.000Z", dependsOn: ["resourceGroup"], description: "cluster", armWrites: 1, waitingFor: "the cluster to finish <provisioning>", nextCheckAt: "2026-01-01T00:00:25.000Z", lastError: { code: "TooManyRequests", message: "slow down" } },
  ],
  ...over,
});
const NOW = new Date("2026-01-01T00:00:20.000Z");
const links = { base: "/api/status", keep: "code=k%26y" };

describe("status page HTML", () => {
  it("escapes what requests and ARM say", () => {
    const html = renderRequestPage(doc({ steps: [{ ...doc({}).steps[1], state: "Failed", error: { code: "Bad", message: `<img src=x onerror="alert(1)">` } }] }), links, NOW);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
    assert.match(html, /Request r&lt;1&gt;/);
  });

  it("shows each step's state in words, what it waits for, its next check and its last transient error", () => {
    const html = renderRequestPage(doc({}), links, NOW);
    assert.match(html, /<span aria-hidden="true">●<\/span> Running<\/span>/);
    assert.match(html, /aria-label="Running: from 00:00:04 UTC for 16 s"/);
    assert.match(html, /Waiting for the cluster to finish &lt;provisioning&gt;/);
    assert.match(html, /Next check <time datetime="2026-01-01T00:00:25.000Z">00:00:25 UTC<\/time> \(in 5 s\)/);
    assert.match(html, /last transient error <strong>TooManyRequests<\/strong>: slow down/);
    assert.match(html, /after <a href="#step-resourceGroup">resourceGroup<\/a>/);
  });

  it("asks to be refreshed at the monitor's Retry-After while running, not once finished", () => {
    assert.match(renderRequestPage(doc({}), links, NOW), /data-refresh="5"/);
    assert.match(renderRequestPage(doc({}), links, NOW), /<noscript><meta http-equiv="refresh" content="5"><\/noscript>/);
    assert.doesNotMatch(renderRequestPage(doc({ state: "Succeeded", status: "Succeeded" }), links, NOW), /data-refresh|http-equiv/);
  });

  it("the list links to each request under the page's base, keeping the function key", () => {
    const html = renderRequestList(
      { requests: [{ id: "a b", operation: "create", target: "/x/managedClusters/c1", state: "Failed", status: "Failed", createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z" }], states: ["Failed"], state: "Failed" },
      links,
      NOW,
    );
    assert.match(html, /<a href="\/api\/status\/requests\/a%20b\?code=k%26y">a b<\/a>/);
    assert.match(html, /<input type="hidden" name="code" value="k&amp;y">/);
    assert.match(html, /<option value="Failed" selected>Failed<\/option>/);
    assert.match(html, /<time datetime="2026-01-01T00:00:00.000Z">20 s ago<\/time>/);
  });
});
