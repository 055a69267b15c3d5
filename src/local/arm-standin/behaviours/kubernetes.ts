// Microsoft.Kubernetes/connectedClusters: Arc-enabled Kubernetes clusters. The agent onboards them
// (tests seed them); ARM writes here only change settings such as private link. The property names
// are those of api-version 2024-01-01 (properties.privateLinkState, properties.privateLinkScopeResourceId):
// @azure/arm-hybridkubernetes 2.x (api-version 2021-10-01) does not model them at all.
import { randomUUID } from "node:crypto";
import { badRequest } from "../errors.js";
import { TENANT_ID } from "./managedidentity.js";
import type { Behaviour } from "./types.js";

export const connectedClusters: Behaviour = {
  write(ctx, { resource, existing, seeding }) {
    const p = resource.properties;
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
