// The real Azure SDK clients, pointed at an ARM stand-in, and a way to drive their pollers without
// pollUntilDone (which would sleep the whole Retry-After, a second at least, between polls).
import https from "node:https";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ContainerRegistryManagementClient } from "@azure/arm-containerregistry";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { FeatureClient } from "@azure/arm-features";
import { HybridComputeManagementClient } from "@azure/arm-hybridcompute";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { TokenCredential } from "@azure/core-auth";
import type { ArmStandIn } from "../../../../src/local/arm-standin/index.js";

export const SUB = "00000000-0000-0000-0000-000000000000";
export const credential: TokenCredential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3600e3 }) };

export function clients(arm: ArmStandIn, extra: { aksApiVersion?: string } = {}) {
  // No SDK retries: a 429 or 409 reaches the test as it reached the SDK.
  const options = { endpoint: arm.endpoint, agent: new https.Agent({ ca: arm.caPem, keepAlive: true }), retryOptions: { maxRetries: 0 } };
  return {
    resources: new ResourceManagementClient(credential, SUB, options),
    aks: new ContainerServiceClient(credential, SUB, { ...options, ...(extra.aksApiVersion ? { apiVersion: extra.aksApiVersion } : {}) }),
    network: new NetworkManagementClient(credential, SUB, options),
    dns: new PrivateDnsManagementClient(credential, SUB, options),
    acr: new ContainerRegistryManagementClient(credential, SUB, options),
    msi: new ManagedServiceIdentityClient(credential, SUB, options),
    authz: new AuthorizationManagementClient(credential, SUB, options),
    features: new FeatureClient(credential, SUB, options),
    hybrid: new HybridComputeManagementClient(credential, SUB, options),
  };
}

/** Either poller generation: modular (isDone a property, result) or classic (isDone(), getResult()). */
interface AnyPoller {
  submitted?(): Promise<void>;
  poll(): Promise<unknown>;
  isDone: boolean | (() => boolean);
  result?: unknown;
  getResult?(): unknown;
}

const isDone = (p: AnyPoller) => (typeof p.isDone === "function" ? p.isDone() : p.isDone);

/**
 * Polls every `everyMs` until done and returns the result. Takes the poller inside an object: a
 * modular poller is a thenable, and awaiting one would run pollUntilDone.
 */
export async function drive<T = any>(holder: { poller: unknown }, everyMs = 20): Promise<T> {
  const p = holder.poller as AnyPoller;
  await p.submitted?.();
  for (let i = 0; i < 500 && !isDone(p); i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    await p.poll();
  }
  if (!isDone(p)) throw new Error("poller not done after 500 polls");
  return (typeof p.getResult === "function" ? p.getResult() : p.result) as T;
}

/** The RestError an SDK call rejects with: status and ARM's error code. */
export async function armError(call: () => Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string; retryAfter?: string }> {
  try {
    await call();
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message: string; response?: { headers: { get(n: string): string | undefined } } };
    return { statusCode: err.statusCode, code: err.code, message: err.message, retryAfter: err.response?.headers.get("retry-after") };
  }
  throw new Error("expected the call to fail");
}

/** A raw HTTPS request to the stand-in (for what no SDK sends: no token, no api-version). */
export function raw(arm: ArmStandIn, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${arm.endpoint}${path}`, { method, ca: arm.caPem, headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
