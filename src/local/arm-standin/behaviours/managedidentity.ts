// Microsoft.ManagedIdentity/userAssignedIdentities: synchronous. Azure makes a service principal for
// each identity; its ids are fixed for the identity's life, so a re-PUT keeps them (a delete and a
// re-create does not: the new identity is a new principal, and old role assignments point nowhere).
import { randomUUID } from "node:crypto";
import type { Behaviour } from "./types.js";

export const TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

export const userAssignedIdentities: Behaviour = {
  write(_ctx, { resource, existing }) {
    const old = existing?.properties ?? {};
    Object.assign(resource.properties, {
      tenantId: TENANT_ID,
      principalId: old.principalId ?? randomUUID(),
      clientId: old.clientId ?? randomUUID(),
      isolationScope: resource.properties.isolationScope ?? "None",
    });
    // Identities carry no provisioningState in ARM's answer.
    return { onProvisioned: (done) => void delete done.properties.provisioningState };
  },
};
