// Two requests for one cluster run one after the other (the cluster lease, src/app/cluster-lease.ts).
// Most pairs may simply queue: the second reads the cluster as the first left it. A few contradict
// each other outright, and the second is refused instead of undoing the first:
// - network isolation turned on (enableNetworkIsolation, updateBootstrapRegistry) and off
//   (disableNetworkIsolation): each re-images every pool, and the second would undo the first;
// - setPrivateCluster with opposite values;
// - any change of a cluster that a `delete` is removing (a `create` may follow a delete: it makes
//   the cluster again; a restore of what a request made may not: the delete releases it).
import { restoredRequest, type ClusterRequest } from "./contract.js";
import { resourceKindOf } from "./resource-kinds.js";

/**
 * Whether a request's target takes a lease: every request about an AKS cluster (a create included),
 * and about an Azure Arc private link scope (its arcPrivateLink, the delete of it, restores of what it
 * made): one writer at a time, and what that writer changes is not drift.
 */
export const takesLease = (target: string): boolean => ["managedCluster", "privateLinkScope"].includes(resourceKindOf(target) ?? "");

type Direction = { family: string; value: string };

function direction(r: ClusterRequest): Direction | undefined {
  switch (r.operation) {
    case "enableNetworkIsolation":
    case "updateBootstrapRegistry":
      return { family: "network isolation", value: "on" };
    case "disableNetworkIsolation":
      return { family: "network isolation", value: "off" };
    case "setPrivateCluster":
      return { family: "private API server", value: r.apiServer.private ? "on" : "off" };
    default:
      return undefined;
  }
}

/**
 * Why `waiter` must not run behind `holder` (the request holding the same cluster), as a sentence
 * for its status; undefined when it may wait its turn.
 */
export function conflictBetween(holder: { id: string; body: ClusterRequest }, waiter: ClusterRequest): string | undefined {
  const h = holder.body;
  const restored = restoredRequest(waiter);
  if (h.operation === "delete" && restored)
    return `request ${holder.id} is deleting what request ${h.deletes} made: this restore of what request ${restored} made is no longer wanted`;
  if (h.operation === "delete" && waiter.operation !== "create" && waiter.operation !== "delete")
    return `request ${holder.id} is deleting this cluster's resources (delete of request ${h.deletes}): ${waiter.operation} cannot follow it`;
  const [a, b] = [direction(h), direction(waiter)];
  if (a && b && a.family === b.family && a.value !== b.value)
    return `request ${holder.id} (${h.operation}) turns ${a.family} ${a.value} on this cluster and this ${waiter.operation} turns it ${b.value}: the two contradict each other; submit this request again once ${holder.id} has finished if it is still wanted`;
  return undefined;
}
