// One path from settings to the runner: every runner setting given in the environment takes effect
// in the Functions app's configuration (readConfig) and in the local host (npm start, npm run
// provision), on the stand-in and against another ARM (ARM_ENDPOINT) alike.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readConfig } from "../../src/config.js";
import { startLocalHost } from "../../src/local/host.js";

const SUB = "00000000-0000-0000-0000-000000000000";
const GIVEN = {
  STEP_RETRY_BUDGET: "3",
  RECHECK_MIN_MS: "25",
  RECHECK_MAX_MS: "900",
  ALLOWED_SCOPES: `/subscriptions/${SUB}`,
  ARM_PACING: "false",
  ARM_PACING_LIMITS: '{"aksWrites":{"capacity":7,"perSecond":0.5}}',
  ARM_THROTTLE_MAX_WAIT_MS: "1234",
  CLUSTER_LEASE_TTL_MS: "4321",
  CLUSTER_LEASE_MAX_WAIT_MS: "8765",
};
const AZURE = { AzureWebJobsStorage__accountName: "stapp", ServiceBusConnection__fullyQualifiedNamespace: "sb.servicebus.windows.net" };

/** What each setting must become in the runner's settings. */
function assertGiven(settings: Record<string, any>) {
  assert.equal(settings.retryBudget, 3);
  assert.equal(settings.minRecheckMs, 25);
  assert.equal(settings.maxRecheckMs, 900);
  assert.deepEqual(settings.allowedScopes, [`/subscriptions/${SUB}`]);
  assert.equal(settings.pacing, false);
  assert.deepEqual(settings.pacingLimits.aksWrites, { capacity: 7, perSecond: 0.5 });
  assert.equal(settings.maxThrottleWaitMs, 1234);
  assert.equal(settings.leaseTtlMs, 4321);
  assert.equal(settings.leaseMaxWaitMs, 8765);
}

/** Runs `fn` with the settings in process.env (the local host reads them there, as the CLI does). */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(env)) if (!(k in before)) delete process.env[k];
    Object.assign(process.env, before);
  }
}

describe("runner settings", () => {
  it("the Functions app reads each one", () => assertGiven(readConfig({ ...AZURE, ...GIVEN }).runner));

  it("the local host reads each one, on the stand-in and against another ARM", async () => {
    for (const armEndpoint of [undefined, "https://127.0.0.1:9"]) {
      const host = await withEnv(GIVEN, () => startLocalHost({ quiet: true, armEndpoint, armAccessToken: armEndpoint && "unused" }));
      try {
        assertGiven(host.deps.settings);
      } finally {
        await host.close();
      }
    }
  });
});
