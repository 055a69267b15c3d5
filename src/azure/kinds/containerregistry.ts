// Microsoft.ContainerRegistry: registries and cache rules (modular SDK: restorePoller).
import type { ContainerRegistryManagementClient } from "@azure/arm-containerregistry";
import type { ArmClients } from "../clients.js";
import type { AnyPoller } from "../lro.js";
import { idParts, readOrUndefined, type KindAdapter } from "./kind.js";

const acr = (c: ArmClients, sub: string) => c.sdk<ContainerRegistryManagementClient>("acr", sub, async () => (await import("@azure/arm-containerregistry")).ContainerRegistryManagementClient);
const restore = async () => (await import("@azure/arm-containerregistry")).restorePoller;

export const registry: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await acr(c, sub);
    return readOrUndefined(() => client.registries.get(rg, names[0]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    return { poller: (await acr(c, sub)).registries.create(rg, names[0], body) as unknown as AnyPoller };
  },
  async resume(c, id, state) {
    const client = await acr(c, idParts(id).sub);
    return { poller: (await restore())(client, state, client.registries.create) as unknown as AnyPoller };
  },
};

export const cacheRule: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await acr(c, sub);
    return readOrUndefined(() => client.cacheRules.get(rg, names[0], names[1]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    return { poller: (await acr(c, sub)).cacheRules.create(rg, names[0], names[1], body) as unknown as AnyPoller };
  },
  async resume(c, id, state) {
    const client = await acr(c, idParts(id).sub);
    return { poller: (await restore())(client, state, client.cacheRules.create) as unknown as AnyPoller };
  },
};
