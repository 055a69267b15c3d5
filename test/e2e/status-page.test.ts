// The status page in a real browser: Debian's Chromium driven by playwright-core, against the local
// host. A request is submitted over HTTP, its page opened while its steps are held on the queue
// (so the page first shows them not started), then the queue is released and the page, refreshing
// itself, shows every step Succeeded. A request that ARM refuses shows ARM's error text.
// SCREENSHOT=FILE also saves the timeline (npm run screenshot writes docs/status-page.png).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { LocalHost } from "../../src/local/host.js";
import { QUEUES } from "../../src/app/queue.js";
import { startTestHost } from "../helpers/local.js";
import { example } from "../helpers/examples.js";
import { clusterWithDeletedKataPool } from "../helpers/person-in-arm.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// What a headless root run in a container needs, and nothing that reaches out to the network.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium package; set CHROMIUM_PATH for another)`;
if (skip) console.log(`# status page browser test skipped: ${skip}`);

const stepStates = (page: Page) => page.$$eval(".step .badge", (els) => els.map((e) => e.textContent!.replace(/[^A-Za-z]/g, "")));

describe("status page in Chromium", { skip }, () => {
  let host: LocalHost;
  let browser: BrowserContext;
  let profile: string;
  before(async () => {
    host = await startTestHost({ httpPort: 0 });
    profile = await mkdtemp(path.join(tmpdir(), "aksp-chromium-"));
    // A fresh profile directory (--user-data-dir) per run keeps runs apart.
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1100, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await host?.close();
    await rm(profile, { recursive: true, force: true });
  });

  it("a submitted request's timeline moves to Succeeded by itself, and the list links to it", async () => {
    const raw = { ...example("network-isolated-managed-acr.json"), requestId: "page-iso" };
    host.bus.pause(QUEUES.steps);
    const submitted = await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(raw) });
    assert.equal(submitted.status, 202);

    const page = await browser.newPage();
    await page.goto(`${host.url}/`);
    await page.getByRole("link", { name: "page-iso" }).click();
    await page.waitForURL(`${host.url}/requests/page-iso`);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Request page-iso");
    const before = await stepStates(page);
    assert.equal(before.length, 5, "one entry per step");
    assert.ok(before.every((s) => s === "Pending"), before.join());
    await page.evaluate(() => ((window as any).notReloaded = true));

    host.bus.resume(QUEUES.steps);
    // Every step, then the request itself (it finishes just after its last step).
    await page.waitForFunction(() => [...document.querySelectorAll(".step .badge, .summary .badge")].every((b) => b.textContent!.includes("Succeeded")), undefined, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => (window as any).notReloaded), true, "updated in place, not reloaded");
    assert.equal(await page.locator("main").getAttribute("data-refresh"), null, "stops refreshing once finished");
    // Text alternatives: each bar says what it shows; dependencies link to their steps.
    const labels = await page.$$eval(".track", (els) => els.map((e) => e.getAttribute("aria-label")));
    assert.ok(labels.every((l) => /^Succeeded: from \d\d:\d\d:\d\d UTC for /.test(l!)), labels.join("\n"));
    await page.locator("#step-cluster").getByRole("link", { name: "resourceGroup", exact: true }).click();
    assert.match(page.url(), /#step-resourceGroup$/);
    assert.match(await page.locator("#live").textContent() ?? "", /^Succeeded: \d+ of \d+ steps succeeded/);
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
    await page.close();
  });

  it("a request ARM refuses shows ARM's code and message", async () => {
    const raw = { ...example("pod-sandboxing.json"), requestId: "page-fail", cluster: { ...example("pod-sandboxing.json").cluster, name: "aks-page-fail" } };
    host.standIn!.addFault({ method: "PUT", path: /managedClusters\/aks-page-fail$/, status: 400, code: "InvalidParameter", message: "The VM size Standard_D4s_v3 is not available in westus2." });
    await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify(raw) });
    const page = await browser.newPage();
    await page.goto(`${host.url}/requests/page-fail`);
    const step = page.locator("#step-cluster .error");
    await step.waitFor({ timeout: 60_000 });
    assert.equal(await step.textContent(), "InvalidParameter: The VM size Standard_D4s_v3 is not available in westus2.");
    assert.match((await page.locator("section.error").textContent())!, /InvalidParameter: step cluster: The VM size Standard_D4s_v3 is not available/);
    assert.match((await page.locator("#step-cluster .badge").textContent())!, /Failed/);
    await page.goto(`${host.url}/?state=Failed`);
    assert.deepEqual(await page.$$eval("tbody a", (as) => as.map((a) => a.textContent)), ["page-fail"]);
    await page.close();
  });

  it("a cluster changed outside the app is listed as drifted, with its diff", async () => {
    await clusterWithDeletedKataPool(host, "aks-page-drift");
    const page = await browser.newPage();
    await page.goto(`${host.url}/`);
    assert.equal(await page.getByRole("heading", { level: 2, name: "Drifted clusters (1)" }).count(), 1);
    const table = page.locator("table#drift-aks-page-drift");
    assert.match((await table.locator("caption").textContent())!, /^aks-page-drift: 1 setting\(s\) changed outside this app; held since request aks-page-drift-kata2$/);
    const cells = await table.locator("tbody tr").first().locator("th, td").allTextContents();
    assert.deepEqual(cells.slice(0, 3), ["agentPoolProfiles[kata2]", '{"workloadRuntime":"KataVmIsolation","osSKU":"AzureLinux"}', "(absent)"]);
    assert.match(cells[3], /^event \d\d:\d\d:\d\d UTC$/);
    assert.equal(cells[4], "reported only (driftPolicy report)");
    assert.match((await page.locator("#live").textContent())!, /1 cluster\(s\) drifted$/);
    await page.close();
  });
});
