// Microsoft.ManagedIdentity user-assigned identities and Microsoft.Authorization role assignments
// (both synchronous).
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { ManagedServiceIdentityClient } from "@azure/arm-msi";
import type { ArmClients } from "../clients.js";
import { idParts, readOrUndefined, type KindAdapter } from "./kind.js";

const msi = (c: ArmClients, sub: string) => c.sdk<ManagedServiceIdentityClient>("msi", sub, async () => (await import("@azure/arm-msi")).ManagedServiceIdentityClient);
const authz = (c: ArmClients, sub: string) => c.sdk<AuthorizationManagementClient>("authz", sub, async () => (await import("@azure/arm-authorization")).AuthorizationManagementClient);

export const userAssignedIdentity: KindAdapter = {
  async read(c, id) {
    const { sub, rg, names } = idParts(id);
    const client = await msi(c, sub);
    return readOrUndefined(() => client.userAssignedIdentities.get(rg, names[0]));
  },
  async put(c, id, body) {
    const { sub, rg, names } = idParts(id);
    return { result: await (await msi(c, sub)).userAssignedIdentities.createOrUpdate(rg, names[0], body) };
  },
};

/** `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` */
function splitAssignment(id: string): { scope: string; name: string; sub: string } {
  const i = id.toLowerCase().lastIndexOf("/providers/microsoft.authorization/roleassignments/");
  return { scope: id.slice(0, i), name: id.slice(id.lastIndexOf("/") + 1), sub: id.split("/")[2] };
}

export const roleAssignment: KindAdapter = {
  async read(c, id) {
    const { scope, name, sub } = splitAssignment(id);
    const client = await authz(c, sub);
    return readOrUndefined(() => client.roleAssignments.get(scope, name));
  },
  async put(c, id, body) {
    const { scope, name, sub } = splitAssignment(id);
    return { result: await (await authz(c, sub)).roleAssignments.create(scope, name, body) };
  },
};
