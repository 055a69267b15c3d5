// Every app setting (environment variable) the app and the Functions host read on its behalf, in one
// place. Production code reads settings only through appConfig(); infra/ sets exactly the settings
// marked `azure` (the template test checks both directions). Connections are identity-based, but for
// one: storage may be the emulator (Azurite under Core Tools: `UseDevelopmentStorage=true`, or its
// well-known account on a loopback address). The local host (src/local) brings its own Azurite and
// in-process bus instead of settings, and reads the runner settings the same way (readRunnerSettings).
import { DEFAULT_SETTINGS, type RunnerSettings } from "./app/deps.js";
import { parseAllowedScopes, type AllowedScopes } from "./domain/scopes.js";
import { ARM_RATE_LIMITS, withLimits, type RateLimits } from "./domain/arm-limits.js";
import { DEFAULT_MAX_THROTTLE_WAIT_MS } from "./app/arm-pacing.js";
import { emulatorTableConnection } from "./storage-emulator.js";
import { DEFAULT_RESTORE_LIMIT } from "./app/drift.js";
import { entraTokenSettings, type TokenSettings } from "./app/tokens.js";
import { parseCallerPolicy } from "./domain/caller.js";
import { isUnder } from "./domain/arm-id.js";

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
  AzureWebJobsStorage: { readBy: "app", azure: false, meaning: "the storage emulator only (Core Tools with Azurite): UseDevelopmentStorage=true, or the emulator's well-known account on a loopback address; any other connection string is refused" },
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
  ARM_PACING: { readBy: "app", azure: true, meaning: "pace ARM writes per subscription with shared rate buckets (default true; false switches it off)" },
  ARM_PACING_LIMITS: { readBy: "app", azure: false, meaning: 'JSON overriding the rate buckets, e.g. {"aksWrites":{"capacity":20,"perSecond":0.0167}} (default: ARM\'s documented limits)' },
  ARM_THROTTLE_MAX_WAIT_MS: { readBy: "app", azure: false, meaning: "longest a step waits in all for ARM's rate limits before it fails (default 43200000, 12 h)" },
  CLUSTER_LEASE_TTL_MS: { readBy: "app", azure: false, meaning: "how long a cluster lease lasts unrenewed before another request may take it over (default 15 minutes)" },
  CLUSTER_LEASE_MAX_WAIT_MS: { readBy: "app", azure: false, meaning: "how long a request may queue behind another one holding its cluster before it fails (default 6 hours)" },
  // Node-image freshness timer.
  NODE_IMAGE_AUTO_UPGRADE: { readBy: "app", azure: true, meaning: "true turns the freshness timer on" },
  NODE_IMAGE_CHECK_SCHEDULE: { readBy: "host", azure: true, meaning: "NCRONTAB schedule of the timer (%NODE_IMAGE_CHECK_SCHEDULE%)" },
  NODE_IMAGE_MAINTENANCE_WINDOW: { readBy: "app", azure: true, meaning: "UTC window such as Sat,Sun 01:00-05:00" },
  // Drift of the held clusters (src/app/drift.ts).
  DRIFT_SWEEP_SCHEDULE: { readBy: "host", azure: true, meaning: "NCRONTAB schedule of the drift sweep (%DRIFT_SWEEP_SCHEDULE%; the template sets hourly, 0 0 * * * *)" },
  DRIFT_RESTORE_MAX: { readBy: "app", azure: false, meaning: "restores of one setting within the window after which it is no longer restored (default 3)" },
  DRIFT_RESTORE_WINDOW_HOURS: { readBy: "app", azure: false, meaning: "the window of DRIFT_RESTORE_MAX, in hours (default 24)" },
  // Callers (src/app/tokens.ts, src/domain/caller.ts).
  AUTH_TENANT_ID: { readBy: "app", azure: true, meaning: "the Entra ID tenant whose tokens are accepted (issuer https://login.microsoftonline.com/{tenant}/v2.0 or https://sts.windows.net/{tenant}/, keys from its discovery document)" },
  AUTH_AUDIENCE: { readBy: "app", azure: true, meaning: "comma-separated audiences a token must be for: the app registration's client id and/or application id URI (api://…); set, the token check is on" },
  AUTH_ISSUER: { readBy: "app", azure: false, meaning: "another issuer instead of the tenant's (a local issuer with its own signing key); needs AUTH_JWKS_URI" },
  AUTH_JWKS_URI: { readBy: "app", azure: false, meaning: "where the issuer publishes its signing keys (default: the tenant's)" },
  AUTH_MODE: { readBy: "app", azure: false, meaning: "off: no token check, every caller acts with every right (a Functions host under Core Tools only; logged as a warning); the deployed app refuses to start without AUTH_AUDIENCE and CALLER_POLICY otherwise. local: npm start is its own token issuer (tokens from POST /local/token or npm run provision -- token), checked against CALLER_POLICY" },
  CALLER_POLICY: { readBy: "app", azure: true, meaning: 'JSON: per app role, the operations and scopes its callers may use and whose requests they may see, e.g. {"roles":{"Team.A":{"operations":["create","delete"],"scopes":["/subscriptions/…/resourceGroups/rg-team-a-*"],"requests":"own"}}}' },
  FUNCTIONS_WORKER_RUNTIME: { readBy: "app", azure: false, meaning: "set by the Functions host itself (not by the template): the app refuses to start there without ALLOWED_SCOPES" },
  // Local tools only.
  PORT: { readBy: "app", azure: false, meaning: "HTTP port of the local host (default 7071)" },
} as const satisfies Record<string, SettingInfo>;

