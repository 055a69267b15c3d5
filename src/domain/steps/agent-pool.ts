// A Pod Sandboxing node pool added to an existing cluster (Pod Sandboxing procedure, "existing
// cluster": `az aks nodepool add --os-sku AzureLinux --workload-runtime KataVmIsolation`, then
// `az aks update`). A pool of that name that exists with another runtime is refused, never changed:
// a pool's runtime cannot be changed in place.
import type { AgentPool } from "@azure/arm-containerservice";
import type { NodePool } from "../contract.js";
import { PROVISIONING_IN_PROGRESS, defineStep, put, type Decision, type StepDef } from "../step.js";
import { agentPoolProfile } from "./cluster.js";
import { READ_STEP, targetId, type ClusterTarget } from "./existing-cluster.js";

export const poolStepName = (pool: string) => `pool:${pool}`;

export function sandboxPoolStep(target: ClusterTarget, p: NodePool, dependsOn: string[], apiVersion?: string): StepDef {
  const poolId = `${targetId(target)}/agentPools/${p.name}`;
  return defineStep({
    name: poolStepName(p.name),
    dependsOn,
    describe: `Pod Sandboxing node pool ${p.name} (${p.vmSize}, osSKU AzureLinux, workloadRuntime ${p.workloadRuntime})`,
    resourceId: poolId,
    maxWaitMs: 60 * 60_000,
    reads: () => [{ kind: "agentPool", id: poolId, apiVersion }],
    decide(ctx, [pool]): Decision {
      if (PROVISIONING_IN_PROGRESS(pool)) return { do: "wait", reason: `pool ${p.name} is ${pool!.provisioningState}`, resourceId: poolId };
      if (pool && pool.workloadRuntime === p.workloadRuntime && pool.provisioningState === "Succeeded") return { do: "done", resourceId: poolId, outputs: { [poolStepName(p.name)]: poolId } };
      if (pool) return { do: "fail", code: "NodePoolExists", message: `nodePools: pool ${p.name} exists with workloadRuntime ${pool.workloadRuntime ?? "OCIContainer"}; choose another name` };
      // New pools join the cluster's own subnet (BYO VNet clusters need it).
      const { name: _n, ...body }: AgentPool & { name?: string } = agentPoolProfile(p, ctx.outputs[READ_STEP]?.nodesSubnetId as string | undefined);
      return put({ kind: "agentPool", id: poolId, apiVersion }, body);
    },
  });
}
