// The held-cluster row (src/state/cluster-store.ts) against Azurite: a cluster and an Arc private
// link scope of one name are two rows, and a row is removed only as it was read.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConcurrencyError } from "../../../src/app/optimistic.js";
import { startAzurite, type Azurite } from "../../../src/local/azurite.js";
import type { ClusterStore } from "../../../src/app/stores.js";
import { openStores } from "../../../src/state/tables.js";

const SUB = "00000000-0000-0000-0000-000000000000";

describe("cluster store", () => {
  let azurite: Azurite;
  let clusters: ClusterStore;
  before(async () => {
    azurite = await startAzurite();
    clusters = (await openStores({ clientFor: azurite.tableClient })).clusters;
  });
  after(async () => azurite.stop());

  it("a scope's row and a cluster's row of one name are apart", async () => {
    await clusters.save({ subscriptionId: SUB, resourceGroup: "rg", name: "same", generation: 0, updatedAt: "t0" });
    await clusters.save({ subscriptionId: SUB, resourceGroup: "rg", name: "same", kind: "privateLinkScope", generation: 0, updatedAt: "t0" });
    await clusters.remove(SUB, "rg", "same", "privateLinkScope");
    assert.equal(await clusters.get(SUB, "rg", "same", "privateLinkScope"), undefined);
    assert.equal((await clusters.get(SUB, "RG", "SAME"))?.name, "same", "the cluster's row stays (keys in any case)");
  });

  it("a remove with the ETag it read is refused once the row changed, and the change stays", async () => {
    await clusters.save({ subscriptionId: SUB, resourceGroup: "rg", name: "pls", kind: "privateLinkScope", generation: 0, updatedAt: "t0" });
    const read = (await clusters.get(SUB, "rg", "pls", "privateLinkScope"))!;
    await clusters.save({ ...read, desired: '{"changed":true}', updatedAt: "t1" });
    await assert.rejects(clusters.remove(SUB, "rg", "pls", "privateLinkScope", read.etag), ConcurrencyError);
    const now = (await clusters.get(SUB, "rg", "pls", "privateLinkScope"))!;
    assert.equal(now.desired, '{"changed":true}');
    await clusters.remove(SUB, "rg", "pls", "privateLinkScope", now.etag);
    assert.equal(await clusters.get(SUB, "rg", "pls", "privateLinkScope"), undefined);
    await clusters.remove(SUB, "rg", "pls", "privateLinkScope", now.etag);
  });
});
