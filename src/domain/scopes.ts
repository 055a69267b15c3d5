// Where the app may act: ALLOWED_SCOPES lists, comma-separated, subscriptions
// (`/subscriptions/{id}`) and resource groups (`/subscriptions/{id}/resourceGroups/{name}`). Every
// resource a request names (the target, its network, registry, identities, an existing subnet, the
// Arc scope and connected clusters) must be inside one of them, or the request is rejected before
// any write, with the field that names it. The app's identity should hold roles on that same list.
import { isUnder, parseArmId } from "./arm-id.js";
import type { ClusterRequest } from "./contract.js";
import { clusterId, providerId, rgId } from "./naming.js";
import type { ValidationError } from "./validation-error.js";

/** Lower-cased scope ids; undefined = unrestricted (allowed on the local host only). */
export type AllowedScopes = readonly string[];

const SCOPE = /^\/subscriptions\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\/resourceGroups\/[-\w._()]{1,90})?$/i;

/** Parses the setting; throws with every malformed entry named. Empty text means unset. */
export function parseAllowedScopes(text: string | undefined): AllowedScopes | undefined {
  if (text === undefined || !text.trim()) return undefined;
  const entries = text.split(",").map((s) => s.trim().replace(/\/+$/, "")).filter(Boolean);
  const bad = entries.filter((e) => !SCOPE.test(e) || !parseArmId(e).ok);
  if (bad.length)
    throw new Error(`ALLOWED_SCOPES: ${bad.map((b) => `'${b}'`).join(", ")} is not /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{name}`);
  return entries.map((e) => e.toLowerCase());
}

/** Whether the resource `id` lies inside one of the scopes (segment by segment: src/domain/arm-id.ts). */
export const inScope = (id: string, scopes: AllowedScopes): boolean => scopes.some((s) => isUnder(id, s));

/** A provider's or preview feature's registration: a subscription-wide action every procedure needs, not anyone's resource. */
export const isRegistration = (id: string): boolean => /^\/subscriptions\/[^/]+\/providers\/[^/]+(\/features\/[^/]+)?$/i.test(id);

/** Why a write of `id` is outside ALLOWED_SCOPES (undefined: inside, or a registration in a subscription they reach). */
export function outsideAllowed(id: string, scopes: AllowedScopes | undefined): string | undefined {
  if (!scopes || inScope(id, scopes)) return undefined;
  if (isRegistration(id) && scopes.some((s) => s.split("/")[2]?.toLowerCase() === id.split("/")[2]?.toLowerCase())) return undefined;
  return `${id} is outside ALLOWED_SCOPES`;
}

/** Every resource the request names by id or by parts, with the field that names it. */
export function referencedResources(req: ClusterRequest): { path: string; id: string }[] {
  const out: { path: string; id: string }[] = [];
  // A delete names a recorded request, not resources: its targets are checked when it is accepted
  // (src/app/delete-source.ts), against what that request recorded.
  if (req.operation === "delete") return out;
  if (req.operation === "arcPrivateLink") {
    const s = req.scope;
    out.push({ path: "scope", id: providerId(s.subscriptionId, s.resourceGroup, "Microsoft.HybridCompute/privateLinkScopes", s.name) });
    out.push({ path: "network.vnetName", id: providerId(s.subscriptionId, req.network.resourceGroup, "Microsoft.Network/virtualNetworks", req.network.vnetName) });
    req.connectedClusters.forEach((c, i) =>
      out.push({ path: `connectedClusters[${i}]`, id: providerId(s.subscriptionId, c.resourceGroup, "Microsoft.Kubernetes/connectedClusters", c.name) }),
    );
    return out;
  }
  const c = req.cluster;
  out.push({ path: "cluster", id: clusterId(c.subscriptionId, c.resourceGroup, c.name) });
  if ("network" in req && req.network?.resourceGroup) out.push({ path: "network.resourceGroup", id: rgId(c.subscriptionId, req.network.resourceGroup) });
  if ("networkIsolation" in req) {
    const reg = req.networkIsolation?.registry;
    if (reg?.mode === "byo") out.push({ path: "networkIsolation.registry", id: providerId(c.subscriptionId, reg.resourceGroup ?? c.resourceGroup, "Microsoft.ContainerRegistry/registries", reg.name) });
  }
  if ("apiServer" in req && req.apiServer?.subnetId) out.push({ path: "apiServer.subnetId", id: req.apiServer.subnetId });
  return out;
}

export function checkScopes(req: ClusterRequest, scopes: AllowedScopes | undefined): ValidationError[] {
  if (!scopes) return [];
  return referencedResources(req)
    .filter((r) => !inScope(r.id, scopes))
    .map((r) => {
      const parsed = parseArmId(r.id);
      const why = parsed.ok ? "is outside the scopes this app may act on (ALLOWED_SCOPES)" : `is not a valid resource id: it ${parsed.problem}`;
      return { path: r.path, message: `${r.id} ${why}`, source: "ALLOWED_SCOPES setting" };
    });
}
