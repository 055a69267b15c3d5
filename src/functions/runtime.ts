// Composition root of the Functions app: builds the app's ports from app settings, once per
// process, on first use (not at import: cold start loads only what the first invocation needs).
// The local host and the tests install their own with useDeps() (one set per process).
import { requireAllowedScopes, type AppDeps } from "../app/deps.js";
import { allowedScopesSetting, appConfig, isFunctionsHost, type AppConfig } from "../config.js";
import type { AllowedScopes } from "../domain/scopes.js";

let current: Promise<AppDeps> | undefined;

// Under a Functions host (Azure, or Core Tools) the app refuses to start without ALLOWED_SCOPES: the
// worker fails to load this module, so no function is indexed. The local host (`npm start`, tests)
// is no Functions host and may run unrestricted, with a warning.
if (isFunctionsHost()) requireAllowedScopes({ allowedScopes: allowedScopesSetting() });

export function useDeps(deps: AppDeps | Promise<AppDeps>): void {
  current = Promise.resolve(deps);
}

/**
 * Where requests may act, for a plan (whatIf): the installed ports' setting when there are ports
 * (the local host, tests), else ALLOWED_SCOPES itself: a plan needs no storage or queue.
 */
export async function allowedScopes(): Promise<AllowedScopes | undefined> {
  return current ? (await current).settings.allowedScopes : allowedScopesSetting();
}

export function getDeps(): Promise<AppDeps> {
  current ??= fromConfig(appConfig());
  return current;
}

async function fromConfig(config: AppConfig): Promise<AppDeps> {
  const [{ ArmClients, armCredential }, { ArmGateway }, { openStores }, { ServiceBusQueueSender }] = await Promise.all([
    import("../azure/clients.js"),
    import("../azure/arm-gateway.js"),
    import("../state/tables.js"),
    import("../messaging/service-bus-sender.js"),
  ]);
  const credential = await armCredential(config.armAccessToken);
  // Storage and Service Bus: the app's managed identity (AZURE_CLIENT_ID names it); ARM_ACCESS_TOKEN is only for ARM.
  const identity = new (await import("@azure/identity")).DefaultAzureCredential();
  const stores = await openStores({ endpoint: config.tableServiceUri, credential: identity });
  const queue = new ServiceBusQueueSender(config.serviceBusNamespace, identity);
  return {
    requests: stores.requests,
    clusters: stores.clusters,
    upgrades: stores.upgrades,
    leases: stores.leases,
    queue,
    arm: new ArmGateway(new ArmClients({ endpoint: config.armEndpoint, credential })),
    settings: requireAllowedScopes(config.runner),
    now: () => new Date(),
    log: (message, data) => console.log(JSON.stringify({ message, ...data })),
  };
}
