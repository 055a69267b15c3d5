// Azure Arc: private link scopes (@azure/arm-hybridcompute, synchronous) and connected clusters.
// @azure/arm-hybridkubernetes 2.x models no privateLinkState / privateLinkScopeResourceId (its
// serializer would drop them), so a connected cluster is read and patched through the generic
// resources API of @azure/arm-resources with an api-version that has those properties.
import type { HybridComputeManagementClient } from "@azure/arm-hybridcompute";
import type { ArmClients } from "../clients.js";
import { begin, resumeFrom } from "./classic.js";
import { idParts, readOrUndefined, type KindAdapter } from "./kind.js";
import { resources } from "./resources.js";

export const CONNECTED_CLUSTER_API_VERSION = "2024-01-01";

const hybrid = (c: ArmClients, sub: string) => c.sdk<HybridComputeManagementClient>("hybrid", sub, async () => (await import("@azure/arm-hybridcompute")).HybridComputeManagementClient);

export const privateLinkScope: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await hybrid(c, sub);
    return readOrUndefined(() => client.privateLinkScopes.get(rg, names[0]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    return { result: await (await hybrid(c, sub)).privateLinkScopes.createOrUpdate(rg, names[0], body) };
  },
};

export const connectedCluster: KindAdapter = {
  async read(c, id) {
    const client = await resources(c, idParts(id).sub);
    return readOrUndefined(() => client.resources.getById(id, CONNECTED_CLUSTER_API_VERSION));
  },
  /** A PATCH of the properties given (connected clusters are onboarded by the agent, not created here). */
  async put(c, id, body) {
    const client = await resources(c, idParts(id).sub);
    return begin((o) => client.resources.beginUpdateById(id, CONNECTED_CLUSTER_API_VERSION, body, o));
  },
  async resume(c, id, state) {
    const client = await resources(c, idParts(id).sub);
    return resumeFrom((o) => client.resources.beginUpdateById(id, CONNECTED_CLUSTER_API_VERSION, {}, o), state);
  },
};
