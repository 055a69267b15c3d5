// Microsoft.Network/privateDnsZones: zones, virtual network links, A record sets.
import type { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import type { ArmClients } from "../clients.js";
import { begin, resumeFrom } from "./classic.js";
import { idParts, readOrUndefined, type KindAdapter } from "./kind.js";

const dns = (c: ArmClients, sub: string) => c.sdk<PrivateDnsManagementClient>("dns", sub, async () => (await import("@azure/arm-privatedns")).PrivateDnsManagementClient);

export const privateDnsZone: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return readOrUndefined(() => client.privateZones.get(rg, names[0]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return begin((o) => client.privateZones.beginCreateOrUpdate(rg, names[0], body, o));
  },
  async resume(c, id, state) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return resumeFrom((o) => client.privateZones.beginCreateOrUpdate(rg, names[0], {}, o), state);
  },
};

export const virtualNetworkLink: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return readOrUndefined(() => client.virtualNetworkLinks.get(rg, names[0], names[1]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return begin((o) => client.virtualNetworkLinks.beginCreateOrUpdate(rg, names[0], names[1], body, o));
  },
  async resume(c, id, state) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return resumeFrom((o) => client.virtualNetworkLinks.beginCreateOrUpdate(rg, names[0], names[1], {}, o), state);
  },
};

/** `…/privateDnsZones/{zone}/A/{name}`: record sets are written synchronously. */
export const aRecordSet: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return readOrUndefined(() => client.recordSets.get(rg, names[0], "A", names[1]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return { result: await client.recordSets.createOrUpdate(rg, names[0], "A", names[1], body) };
  },
};
