// Microsoft.Network: VNets, subnets, NSGs and rules, private endpoints and their DNS zone groups,
// network interfaces (read only: a private endpoint's NIC carries its private IPs).
import type { NetworkManagementClient } from "@azure/arm-network";
import type { ArmClients } from "../clients.js";
import { begin, resumeFrom } from "./classic.js";
import { idParts, readOrUndefined, type KindAdapter } from "./kind.js";

const network = (c: ArmClients, sub: string) => c.sdk<NetworkManagementClient>("network", sub, async () => (await import("@azure/arm-network")).NetworkManagementClient);

/**
 * Builds an adapter from the SDK's get / beginCreateOrUpdate pair of one operation group; `names`
 * are the resource's own and its parents' names, in id order.
 */
function networkKind(group: (n: NetworkManagementClient) => { get(...a: any[]): Promise<any>; beginCreateOrUpdate?(...a: any[]): Promise<unknown> }): KindAdapter {
  return {
    async read(c, id) {
      const { sub, rg, names } = idParts(id);
      const g = group(await network(c, sub));
      return readOrUndefined(() => g.get(rg, ...names));
    },
    async put(c, id, body) {
      const { sub, rg, names } = idParts(id);
      const g = group(await network(c, sub));
      return begin((o) => g.beginCreateOrUpdate!(rg, ...names, body, o));
    },
    async resume(c, id, state) {
      const { sub, rg, names } = idParts(id);
      const g = group(await network(c, sub));
      return resumeFrom((o) => g.beginCreateOrUpdate!(rg, ...names, {}, o), state);
    },
  };
}

export const virtualNetwork = networkKind((n) => n.virtualNetworks);
export const subnet = networkKind((n) => n.subnets);
export const networkSecurityGroup = networkKind((n) => n.networkSecurityGroups);
export const securityRule = networkKind((n) => n.securityRules);
export const privateEndpoint = networkKind((n) => n.privateEndpoints);
export const privateDnsZoneGroup = networkKind((n) => n.privateDnsZoneGroups);
export const networkInterface: KindAdapter = { read: networkKind((n) => n.networkInterfaces).read };
