// Microsoft.Network: VNets, subnets, NSGs and rules, private endpoints and their DNS zone groups,
// network interfaces (read only: a private endpoint's NIC carries its private IPs).
import type { NetworkManagementClient } from "@azure/arm-network";
import type { ArmClients } from "../clients.js";
import { classicKind, type KindAdapter } from "./kind.js";

const network = (c: ArmClients, sub: string) => c.sdk<NetworkManagementClient>("network", sub, async () => (await import("@azure/arm-network")).NetworkManagementClient);

export const virtualNetwork: KindAdapter<"virtualNetwork"> = classicKind({ client: network, group: (n) => n.virtualNetworks });
export const subnet: KindAdapter<"subnet"> = classicKind({ client: network, group: (n) => n.subnets });
export const networkSecurityGroup: KindAdapter<"networkSecurityGroup"> = classicKind({ client: network, group: (n) => n.networkSecurityGroups });
export const securityRule: KindAdapter<"securityRule"> = classicKind({ client: network, group: (n) => n.securityRules });
export const privateEndpoint: KindAdapter<"privateEndpoint"> = classicKind({ client: network, group: (n) => n.privateEndpoints });
export const privateDnsZoneGroup: KindAdapter<"privateDnsZoneGroup"> = classicKind({ client: network, group: (n) => n.privateDnsZoneGroups });
export const networkInterface: KindAdapter<"networkInterface"> = { read: classicKind<"networkInterface", NetworkManagementClient>({ client: network, group: (n) => n.networkInterfaces }).read };
