// A local stand-in for Azure Resource Manager, reached over real HTTPS by the real SDK clients.
// It keeps what ARM's contract promises the app: resources by id (case-insensitive), PUT/PATCH/GET/
// DELETE/list, long-running operations with Azure-AsyncOperation and Retry-After, ARM's error
// bodies and codes, 409s for a busy resource, provider and preview-feature registration, and the
// per-type behaviours in behaviours/ that make a test fail where Azure would refuse. Durations are
// Azure's (latencies.ts: public figures, or estimates) divided by SPEEDUP, times `timeScale`.
//
//   store.ts       resources by id          operations.ts  LROs, evaluated lazily (no timers)
//   router.ts      ARM's generic semantics  server.ts      HTTPS, auth, api-version, faults, record
//   providers.ts   registrations            behaviours/    one file per resource provider
//   latencies.ts   durations per type, with their sources
import type https from "node:https";
import { INITIAL_NODE_IMAGE } from "./behaviours/containerservice.js";
import { localCertificate } from "./cert.js";
import { Operations, type Operation, type OperationFault } from "./operations.js";
import { Registrations } from "./providers.js";
import { Router } from "./router.js";
import { Front, listen, type FaultRule, type FaultSchedule, type RecordedRequest } from "./server.js";

export type { FaultRule, FaultSchedule, OperationFault, RecordedRequest };
import { ResourceStore } from "./store.js";
import { Throttling, type ThrottlingOption } from "./throttling.js";

export type { ThrottlingOption };

export interface ArmStandInOptions {
  /** Default 0 (a random port); the host is always 127.0.0.1. */
  port?: number;
  /** Multiplies every simulated duration; default 1; 0 = every async operation completes on the first poll. */
  timeScale?: number;
  /**
   * Entra's replication delay, by count: the first N role assignments naming a newly created
   * user-assigned identity answer PrincipalNotFound (default 0).
   */
  principalNotFoundAttempts?: number;
  /**
   * The stand-in's clock (default: the wall clock). A test that needs an operation to still be
   * running when its next request arrives passes a clock it moves itself, so a slow machine cannot
   * let the operation finish first.
   */
  now?: () => number;
  /**
   * ARM's request limits (default off): per subscription and principal, reads 250 refilled at 25/s,
   * writes and deletes 200 refilled at 10/s, the AKS provider's cluster and pool writes a burst of 20
   * then one a minute; an empty bucket answers 429 with Retry-After. Refill rates are divided by
   * timeScale, as durations are multiplied by it. An object overrides some numbers.
   */
  throttling?: ThrottlingOption;
  /** What upgradeNodeImageVersion moves pools to. */
  latestNodeImageVersion?: { ubuntu: string; azureLinux: string };
}

export interface ArmStandIn {
  /** "https://127.0.0.1:PORT" */
  endpoint: string;
  /** PEM of the self-signed certificate: https.Agent({ ca }) or a file for NODE_EXTRA_CA_CERTS. */
  caPem: string;
  /** Every request, in order (operation-status polls included). */
  requests: RecordedRequest[];
  /** Every long-running operation started (what it ran on, when it started, when it is or was done). */
  operations(): Pick<Operation, "resourceId" | "label" | "startedAt" | "doneAt" | "status">[];
  /** Only PUT/PATCH/POST/DELETE that reached a resource (not faults, not refusals), in order. */
  writes(): RecordedRequest[];
  /** The stored resource as a GET answers it (a copy), id case-insensitive. */
  get(id: string): any | undefined;
  /** Resources whose id starts with prefix (case-insensitive), as GETs answer them. */
  list(prefix: string): any[];
  /** Preloads a resource as if it existed (provisioned, no reference checks), with the type's "on provisioned" behaviour. */
  seed(resource: { id: string; location?: string; properties?: any; [k: string]: unknown }): void;
  /** The next matching request(s) answer `status` with ARM's error body, without touching state. */
  addFault(rule: FaultRule): void;
  /** The next matching long-running operation(s) end Failed or Canceled with ARM's error, instead of succeeding. */
  addOperationFault(rule: OperationFault): void;
  /** From now on, faults by a seeded schedule (undefined: none). */
  setFaultSchedule(schedule: FaultSchedule | undefined): void;
  /** These providers answer registrationState NotRegistered (and refuse writes) until POST …/register. */
  setUnregisteredProviders(namespaces: string[]): void;
  close(): Promise<void>;
}

export const DEFAULT_LATEST_NODE_IMAGE = { ubuntu: "AKSUbuntu-2204gen2containerd-202411.12.0", azureLinux: "AKSAzureLinux-V2gen2-202411.12.0" };
export { INITIAL_NODE_IMAGE };

export async function startArmStandIn(options: ArmStandInOptions = {}): Promise<ArmStandIn> {
  const now = options.now ?? (() => Date.now());
  const certificate = await localCertificate();
  const store = new ResourceStore(now);
  const operations = new Operations(now, options.timeScale ?? 1);
  const registrations = new Registrations();
  let endpoint = "";
  const router = new Router({
    store,
    operations,
    registrations,
    now,
    endpoint: () => endpoint,
    settings: {
      principalNotFoundAttempts: options.principalNotFoundAttempts ?? 0,
      principalRefusals: new Map(),
      latestNodeImageVersion: options.latestNodeImageVersion ?? DEFAULT_LATEST_NODE_IMAGE,
    },
  });
  const timeScale = options.timeScale ?? 1;
  const throttling = options.throttling ? new Throttling(options.throttling, now, timeScale) : undefined;
  const front = new Front(router, now, throttling);
  const { server, port } = await listen(front, certificate, options.port ?? 0);
  endpoint = `https://127.0.0.1:${port}`;

  return {
    endpoint,
    caPem: certificate.cert,
    requests: front.requests,
    writes: () => front.writes(),
    operations: () => operations.all(),
    get(id) {
      operations.settle();
      const r = store.get(id);
      return r && router.view(r);
    },
    list(prefix) {
      operations.settle();
      return store.withPrefix(prefix).map((r) => router.view(r));
    },
    seed: (resource) => router.seed(resource),
    addFault: (rule) => front.addFault(rule),
    addOperationFault: (rule) => operations.addFault(rule),
    setFaultSchedule: (schedule) => front.setFaultSchedule(schedule),
    setUnregisteredProviders: (namespaces) => registrations.setUnregistered(namespaces),
    close: () => closeServer(server),
  };
}

function closeServer(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
