// Microsoft.Kubernetes/connectedClusters: Arc-enabled Kubernetes clusters. The agent onboards them
// (tests seed them); ARM writes here only change settings such as private link. As the published
// spec has it (specification/hybridkubernetes/resource-manager/Microsoft.Kubernetes/HybridKubernetes/stable/2026-05-01/
// connectedClusters.json):
// - the PUT body (ConnectedCluster) requires `identity` and `properties.agentPublicKeyCertificate`,
//   and carries privateLinkState / privateLinkScopeResourceId;
// - the PATCH body (ConnectedClusterPatch) has tags and properties { distribution,
//   distributionVersion, azureHybridBenefit } only: anything else in a PATCH is not applied.
import { randomUUID } from "node:crypto";
import { badRequest } from "../errors.js";
import { TENANT_ID } from "./managedidentity.js";
import type { Behaviour } from "./types.js";

/** What the service computes (readOnly in ConnectedClusterProperties): a PUT keeps them. */
const READ_ONLY = ["kubernetesVersion", "totalNodeCount", "totalCoreCount", "agentVersion", "offering", "managedIdentityCertificateExpirationTime", "lastConnectivityTime", "connectivityStatus", "miscellaneousProperties"];
/** What a PATCH may change (ConnectedClusterPatchProperties). */
const PATCHABLE = new Set(["distribution", "distributionVersion", "azureHybridBenefit"]);

export const connectedClusters: Behaviour = {
  write(ctx, { method, resource, existing, seeding }) {
    const p = resource.properties;
    if (method === "PATCH" && existing) {
      // Properties outside the PATCH model keep their stored values, as ARM ignores them.
      for (const k of Object.keys(p)) if (!PATCHABLE.has(k)) p[k] = existing.properties[k];
      for (const k of Object.keys(existing.properties)) if (!PATCHABLE.has(k)) p[k] = existing.properties[k];
    }
    if (method === "PUT" && existing) for (const k of READ_ONLY) if (existing.properties[k] !== undefined) p[k] = existing.properties[k];
    if (method === "PUT" && !seeding) {
      if (!resource.identity?.type) throw badRequest("InvalidRequestContent", "The request content was invalid: 'identity' is required.");
      if (!p.agentPublicKeyCertificate) throw badRequest("InvalidRequestContent", "The request content was invalid: 'properties.agentPublicKeyCertificate' is required.");
    }
    p.privateLinkState ??= "Disabled";
    if (!["Enabled", "Disabled"].includes(p.privateLinkState)) throw badRequest("InvalidParameter", `privateLinkState must be 'Enabled' or 'Disabled', not '${p.privateLinkState}'.`);
    if (!seeding && p.privateLinkState === "Enabled") {
      const scope = p.privateLinkScopeResourceId;
      if (!scope) throw badRequest("InvalidParameter", "privateLinkScopeResourceId is required when privateLinkState is 'Enabled'.");
      if (!ctx.store.get(scope)) throw badRequest("InvalidParameter", `Private link scope ${scope} was not found.`);
    }
    if (resource.identity?.type === "SystemAssigned") {
      resource.identity.principalId = existing?.identity?.principalId ?? randomUUID();
      resource.identity.tenantId = TENANT_ID;
    }
  },
};
