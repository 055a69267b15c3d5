// The local host: runs the same function handlers the Functions host runs, with Azurite (Tables),
// the in-process bus (Service Bus semantics) and, unless ARM_ENDPOINT names another ARM, the ARM
// stand-in. It serves the routes the Functions host would: /api/... and the Event Grid webhook.
import http from "node:http";
import https from "node:https";
import functions from "@azure/functions";
import type { AppDeps, RunnerSettings } from "../app/deps.js";
import { DEFAULT_SETTINGS, settingsFromEnv } from "../app/deps.js";
import { ArmGateway } from "../azure/arm-gateway.js";
import { ArmClients, armCredential } from "../azure/clients.js";
import { QUEUES } from "../app/queue.js";
import { openStores } from "../state/tables.js";
import { startArmStandIn, type ArmStandIn, type ArmStandInOptions } from "./arm-standin/index.js";
import { startAzurite, type Azurite } from "./azurite.js";
import { LocalBus, type BusOptions, type ReceivedMessage } from "./bus.js";
import { localRoutes, type InvocationContextFactory } from "./routes.js";
import { useDeps } from "../functions/runtime.js";
import { clusterRequest } from "../functions/intake.js";
import { provisioningStep } from "../functions/steps.js";
import { nodeImageUpgrade } from "../functions/upgrades.js";

const { InvocationContext } = functions;

export interface LocalHostOptions {
  /** Another ARM (real Azure, a sovereign cloud, an emulator) instead of the stand-in. */
  armEndpoint?: string;
  standIn?: ArmStandInOptions;
  bus?: BusOptions;
  /** HTTP port for the /api routes; undefined = no HTTP server. */
  httpPort?: number;
  settings?: Partial<RunnerSettings>;
  quiet?: boolean;
  /** Every line a function invocation logs (what Application Insights would receive). */
  onLog?: (line: string, functionName: string, invocationId: string) => void;
}

export interface LocalHost {
  deps: AppDeps;
  bus: LocalBus;
  standIn?: ArmStandIn;
  azurite: Azurite;
  url?: string;
  close(): Promise<void>;
}

export const UNRESTRICTED_WARNING = "warning: ALLOWED_SCOPES is not set: requests may act on any subscription the credential reaches (allowed on the local host only)";

/** Re-checks on the stand-in follow its (scaled-down) Retry-After; keep the floor low locally. */
export const LOCAL_SETTINGS: RunnerSettings = { ...DEFAULT_SETTINGS, minRecheckMs: 50, maxRecheckMs: 5_000 };

export async function startLocalHost(opts: LocalHostOptions = {}): Promise<LocalHost> {
  const [azurite, standIn] = await Promise.all([startAzurite(), opts.armEndpoint ? undefined : startArmStandIn(opts.standIn)]);
  const stores = await openStores({ connectionString: azurite.connectionString });
  const clients = new ArmClients(
    standIn
      ? { endpoint: standIn.endpoint, credential: staticToken("local-stand-in"), agent: new https.Agent({ ca: standIn.caPem, keepAlive: true }) }
      : { endpoint: opts.armEndpoint!, credential: await armCredential() },
  );
  const bus = new LocalBus({ maxDeliveryCount: 10, ...opts.bus });
  const log = opts.quiet ? () => {} : (m: string) => console.error(`[host] ${m}`);
  const deps: AppDeps = {
    requests: stores.requests,
    clusters: stores.clusters,
    upgrades: stores.upgrades,
    queue: bus,
    arm: new ArmGateway(clients),
    settings: { ...(standIn ? LOCAL_SETTINGS : DEFAULT_SETTINGS), allowedScopes: settingsFromEnv(process.env).allowedScopes, ...opts.settings },
    now: () => new Date(),
    log,
  };
  useDeps(deps);
  // Unrestricted is for the local host only (the Functions app refuses to start without the setting).
  if (!deps.settings.allowedScopes && !opts.quiet) console.warn(UNRESTRICTED_WARNING);

  // As the Functions host: a fresh invocation id per invocation, the triggering message's
  // application properties in the trigger metadata, an HTTP caller's traceparent in the trace context.
  const context: InvocationContextFactory = (name, init = {}) => {
    const invocationId = crypto.randomUUID();
    return new InvocationContext({
      functionName: name,
      invocationId,
      ...init,
      logHandler: (level, ...args) => {
        if (level === "debug" || level === "trace") return;
        opts.onLog?.(args.join(" "), name, invocationId);
        log(`${name}: ${args.join(" ")}`);
      },
    });
  };
  const fromMessage = (name: string, m: ReceivedMessage) => context(name, { triggerMetadata: { messageId: m.messageId, deliveryCount: m.deliveryCount, applicationProperties: m.applicationProperties ?? {} } });
  bus.subscribe(QUEUES.steps, (m) => provisioningStep(m.body, fromMessage("provisioningStep", m)));
  bus.subscribe(QUEUES.upgrades, (m) => nodeImageUpgrade(m.body, fromMessage("nodeImageUpgrade", m)));
  bus.subscribe(QUEUES.requests, async (m, settle) => {
    await clusterRequest(m.body, m.messageId, { complete: async () => {}, deadLetter: async (r, d) => settle.deadLetter(r, d) }, fromMessage("clusterRequest", m), m.applicationProperties);
  });

  let server: http.Server | undefined;
  let url: string | undefined;
  if (opts.httpPort !== undefined) {
    server = http.createServer(localRoutes(bus, context));
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(opts.httpPort, "127.0.0.1", () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  return {
    deps,
    bus,
    standIn,
    azurite,
    url,
    async close() {
      bus.close();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server?.closeAllConnections();
      await Promise.all([azurite.stop(), standIn?.close()]);
    },
  };
}

const staticToken = (token: string) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) });

