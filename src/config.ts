// Every app setting (environment variable) the app and the Functions host read on its behalf, in one
// place. Production code reads settings only through appConfig(); infra/ sets exactly the settings
// marked `azure` (the template test checks both directions). Connections are identity-based only:
// the local host (src/local) brings its own Azurite and in-process bus instead of settings.
import { DEFAULT_SETTINGS, type RunnerSettings } from "./app/deps.js";
import { parseAllowedScopes, type AllowedScopes } from "./domain/scopes.js";

/**
 * Who reads a setting: `app` (this code, through readConfig), `host` (the Functions host, for a
 * binding connection or a `%…%` expression), `sdk` (an Azure SDK reads it itself).
 * `azure`: set by the template in Azure; otherwise only for local runs and emulators.
 */
export interface SettingInfo {
  readBy: "app" | "host" | "sdk";
  azure: boolean;
  meaning: string;
}

/** The connection-setting prefixes the function bindings name (`connection: …`). */
export const CONNECTIONS = { storage: "AzureWebJobsStorage", serviceBus: "ServiceBusConnection" } as const;

export const SETTINGS = {
  // Storage (host state and deployment package; this app's Tables): identity-based.
  AzureWebJobsStorage__accountName: { readBy: "app", azure: true, meaning: "storage account of the host and the Tables (managed identity)" },
  AzureWebJobsStorage__blobServiceUri: { readBy: "host", azure: true, meaning: "blob endpoint (host leases)" },
  AzureWebJobsStorage__queueServiceUri: { readBy: "host", azure: true, meaning: "queue endpoint (host)" },
  AzureWebJobsStorage__tableServiceUri: { readBy: "app", azure: true, meaning: "table endpoint (state); default https://{account}.table.core.windows.net" },
  AzureWebJobsStorage__credential: { readBy: "host", azure: true, meaning: "managedidentity" },
  AzureWebJobsStorage__clientId: { readBy: "host", azure: true, meaning: "client id of the app's user-assigned identity" },
  // Service Bus: identity-based.
  ServiceBusConnection__fullyQualifiedNamespace: { readBy: "app", azure: true, meaning: "Service Bus namespace host name (managed identity)" },
  ServiceBusConnection__credential: { readBy: "host", azure: true, meaning: "managedidentity" },
  ServiceBusConnection__clientId: { readBy: "host", azure: true, meaning: "client id of the app's user-assigned identity" },
  // Identity and telemetry.
  AZURE_CLIENT_ID: { readBy: "sdk", azure: true, meaning: "user-assigned identity DefaultAzureCredential uses (ARM, Tables, Service Bus)" },
  APPLICATIONINSIGHTS_CONNECTION_STRING: { readBy: "host", azure: true, meaning: "Application Insights resource (an identifier: local auth is off)" },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: { readBy: "host", azure: true, meaning: "Entra authentication of telemetry: Authorization=AAD;ClientId=…" },
  // ARM.
  ARM_ENDPOINT: { readBy: "app", azure: true, meaning: "ARM endpoint (default https://management.azure.com)" },
  ARM_ACCESS_TOKEN: { readBy: "app", azure: false, meaning: "static ARM bearer token: CI pipelines and emulators only" },
  ALLOWED_SCOPES: { readBy: "app", azure: true, meaning: "comma-separated subscription / resource-group ids the app may act in" },
  // Runner.
  STEP_RETRY_BUDGET: { readBy: "app", azure: true, meaning: "transient failures a step may have" },
  RECHECK_MIN_MS: { readBy: "app", azure: true, meaning: "shortest scheduled re-check" },
  RECHECK_MAX_MS: { readBy: "app", azure: true, meaning: "longest scheduled re-check" },
  CLUSTER_LEASE_TTL_MS: { readBy: "app", azure: false, meaning: "how long a cluster lease lasts unrenewed before another request may take it over (default 15 minutes)" },
  CLUSTER_LEASE_MAX_WAIT_MS: { readBy: "app", azure: false, meaning: "how long a request may queue behind another one holding its cluster before it fails (default 6 hours)" },
  // Node-image freshness timer.
  NODE_IMAGE_AUTO_UPGRADE: { readBy: "app", azure: true, meaning: "true turns the freshness timer on" },
  NODE_IMAGE_CHECK_SCHEDULE: { readBy: "host", azure: true, meaning: "NCRONTAB schedule of the timer (%NODE_IMAGE_CHECK_SCHEDULE%)" },
  NODE_IMAGE_MAINTENANCE_WINDOW: { readBy: "app", azure: true, meaning: "UTC window such as Sat,Sun 01:00-05:00" },
  FUNCTIONS_WORKER_RUNTIME: { readBy: "app", azure: false, meaning: "set by the Functions host itself (not by the template): the app refuses to start there without ALLOWED_SCOPES" },
  // Local tools only.
  PORT: { readBy: "app", azure: false, meaning: "HTTP port of the local host (default 7071)" },
} as const satisfies Record<string, SettingInfo>;

