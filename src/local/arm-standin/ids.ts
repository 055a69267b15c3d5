// ARM resource ids: case-insensitive, made of a scope (subscription, resource group, or another
// resource for extension resources such as role assignments) and {type}/{name} pairs after
// `providers/{namespace}`.

/** The key of an id: ARM compares ids without regard to case (and ignores a trailing slash). */
export const norm = (id: string): string => id.toLowerCase().replace(/\/+$/, "");

/** True when `id` is `ancestor` itself or lies under it. */
export const isSameOrUnder = (id: string, ancestor: string): boolean => {
  const a = norm(ancestor);
  const i = norm(id);
  return i === a || i.startsWith(a + "/");
};

/** The segments ARM itself spells one way, whatever casing the client sent. */
export function canonical(path: string): string {
  return path
    .replace(/^\/subscriptions\//i, "/subscriptions/")
    .replace(/\/resourcegroups(\/|$)/gi, "/resourceGroups$1")
    .replace(/\/providers\//gi, "/providers/");
}

export interface ParsedId {
  /** The path as parsed (canonical casing of well-known segments). */
  path: string;
  sub: string;
  /** The resource group the id lies in, if any. */
  rg?: string;
  /** Provider namespace (Microsoft.Network), "Microsoft.Resources" for resource groups. */
  namespace: string;
  /** Full type: Microsoft.Network/virtualNetworks/subnets, Microsoft.Resources/resourceGroups. */
  type: string;
  /** Resource name ("" for a collection). */
  name: string;
  /**
   * What must exist before this resource can be written: the parent resource of a nested resource,
   * the scope of an extension resource, the resource group of a top-level one, or the subscription.
   */
  parent: string;
  /** A collection path (…/virtualNetworks, …/agentPools, …/resourceGroups). */
  collection: boolean;
  /** An extension resource: its scope is another resource (e.g. a role assignment on a subnet). */
  extension: boolean;
}

export const subscriptionId = (sub: string) => `/subscriptions/${sub}`;
export const resourceGroupId = (sub: string, rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}`;

/** Parses an ARM path; undefined when it is not under /subscriptions/{id}. */
export function parseId(rawPath: string): ParsedId | undefined {
  const path = canonical(rawPath.replace(/\/{2,}/g, "/").replace(/\/+$/, ""));
  const p = path.split("/").filter(Boolean);
  if (p[0] !== "subscriptions" || p.length < 2) return undefined;
  const sub = p[1];
  const lower = p.map((x) => x.toLowerCase());
  const rgAt = lower.indexOf("resourcegroups");
  const rg = rgAt === 2 ? p[3] : undefined;
  const provAt = lower.lastIndexOf("providers");
  if (provAt < 0) {
    if (p.length === 2) return { path, sub, namespace: "Microsoft.Resources", type: "Microsoft.Resources/subscriptions", name: sub, parent: "", collection: false, extension: false };
    if (rgAt !== 2) return undefined;
    // /subscriptions/{s}/resourceGroups[/{rg}[/resources]]
    const base = { path, sub, rg, namespace: "Microsoft.Resources", parent: subscriptionId(sub), extension: false };
    if (p.length === 3) return { ...base, rg: undefined, type: "Microsoft.Resources/resourceGroups", name: "", collection: true };
    if (p.length === 4) return { ...base, type: "Microsoft.Resources/resourceGroups", name: p[3], collection: false };
    if (p.length === 5 && lower[4] === "resources") return { ...base, type: "Microsoft.Resources/resources", name: "", parent: resourceGroupId(sub, p[3]), collection: true };
    return undefined;
  }
  const namespace = p[provAt + 1];
  if (!namespace) return undefined;
  const rest = p.slice(provAt + 2);
  const scope = "/" + p.slice(0, provAt).join("/");
  const types = rest.filter((_, i) => i % 2 === 0);
  const collection = rest.length % 2 === 1;
  const name = collection || rest.length === 0 ? "" : rest[rest.length - 1];
  // A nested resource's parent is the resource one {type}/{name} pair up; a top-level one's is its scope.
  const ownPairs = collection ? 0 : 2;
  const parent = rest.length - ownPairs >= 2 ? "/" + p.slice(0, p.length - ownPairs - (collection ? 1 : 0)).join("/") : scope;
  return {
    path,
    sub,
    rg: rgAt === 2 && rgAt < provAt ? p[3] : undefined,
    namespace,
    type: [namespace, ...types].join("/"),
    name,
    parent,
    collection,
    extension: /\/providers\//i.test(scope),
  };
}

/** A deterministic GUID from a seed string (stable ids across runs help when reading test output). */
export function guidFrom(hex32: string): string {
  const h = hex32.padEnd(32, "0").slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
