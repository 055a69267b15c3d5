// Microsoft.ContainerRegistry: registries (async) and their cache rules (async children). A
// registry is a private link target (group "registry"): its endpoint NIC carries one IP for the
// login server and one per region for the data endpoint, and Azure refuses private endpoints on a
// registry below Premium.
import { ArmError, badRequest } from "../errors.js";
import { endpointConnections } from "./network.js";
import type { Behaviour } from "./types.js";
import { LATENCIES, standInMs } from "../latencies.js";

const SKUS = ["Basic", "Standard", "Premium"];

export const registries: Behaviour = {
  durations: { create: standInMs(LATENCIES.registry) },
  write(_ctx, { resource, existing }) {
    if (!/^[a-zA-Z0-9]{5,50}$/.test(resource.name))
      throw badRequest("InvalidRegistryName", `The registry name '${resource.name}' is invalid: it must be 5 to 50 alphanumeric characters.`);
    const sku = resource.sku?.name;
    if (!SKUS.includes(sku)) throw badRequest("InvalidSku", `The SKU '${sku ?? ""}' is invalid for registry '${resource.name}'. Valid SKUs are ${SKUS.join(", ")}.`);
    resource.sku = { name: sku, tier: sku };
    const p = resource.properties;
    const host = resource.name.toLowerCase();
    Object.assign(p, {
      loginServer: `${host}.azurecr.io`,
      creationDate: existing?.properties.creationDate ?? new Date().toISOString(),
      adminUserEnabled: p.adminUserEnabled ?? false,
      publicNetworkAccess: p.publicNetworkAccess ?? "Enabled",
      networkRuleBypassOptions: p.networkRuleBypassOptions ?? "AzureServices",
      zoneRedundancy: p.zoneRedundancy ?? "Disabled",
      anonymousPullEnabled: p.anonymousPullEnabled ?? false,
      dataEndpointEnabled: p.dataEndpointEnabled ?? false,
      // Dedicated data endpoints are listed only when enabled (the private link member for the
      // data endpoint exists either way).
      dataEndpointHostNames: p.dataEndpointEnabled ? [`${host}.${resource.location}.data.azurecr.io`] : [],
      status: { displayStatus: "Ready", timestamp: new Date().toISOString() },
    });
  },
  view(ctx, r) {
    return { ...r, properties: { ...r.properties, privateEndpointConnections: endpointConnections(ctx, r) } };
  },
  privateLinkMembers(_ctx, registry, groupId) {
    if (groupId.toLowerCase() !== "registry") throw badRequest("PrivateEndpointBadRequest", `Group id '${groupId}' is not valid for ${registry.id}: the only group is 'registry'.`);
    if (registry.sku?.name !== "Premium")
      throw badRequest("PrivateEndpointBadRequest", `Private endpoints are not supported for registry ${registry.name} with SKU '${registry.sku?.name}'. Private endpoints need a Premium registry.`);
    const host = registry.name.toLowerCase();
    return [
      { member: "registry", fqdn: `${host}.azurecr.io` },
      { member: `registry_data_${registry.location}`, fqdn: `${host}.${registry.location}.data.azurecr.io` },
    ];
  },
};

export const cacheRules: Behaviour = {
  durations: { create: standInMs(LATENCIES.cacheRule) },
  write(ctx, { resource, existing, seeding }) {
    const p = resource.properties;
    if (!p.sourceRepository || !p.targetRepository) throw badRequest("InvalidParameter", `Cache rule ${resource.name} needs properties.sourceRepository and properties.targetRepository.`);
    if (!seeding && p.credentialSetResourceId && !ctx.store.get(p.credentialSetResourceId))
      throw new ArmError(400, "InvalidParameter", `Credential set ${p.credentialSetResourceId} referenced by cache rule ${resource.name} was not found.`);
    const registryId = resource.id.replace(/\/cacheRules\/[^/]+$/i, "");
    const twin = ctx.store
      .under(registryId)
      .find((c) => c.type.toLowerCase() === "microsoft.containerregistry/registries/cacherules" && c.name.toLowerCase() !== resource.name.toLowerCase() && c.properties.targetRepository === p.targetRepository);
    if (twin) throw badRequest("InvalidParameter", `Target repository '${p.targetRepository}' is already used by cache rule ${twin.name}.`);
    p.creationDate = existing?.properties.creationDate ?? new Date().toISOString();
  },
};
