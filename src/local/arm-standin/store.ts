// The generic resource store: ARM JSON by id, case-insensitive, keeping the casing of the first
// write. Bookkeeping that is not part of the resource's JSON (when it was created) lives beside it.
import { isSameOrUnder, norm } from "./ids.js";

/** A resource as ARM returns it. Property bags stay `any`: they are whatever each type's JSON is. */
export interface Resource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  identity?: any;
  sku?: any;
  properties: Record<string, any>;
  [key: string]: any;
}

interface Entry {
  resource: Resource;
  createdAt: number;
}

export class ResourceStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  get(id: string): Resource | undefined {
    return this.entries.get(norm(id))?.resource;
  }

  /** When the resource was first written (kept across updates). */
  createdAt(id: string): number | undefined {
    return this.entries.get(norm(id))?.createdAt;
  }

  /** `createdAt` only for seeds: a seeded resource has existed "forever" (time 0). */
  put(resource: Resource, createdAt?: number): Resource {
    const key = norm(resource.id);
    const existing = this.entries.get(key);
    this.entries.set(key, { resource, createdAt: existing?.createdAt ?? createdAt ?? this.now() });
    return resource;
  }

  delete(id: string): Resource | undefined {
    const key = norm(id);
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry?.resource;
  }

  /** Every resource, in order of first write. */
  all(): Resource[] {
    return [...this.entries.values()].map((e) => e.resource);
  }

  /** Resources whose id starts with `prefix` (case-insensitive). */
  withPrefix(prefix: string): Resource[] {
    const p = prefix.toLowerCase();
    return this.all().filter((r) => r.id.toLowerCase().startsWith(p));
  }

  /** Resources strictly under `id` (children, grandchildren, extension resources scoped to it). */
  under(id: string): Resource[] {
    return this.all().filter((r) => norm(r.id) !== norm(id) && isSameOrUnder(r.id, id));
  }

  ofType(type: string): Resource[] {
    const t = type.toLowerCase();
    return this.all().filter((r) => r.type.toLowerCase() === t);
  }
}
