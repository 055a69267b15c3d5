// Which resources the app manages: those carrying `managed-by: aks-provisioner`. The app sets the tag
// on what it creates (with `aks-provisioner-request: <id>`) and on every cluster a request changes;
// an operator opts a cluster in by setting the tag by hand. Events and the node-image timer act on
// managed clusters only.
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, REQUEST_TAG } from "./contract.js";


/** ARM tag names compare case-insensitively; the value must be exactly the app's. */
export function isManaged(r: { tags?: Record<string, string> } | undefined): boolean {
  const tags: Record<string, unknown> = r?.tags ?? {};
  return Object.entries(tags).some(([k, v]) => k.toLowerCase() === MANAGED_BY_TAG && v === MANAGED_BY_VALUE);
}

/** The tags of a resource a request creates: the request's own tags and the app's two. */
export function createdTags(userTags: Record<string, string> | undefined, requestId: string | undefined): Record<string, string> {
  return { ...userTags, [MANAGED_BY_TAG]: MANAGED_BY_VALUE, ...(requestId ? { [REQUEST_TAG]: requestId } : {}) };
}

/** The tags of a cluster a request changes: its own, plus managed-by. */
export function changedTags(current: Record<string, string> | undefined): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(current ?? {}).filter(([k]) => k.toLowerCase() !== MANAGED_BY_TAG));
  return { ...kept, [MANAGED_BY_TAG]: MANAGED_BY_VALUE };
}
