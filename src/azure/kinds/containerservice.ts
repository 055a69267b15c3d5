// Microsoft.ContainerService: managed clusters and agent pools (modular SDK: pollers are restored
// with the package's restorePoller).
import type { ContainerServiceClient } from "@azure/arm-containerservice";
import type { ArmClients } from "../clients.js";
import type { AnyPoller } from "../lro.js";
import { idParts, modularKind, readOrUndefined, type KindAdapter } from "./kind.js";
import { lazy } from "../../lazy.js";

const aks = (c: ArmClients, sub: string, apiVersion?: string) =>
  c.sdk<ContainerServiceClient>("aks", sub, async () => (await import("@azure/arm-containerservice")).ContainerServiceClient, apiVersion);
const restore = lazy(async () => (await import("@azure/arm-containerservice")).restorePoller);

export const managedCluster: KindAdapter<"managedCluster"> = modularKind({ client: aks, group: (a) => a.managedClusters, write: "createOrUpdate", restore: restore as never });

const pools = modularKind<"agentPool", ContainerServiceClient>({ client: aks, group: (a) => a.agentPools, write: "createOrUpdate", restore: restore as never });

export const agentPool: KindAdapter<"agentPool"> = {
  ...pools,
  async read(c, id, apiVersion) {
    const pool = await pools.read(c, id, apiVersion);
    if (!pool) return undefined;
    // The latest node image AKS offers the pool: the node-image upgrade compares against it.
    const { sub, rg, names } = idParts(id);
    const client = await aks(c, sub, apiVersion);
    const profile = await readOrUndefined(() => client.agentPools.getUpgradeProfile(rg, names[0], names[1]));
    return { ...pool, latestNodeImageVersion: profile?.latestNodeImageVersion };
  },
  async post(c, id, action, apiVersion) {
    if (action !== "upgradeNodeImageVersion") throw new Error(`agent pools have no action ${action}`);
    const { sub, rg, names } = idParts(id);
    return { poller: (await aks(c, sub, apiVersion)).agentPools.upgradeNodeImageVersion(rg, names[0], names[1]) };
  },
  async resume(c, id, state, method, action, apiVersion) {
    if (method === "put") return pools.resume!(c, id, state, method, action, apiVersion);
    const client = await aks(c, idParts(id).sub, apiVersion);
    return { poller: (await restore())(client, state, client.agentPools.upgradeNodeImageVersion as never) as AnyPoller };
  },
};