export type SettingName = keyof typeof SETTINGS;
type Env = Partial<Record<string, string>>;

export interface AppConfig {
  /** Table endpoint of the app's storage account (reached with the managed identity). */
  tableServiceUri?: string;
  /** Or the storage emulator's connection string (AzureWebJobsStorage, loopback only). */
  storageEmulator?: string;
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
  const storageEmulator = get("AzureWebJobsStorage") && emulatorSetting(get("AzureWebJobsStorage")!);
  return {
    ...(storageEmulator
      ? { storageEmulator }
      : { tableServiceUri: get("AzureWebJobsStorage__tableServiceUri") ?? `https://${required("AzureWebJobsStorage__accountName")}.table.core.windows.net` }),
    serviceBusNamespace: required("ServiceBusConnection__fullyQualifiedNamespace"),
    armEndpoint: get("ARM_ENDPOINT") ?? DEFAULT_ARM_ENDPOINT,
    armAccessToken: get("ARM_ACCESS_TOKEN"),
    runner: readRunnerSettings(env, AZURE_RUNNER_DEFAULTS),
    nodeImages: { autoUpgrade: get("NODE_IMAGE_AUTO_UPGRADE") === "true", maintenanceWindow: get("NODE_IMAGE_MAINTENANCE_WINDOW") },
  };
}

/** The runner settings alone, from the app settings (a plan needs these and no storage or queue). */
export const runnerSettingsFromEnv = (env: Env = process.env): RunnerSettings => readRunnerSettings(env, AZURE_RUNNER_DEFAULTS);

/** The runner's defaults in Azure: ARM's documented limits, a 12-hour throttle budget. */
export const AZURE_RUNNER_DEFAULTS: RunnerSettings = { ...DEFAULT_SETTINGS, pacingLimits: ARM_RATE_LIMITS, maxThrottleWaitMs: DEFAULT_MAX_THROTTLE_WAIT_MS };

/**
 * The runner settings: each one set in `env` over `defaults` (Azure's, or the local host's for its
 * stand-in). The one path from settings to the runner, for the Functions app and the local host.
 */
