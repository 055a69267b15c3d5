// The cluster lease row (src/state/lease-store.ts) against Azurite: every change conditional, so
// two writers can never both hold a cluster; and releasing (src/app/cluster-lease.ts) removes only
// one's own lease.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { releaseClusterLease } from "../../../src/app/cluster-lease.js";
import type { AppDeps } from "../../../src/app/deps.js";
import { ConcurrencyError } from "../../../src/app/optimistic.js";
import { startAzurite, type Azurite } from "../../../src/local/azurite.js";
import type { LeaseStore } from "../../../src/app/stores.js";
import { openStores } from "../../../src/state/tables.js";

const CLUSTER = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-1";
const lease = (owner: string) => ({ clusterId: CLUSTER, owner, operation: "addSandboxPool", acquiredAt: "2026-01-01T00:00:00.000Z", expiresAt: "2026-01-01T00:15:00.000Z" });

describe("lease store", () => {
  let azurite: Azurite;
  let leases: LeaseStore;
  before(async () => {
    azurite = await startAzurite();
    leases = (await openStores({ clientFor: azurite.tableClient })).leases;
  });
  after(async () => azurite.stop());

  it("one lease per cluster, keyed by its id in any case; a second create is refused", async () => {
    const a = await leases.create(lease("req-a"));
    assert.ok(a.etag);
    await assert.rejects(leases.create(lease("req-b")), ConcurrencyError);
    const read = await leases.get(CLUSTER.toUpperCase());
    assert.equal(read?.owner, "req-a");
    await leases.remove(read!);
    assert.equal(await leases.get(CLUSTER), undefined);
  });

  it("a change or removal with a stale ETag is refused: of two take-overs, one wins", async () => {
    const first = await leases.create(lease("req-a"));
    const renewed = await leases.replace({ ...first, expiresAt: "2026-01-01T00:30:00.000Z" });
    await assert.rejects(leases.replace({ ...first, owner: "req-b" }), ConcurrencyError);
    await assert.rejects(leases.remove(first), ConcurrencyError);
    assert.deepEqual([(await leases.get(CLUSTER))?.owner, (await leases.get(CLUSTER))?.expiresAt], ["req-a", "2026-01-01T00:30:00.000Z"]);
    await leases.remove(renewed);
    await leases.remove(renewed); // already gone: fine
  });

  it("a request releases its own lease, never another's", async () => {
    const deps = { leases, log: () => {} } as unknown as AppDeps;
    await leases.create(lease("req-b"));
    await releaseClusterLease(deps, "req-a", CLUSTER);
    assert.equal((await leases.get(CLUSTER))?.owner, "req-b");
    await releaseClusterLease(deps, "req-b", CLUSTER);
    assert.equal(await leases.get(CLUSTER), undefined);
  });
});
