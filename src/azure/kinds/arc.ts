// Azure Arc: private link scopes (@azure/arm-hybridcompute, synchronous) and connected clusters.
//
// Connected clusters go through @azure/arm-resources' generic by-id operations, not through
// @azure/arm-hybridkubernetes: its 2.x models (api-version 2021-10-01) have no privateLinkState /
// privateLinkScopeResourceId, and its serializer drops properties its mappers do not know, so the
// association would never reach ARM. The generic GenericResource body passes `properties` through
// as given. The api-version is the newest stable Microsoft.Kubernetes one (2026-05-01; the first
// with both properties was 2024-01-01). A PUT, not a PATCH: the PATCH model
// (ConnectedClusterPatchProperties) has only distribution, distributionVersion and
// azureHybridBenefit; the step sends the whole cluster it read, with the two properties set.
import type { HybridComputeManagementClient } from "@azure/arm-hybridcompute";
import type { GenericResource } from "@azure/arm-resources";
import type { ConnectedCluster } from "../../domain/arm-models.js";
import type { ArmClients } from "../clients.js";
import { begin, resumeFrom } from "./classic.js";
import { idParts, readOrUndefined, syncKind, type KindAdapter } from "./kind.js";
import { resources } from "./resources.js";

export const CONNECTED_CLUSTER_API_VERSION = "2026-05-01";

const hybrid = (c: ArmClients, sub: string) => c.sdk<HybridComputeManagementClient>("hybrid", sub, async () => (await import("@azure/arm-hybridcompute")).HybridComputeManagementClient);

/** Microsoft.HybridCompute/privateLinkScopes: createOrUpdate answers synchronously. */
export const privateLinkScope: KindAdapter<"privateLinkScope"> = syncKind({ client: hybrid, group: (h) => h.privateLinkScopes });

/** Microsoft.Kubernetes/connectedClusters: read as ARM JSON (`properties` envelope kept), written by a long-running PUT. */
export const connectedCluster: KindAdapter<"connectedCluster"> = {
  async read(c, id) {
    const client = await resources(c, idParts(id).sub);
    // GenericResource keeps ARM's JSON as it is: the model is the spec's (ConnectedCluster).
    return (await readOrUndefined(() => client.resources.getById(id, CONNECTED_CLUSTER_API_VERSION))) as ConnectedCluster | undefined;
  },
  async put(c, id, body) {
    const client = await resources(c, idParts(id).sub);
    return begin((o) => client.resources.beginCreateOrUpdateById(id, CONNECTED_CLUSTER_API_VERSION, body as unknown as GenericResource, o));
  },
  async delete(c, id) {
    const client = await resources(c, idParts(id).sub);
    return begin((o) => client.resources.beginDeleteById(id, CONNECTED_CLUSTER_API_VERSION, o));
  },
  async resume(c, id, state, method) {
    const client = await resources(c, idParts(id).sub);
    if (method === "delete") return resumeFrom((o) => client.resources.beginDeleteById(id, CONNECTED_CLUSTER_API_VERSION, o), state);
    return resumeFrom((o) => client.resources.beginCreateOrUpdateById(id, CONNECTED_CLUSTER_API_VERSION, {}, o), state);
  },
};