export function readRunnerSettings(env: Env, defaults: RunnerSettings): RunnerSettings {
  const get = (name: SettingName) => env[name] || undefined;
  const num = (name: SettingName, fallback: number | undefined) => (get(name) !== undefined && Number.isFinite(Number(get(name))) ? Number(get(name)) : fallback);
  const positive = (name: SettingName, fallback: number | undefined) => {
    const n = num(name, fallback);
    return n !== undefined && n > 0 ? n : undefined;
  };
  const { leaseTtlMs, leaseMaxWaitMs, ...rest } = defaults;
  // Unset (and no default given): the defaults in src/app/cluster-lease.ts.
  const ttl = positive("CLUSTER_LEASE_TTL_MS", leaseTtlMs);
  const maxWait = positive("CLUSTER_LEASE_MAX_WAIT_MS", leaseMaxWaitMs);
  return {
    ...rest,
    retryBudget: num("STEP_RETRY_BUDGET", defaults.retryBudget)!,
    minRecheckMs: num("RECHECK_MIN_MS", defaults.minRecheckMs)!,
    maxRecheckMs: num("RECHECK_MAX_MS", defaults.maxRecheckMs)!,
    allowedScopes: parseAllowedScopes(get("ALLOWED_SCOPES")),
    pacing: get("ARM_PACING") === undefined ? defaults.pacing : get("ARM_PACING") !== "false",
    pacingLimits: parsePacingLimits(get("ARM_PACING_LIMITS"), defaults.pacingLimits ?? ARM_RATE_LIMITS),
    maxThrottleWaitMs: num("ARM_THROTTLE_MAX_WAIT_MS", defaults.maxThrottleWaitMs),
    ...(positive("DRIFT_RESTORE_MAX", undefined) || positive("DRIFT_RESTORE_WINDOW_HOURS", undefined)
      ? { driftRestoreLimit: { max: positive("DRIFT_RESTORE_MAX", DEFAULT_RESTORE_LIMIT.max)!, windowMs: positive("DRIFT_RESTORE_WINDOW_HOURS", DEFAULT_RESTORE_LIMIT.windowMs / 3600_000)! * 3600_000 } }
      : defaults.driftRestoreLimit ? { driftRestoreLimit: defaults.driftRestoreLimit } : {}),
    ...(ttl ? { leaseTtlMs: ttl } : {}),
    ...(maxWait ? { leaseMaxWaitMs: maxWait } : {}),
    ...callerSettings(env, parseAllowedScopes(get("ALLOWED_SCOPES"))),
  };
}

/** AUTH_* and CALLER_POLICY: unset (no token check) unless AUTH_AUDIENCE is set; malformed values throw naming the setting. */
function callerSettings(env: Env, allowed: AllowedScopes | undefined): Pick<RunnerSettings, "auth" | "callerPolicy"> {
  const get = (name: SettingName) => env[name]?.trim() || undefined;
  const audiences = (get("AUTH_AUDIENCE") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  const policy = get("CALLER_POLICY") ? parseCallerPolicy(get("CALLER_POLICY")!) : undefined;
  if (policy && allowed)
    for (const [role, g] of Object.entries(policy.roles))
      for (const s of g.scopes)
        if (!allowed.some((a) => isUnder(s.replace(/\*$/, "x"), a) && (!s.endsWith("*") || a.split("/").length <= 3)))
          throw new Error(`CALLER_POLICY: role ${role}: scope ${s} is not inside ALLOWED_SCOPES`);
  if (!audiences.length) return policy ? { callerPolicy: policy } : {};
  const issuer = get("AUTH_ISSUER");
  const tenant = get("AUTH_TENANT_ID");
  let auth: TokenSettings;
  if (issuer) {
    if (!get("AUTH_JWKS_URI")) throw new Error("app setting AUTH_ISSUER needs AUTH_JWKS_URI: where that issuer publishes its signing keys");
    auth = { audiences, issuers: [issuer], jwksUri: get("AUTH_JWKS_URI")!, tenantId: tenant };
  } else if (tenant) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenant)) throw new Error("app setting AUTH_TENANT_ID must be the tenant's id (a GUID)");
    auth = { ...entraTokenSettings(tenant, audiences), ...(get("AUTH_JWKS_URI") ? { jwksUri: get("AUTH_JWKS_URI")! } : {}) };
  } else throw new Error("app setting AUTH_AUDIENCE needs AUTH_TENANT_ID (or AUTH_ISSUER and AUTH_JWKS_URI): whose tokens to accept");
  return { auth, callerPolicy: policy ?? { roles: {} } };
}

