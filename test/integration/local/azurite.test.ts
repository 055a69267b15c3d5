// The Azurite launcher: a port taken by someone else is reported for what it is (the launcher's
// retry on a fresh port relies on that), and a launcher with no port asked for still starts.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { freePort, startAzurite } from "../../../src/local/azurite.js";

describe("Azurite launcher", () => {
  it("a port already in use fails with EADDRINUSE, not a time-out", async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, "127.0.0.1", r));
    try {
      await assert.rejects(startAzurite(port), /EADDRINUSE/);
    } finally {
      squatter.close();
    }
  });

  it("with no port asked for, it starts and serves tables", async () => {
    const azurite = await startAzurite();
    try {
      const t = azurite.tableClient("probe");
      await t.createTable();
      await t.upsertEntity({ partitionKey: "p", rowKey: "r", v: 1 });
      assert.equal((await t.getEntity<{ v: number }>("p", "r")).v, 1);
    } finally {
      await azurite.stop();
    }
  });
});
