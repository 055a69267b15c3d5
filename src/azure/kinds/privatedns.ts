// Microsoft.Network/privateDnsZones: zones, virtual network links, A record sets.
import type { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import type { ArmClients } from "../clients.js";
import { classicKind, idParts, readOrUndefined, type KindAdapter } from "./kind.js";

const dns = (c: ArmClients, sub: string) => c.sdk<PrivateDnsManagementClient>("dns", sub, async () => (await import("@azure/arm-privatedns")).PrivateDnsManagementClient);

export const privateDnsZone: KindAdapter<"privateDnsZone"> = classicKind({ client: dns, group: (d) => d.privateZones });
export const virtualNetworkLink: KindAdapter<"virtualNetworkLink"> = classicKind({ client: dns, group: (d) => d.virtualNetworkLinks });

/** `…/privateDnsZones/{zone}/A/{name}`: record sets are written synchronously. */
export const aRecordSet: KindAdapter<"aRecordSet"> = {
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
