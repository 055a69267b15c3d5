// Microsoft.Network/privateDnsZones: zones, virtual network links, A record sets.
import type { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import type { ArmClients } from "../clients.js";
import { classicKind, idParts, listAll, readOrUndefined, syncKind, type KindAdapter } from "./kind.js";

const dns = (c: ArmClients, sub: string) => c.sdk<PrivateDnsManagementClient>("dns", sub, async () => (await import("@azure/arm-privatedns")).PrivateDnsManagementClient);

export const privateDnsZone: KindAdapter<"privateDnsZone"> = classicKind({ client: dns, group: (d) => d.privateZones });
export const virtualNetworkLink: KindAdapter<"virtualNetworkLink"> = classicKind({ client: dns, group: (d) => d.virtualNetworkLinks });

/** `…/privateDnsZones/{zone}/A/{name}`: record sets are written and deleted synchronously. */
export const aRecordSet: KindAdapter<"aRecordSet"> = syncKind({ client: dns, group: (d) => d.recordSets, names: ([zone, name]) => [zone, "A", name] });

/** `…/privateDnsZones/{zone}/virtualNetworkLinks`: the zone's links (undefined when the zone is gone); a delete reads it. */
export const virtualNetworkLinkList: KindAdapter<"virtualNetworkLinkList"> = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return readOrUndefined(() => listAll(client.virtualNetworkLinks.list(rg, names[0])));
  },
};

/** `…/privateDnsZones/{zone}/A`: the zone's A record sets; a delete reads it. */
export const aRecordSetList: KindAdapter<"aRecordSetList"> = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await dns(c, sub);
    return readOrUndefined(() => listAll(client.recordSets.listByType(rg, names[0], "A")));
  },
};
