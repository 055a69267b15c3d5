// Composition root of the Functions app: builds the app's ports from app settings, once per
// process, on first use (not at import: cold start loads only what the first invocation needs);
// a failed start-up is tried again by the next invocation.
// The local host and the tests install their own with useDeps() (one set per process).
import { requireAllowedScopes, type AppDeps, type RunnerSettings } from "../app/deps.js";
import { allowedScopesSetting, appConfig, isFunctionsHost, requireCallerChecks, runnerSettingsFromEnv, type AppConfig } from "../config.js";
import type { AllowedScopes } from "../domain/scopes.js";

/** Ports the local host or a test installed (useDeps): used as they are, never re-built. */
let installed: Promise<AppDeps> | undefined;
/** Ports built from the app settings: once they are up, for the life of the process. */
let built: AppDeps | undefined;
/** The start-up under way: concurrent invocations share one attempt. */
let starting: Promise<AppDeps> | undefined;
let failedStarts = 0;
/** The runner settings read for a plan before (or without) the ports. */
let runnerFromEnv: RunnerSettings | undefined;

// Under a Functions host (Azure, or Core Tools) the app refuses to start without ALLOWED_SCOPES: the
// worker fails to load this module, so no function is indexed. The local host (`npm start`, tests)
// is no Functions host and may run unrestricted, with a warning.
if (isFunctionsHost()) {
  requireAllowedScopes({ allowedScopes: allowedScopesSetting() });
  if (requireCallerChecks() === "off") console.warn(JSON.stringify({ message: "warning: AUTH_MODE=off: no token check, every caller acts with every right (for a local run under Core Tools only)" }));
}

export function useDeps(deps: AppDeps | Promise<AppDeps>): void {
  installed = Promise.resolve(deps);
}

/**
 * Where requests may act, for a plan (whatIf): the installed ports' setting when there are ports
 * (the local host, tests), else ALLOWED_SCOPES itself. A plan needs no storage or queue, so it never
 * waits on (or fails with) the app's start-up.
 */
export async function allowedScopes(): Promise<AllowedScopes | undefined> {
  return installed ? (await installed).settings.allowedScopes : allowedScopesSetting();
}

/** The runner settings (scopes, token check, caller policy) without waiting on storage: as allowedScopes. */
export async function runnerSettings(): Promise<RunnerSettings> {
  return installed ? (await installed).settings : (built?.settings ?? (runnerFromEnv ??= runnerSettingsFromEnv()));
}

/**
 * The app's ports. A start-up that fails (a TLS error, a token request timing out, storage not yet
 * reachable) fails this invocation only: it is logged and the next invocation tries again, so one
 * bad moment at cold start does not fail every invocation until the host recycles the worker.
 */
export function getDeps(): Promise<AppDeps> {
  if (installed) return installed;
  if (built) return Promise.resolve(built);
  starting ??= fromConfig(appConfig()).then(
    (deps) => {
      built = deps;
      starting = undefined;
      if (failedStarts) console.log(JSON.stringify({ message: `start-up succeeded after ${failedStarts} failed attempt(s)` }));
      return deps;
    },
    (e: unknown) => {
      failedStarts++;
      starting = undefined;
      console.error(JSON.stringify({ message: `start-up failed (attempt ${failedStarts}); the next invocation tries again: ${e instanceof Error ? e.message : String(e)}` }));
      throw e;
    },
  );
  return starting;
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
  const stores = await openStores(config.storageEmulator ? { emulator: config.storageEmulator } : { endpoint: config.tableServiceUri!, credential: identity });
  const queue = new ServiceBusQueueSender(config.serviceBusNamespace, identity);
  return {
    requests: stores.requests,
    clusters: stores.clusters,
    upgrades: stores.upgrades,
    leases: stores.leases,
    queue,
    arm: new ArmGateway(new ArmClients({ endpoint: config.armEndpoint, credential })),
    pacing: stores.pacing,
    settings: requireAllowedScopes(config.runner),
    now: () => new Date(),
    log: (message, data) => console.log(JSON.stringify({ message, ...data })),
  };
}
