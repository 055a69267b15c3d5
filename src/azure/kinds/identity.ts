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
  /**
   * The same (scope, principal, role) may already be assigned under another name (by hand, by
   * `az aks create`): that is the assignment wanted, so the scope's assignments for the principal
   * are listed first and an existing one is the result, with no write. Between that list and the
   * PUT another writer may make it: ARM then answers 409 RoleAssignmentExists, handled the same way.
   */
  async put(c, id, body) {
    const { scope, name, sub } = splitAssignment(id);
    const client = await authz(c, sub);
    const existing = await existingAssignment(client, scope, body);
    if (existing) return { result: existing };
    try {
      return { result: await client.roleAssignments.create(scope, name, body) };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 409 || classifyArmError(e).code.toLowerCase() !== "roleassignmentexists") throw e;
      return { result: await existingAssignment(client, scope, body) };
    }
  },
  /** Only the assignment of this name: one made by hand under another name is not touched. */
  async delete(c, id) {
    const { scope, name, sub } = splitAssignment(id);
    await (await authz(c, sub)).roleAssignments.delete(scope, name);
    return { result: undefined };
  },
};

/** The assignment of `body`'s principal and role at exactly `scope` (undefined if the list does not show it). */
async function existingAssignment(client: AuthorizationManagementClient, scope: string, body: RoleAssignmentCreateParameters): Promise<RoleAssignment | undefined> {
  const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
  for await (const a of client.roleAssignments.listForScope(scope, { filter: `principalId eq '${body.principalId}'` }))
    if (same(a.principalId, body.principalId) && same(a.roleDefinitionId, body.roleDefinitionId) && same(a.scope, scope)) return a;
  return undefined;
}
