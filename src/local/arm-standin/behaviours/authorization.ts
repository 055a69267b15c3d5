// Microsoft.Authorization/roleAssignments: an extension resource at any scope
// ({scope}/providers/Microsoft.Authorization/roleAssignments/{guid}), written synchronously.
// ARM checks the principal against the directory, which lags behind a new managed identity (the
// replication delay): that is the PrincipalNotFound every deployment script learns to retry. The
// stand-in models the delay by count (the first N assignments naming a new identity are refused),
// not by time, so that a test relying on it passes on a slow machine too.
import { ArmError, badRequest, conflict } from "../errors.js";
import { isSameOrUnder, norm, parseId } from "../ids.js";
import type { Resource } from "../store.js";
import type { Behaviour, Ctx } from "./types.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments";

/** Built-in role definition GUIDs the stand-in reasons about. */
export const ROLE = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  NetworkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
  ManagedIdentityOperator: "f1a07417-d97a-45cb-824c-7a7467783830",
  ManagedIdentityContributor: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
};

const roleGuid = (roleDefinitionId: string) => String(roleDefinitionId).split("/").pop()!.toLowerCase();
const scopeOf = (assignmentId: string) => assignmentId.slice(0, assignmentId.toLowerCase().lastIndexOf("/providers/microsoft.authorization/roleassignments/"));

/**
 * Does `principalId` hold one of `roles` at `scope` or at an ancestor of it? (Role assignments
 * inherit downwards: one on a VNet covers its subnets.)
 */
export function holdsRole(ctx: Ctx, principalId: string | undefined, scope: string, roles: string[]): boolean {
  if (!principalId) return false;
  const wanted = roles.map((r) => r.toLowerCase());
  return ctx.store
    .ofType(ASSIGNMENT_TYPE)
    .some((a) => a.properties.principalId === principalId && wanted.includes(roleGuid(a.properties.roleDefinitionId)) && isSameOrUnder(scope, a.properties.scope));
}

/**
 * Principals the directory knows: user-assigned identities once `principalNotFoundAttempts`
 * assignments naming them have been refused (seeded identities at once), and the identities AKS and
 * Arc make themselves (a cluster's system-assigned identity, its kubelet identity).
 */
function principalKnown(ctx: Ctx, principalId: string): boolean {
  for (const r of ctx.store.all()) {
    const t = r.type.toLowerCase();
    if (t === "microsoft.managedidentity/userassignedidentities" && r.properties.principalId === principalId) {
      if (!ctx.store.createdAt(r.id)) return true; // seeded: it has existed for long
      const refused = ctx.settings.principalRefusals.get(principalId) ?? 0;
      if (refused >= ctx.settings.principalNotFoundAttempts) return true;
      ctx.settings.principalRefusals.set(principalId, refused + 1);
      return false;
    }
    if (r.identity?.principalId === principalId) return true;
    if (t === "microsoft.containerservice/managedclusters" && r.properties.identityProfile?.kubeletidentity?.objectId === principalId) return true;
  }
  return false;
}

function checkScope(ctx: Ctx, scope: string): void {
  if (/^\/subscriptions\/[^/]+$/i.test(scope)) return;
  const id = parseId(scope);
  if (!id) throw new ArmError(400, "InvalidRoleAssignmentScope", `The scope '${scope}' is not valid for a role assignment.`);
  if (id.rg && !ctx.store.get(`/subscriptions/${id.sub}/resourceGroups/${id.rg}`)) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${id.rg}' could not be found.`);
  if (!ctx.store.get(scope)) throw new ArmError(404, "ResourceNotFound", `The Resource '${id.type}/${id.name}' under resource group '${id.rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

export const roleAssignments: Behaviour = {
  write(ctx, { resource, existing, seeding }) {
    const p = resource.properties;
    const scope = scopeOf(resource.id);
    if (!GUID.test(resource.name)) throw badRequest("InvalidRoleAssignmentId", `The role assignment ID '${resource.name}' is not valid. The role assignment ID must be a GUID.`);
    if (!p.principalId || !p.roleDefinitionId) throw badRequest("InvalidRoleAssignmentRequest", "A role assignment needs properties.principalId and properties.roleDefinitionId.");
    if (!GUID.test(roleGuid(p.roleDefinitionId))) throw badRequest("InvalidRoleDefinitionId", `The role definition ID '${p.roleDefinitionId}' is not valid.`);
    if (!seeding) {
      checkScope(ctx, scope);
      if (!principalKnown(ctx, p.principalId))
        throw badRequest(
          "PrincipalNotFound",
          `Principal ${p.principalId.replace(/-/g, "")} does not exist in the directory ${TENANT}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
        );
    }
    if (existing && (existing.properties.principalId !== p.principalId || roleGuid(existing.properties.roleDefinitionId) !== roleGuid(p.roleDefinitionId)))
      throw conflict("RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
    const twin = ctx.store
      .ofType(ASSIGNMENT_TYPE)
      .find((a) => norm(a.id) !== norm(resource.id) && a.properties.principalId === p.principalId && roleGuid(a.properties.roleDefinitionId) === roleGuid(p.roleDefinitionId) && norm(a.properties.scope) === norm(scope));
    if (twin) throw conflict("RoleAssignmentExists", `The role assignment already exists. The ID of the existing role assignment is ${twin.name.replace(/-/g, "")}.`);
    const now = new Date(ctx.now()).toISOString();
    Object.assign(p, {
      scope,
      principalType: p.principalType ?? "ServicePrincipal",
      condition: p.condition ?? null,
      conditionVersion: p.conditionVersion ?? null,
      createdOn: existing?.properties.createdOn ?? now,
      updatedOn: now,
      createdBy: existing?.properties.createdBy ?? null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: p.description ?? null,
    });
    // Role assignments carry no provisioningState: the generic store adds one, ARM has none.
    return { onProvisioned: (done) => void delete done.properties.provisioningState };
  },
  /**
   * GET {scope}/providers/Microsoft.Authorization/roleAssignments: the assignments at, above and
   * below the scope; `$filter=atScope()` keeps those at or above, `principalId eq '…'` one principal.
   */
  list(ctx, collection, query) {
    const scope = collection.parent;
    const filter = query.get("$filter") ?? "";
    const atScope = /atScope\(\)/i.test(filter);
    const principal = /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1] ?? /assignedTo\('([^']+)'\)/i.exec(filter)?.[1];
    return ctx.store
      .ofType(ASSIGNMENT_TYPE)
      .filter((a: Resource) => isSameOrUnder(scope, a.properties.scope) || (!atScope && isSameOrUnder(a.properties.scope, scope)))
      .filter((a: Resource) => !principal || a.properties.principalId === principal);
  },
};
