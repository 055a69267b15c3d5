// Resource provider registration (GET/POST /subscriptions/{s}/providers/{Ns}[/register]) and preview
// feature flags (…/providers/Microsoft.Features/providers/{Ns}/features/{name}[/register]).
// ARM semantics kept: a subscription cannot write resources of a provider it has not registered
// (409 MissingSubscriptionRegistration), and a preview feature reaches the provider only when the
// provider is registered again after the feature was (the documented "refresh the registration").

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const key = (...parts: string[]) => parts.join("/").toLowerCase();

export class Registrations {
  private readonly unregistered = new Set<string>();
  private readonly providerRegisteredAt = new Map<string, number>();
  private readonly featureRegisteredAt = new Map<string, number>();
  private tick = 0;

  /** These namespaces answer NotRegistered (in every subscription) until registered. */
  setUnregistered(namespaces: string[]): void {
    for (const ns of namespaces) {
      this.unregistered.add(ns.toLowerCase());
      for (const k of [...this.providerRegisteredAt.keys()]) if (k.endsWith(`/${ns.toLowerCase()}`)) this.providerRegisteredAt.delete(k);
    }
  }

  isRegistered(sub: string, namespace: string): boolean {
    return !this.unregistered.has(namespace.toLowerCase()) || this.providerRegisteredAt.has(key(sub, namespace));
  }

  previewFeatureEnabled(sub: string, namespace: string, feature: string): boolean {
    const at = this.featureRegisteredAt.get(key(sub, namespace, feature));
    const providerAt = this.providerRegisteredAt.get(key(sub, namespace));
    return at !== undefined && providerAt !== undefined && providerAt > at;
  }

  /** A reply for the provider and feature routes; undefined for any other path. */
  route(method: string, path: string): Reply | undefined {
    const feature = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Features\/providers\/([^/]+)\/features\/([^/]+?)(?:\/(register|unregister))?$/i.exec(path);
    if (feature) {
      const [, sub, ns, name, action] = feature;
      if (action && method !== "POST") return undefined;
      if (!action && method !== "GET") return undefined;
      const k = key(sub, ns, name);
      // A sequence number rather than a clock: two registrations in the same millisecond still order.
      if (action?.toLowerCase() === "register" && !this.featureRegisteredAt.has(k)) this.featureRegisteredAt.set(k, ++this.tick);
      if (action?.toLowerCase() === "unregister") this.featureRegisteredAt.delete(k);
      const state = this.featureRegisteredAt.has(k) ? "Registered" : "NotRegistered";
      return { status: 200, body: { id: `/subscriptions/${sub}/providers/Microsoft.Features/providers/${ns}/features/${name}`, name: `${ns}/${name}`, type: "Microsoft.Features/providers/features", properties: { state } } };
    }
    const provider = /^\/subscriptions\/([^/]+)\/providers\/([^/]+?)(?:\/(register|unregister))?$/i.exec(path);
    if (provider) {
      const [, sub, ns, action] = provider;
      if (action && method !== "POST") return undefined;
      if (!action && method !== "GET") return undefined;
      if (action?.toLowerCase() === "register") this.providerRegisteredAt.set(key(sub, ns), ++this.tick);
      if (action?.toLowerCase() === "unregister") {
        this.providerRegisteredAt.delete(key(sub, ns));
        this.unregistered.add(ns.toLowerCase());
      }
      const registrationState = this.isRegistered(sub, ns) ? "Registered" : "NotRegistered";
      return { status: 200, body: { id: `/subscriptions/${sub}/providers/${ns}`, namespace: ns, registrationState, registrationPolicy: "RegistrationRequired", resourceTypes: [] } };
    }
    return undefined;
  }
}
