// What one desired-state row is about: an AKS cluster (create and the operations on existing
// clusters) or an Azure Arc private link scope (arcPrivateLink: its endpoint, zones and NSG rules
// are held with the scope, which has no cluster of its own). Rows of both live in one table; a
// scope's row says so by `kind`, and its key keeps it apart from a cluster of the same name.
import type { ClusterRequest } from "./contract.js";
import { clusterId, parseResourceId, providerId } from "./naming.js";
import { resourceKindOf } from "./resource-kinds.js";

export type HeldKind = "privateLinkScope";

export interface HeldTarget {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Absent: an AKS cluster. */
  kind?: HeldKind;
}

export const PRIVATE_LINK_SCOPE_TYPE = "Microsoft.HybridCompute/privateLinkScopes";

export const heldTargetId = (t: HeldTarget): string =>
  t.kind === "privateLinkScope" ? providerId(t.subscriptionId, t.resourceGroup, PRIVATE_LINK_SCOPE_TYPE, t.name) : clusterId(t.subscriptionId, t.resourceGroup, t.name);

/** The row key parts of a held cluster's or scope's ARM id. */
export function heldTargetOf(id: string): HeldTarget {
  const { subscriptionId, resourceGroup, name } = parseResourceId(id);
  return resourceKindOf(id) === "privateLinkScope" ? { subscriptionId, resourceGroup, name, kind: "privateLinkScope" } : { subscriptionId, resourceGroup, name };
}

/** What a request shapes, when it shapes anything that is held. */
export function heldTargetOfRequest(req: ClusterRequest): HeldTarget | undefined {
  if (req.operation === "arcPrivateLink") return { subscriptionId: req.scope.subscriptionId, resourceGroup: req.scope.resourceGroup, name: req.scope.name, kind: "privateLinkScope" };
  return "cluster" in req ? { subscriptionId: req.cluster.subscriptionId, resourceGroup: req.cluster.resourceGroup, name: req.cluster.name } : undefined;
}
