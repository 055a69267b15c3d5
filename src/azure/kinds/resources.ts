// Microsoft.Resources (resource groups, provider registration) and Microsoft.Features (preview flags).
// These answer synchronously: no poller to store.
import type { FeatureClient } from "@azure/arm-features";
import type { ResourceManagementClient } from "@azure/arm-resources";
import type { ArmClients } from "../clients.js";
import { idParts, listAll, readOrUndefined, syncKind, type KindAdapter } from "./kind.js";

export const resources = (c: ArmClients, sub: string) => c.sdk<ResourceManagementClient>("resources", sub, async () => (await import("@azure/arm-resources")).ResourceManagementClient);
const features = (c: ArmClients, sub: string) => c.sdk<FeatureClient>("features", sub, async () => (await import("@azure/arm-features")).FeatureClient);

export const resourceGroup: KindAdapter<"resourceGroup"> = syncKind({ client: resources, group: (r) => r.resourceGroups });

/** `/subscriptions/{s}/resourceGroups/{rg}/resources`: what the group holds, `{ value }`; a delete reads it. */
export const resourceGroupContents: KindAdapter<"resourceGroupContents"> = {
  async read(c, id) {
    const { sub, rg } = idParts(id);
    const client = await resources(c, sub);
    return readOrUndefined(() => listAll(client.resources.listByResourceGroup(rg)));
  },
};

/** `/subscriptions/{s}/providers/{namespace}` */
export const provider: KindAdapter<"provider"> = {
  async read(c, id) {
    const [, sub, , ns] = id.split("/").filter(Boolean);
    return readOrUndefined(async () => (await resources(c, sub)).providers.get(ns));
  },
  async post(c, id, action) {
    if (action !== "register") throw new Error(`providers have no action ${action}`);
    const [, sub, , ns] = id.split("/").filter(Boolean);
    return { result: await (await resources(c, sub)).providers.register(ns) };
  },
};

/** `/subscriptions/{s}/providers/Microsoft.Features/providers/{namespace}/features/{name}` */
export const feature: KindAdapter<"feature"> = {
  async read(c, id) {
    const p = id.split("/").filter(Boolean);
    return readOrUndefined(async () => (await features(c, p[1])).features.get(p[5], p[7]));
  },
  async post(c, id, action) {
    if (action !== "register") throw new Error(`features have no action ${action}`);
    const p = id.split("/").filter(Boolean);
    return { result: await (await features(c, p[1])).features.register(p[5], p[7]) };
  },
};
