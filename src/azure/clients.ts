// ARM clients: created once per process per (SDK, subscription, api-version), pointed at the
// configured ARM endpoint (ARM_ENDPOINT: public cloud, a sovereign cloud, or a local stand-in).
// SDK retries are off: a throttled or busy call becomes a scheduled re-check message instead of an
// in-process sleep (DESIGN rule 1), and the runner's retry budget counts it.
import type { Agent } from "node:https";
import type { TokenCredential } from "@azure/core-auth";
import { captureResponsePolicy } from "./response-capture.js";

export interface ArmConfig {
  endpoint: string;
  credential: TokenCredential;
  /** Only for in-process stand-ins with a generated certificate; processes use NODE_EXTRA_CA_CERTS. */
  agent?: Agent;
}

export class ArmClients {
  private readonly cache = new Map<string, unknown>();
  constructor(readonly config: ArmConfig) {}

  /** Options every SDK (classic and modular) accepts. */
  options(apiVersion?: string): Record<string, unknown> {
    const endpoint = this.config.endpoint.replace(/\/$/, "");
    return {
      endpoint,
      // Token audience of the cloud's ARM: https://management.azure.com/.default for public Azure.
      credentialScopes: [`${endpoint}/.default`],
      credentials: { scopes: [`${endpoint}/.default`] },
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [{ policy: captureResponsePolicy, position: "perRetry" }],
      agent: this.config.agent,
      ...(apiVersion ? { apiVersion } : {}),
    };
  }

  /** The cached client for `key`, built by `create` on first use. */
  async get<T>(key: string, create: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, create());
    return (await this.cache.get(key)) as T;
  }

  /**
   * The SDK client of one subscription (and api-version), its package imported on first use:
   * `c.sdk("network", sub, async () => (await import("@azure/arm-network")).NetworkManagementClient)`.
   */
  sdk<T>(name: string, sub: string, load: () => Promise<new (credential: TokenCredential, subscriptionId: string, options?: any) => T>, apiVersion?: string): Promise<T> {
    return this.get(`${name}|${sub}|${apiVersion ?? ""}`, async () => new (await load())(this.config.credential, sub, this.options(apiVersion)));
  }
}

/** ARM_ACCESS_TOKEN as a static bearer token (CI pipelines, emulators), else DefaultAzureCredential. */
export async function armCredential(token: string | undefined): Promise<TokenCredential> {
  if (token) return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}
