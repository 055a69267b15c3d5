// The local host: loads the app as the Functions worker does (through the functions-core stand-in,
// so its queues, routes and triggers are the app's own registrations) and runs it with Azurite
// (Tables), the in-process bus (Service Bus semantics) and, unless ARM_ENDPOINT names another ARM,
// the ARM stand-in. It serves what the Functions host would: /api/... and the Event Grid webhook.
// Timer triggers are not scheduled locally.
import http from "node:http";
import https from "node:https";
import type { AppDeps, RunnerSettings } from "../app/deps.js";
import { DEFAULT_SETTINGS } from "../app/deps.js";
import { AZURE_RUNNER_DEFAULTS, readRunnerSettings } from "../config.js";
import { ArmGateway } from "../azure/arm-gateway.js";
import { ArmClients, armCredential } from "../azure/clients.js";
import { openStores, TABLES } from "../state/tables.js";
import { RequestFinishes, SignallingRequestStore } from "./finished-requests.js";
import { startArmStandIn, type ArmStandIn, type ArmStandInOptions } from "./arm-standin/index.js";
import { startAzurite, type Azurite } from "./azurite.js";
import { LocalBus, type BusOptions } from "./bus.js";
import type { QueueName, QueueSender } from "../app/queue.js";
import { localRoutes } from "./routes.js";
import { useDeps } from "../functions/runtime.js";
import { ARM_RATE_LIMITS, scaleLimits, withLimits } from "../domain/arm-limits.js";
import { DEFAULT_MAX_THROTTLE_WAIT_MS } from "../app/arm-pacing.js";
import { installFunctionsCore, toTypedData, type FunctionsCoreStandIn } from "./functions-core.js";
import { startLocalIssuer, type LocalIssuer } from "./local-issuer.js";

/** The app, loaded once per process the way the worker loads it (main.ts registers every function). */
async function loadApp(): Promise<FunctionsCoreStandIn> {
  const core = installFunctionsCore();
  await import("../main.js");
  return core;
}

export interface LocalHostOptions {
  /** Another ARM (real Azure, a sovereign cloud, an emulator) instead of the stand-in. */
  armEndpoint?: string;
  /** A static token for that ARM (else DefaultAzureCredential). */
  armAccessToken?: string;
  standIn?: ArmStandInOptions;
  bus?: BusOptions;
  /** HTTP port for the /api routes; undefined = no HTTP server. */
  httpPort?: number;
  settings?: Partial<RunnerSettings>;
  quiet?: boolean;
  /** Every line a function invocation logs (what Application Insights would receive). */
  onLog?: (line: string, functionName: string, invocationId: string) => void;
  /** The host is its own token issuer (AUTH_MODE=local): tokens are checked, and minted at POST /local/token. */
  localIssuer?: boolean;
}

export interface LocalHost {
  deps: AppDeps;
  bus: LocalBus;
  standIn?: ArmStandIn;
  azurite: Azurite;
  /** With `localIssuer`: the issuer whose tokens the app accepts. */
  issuer?: LocalIssuer;
  url?: string;
  /** Resolves when request `id` is next saved in a final state (subscribe, then read its state). */
  nextFinish(id: string): Promise<void>;
  /**
   * Restarts the function side as a Functions host restart does: in-flight invocations are lost
   * (their messages redelivered), then new clients and ports on the same Azurite, ARM and queues.
   * `deps` names the new ports afterwards; `beforeStart` sees them before any message is delivered.
   */
  restart(beforeStart?: (deps: AppDeps) => void): Promise<void>;
  close(): Promise<void>;
}

export const NO_TOKEN_CHECK_WARNING = "warning: AUTH_AUDIENCE is not set: calls need no token and act as one local caller with every right (loopback only; set AUTH_AUDIENCE and AUTH_TENANT_ID, or AUTH_ISSUER and AUTH_JWKS_URI, to check tokens)";
export const NO_POLICY_WARNING = "warning: AUTH_MODE=local without CALLER_POLICY: every caller with a token is refused; set CALLER_POLICY to give the roles their operations and scopes";
export const UNRESTRICTED_WARNING = "warning: ALLOWED_SCOPES is not set: requests may act on any subscription the credential reaches (allowed on the local host only)";

/** Re-checks on the stand-in follow its (scaled-down) Retry-After; keep the floor low locally. */
export const LOCAL_SETTINGS: RunnerSettings = { ...DEFAULT_SETTINGS, minRecheckMs: 50, maxRecheckMs: 5_000 };