export type SettingName = keyof typeof SETTINGS;
type Env = Partial<Record<string, string>>;

export interface AppConfig {
  /** Table endpoint of the app's storage account (reached with the managed identity). */
  tableServiceUri: string;
  /** Service Bus namespace host name (reached with the managed identity). */
  serviceBusNamespace: string;
  armEndpoint: string;
  /** Static ARM token (CI, emulators); otherwise DefaultAzureCredential. */
  armAccessToken?: string;
  /** runner.allowedScopes: ALLOWED_SCOPES, parsed (a malformed value throws, naming the setting). */
  runner: RunnerSettings;
  nodeImages: { autoUpgrade: boolean; maintenanceWindow?: string };
}

export const DEFAULT_ARM_ENDPOINT = "https://management.azure.com";

/** Reads the configuration; a missing required setting throws naming it. Reads nothing outside SETTINGS. */
export function readConfig(env: Env): AppConfig {
  const get = (name: SettingName) => env[name] || undefined;
  const required = (name: SettingName) => get(name) ?? missing(name);
  const num = (name: SettingName, fallback: number) => (get(name) !== undefined && Number.isFinite(Number(get(name))) ? Number(get(name)) : fallback);
  return {
    tableServiceUri: get("AzureWebJobsStorage__tableServiceUri") ?? `https://${required("AzureWebJobsStorage__accountName")}.table.core.windows.net`,
    serviceBusNamespace: required("ServiceBusConnection__fullyQualifiedNamespace"),
    armEndpoint: get("ARM_ENDPOINT") ?? DEFAULT_ARM_ENDPOINT,
    armAccessToken: get("ARM_ACCESS_TOKEN"),
    runner: {
      retryBudget: num("STEP_RETRY_BUDGET", DEFAULT_SETTINGS.retryBudget),
      minRecheckMs: num("RECHECK_MIN_MS", DEFAULT_SETTINGS.minRecheckMs),
      maxRecheckMs: num("RECHECK_MAX_MS", DEFAULT_SETTINGS.maxRecheckMs),
      allowedScopes: parseAllowedScopes(get("ALLOWED_SCOPES")),
      // Unset: the defaults in src/app/cluster-lease.ts.
      ...(num("CLUSTER_LEASE_TTL_MS", 0) > 0 ? { leaseTtlMs: num("CLUSTER_LEASE_TTL_MS", 0) } : {}),
      ...(num("CLUSTER_LEASE_MAX_WAIT_MS", 0) > 0 ? { leaseMaxWaitMs: num("CLUSTER_LEASE_MAX_WAIT_MS", 0) } : {}),
    },
    nodeImages: { autoUpgrade: get("NODE_IMAGE_AUTO_UPGRADE") === "true", maintenanceWindow: get("NODE_IMAGE_MAINTENANCE_WINDOW") },
  };
}

/** The settings of the local tools (start, provision CLI): no storage or Service Bus needed; ALLOWED_SCOPES optional. */
export function readLocalConfig(env: Env): { port: number; armEndpoint?: string; armAccessToken?: string; allowedScopes?: AllowedScopes } {
  return { port: Number(env.PORT || 7071), armEndpoint: env.ARM_ENDPOINT || undefined, armAccessToken: env.ARM_ACCESS_TOKEN || undefined, allowedScopes: parseAllowedScopes(env.ALLOWED_SCOPES) };
}

/** Whether a Functions host (Azure, Core Tools) runs this process: it sets FUNCTIONS_WORKER_RUNTIME. */
export const isFunctionsHost = (env: Env = process.env): boolean => !!env.FUNCTIONS_WORKER_RUNTIME;

/** ALLOWED_SCOPES alone, parsed: checked when the app loads, before any other setting is needed. */
export const allowedScopesSetting = (env: Env = process.env): AllowedScopes | undefined => parseAllowedScopes(env.ALLOWED_SCOPES);

let cached: AppConfig | undefined;
/** The process's configuration, read once on first use. */
export function appConfig(): AppConfig {
  cached ??= readConfig(process.env);
  return cached;
}

function missing(name: string): never {
  throw new Error(`app setting ${name} is not set`);
}
