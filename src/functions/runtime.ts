// Composition root of the Functions app: builds the app's ports from app settings, once per
// process, on first use (not at import: cold start loads only what the first invocation needs).
// The local host and the tests install their own with useDeps() (one set per process).
import { requireAllowedScopes, settingsFromEnv, type AppDeps } from "../app/deps.js";

let current: Promise<AppDeps> | undefined;

// Under a Functions host (Azure, or Core Tools) the app refuses to start without ALLOWED_SCOPES: the
// worker fails to load this module, so no function is indexed. The local host (`npm start`, tests)
// has no FUNCTIONS_WORKER_RUNTIME and may run unrestricted, with a warning.
if (process.env.FUNCTIONS_WORKER_RUNTIME) requireAllowedScopes(settingsFromEnv(process.env));

export function useDeps(deps: AppDeps | Promise<AppDeps>): void {
  current = Promise.resolve(deps);
}

export function getDeps(): Promise<AppDeps> {
  current ??= fromEnv(process.env);
  return current;
}

async function fromEnv(env: NodeJS.ProcessEnv): Promise<AppDeps> {
  const [{ ArmClients, armCredential }, { ArmGateway }, { openStores }, { ServiceBusQueueSender }] = await Promise.all([
    import("../azure/clients.js"),
    import("../azure/arm-gateway.js"),
    import("../state/tables.js"),
    import("../messaging/service-bus-sender.js"),
  ]);
  const settings = requireAllowedScopes(settingsFromEnv(env));
  const credential = await armCredential(env);
  // Storage and Service Bus use the app's managed identity (identity-based connections), or a
  // connection string for emulators; ARM_ACCESS_TOKEN is only for ARM.
  const identity = env.AzureWebJobsStorage && env.ServiceBusConnection ? undefined : new (await import("@azure/identity")).DefaultAzureCredential();
  const stores = await openStores(
    env.AzureWebJobsStorage ? { connectionString: env.AzureWebJobsStorage } : { accountName: required(env, "AzureWebJobsStorage__accountName"), credential: identity! },
  );
  const queue = new ServiceBusQueueSender(
    env.ServiceBusConnection
      ? { connectionString: env.ServiceBusConnection }
      : { fullyQualifiedNamespace: required(env, "ServiceBusConnection__fullyQualifiedNamespace"), credential: identity! },
  );
  return {
    requests: stores.requests,
    clusters: stores.clusters,
    upgrades: stores.upgrades,
    queue,
    arm: new ArmGateway(new ArmClients({ endpoint: env.ARM_ENDPOINT ?? "https://management.azure.com", credential })),
    settings,
    now: () => new Date(),
    log: (message, data) => console.log(JSON.stringify({ message, ...data })),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`app setting ${name} is not set`);
  return v;
}
