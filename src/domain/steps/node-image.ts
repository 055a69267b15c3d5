// The node-image-only upgrade the network-isolated procedure demands after every change of the
// bootstrap settings (`az aks upgrade --node-image-only`): there is no cluster-wide API, so the step
// POSTs …/agentPools/{pool}/upgradeNodeImageVersion for one pool after the other, each once the
// cluster and the pool are idle (AKS answers 409 OperationNotAllowed to an upgrade while busy).
import { PROVISIONING_IN_PROGRESS, defineStep, post, provisioningState, type Decision, type StepContext, type StepDef } from "../step.js";
import { READ_STEP, clusterApiVersion, targetId, type ClusterTarget } from "./existing-cluster.js";

export const NODE_IMAGES_STEP = "nodeImages:upgrade";

/**
 * Node-image-only upgrade of every pool (or of `only`), one pool after the other as
 * `az aks upgrade --node-image-only` does: one POST upgradeNodeImageVersion per pool, each after
 * the cluster and the pool are idle. `ctx.posts` counts the pools already upgraded.
 */
export function nodeImageUpgradeStep(target: ClusterTarget, dependsOn: string[], only?: string[]): StepDef {
  const id = targetId(target);
  const pools = (ctx: StepContext): string[] => {
    const all = (ctx.outputs[READ_STEP]?.pools as string[] | undefined) ?? [];
    return only ? all.filter((p) => only.some((o) => o.toLowerCase() === p.toLowerCase())) : all;
  };
  return defineStep<["managedCluster", ...("agentPool")[]]>({
    name: NODE_IMAGES_STEP,
    dependsOn,
    describe: `node-image upgrade of ${only ? `pools ${only.join(", ")}` : "every pool"} of ${target.name}, one pool at a time (POST …/agentPools/{pool}/upgradeNodeImageVersion)`,
    resourceId: id,
    maxWaitMs: 4 * 60 * 60_000,
    reads: (ctx) => [{ kind: "managedCluster", id, apiVersion: clusterApiVersion(ctx) }, ...pools(ctx).map((p) => ({ kind: "agentPool" as const, id: `${id}/agentPools/${p}`, apiVersion: clusterApiVersion(ctx) }))],
    decide(ctx, [mc, ...poolRes]): Decision {
      const names = pools(ctx);
      if (ctx.posts >= names.length) {
        return { do: "done", resourceId: id, outputs: { upgradedPools: names, nodeImageVersions: Object.fromEntries(names.map((n, i) => [n, poolRes[i]?.nodeImageVersion])) } };
      }
      const pool = names[ctx.posts];
      const res = poolRes[ctx.posts];
      if (!res) return { do: "fail", code: "NodePoolNotFound", message: `pool ${pool} of ${target.name} no longer exists` };
      // AKS answers 409 to an upgrade while the cluster or the pool is busy: wait for idle instead.
      if (PROVISIONING_IN_PROGRESS(mc)) return { do: "wait", reason: `cluster is ${provisioningState(mc)}`, resourceId: res.id };
      if (PROVISIONING_IN_PROGRESS(res)) return { do: "wait", reason: `pool ${pool} is ${provisioningState(res)}`, resourceId: res.id };
      return post({ kind: "agentPool", id: `${id}/agentPools/${pool}`, apiVersion: clusterApiVersion(ctx) }, "upgradeNodeImageVersion");
    },
  });
}

