// Microsoft.ContainerService: managed clusters and agent pools (modular SDK: pollers are restored
// with the package's restorePoller).
import type { ContainerServiceClient } from "@azure/arm-containerservice";
import type { ArmClients } from "../clients.js";
import type { AnyPoller } from "../lro.js";
import { idParts, readOrUndefined, type KindAdapter } from "./kind.js";

const aks = (c: ArmClients, sub: string, apiVersion?: string) =>
  c.sdk<ContainerServiceClient>("aks", sub, async () => (await import("@azure/arm-containerservice")).ContainerServiceClient, apiVersion);
const restore = async () => (await import("@azure/arm-containerservice")).restorePoller;

export const managedCluster: KindAdapter = {
  async read(c, id, apiVersion) {
    const { sub, rg, names } = idParts(id);
    const client = await aks(c, sub, apiVersion);
    return readOrUndefined(() => client.managedClusters.get(rg, names[0]));
  },
  async put(c, id, body, apiVersion) {
    const { sub, rg, names } = idParts(id);
    return { poller: (await aks(c, sub, apiVersion)).managedClusters.createOrUpdate(rg, names[0], body) };
  },
  async resume(c, id, state, _method, _action, apiVersion) {
    const client = await aks(c, idParts(id).sub, apiVersion);
    return { poller: (await restore())(client, state, client.managedClusters.createOrUpdate) };
  },
};

export const agentPool: KindAdapter = {
  async read(c, id, apiVersion) {
    const { sub, rg, names } = idParts(id);
    const client = await aks(c, sub, apiVersion);
    const pool = await readOrUndefined(() => client.agentPools.get(rg, names[0], names[1]));
    if (!pool) return undefined;
    // The latest node image AKS offers the pool: the node-image upgrade compares against it.
    const profile = await readOrUndefined(() => client.agentPools.getUpgradeProfile(rg, names[0], names[1]));
    return { ...pool, latestNodeImageVersion: profile?.latestNodeImageVersion };
  },
  async put(c, id, body, apiVersion) {
    const { sub, rg, names } = idParts(id);
    return { poller: (await aks(c, sub, apiVersion)).agentPools.createOrUpdate(rg, names[0], names[1], body) };
  },
  async post(c, id, action, apiVersion) {
    if (action !== "upgradeNodeImageVersion") throw new Error(`agent pools have no action ${action}`);
    const { sub, rg, names } = idParts(id);
    return { poller: (await aks(c, sub, apiVersion)).agentPools.upgradeNodeImageVersion(rg, names[0], names[1]) };
  },
  async resume(c, id, state, method, _action, apiVersion) {
    const client = await aks(c, idParts(id).sub, apiVersion);
    const source = method === "post" ? client.agentPools.upgradeNodeImageVersion : client.agentPools.createOrUpdate;
    return { poller: (await restore())(client, state, source as never) as AnyPoller };
  },
};
