// src/config.ts: the one reader of app settings.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { readConfig, SETTINGS } from "../src/config.js";
import { ARM_RATE_LIMITS } from "../src/domain/arm-limits.js";
import { EMULATOR_ACCOUNT, EMULATOR_KEY } from "../src/storage-emulator.js";

const AZURE = { AzureWebJobsStorage__accountName: "stapp", ServiceBusConnection__fullyQualifiedNamespace: "sb-app.servicebus.windows.net" };

describe("app settings (src/config.ts)", () => {
  it("reads no setting it does not declare", () => {
    const read = new Set<string>();
    const env = new Proxy({ ...AZURE } as Record<string, string>, { get: (t, k: string) => (read.add(k), t[k]) });
    readConfig(env);
    assert.deepEqual([...read].filter((k) => !(k in SETTINGS)), []);
  });

  it("identity-based connections: the table endpoint from the account name unless given, the namespace as set", () => {
    assert.equal(readConfig(AZURE).tableServiceUri, "https://stapp.table.core.windows.net");
    assert.equal(readConfig({ ...AZURE, AzureWebJobsStorage__tableServiceUri: "https://stapp.table.core.usgovcloudapi.net/" }).tableServiceUri, "https://stapp.table.core.usgovcloudapi.net/");
    assert.equal(readConfig(AZURE).serviceBusNamespace, "sb-app.servicebus.windows.net");
  });

  it("storage by connection string: only the emulator's well-known account on a loopback address; any other is refused with the reason", () => {
    const sb = { ServiceBusConnection__fullyQualifiedNamespace: "sb-app.servicebus.windows.net" };
    const conn = (account: string, key: string, endpoint: string) => `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};TableEndpoint=${endpoint};`;
    assert.match(readConfig({ ...sb, AzureWebJobsStorage: "UseDevelopmentStorage=true" }).storageEmulator!, /TableEndpoint=http:\/\/127\.0\.0\.1:10002\/devstoreaccount1;/);
    assert.equal(readConfig({ ...sb, AzureWebJobsStorage: "UseDevelopmentStorage=true" }).tableServiceUri, undefined);
    assert.match(readConfig({ ...sb, AzureWebJobsStorage: conn(EMULATOR_ACCOUNT, EMULATOR_KEY, "http://localhost:20002/devstoreaccount1") }).storageEmulator!, /localhost:20002/);
    assert.throws(() => readConfig({ ...sb, AzureWebJobsStorage: conn("stapp", "c2VjcmV0", "https://stapp.table.core.windows.net") }), /AzureWebJobsStorage: only the storage emulator's account/);
    assert.throws(() => readConfig({ ...sb, AzureWebJobsStorage: conn(EMULATOR_ACCOUNT, EMULATOR_KEY, "http://10.0.0.4:10002/devstoreaccount1") }), /10\.0\.0\.4:10002 is not a loopback address/);
    assert.throws(() => readConfig({ ...sb, AzureWebJobsStorage: conn(EMULATOR_ACCOUNT, EMULATOR_KEY, "not a url") }), /TableEndpoint is missing or not a URL/);
    assert.equal(readConfig(AZURE).storageEmulator, undefined, "in Azure: the managed identity");
  });

  it("a missing connection setting is named", () => {
    assert.throws(() => readConfig({ AzureWebJobsStorage__accountName: "stapp" }), /ServiceBusConnection__fullyQualifiedNamespace is not set/);
    assert.throws(() => readConfig({ ServiceBusConnection__fullyQualifiedNamespace: "x" }), /AzureWebJobsStorage__accountName is not set/);
  });

  it("ALLOWED_SCOPES: comma-separated ids, trimmed, lower-cased, without trailing slashes or empty entries; a malformed one names the setting", () => {
    const A = "AAAAAAAA-0000-0000-0000-000000000000";
    const B = "bbbbbbbb-0000-0000-0000-000000000000";
    const scopes = readConfig({ ...AZURE, ALLOWED_SCOPES: ` /subscriptions/${A}/ , ,/subscriptions/${B}/resourceGroups/RG-1` }).runner.allowedScopes;
    assert.deepEqual(scopes, [`/subscriptions/${A.toLowerCase()}`, `/subscriptions/${B}/resourcegroups/rg-1`]);
    assert.throws(() => readConfig({ ...AZURE, ALLOWED_SCOPES: "*" }), /ALLOWED_SCOPES/);
  });

  it("defaults: public ARM, the runner's budget and re-check bounds, the node-image timer off", () => {
    const c = readConfig(AZURE);
    assert.equal(c.armEndpoint, "https://management.azure.com");
    assert.deepEqual(c.runner, { retryBudget: 8, minRecheckMs: 2000, maxRecheckMs: 120000, allowedScopes: undefined, pacing: true, pacingLimits: ARM_RATE_LIMITS, maxThrottleWaitMs: 12 * 3600_000 });
    assert.equal(c.nodeImages.autoUpgrade, false);
  });

  it("pacing: ARM_PACING=false switches it off; ARM_PACING_LIMITS overrides some buckets' numbers; a malformed value names the setting", () => {
    assert.equal(readConfig({ ...AZURE, ARM_PACING: "false" }).runner.pacing, false);
    const limits = readConfig({ ...AZURE, ARM_PACING_LIMITS: '{"aksWrites":{"capacity":10}}' }).runner.pacingLimits!;
    assert.deepEqual(limits.aksWrites, { capacity: 10, perSecond: 1 / 60 });
    assert.deepEqual(limits.writes, ARM_RATE_LIMITS.writes);
    assert.throws(() => readConfig({ ...AZURE, ARM_PACING_LIMITS: "fast" }), /ARM_PACING_LIMITS is not JSON/);
    assert.throws(() => readConfig({ ...AZURE, ARM_PACING_LIMITS: '{"aks":{"capacity":1},"writes":{"perSecond":-1}}' }), /ARM_PACING_LIMITS: aks, writes is not one of reads, writes, deletes, aksWrites/);
    assert.equal(readConfig({ ...AZURE, ARM_THROTTLE_MAX_WAIT_MS: "60000" }).runner.maxThrottleWaitMs, 60000);
  });

  it("no production module outside src/config.ts reads process.env (src/local is not production code)", () => {
    const src = path.resolve(import.meta.dirname, "../src");
    const readers = readdirSync(src, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.startsWith("local") && f !== "config.ts")
      .filter((f) => /process\.env/.test(readFileSync(path.join(src, f), "utf8")));
    assert.deepEqual(readers, []);
  });
});
