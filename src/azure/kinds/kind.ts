// One adapter per ARM resource kind: how to read it, write it (PUT), delete it, run its actions
// (POST) and resume a write that an earlier invocation started. The gateway is the one generic caller. An
// adapter of kind K reads and writes the SDK model of K (src/domain/arm-models.ts).
//
// Most kinds are the same three calls of one SDK operation group with different names: built by
// classicKind (SDKs whose begin* methods resume with `resumeFrom`) or modularKind (SDKs whose
// pollers are restored with the package's restorePoller). Kinds that differ are written out.
import type { ArmReadModels, ArmWriteModels, ResourceKind } from "../../domain/arm-models.js";
import type { ArmClients } from "../clients.js";
import type { AnyPoller } from "../lro.js";

/** A write either answers synchronously or hands back the SDK's poller. */
export type Started = { result: unknown } | { poller: AnyPoller };
export type WriteMethod = "put" | "post" | "delete";

type BodyOf<K extends ResourceKind> = K extends keyof ArmWriteModels ? ArmWriteModels[K] : never;

export interface KindAdapter<K extends ResourceKind> {
  read(c: ArmClients, id: string, apiVersion?: string): Promise<ArmReadModels[K] | undefined>;
  put?(c: ArmClients, id: string, body: BodyOf<K>, apiVersion?: string): Promise<Started>;
  post?(c: ArmClients, id: string, action: string, apiVersion?: string): Promise<Started>;
  /** DELETE: long-running where ARM's is (the SDK's own poller); a 404 is left to the gateway. */
  delete?(c: ArmClients, id: string, apiVersion?: string): Promise<Started>;
  /**
   * Rebuilds the poller of a write this adapter started, from its serialized state. Wrapped in an
   * object because modular pollers are thenables: returning one from an async function would await
   * the whole operation.
   */
  resume?(c: ArmClients, id: string, pollerState: string, method: WriteMethod, action?: string, apiVersion?: string): Promise<{ poller: AnyPoller }>;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}/{child}/{childName}` → parts. */
export function idParts(id: string): { sub: string; rg: string; names: string[] } {
  const p = id.split("/").filter(Boolean);
  const sub = p[1];
  const rgIdx = p.findIndex((x) => x.toLowerCase() === "resourcegroups");
  const rg = rgIdx >= 0 ? p[rgIdx + 1] : "";
  const provIdx = p.findIndex((x) => x.toLowerCase() === "providers");
  // After providers/{ns}: type/name pairs; keep the names.
  const names = provIdx >= 0 ? p.slice(provIdx + 2).filter((_, i) => i % 2 === 1) : [];
  return { sub, rg, names };
}

export const isNotFound = (e: unknown) => (e as { statusCode?: number }).statusCode === 404;

/** Reads with 404 → undefined. */
export async function readOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

// The SDK operation groups differ in their parameter lists only by the resource's names; the
// adapters below call them generically, so the group is typed loosely here and the adapter's
// model type (KindAdapter<K>) is what callers see.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Call = (...args: any[]) => any;
type Group = { get: Call; [write: string]: Call };

interface GroupSpec<C> {
  client: (c: ArmClients, sub: string, apiVersion?: string) => Promise<C>;
  /** The SDK's operation group (client.virtualNetworks, …). */
  group: (client: C) => object;
  /** The resource's own and parents' names as the SDK takes them (default: as in the id). */
  names?: (names: string[]) => unknown[];
}

/** The group and the leading arguments (resource group, names) for the resource `id`. */
function groupCall<C>(spec: GroupSpec<C>) {
  return async (c: ArmClients, id: string) => {
    const { sub, rg, names } = idParts(id);
    return { g: spec.group(await spec.client(c, sub)) as Group, args: [rg, ...(spec.names ?? ((n) => n))(names)] };
  };
}

/**
 * A group whose write answers at once (no long-running operation): get + createOrUpdate, and a
 * delete that is long-running when the SDK has beginDelete for it (resource groups, private link
 * scopes), synchronous otherwise (identities, record sets).
 */
export function syncKind<K extends ResourceKind, C>(spec: GroupSpec<C>): KindAdapter<K> {
  const call = groupCall(spec);
  return {
    async read(c, id) {
      const { g, args } = await call(c, id);
      return readOrUndefined(() => g.get(...args));
    },
    async put(c, id, body) {
      const { g, args } = await call(c, id);
      return { result: await g.createOrUpdate(...args, body) };
    },
    async delete(c, id) {
      const { g, args } = await call(c, id);
      if (g.beginDelete) return { poller: (await g.beginDelete(...args)) as AnyPoller };
      await g.delete(...args);
      return { result: undefined };
    },
    async resume(c, id, state) {
      // Only a delete of such a group runs long.
      const { g, args } = await call(c, id);
      return { poller: (await g.beginDelete(...args, { resumeFrom: state })) as AnyPoller };
    },
  };
}

/** A classic (core-client) SDK group: get + beginCreateOrUpdate + beginDelete, resumed with `resumeFrom`. */
export function classicKind<K extends ResourceKind, C>(spec: GroupSpec<C>): KindAdapter<K> {
  const call = groupCall(spec);
  return {
    ...syncKind<K, C>(spec),
    async put(c, id, body) {
      const { g, args } = await call(c, id);
      return { poller: (await g.beginCreateOrUpdate(...args, body)) as AnyPoller };
    },
    async resume(c, id, state, method) {
      const { g, args } = await call(c, id);
      const poller = method === "delete" ? g.beginDelete(...args, { resumeFrom: state }) : g.beginCreateOrUpdate(...args, {}, { resumeFrom: state });
      return { poller: (await poller) as AnyPoller };
    },
  };
}

/** A modular SDK group: get + a long-running write method + delete, resumed with the package's restorePoller. */
export function modularKind<K extends ResourceKind, C>(spec: GroupSpec<C> & { write: string; restore: () => Promise<(client: C, state: string, method: Call) => unknown> }): KindAdapter<K> {
  const call = async (c: ArmClients, id: string, apiVersion?: string) => {
    const { sub, rg, names } = idParts(id);
    const client = await spec.client(c, sub, apiVersion);
    return { client, g: spec.group(client) as Group, args: [rg, ...(spec.names ?? ((n) => n))(names)] };
  };
  return {
    async read(c, id, apiVersion) {
      const { g, args } = await call(c, id, apiVersion);
      return readOrUndefined(() => g.get(...args));
    },
    async put(c, id, body, apiVersion) {
      const { g, args } = await call(c, id, apiVersion);
      return { poller: g[spec.write](...args, body) as AnyPoller };
    },
    async delete(c, id, apiVersion) {
      const { g, args } = await call(c, id, apiVersion);
      return { poller: g.delete(...args) as AnyPoller };
    },
    async resume(c, id, state, method, _action, apiVersion) {
      const { client, g } = await call(c, id, apiVersion);
      return { poller: (await spec.restore())(client, state, method === "delete" ? g.delete : g[spec.write]) as AnyPoller };
    },
  };
}

/** Everything an SDK pager yields, as one read-only "resource" `{ value: [...] }`. */
export async function listAll<T>(items: AsyncIterable<T>): Promise<{ value: T[] }> {
  const value: T[] = [];
  for await (const r of items) value.push(r);
  return { value };
}
