// The production bundle, loaded the way the Azure Functions Node.js worker loads it: package.json
// "main" imported in a process where `@azure/functions-core` is the worker's module (here the
// stand-in, which records each registration). What the worker would index is what these tests read.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { before, describe, it } from "node:test";
import { SETTINGS } from "../../src/config.js";
import { installFunctionsCore, type FunctionsCoreStandIn } from "../../src/local/functions-core.js";
import { example } from "../helpers/examples.js";

const root = path.resolve(import.meta.dirname, "../..");

/** What other systems and the template rely on: names, queues, routes, connections, auth levels. */
const EXPECTED = {
  postRequest: { type: "httpTrigger", route: "requests", methods: ["POST"], authLevel: "function" },
  getRequests: { type: "httpTrigger", route: "requests", methods: ["GET"], authLevel: "function" },
  getRequest: { type: "httpTrigger", route: "requests/{id}", methods: ["GET"], authLevel: "function" },
  cancelRequest: { type: "httpTrigger", route: "requests/{id}:cancel", methods: ["POST"], authLevel: "function" },
  getOpenApi: { type: "httpTrigger", route: "openapi.json", methods: ["GET"], authLevel: "function" },
  statusListPage: { type: "httpTrigger", route: "status", methods: ["GET"], authLevel: "function" },
  statusRequestPage: { type: "httpTrigger", route: "status/requests/{id}", methods: ["GET"], authLevel: "function" },
  getCluster: { type: "httpTrigger", route: "clusters/{subscriptionId}/{resourceGroup}/{name}", methods: ["GET"], authLevel: "function" },
  listHeldClusters: { type: "httpTrigger", route: "clusters", methods: ["GET"], authLevel: "function" },
  clusterRequest: { type: "serviceBusTrigger", queueName: "cluster-requests", connection: "ServiceBusConnection" },
  provisioningStep: { type: "serviceBusTrigger", queueName: "provisioning-steps", connection: "ServiceBusConnection" },
  nodeImageUpgrade: { type: "serviceBusTrigger", queueName: "node-image-upgrades", connection: "ServiceBusConnection" },
  clusterEvents: { type: "eventGridTrigger" },
  nodeImageFreshness: { type: "timerTrigger", schedule: "%NODE_IMAGE_CHECK_SCHEDULE%" },
  driftSweep: { type: "timerTrigger", schedule: "%DRIFT_SWEEP_SCHEDULE%" },
} as const;

describe("the bundle the Functions host runs (dist/main.mjs and its chunks, built by npm run build)", () => {
  let core: FunctionsCoreStandIn;
  let meta: { outputs: Record<string, { imports: { path: string; external?: boolean }[] }> };
  const warnings: string[] = [];

  before(async () => {
    // The build of `npm run build` (after its type-check), run from the repository's root.
    process.chdir(root);
    // @ts-expect-error: a plain JavaScript build script, without types
    meta = await (await import("../../scripts/build.mjs")).bundle();
    core = installFunctionsCore();
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      const main = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).main;
      await import(pathToFileURL(path.join(root, main)).href);
    } finally {
      console.warn = warn;
    }
  });

  it("package.json main is the bundle, and loading it prints no warning (no test mode)", () => {
    assert.equal(JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).main, "dist/main.mjs");
    assert.deepEqual(warnings, []);
    assert.equal((core.programmingModel as { name: string }).name, "@azure/functions");
  });

  it("registers exactly the expected functions", () => {
    assert.deepEqual([...core.registrations.keys()].sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED))
    it(`${name}: ${Object.values(expected).join(" ")}`, () => {
      const { binding } = core.trigger(name);
      const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, binding[k]]));
      assert.deepEqual(actual, expected);
      // The plain binding: no deferred (SDK) binding, whose client loads files the bundle lacks.
      assert.deepEqual(binding.properties, { supportsDeferredBinding: "false" });
    });

  it("every %…% setting and connection a binding names is an app setting the template sets", () => {
    const named = [...core.registrations.values()].flatMap(({ metadata }) =>
      Object.values(metadata.bindings).flatMap((b) => [
        ...[...JSON.stringify(b).matchAll(/%([A-Za-z0-9_]+)%/g)].map((m) => m[1]),
        ...(typeof b.connection === "string" ? [`${b.connection}__fullyQualifiedNamespace`] : []),
      ]),
    );
    assert.deepEqual([...new Set(named)].sort(), ["DRIFT_SWEEP_SCHEDULE", "NODE_IMAGE_CHECK_SCHEDULE", "ServiceBusConnection__fullyQualifiedNamespace"]);
    for (const s of named) assert.equal(SETTINGS[s as keyof typeof SETTINGS]?.azure, true, `${s} is set in Azure`);
  });

  it("the bundle carries no preview Service Bus SDK binding and loads nothing from outside itself but Node built-ins and functions-core", () => {
    const dist = path.join(root, "dist");
    const files = readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".mjs"));
    assert.doesNotMatch(files.map((f) => readFileSync(path.join(dist, f), "utf8")).join("\n"), /functions-extensions-servicebus|settlement\.proto/);
    const external = Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    assert.deepEqual([...new Set(external.filter((s) => !s.startsWith("node:") && !builtinModules.includes(s)))], ["@azure/functions-core"]);
  });

  it("an HTTP function of the bundle answers through the worker's invocation model (POST /api/requests?whatIf=true)", async () => {
    const body = JSON.stringify(example("pod-sandboxing.json"));
    const res = await core.invoke("postRequest", {
      http: { method: "POST", url: "https://app.example/api/requests?whatIf=true", headers: { "content-type": "application/json" }, query: { whatIf: "true" }, params: {}, body: { string: body } },
    });
    assert.equal(res?.http?.statusCode, "200");
    const plan = JSON.parse(Buffer.from(res!.http!.body!.bytes!).toString("utf8"));
    assert.equal(plan.operation, "create");
    assert.ok(plan.steps.some((s: { name: string }) => s.name === "cluster"));
  });
});
