// The stand-in's model of ARM's request limits, counted on a clock the test moves (never real time):
// per subscription and principal, reads 250 refilled at 25/s, writes and deletes 200 refilled at
// 10/s, the AKS provider's cluster and pool writes a burst of 20 then one a minute; refill rates
// divided by timeScale. An empty bucket answers 429 with Retry-After; every answer carries the
// remaining counts.
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { startArmStandIn, type ArmStandIn, type ArmStandInOptions } from "../../../../src/local/arm-standin/index.js";
import { armError, clients, raw, SUB } from "./sdk.js";

const OTHER_SUB = "11111111-1111-1111-1111-111111111111";
const rg = (sub = SUB) => `/subscriptions/${sub}/resourceGroups/rg-throttle`;
const clusterPath = (name: string, sub = SUB) => `${rg(sub)}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const get = (arm: ArmStandIn, path = rg(), token = "t") => raw(arm, "GET", `${path}?api-version=2025-04-01`, { authorization: `Bearer ${token}` });
const remaining = (r: { headers: Record<string, unknown> }, kind: "reads" | "writes" | "deletes") => r.headers[`x-ms-ratelimit-remaining-subscription-${kind}`];
const poolBody = { name: "system", mode: "System", count: 1, vmSize: "Standard_D4s_v3", osType: "Linux" };

describe("ARM stand-in: request limits (throttling)", () => {
  let arm: ArmStandIn | undefined;
  let clock = 1_000_000;
  const start = async (o: ArmStandInOptions) => {
    clock = 1_000_000;
    arm = await startArmStandIn({ now: () => clock, ...o });
    for (const sub of [SUB, OTHER_SUB]) arm.seed({ id: rg(sub), location: "westus2" });
    return arm;
  };
  afterEach(async () => {
    await arm?.close();
    arm = undefined;
  });
  after(async () => arm?.close());

  it("is off by default: 300 reads at one instant all answer, without rate-limit headers", async () => {
    const a = await start({});
    const answers = await Promise.all(Array.from({ length: 300 }, () => get(a)));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [200]);
    assert.equal(remaining(answers[0], "reads"), undefined);
  });

  it("reads: 250 at once, the 251st answered 429 SubscriptionRequestsThrottled with Retry-After; one more after 40 ms (25/s)", async () => {
    const a = await start({ throttling: true });
    const left: number[] = [];
    for (let i = 0; i < 250; i++) {
      const r = await get(a);
      assert.equal(r.status, 200);
      left.push(Number(remaining(r, "reads")));
    }
    assert.deepEqual([left[0], left[249]], [249, 0]);
    const refused = await get(a);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error.code, "SubscriptionRequestsThrottled");
    assert.equal(refused.headers["retry-after"], "1", "0.04 s rounded up to whole seconds");
    assert.equal(remaining(refused, "writes"), "200", "every answer carries all three counts");
    clock += 40;
    assert.equal((await get(a)).status, 200);
    assert.equal((await get(a)).status, 429, "a throttled request does not spend a token: only one refilled");
    // Another principal, another subscription: their own buckets.
    assert.equal((await get(a, rg(), "another-principal")).status, 200);
    assert.equal((await get(a, rg(OTHER_SUB))).status, 200);
  });

  it("AKS cluster and pool writes through the SDK: a burst of 20, then 429 Throttled with Retry-After of one minute times timeScale", async () => {
    const a = await start({ throttling: true, timeScale: 0.5 });
    const c = clients(a);
    const put = (name: string) => c.aks.managedClusters.createOrUpdate("rg-throttle", name, { location: "westus2", dnsPrefix: name, agentPoolProfiles: [poolBody] }).submitted();
    for (let i = 0; i < 20; i++) await put(`aks${i}`);
    const refused = await armError(() => put("aks20"));
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.code, "Throttled");
    assert.match(refused.message, /PutManagedClusterHandler\.PUT request limit has been exceeded/);
    assert.equal(refused.retryAfter, "30", "60 s x 0.5");
    assert.equal(a.get(clusterPath("aks20")), undefined, "the refused write changed nothing");
    // ARM passed that request on to the provider: it spent an ARM write token.
    assert.equal(remaining(await get(a), "writes"), String(200 - 21));
    clock += 29_000;
    assert.equal((await armError(() => put("aks20"))).statusCode, 429, "not yet");
    clock += 1_000;
    await put("aks20");
    assert.equal(a.get(clusterPath("aks20")).name, "aks20");
    // Pools share the bucket; another subscription has its own.
    clock += 3_600_000; // the clusters are provisioned, the bucket full again
    for (let i = 0; i < 20; i++) await c.aks.agentPools.createOrUpdate("rg-throttle", "aks0", `pool${i}`, { ...poolBody, mode: "User" }).submitted();
    const pool = await armError(() => c.aks.agentPools.createOrUpdate("rg-throttle", "aks0", "pool20", { ...poolBody, mode: "User" }).submitted());
    assert.deepEqual([pool.statusCode, pool.code], [429, "Throttled"]);
    const other = await raw(a, "PUT", `${clusterPath("aks0", OTHER_SUB)}?api-version=2026-04-01`, { authorization: "Bearer t" }, { location: "westus2", properties: { dnsPrefix: "o", agentPoolProfiles: [poolBody] } });
    assert.equal(other.status, 201);
  });

  it("writes and deletes are separate buckets; numbers can be overridden", async () => {
    const a = await start({ throttling: { writes: { capacity: 2 }, deletes: { capacity: 1 } } });
    const id = (n: number) => `/subscriptions/${SUB}/resourceGroups/rg-w${n}?api-version=2025-04-01`;
    const auth = { authorization: "Bearer t" };
    assert.equal((await raw(a, "PUT", id(1), auth, { location: "westus2" })).status, 201);
    const second = await raw(a, "PUT", id(2), auth, { location: "westus2" });
    assert.deepEqual([second.status, remaining(second, "writes")], [201, "0"]);
    const third = await raw(a, "PUT", id(3), auth, { location: "westus2" });
    assert.deepEqual([third.status, third.json.error.code, third.headers["retry-after"]], [429, "SubscriptionRequestsThrottled", "1"]);
    assert.equal((await raw(a, "DELETE", id(1), auth)).status, 202, "deletes draw from their own bucket");
    assert.equal((await raw(a, "DELETE", id(2), auth)).status, 429);
    assert.deepEqual(
      a.requests.filter((r) => r.status === 429).map((r) => `${r.method} ${r.path}`),
      [`PUT /subscriptions/${SUB}/resourceGroups/rg-w3`, `DELETE /subscriptions/${SUB}/resourceGroups/rg-w2`],
      "the request log shows what was throttled",
    );
    assert.equal(a.writes().length, 3, "throttled requests are not writes");
  });
});
