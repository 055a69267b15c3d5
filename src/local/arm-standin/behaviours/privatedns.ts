// Microsoft.Network/privateDnsZones: zones (location "global"), virtual network links, and record
// sets at …/privateDnsZones/{zone}/{A|AAAA|CNAME|…}/{name} (the SDK sends the record type as a
// path segment, "A").
import { randomUUID } from "node:crypto";
import { badRequest } from "../errors.js";
import { norm, parseId } from "../ids.js";
import type { Resource } from "../store.js";
import type { Behaviour, Ctx } from "./types.js";
import { LATENCIES, standInMs } from "../latencies.js";

export const RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT"];
const isRecordSet = (r: Resource) => /^microsoft\.network\/privatednszones\/[a-z]+$/i.test(r.type) && RECORD_TYPES.includes(r.type.split("/")[2].toUpperCase());

/** Private DNS is a global service: ARM refuses any other location. */
function requireGlobal(r: Resource): void {
  if (r.location && r.location.toLowerCase() !== "global")
    throw badRequest("InvalidLocation", `The location '${r.location}' is not valid for resource ${r.id}: private DNS zones and their virtual network links are global resources (location 'global').`);
  r.location = "global";
}

export const privateDnsZones: Behaviour = {
  durations: { create: standInMs(LATENCIES.privateDnsZone) },
  busyCode: "AnotherOperationInProgress",
  write(_ctx, { resource, existing }) {
    requireGlobal(resource);
    if (!resource.name.includes(".")) throw badRequest("InvalidZoneName", `The zone name '${resource.name}' is not valid: a private DNS zone needs at least two labels.`);
    Object.assign(resource.properties, {
      maxNumberOfRecordSets: 25000,
      maxNumberOfVirtualNetworkLinks: 1000,
      maxNumberOfVirtualNetworkLinksWithRegistration: 100,
      internalId: existing?.properties.internalId ?? Buffer.from(randomUUID()).toString("base64"),
    });
  },
  // PrivateZones_Delete: "Private DNS zone cannot be deleted unless all virtual network links to it
  // are removed" (its records go with it). The error code is the stand-in's own label.
  checkDelete(ctx, zone) {
    const links = ctx.store.under(zone.id).filter((c) => c.type.toLowerCase() === "microsoft.network/privatednszones/virtualnetworklinks");
    if (links.length)
      throw badRequest("CannotDeleteZoneWithVirtualNetworkLinks", `The private DNS zone ${zone.name} cannot be deleted because it still has ${links.length} virtual network link(s): ${links.map((l) => l.name).join(", ")}. Remove the links first.`);
  },
  view(ctx, r) {
    const under = ctx.store.under(r.id);
    const links = under.filter((c) => c.type.toLowerCase() === "microsoft.network/privatednszones/virtualnetworklinks");
    return {
      ...r,
      properties: {
        ...r.properties,
        // +1: the SOA record every zone has.
        numberOfRecordSets: under.filter(isRecordSet).length + 1,
        numberOfVirtualNetworkLinks: links.length,
        numberOfVirtualNetworkLinksWithRegistration: links.filter((l) => l.properties.registrationEnabled).length,
      },
    };
  },
};

export const virtualNetworkLinks: Behaviour = {
  durations: { create: standInMs(LATENCIES.virtualNetworkLink) },
  busyCode: "AnotherOperationInProgress",
  write(ctx, { resource, seeding }) {
    requireGlobal(resource);
    const p = resource.properties;
    const vnetId: string | undefined = p.virtualNetwork?.id;
    if (!seeding && (!vnetId || !ctx.store.get(vnetId))) throw badRequest("InvalidVirtualNetworkId", `Virtual network ${vnetId ?? "(none)"} referenced by ${resource.id} was not found.`);
    const zoneId = parseId(resource.id)!.parent;
    const twin = ctx.store
      .under(zoneId)
      .find((l) => l.type.toLowerCase() === "microsoft.network/privatednszones/virtualnetworklinks" && norm(l.id) !== norm(resource.id) && norm(l.properties.virtualNetwork?.id ?? "") === norm(vnetId ?? ""));
    if (twin && !seeding) throw badRequest("BadRequest", `A virtual network cannot be linked to the same zone more than once: ${vnetId} is already linked by ${twin.name}.`);
    p.registrationEnabled = !!p.registrationEnabled;
    p.resolutionPolicy ??= "Default";
    p.virtualNetworkLinkState = "InProgress";
    return { onProvisioned: (done) => void (done.properties.virtualNetworkLinkState = "Completed") };
  },
};

export const recordSets: Behaviour = {
  write(_ctx, { resource }) {
    const zone = parseId(resource.id)!.parent.split("/").pop()!;
    const p = resource.properties;
    p.fqdn = resource.name === "@" ? `${zone}.` : `${resource.name}.${zone}.`;
    p.isAutoRegistered = false;
    p.ttl ??= 3600;
    resource.etag = randomUUID();
  },
};

/** Record sets of every type in a zone: GET …/privateDnsZones/{zone}/ALL. */
export const allRecordSets: Behaviour = {
  list(ctx, collection) {
    return ctx.store.under(collection.parent).filter(isRecordSet);
  },
};

/** Creates or overwrites a record set, as Azure does for a zone group. */
export function upsertRecordSet(ctx: Ctx, zone: Resource, type: string, name: string, properties: Record<string, any>): Resource {
  const id = `${zone.id}/${type}/${name}`;
  const old = ctx.store.get(id);
  return ctx.store.put({
    id: old?.id ?? id,
    name,
    type: `Microsoft.Network/privateDnsZones/${type}`,
    etag: randomUUID(),
    properties: { ...properties, fqdn: `${name}.${zone.name}.`, isAutoRegistered: false, provisioningState: "Succeeded" },
  });
}
