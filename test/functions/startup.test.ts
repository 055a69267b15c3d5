// The Functions app's start-up (src/functions/runtime.ts) under Core Tools against Azurite
// (AzureWebJobsStorage=the emulator's connection string): storage not yet reachable at the first
// invocation fails that invocation only, with a log line; the next one starts the app. A plan
// (?whatIf=true) never waits on storage. Invoked the way the worker invokes functions.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { freePort, startAzurite, type Azurite } from "../../src/local/azurite.js";
import { installFunctionsCore, toTypedData } from "../../src/local/functions-core.js";
import { EMULATOR_ACCOUNT, emulatorConnectionString } from "../../src/storage-emulator.js";
import { example } from "../helpers/examples.js";

const SUB = "00000000-0000-0000-0000-000000000000";
const port = await freePort();
Object.assign(process.env, {
  AzureWebJobsStorage: emulatorConnectionString(`http://127.0.0.1:${port}/${EMULATOR_ACCOUNT}`),
  ServiceBusConnection__fullyQualifiedNamespace: "sb-local.servicebus.windows.net",
  ARM_ENDPOINT: "https://127.0.0.1:9",
  ARM_ACCESS_TOKEN: "unused",
  ALLOWED_SCOPES: `/subscriptions/${SUB}`,
});
const core = installFunctionsCore();
await import("../../src/main.js");
const errors: string[] = [];
const consoleError = console.error;
console.error = (...args: unknown[]) => void errors.push(args.join(" "));

const whatIf = (body: unknown) =>
  core.invoke("postRequest", { http: { method: "POST", url: "http://127.0.0.1/api/requests?whatIf=true", query: { whatIf: "true" }, headers: {}, body: { string: JSON.stringify(body) } } });
const malformed = () =>
  core.invoke("clusterRequest", toTypedData("{not json"), { MessageId: { string: "startup-malformed" }, DeliveryCount: { int: 1 }, ApplicationProperties: { json: "{}" } });
const status = (id: string) => core.invoke("getRequest", { http: { method: "GET", url: `http://127.0.0.1/api/requests/${id}`, params: { id }, query: {}, headers: {} } });

describe("start-up of the Functions app", () => {
  let azurite: Azurite | undefined;
  after(async () => {
    console.error = consoleError;
    await azurite?.stop();
  });

  it("a plan is answered while storage is unreachable", async () => {
    const res = await whatIf(example("pod-sandboxing.json"));
    assert.equal(res?.http?.statusCode, "200");
  });

  it("a failed start-up fails its invocation with a log line; once storage is up, the next invocation starts the app and runs", async () => {
    await assert.rejects(malformed(), /ECONNREFUSED|connect/i);
    assert.equal(errors.filter((e) => /start-up failed \(attempt 1\); the next invocation tries again/.test(e)).length, 1);
    await assert.rejects(malformed());
    assert.equal(errors.filter((e) => /start-up failed \(attempt 2\)/.test(e)).length, 1, "the second invocation tried again");
    assert.equal((await whatIf(example("pod-sandboxing.json")))?.http?.statusCode, "200", "a plan does not wait on, or fail with, a failed start-up");

    azurite = await startAzurite(port);
    const outcome = await malformed();
    assert.match(outcome?.json ?? "", /"kind":"rejected"/);
    const res = (await status("startup-malformed"))?.http;
    const doc = JSON.parse(res?.body?.string ?? Buffer.from(res?.body?.bytes ?? []).toString());
    assert.equal(doc.state, "Rejected");
    assert.equal(errors.filter((e) => /start-up failed/.test(e)).length, 2, "no failure after the start-up succeeded");
  });
});