export async function startLocalHost(given: LocalHostOptions = {}): Promise<LocalHost> {
  const [azurite, standIn, issuer] = await Promise.all([startAzurite(), given.armEndpoint ? undefined : startArmStandIn(given.standIn), given.localIssuer ? startLocalIssuer() : undefined]);
  // Its tokens are checked as the tenant's are in Azure: CALLER_POLICY says what their roles may do.
  const opts = issuer ? { ...given, settings: { auth: issuer.settings, ...given.settings } } : given;
  const bus = new LocalBus({ maxDeliveryCount: 10, ...opts.bus });
  const log = opts.quiet ? () => {} : (m: string) => console.error(`[host] ${m}`);
  const finishes = new RequestFinishes();
  let side = await startFunctionSide(opts, azurite, standIn, bus, log, finishes);
  const deps = side.deps;
  // Unrestricted is for the local host only (the Functions app refuses to start without the setting).
  if (!deps.settings.allowedScopes && !opts.quiet) console.warn(UNRESTRICTED_WARNING);
  if (!deps.settings.auth && !opts.quiet) console.warn(NO_TOKEN_CHECK_WARNING);
  if (issuer && !deps.settings.callerPolicy && !opts.quiet) console.warn(NO_POLICY_WARNING);

  const core = await loadApp();
  // What the worker sends the host: each line a function logs, under its invocation (as Application
  // Insights files it).
  core.log = (level, category, message, invocation) => {
    if (category !== "user" || level === "debug" || level === "trace") return;
    if (invocation) opts.onLog?.(message, invocation.functionName, invocation.invocationId);
    log(invocation ? `${invocation.functionName}: ${message}` : message);
  };
  // Each Service Bus-triggered function on its queue, with the binding data the host sends
  // (message id, delivery count, enqueued time, application properties: the trace travels there);
  // returning completes, throwing abandons.
  for (const { functionName, binding } of core.byTrigger("serviceBusTrigger"))
    bus.subscribe(String(binding.queueName) as QueueName, async (m) => {
      const metadata = {
        MessageId: { string: m.messageId },
        DeliveryCount: { int: m.deliveryCount },
        EnqueuedTimeUtc: { string: m.enqueuedAt.toISOString() },
        ApplicationProperties: { json: JSON.stringify(m.applicationProperties ?? {}) },
      };
      await core.invoke(functionName, toTypedData(m.body), metadata);
    });

  let server: http.Server | undefined;
  let url: string | undefined;
  if (opts.httpPort !== undefined) {
    server = http.createServer(localRoutes(core, bus, issuer));
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(opts.httpPort, "127.0.0.1", () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  const queues = core.byTrigger("serviceBusTrigger").map(({ binding }) => String(binding.queueName) as QueueName);
  const host: LocalHost = {
    deps,
    bus,
    standIn,
    azurite,
    issuer,
    url,
    nextFinish: (id) => finishes.next(id),
    async restart(beforeStart) {
      // The process is gone: its invocations die at their next call and their messages go back to
      // the queue (Service Bus redelivers them once the lock lapses). Nothing is delivered until the
      // new process is up; Azurite, ARM and the queued messages are untouched.
      queues.forEach((q) => bus.pause(q));
      side.stop();
      side = await startFunctionSide(opts, azurite, standIn, bus, log, finishes);
      host.deps = side.deps;
      beforeStart?.(host.deps);
      queues.forEach((q) => bus.resume(q));
    },
    async close() {
      bus.close();
      // Closing drops every connection at once: a keep-alive connection that is busy when close()
      // is called would otherwise hold the server open after its response.
      const closed = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server?.closeAllConnections();
      await closed;
      await Promise.all([azurite.stop(), standIn?.close(), issuer?.close()]);
    },
  };
  return host;
}

/**
 * What one host process holds: its storage and ARM clients and the bus sender, as the app's ports,
 * installed for the functions. `stop` ends that process: every call through its ports fails from
 * then on (and a call under way fails when it returns), as an invocation of a killed process stops.
 */
async function startFunctionSide(opts: LocalHostOptions, azurite: Azurite, standIn: ArmStandIn | undefined, bus: LocalBus, log: (m: string) => void, finishes: RequestFinishes) {
  let alive = true;
  const mortal = <T extends object>(port: T): T => untilStopped(port, () => alive);
  const stores = await openStores({ clientFor: azurite.tableClient });
  const clients = new ArmClients(
    standIn
      ? { endpoint: standIn.endpoint, credential: staticToken("local-stand-in"), agent: new https.Agent({ ca: standIn.caPem, keepAlive: true }) }
      : { endpoint: opts.armEndpoint!, credential: await armCredential(opts.armAccessToken) },
  );
  const deps: AppDeps = {
    requests: mortal(new SignallingRequestStore(stores.tableClient(TABLES.requests), finishes)),
    clusters: mortal(stores.clusters),
    upgrades: mortal(stores.upgrades),
    leases: mortal(stores.leases),
    queue: mortal<QueueSender>({ send: (queue, messages) => bus.send(queue, messages) }),
    arm: mortal(new ArmGateway(clients)),
    pacing: mortal(stores.pacing),
    // The runner settings in the environment, over the stand-in's defaults or Azure's: as the app reads them.
    settings: { ...readRunnerSettings(process.env, standIn ? { ...LOCAL_SETTINGS, ...standInPacing(opts.standIn) } : AZURE_RUNNER_DEFAULTS), ...opts.settings },
    now: () => new Date(),
    log,
  };
  useDeps(deps);
  return { deps, stop: () => (alive = false) };
}

/** The port's methods, failing once `alive()` is false (checked before the call and after it returns). */
function untilStopped<T extends object>(port: T, alive: () => boolean): T {
  const check = () => {
    if (!alive()) throw new Error("the host process stopped");
  };
  return new Proxy(port, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        check();
        const result = await value.apply(target, args);
        check();
        return result;
      };
    },
  });
}

/**
 * Pacing against the stand-in: ARM's limits (or the stand-in's overridden ones) on the stand-in's
 * clock, refill rates divided by its timeScale as its durations are multiplied by it; the longest
 * throttled wait scaled alike (at least a minute).
 */
function standInPacing(o: ArmStandInOptions = {}): Pick<RunnerSettings, "pacingLimits" | "maxThrottleWaitMs"> {
  const timeScale = o.timeScale ?? 1;
  const limits = withLimits(ARM_RATE_LIMITS, typeof o.throttling === "object" ? o.throttling : {});
  return { pacingLimits: scaleLimits(limits, timeScale), maxThrottleWaitMs: Math.max(60_000, DEFAULT_MAX_THROTTLE_WAIT_MS * timeScale) };
}

const staticToken = (token: string) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) });

