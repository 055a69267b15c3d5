// One adapter per ARM resource kind: how to read it, write it (PUT), run its actions (POST) and
// resume a write that an earlier invocation started. The gateway is the one generic caller.
import type { ArmClients } from "../clients.js";
import type { AnyPoller } from "../lro.js";

export type Resource = Record<string, any>;
/** A write either answers synchronously or hands back the SDK's poller. */
export type Started = { result: Resource | undefined } | { poller: AnyPoller };

export interface KindAdapter {
  read(c: ArmClients, id: string, apiVersion?: string): Promise<Resource | undefined>;
  put?(c: ArmClients, id: string, body: any, apiVersion?: string): Promise<Started>;
  post?(c: ArmClients, id: string, action: string, apiVersion?: string): Promise<Started>;
  /**
   * Rebuilds the poller of a write this adapter started, from its serialized state. Wrapped in an
   * object because modular pollers are thenables: returning one from an async function would await
   * the whole operation.
   */
  resume?(c: ArmClients, id: string, pollerState: string, method: "put" | "post", action?: string, apiVersion?: string): Promise<{ poller: AnyPoller }>;
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
