// ARM ids: case-insensitive, parsed into type and parent.
export const norm = (id: string) => id.toLowerCase().replace(/\/+$/, "");

/** Canonical casing for the segments ARM itself spells one way, whatever the SDK sent. */
export function canonical(path: string): string {
  return path.replace(/\/resourcegroups\//i, "/resourceGroups/").replace(/\/subscriptions\//i, "/subscriptions/").replace(/\/providers\//gi, "/providers/");
}

export interface ParsedId {
  sub: string;
  rg?: string;
  /** e.g. Microsoft.ContainerService/managedClusters/agentPools */
  type: string;
  name: string;
  parent?: string;
  /** true for a collection path (…/virtualNetworks, …/agentPools) */
  collection: boolean;
}

export function parseId(path: string): ParsedId {
  const p = path.split("/").filter(Boolean);
  const sub = p[1];
  const provIdx = p.map((x) => x.toLowerCase()).lastIndexOf("providers");
  if (provIdx < 0) {
    // /subscriptions/{s}/resourceGroups/{rg}
    return { sub, rg: p[3], type: "Microsoft.Resources/resourceGroups", name: p[3] ?? "", parent: `/subscriptions/${sub}`, collection: p.length === 3 };
  }
  const ns = p[provIdx + 1];
  const rest = p.slice(provIdx + 2);
  const types = rest.filter((_, i) => i % 2 === 0);
  const collection = rest.length % 2 === 1;
  const rgIdx = p.findIndex((x) => x.toLowerCase() === "resourcegroups");
  const head = "/" + p.slice(0, provIdx).join("/");
  const parent = rest.length > 2 ? "/" + p.slice(0, p.length - (collection ? 1 : 2)).join("/") : provIdx > 2 ? head : undefined;
  return { sub, rg: rgIdx >= 0 ? p[rgIdx + 1] : undefined, type: [ns, ...types].join("/"), name: collection ? "" : rest[rest.length - 1], parent, collection };
}