/**
 * Under a Functions host the token check is on: the app refuses to start without AUTH_AUDIENCE and
 * CALLER_POLICY, unless AUTH_MODE=off says otherwise (a run under Core Tools).
 */
export function requireCallerChecks(env: Env = process.env): "on" | "off" {
  if (env.AUTH_MODE === "off") return "off";
  if (!env.AUTH_AUDIENCE?.trim() || !env.CALLER_POLICY?.trim())
    throw new Error("app settings AUTH_AUDIENCE and CALLER_POLICY are not set: callers must prove who they are (an Entra ID token for the app's registration) and each role be given its operations and scopes; AUTH_MODE=off turns the check off for a local run only");
  readRunnerSettings(env, DEFAULT_SETTINGS);
  return "on";
}

function emulatorSetting(value: string): string {
  const emulator = emulatorTableConnection(value);
  if (emulator.ok) return emulator.connectionString;
  throw new Error(`app setting AzureWebJobsStorage: ${emulator.reason}; in Azure set AzureWebJobsStorage__accountName and use the managed identity`);
}

/**
 * The settings of the local tools (start, provision CLI): no storage or Service Bus needed;
 * ALLOWED_SCOPES optional. The local host reads the runner settings with readRunnerSettings.
 */
export function readLocalConfig(env: Env): { port: number; armEndpoint?: string; armAccessToken?: string; allowedScopes?: AllowedScopes; localIssuer: boolean } {
  const localIssuer = env.AUTH_MODE === "local";
  if (localIssuer && env.AUTH_AUDIENCE) throw new Error("AUTH_MODE=local makes the local host its own token issuer: unset AUTH_AUDIENCE (or unset AUTH_MODE to check a tenant's tokens)");
  return {
    localIssuer,
    port: Number(env.PORT || 7071),
    armEndpoint: env.ARM_ENDPOINT || undefined,
    armAccessToken: env.ARM_ACCESS_TOKEN || undefined,
    allowedScopes: parseAllowedScopes(env.ALLOWED_SCOPES),
  };
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

/** ARM_PACING_LIMITS: buckets by name, each { capacity?, perSecond? }, over ARM's documented limits. */
function parsePacingLimits(text: string | undefined, defaults: RateLimits): RateLimits {
  if (!text) return defaults;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`app setting ARM_PACING_LIMITS is not JSON: ${text}`);
  }
  const buckets = Object.keys(ARM_RATE_LIMITS);
  const bad = typeof parsed !== "object" || parsed === null ? ["(not an object)"] : Object.entries(parsed).filter(([k, v]) => !buckets.includes(k) || !validLimit(v)).map(([k]) => k);
  if (bad.length) throw new Error(`app setting ARM_PACING_LIMITS: ${bad.join(", ")} is not one of ${buckets.join(", ")} with positive numbers capacity and perSecond`);
  return withLimits(defaults, parsed as Partial<RateLimits>);
}

const validLimit = (v: unknown) =>
  typeof v === "object" && v !== null && Object.entries(v).every(([k, n]) => (k === "capacity" || k === "perSecond") && typeof n === "number" && n > 0);

function missing(name: string): never {
  throw new Error(`app setting ${name} is not set`);
}
