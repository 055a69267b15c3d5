// Microsoft.ManagedIdentity user-assigned identities and Microsoft.Authorization role assignments
// (both synchronous).
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { ManagedServiceIdentityClient } from "@azure/arm-msi";
import type { ArmClients } from "../clients.js";
import { classifyArmError } from "../errors.js";
import type { RoleAssignment, RoleAssignmentCreateParameters } from "@azure/arm-authorization";
import { readOrUndefined, syncKind, type KindAdapter } from "./kind.js";

const msi = (c: ArmClients, sub: string) => c.sdk<ManagedServiceIdentityClient>("msi", sub, async () => (await import("@azure/arm-msi")).ManagedServiceIdentityClient);
const authz = (c: ArmClients, sub: string) => c.sdk<AuthorizationManagementClient>("authz", sub, async () => (await import("@azure/arm-authorization")).AuthorizationManagementClient);

export const userAssignedIdentity: KindAdapter<"userAssignedIdentity"> = syncKind({ client: msi, group: (m) => m.userAssignedIdentities });

/** `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` */
function splitAssignment(id: string): { scope: string; name: string; sub: string } {
  const i = id.toLowerCase().lastIndexOf("/providers/microsoft.authorization/roleassignments/");
  return { scope: id.slice(0, i), name: id.slice(id.lastIndexOf("/") + 1), sub: id.split("/")[2] };
}

export const roleAssignment: KindAdapter<"roleAssignment"> = {
  async read(c, id) {
    const { scope, name, sub } = splitAssignment(id);
    const client = await authz(c, sub);
    return readOrUndefined(() => client.roleAssignments.get(scope, name));
  },
  async put(c, id, body) {
    const { scope, name, sub } = splitAssignment(id);
    const client = await authz(c, sub);
    try {
      return { result: await client.roleAssignments.create(scope, name, body) };
    } catch (e) {
      // 409 RoleAssignmentExists: the same (scope, principal, role) is assigned under another name
      // (by hand, by az). That is the assignment we wanted: answer with it, the write is done.
      if ((e as { statusCode?: number }).statusCode !== 409 || classifyArmError(e).code.toLowerCase() !== "roleassignmentexists") throw e;
      return { result: await existingAssignment(client, scope, body) };
    }
  },
};

/** The assignment of `body`'s principal and role at exactly `scope` (undefined if the list does not show it). */
async function existingAssignment(client: AuthorizationManagementClient, scope: string, body: RoleAssignmentCreateParameters): Promise<RoleAssignment | undefined> {
  const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
  for await (const a of client.roleAssignments.listForScope(scope, { filter: `principalId eq '${body.principalId}'` }))
    if (same(a.principalId, body.principalId) && same(a.roleDefinitionId, body.roleDefinitionId) && same(a.scope, scope)) return a;
  return undefined;
}
