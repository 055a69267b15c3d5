// Microsoft.Network/privateDnsZones: zones, virtual network links, A record sets.
import type { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import type { ArmClients } from "../clients.js";
import { classicKind, syncKind, type KindAdapter } from "./kind.js";

const dns = (c: ArmClients, sub: string) => c.sdk<PrivateDnsManagementClient>("dns", sub, async () => (await import("@azure/arm-privatedns")).PrivateDnsManagementClient);

export const privateDnsZone: KindAdapter<"privateDnsZone"> = classicKind({ client: dns, group: (d) => d.privateZones });
export const virtualNetworkLink: KindAdapter<"virtualNetworkLink"> = classicKind({ client: dns, group: (d) => d.virtualNetworkLinks });

/** `…/privateDnsZones/{zone}/A/{name}`: record sets are written synchronously. */
export const aRecordSet: KindAdapter<"aRecordSet"> = syncKind({ client: dns, group: (d) => d.recordSets, names: ([zone, name]) => [zone, "A", name] });
