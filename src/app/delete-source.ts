// What a `delete` request deletes: the earlier request it names, checked against its record (known,
// not rejected, not an existing-cluster operation, finished), and that request's step rows, which
// say what it created. Read once, when the delete is accepted, and stored with it: its plan is then
// fixed, and a resource made after it was accepted is never on its list.
import type { DeleteRequest } from "../domain/contract.js";
import { DELETABLE_OPERATIONS, type DeleteSource } from "../domain/plans/delete.js";
import type { ValidationError } from "../domain/validation-error.js";
import { inScope, referencedResources, type AllowedScopes } from "../domain/scopes.js";
import type { AppDeps } from "./deps.js";

/** Why `delete` is no undo for the operations on existing clusters, and what reverses each where something does. */
const NOT_AN_UNDO: Record<string, string> = {
  enableNetworkIsolation: "the cluster was changed in place and its nodes re-imaged; disableNetworkIsolation reverses it",
  disableNetworkIsolation: "the cluster was changed in place and its nodes re-imaged; enableNetworkIsolation reverses it",
  updateBootstrapRegistry: "the cluster was changed in place and its nodes re-imaged; updateBootstrapRegistry with the previous registry reverses it",
  enableApiServerVnetIntegration: "the conversion to API server VNet integration is one-way: no operation reverses it",
  setPrivateCluster: "the cluster was changed in place; setPrivateCluster with the opposite apiServer.private reverses it",
  addSandboxPool: "the pool was added to an existing cluster; no operation of this contract removes a node pool",
  upgradeNodeImages: "a node-image upgrade cannot be undone",
  setDriftPolicy: "it changed only what this app does about drift; setDriftPolicy with the other policy reverses it",
};

/**
 * `allowedScopes`: what the deleted request names was inside ALLOWED_SCOPES when it was accepted; a
 * delete is refused only when the setting has since narrowed to leave some of it outside.
 */
export async function resolveDeleteSource(deps: AppDeps, req: DeleteRequest, allowedScopes?: AllowedScopes): Promise<{ ok: true; source: DeleteSource } | { ok: false; errors: ValidationError[] }> {
  const refuse = (message: string) => ({ ok: false as const, errors: [{ path: "deletes", message }] });
  const original = await deps.requests.getRequest(req.deletes);
  if (!original) return refuse(`no request with id '${req.deletes}' is known`);
  if (original.state === "Rejected") return refuse(`request '${req.deletes}' was rejected: it wrote nothing, so there is nothing to delete`);
  if (original.operation === "delete") return refuse(`request '${req.deletes}' is itself a delete: name the create or arcPrivateLink request`);
  if (!(DELETABLE_OPERATIONS as readonly string[]).includes(original.operation))
    return refuse(`request '${req.deletes}' is a ${original.operation} of an existing cluster, and delete is not an undo: ${NOT_AN_UNDO[original.operation] ?? "it created nothing of its own"}`);
  if (original.state === "Accepted" || original.state === "Running")
    return refuse(`request '${req.deletes}' is still ${original.state}: delete it once it has finished (Succeeded or Failed)`);
  const rows = await deps.requests.getSteps(original.id);
  if (allowedScopes) {
    const recorded = [...referencedResources(original.body as DeleteSource["body"]).map((r) => r.id), ...rows.flatMap((r) => r.created ?? [])];
    const outside = [...new Set(recorded.filter((id) => !inScope(id, allowedScopes)))];
    if (outside.length)
      return refuse(`request '${req.deletes}' holds resources outside the scopes this app may act on (ALLOWED_SCOPES): ${outside.slice(0, 3).join(", ")}${outside.length > 3 ? ` and ${outside.length - 3} more` : ""}`);
  }
  return {
    ok: true,
    source: {
      id: original.id,
      body: original.body as DeleteSource["body"],
      steps: rows.map((r) => ({ name: r.name, writes: r.writes ?? 0, posts: r.posts ?? 0, resourceId: r.resourceId, created: r.created })),
    },
  };
}
