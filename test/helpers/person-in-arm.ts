// A person changing resources straight in ARM (the portal, `az`), not through this app: real HTTPS
// calls to the local ARM stand-in with a token of their own.
import assert from "node:assert/strict";
import https from "node:https";
import type { LocalHost } from "../../src/local/host.js";
import { postEvents, resourceEvent } from "./clusters.js";
import { example } from "./examples.js";
import { provision } from "./local.js";

export function personInArm(host: () => LocalHost, clusterIdOf: (name: string) => string) {
  /** One call, with the api-version the app itself used for that type. */
  function arm(method: string, id: string, body?: unknown): Promise<{ status: number; body: any }> {
    const standIn = host().standIn!;
    // The version the app used for this very resource; agent pools are served by their cluster's.
    const apiVersion = (standIn.requests.find((r) => r.path.toLowerCase() === id.toLowerCase() && r.apiVersion) ?? standIn.requests.find((r) => /\/managedClusters\//i.test(r.path) && r.apiVersion)!).apiVersion;
    const url = new URL(`${id}?api-version=${apiVersion}`, standIn.endpoint);
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, ca: standIn.caPem, headers: { authorization: "Bearer a-person", "content-type": "application/json" } }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
      });
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** GETs until ARM says the write finished (the stand-in completes its operations as they are read). */
  async function settled(id: string, gone = false): Promise<void> {
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      const got = await arm("GET", id);
      if (gone ? got.status === 404 : got.body?.properties?.provisioningState === "Succeeded") return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${id} did not settle`);
  }

  return {
    arm,
    /** A PUT of the cluster as read, with `change` made to its properties. */
    async changeCluster(name: string, change: (p: any) => void): Promise<void> {
      const { body } = await arm("GET", clusterIdOf(name));
      change(body.properties);
      const put = await arm("PUT", clusterIdOf(name), { location: body.location, tags: body.tags, identity: body.identity, properties: body.properties });
      assert.ok(put.status < 300, JSON.stringify(put.body));
      await settled(clusterIdOf(name));
    },
    /** A DELETE of any resource, until ARM no longer has it. */
    async deleteResource(id: string): Promise<void> {
      const del = await arm("DELETE", id);
      assert.ok(del.status < 300, JSON.stringify(del.body));
      await settled(id, true);
    },
    /** A PUT of a resource as read, with `change` made to its properties. */
    async changeResource(id: string, change: (p: any) => void): Promise<void> {
      const { body } = await arm("GET", id);
      change(body.properties);
      const put = await arm("PUT", id, { ...body, id: undefined, name: undefined, type: undefined });
      assert.ok(put.status < 300, JSON.stringify(put.body));
      await settled(id);
    },
    async deletePool(name: string, pool: string): Promise<void> {
      const id = `${clusterIdOf(name)}/agentPools/${pool}`;
      const del = await arm("DELETE", id);
      assert.ok(del.status < 300, JSON.stringify(del.body));
      await settled(id, true);
    },
  };
}

/**
 * A held cluster that drifted: created with Pod Sandboxing, given a second Kata pool `kata2` by an
 * addSandboxPool, whose pool a person then deletes (the event delivered). Returns the cluster's id.
 */
export async function clusterWithDeletedKataPool(host: LocalHost, name: string): Promise<string> {
  const raw = example("pod-sandboxing.json");
  const cluster = { ...raw.cluster, name };
  const clusterIdOf = (n: string) => `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${n}`;
  for (const body of [
    { ...raw, requestId: `${name}-create`, cluster },
    { operation: "addSandboxPool", requestId: `${name}-kata2`, cluster: { subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, name }, nodePools: [{ name: "kata2", mode: "User", vmSize: "Standard_D4s_v3", count: 1, osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] },
  ]) {
    const done = await provision(host, body);
    assert.equal(done.state, "Succeeded", JSON.stringify(done.error));
  }
  await personInArm(() => host, clusterIdOf).deletePool(name, "kata2");
  await postEvents(host, resourceEvent(`${clusterIdOf(name)}/agentPools/kata2`, "Delete"));
  return clusterIdOf(name);
}
