// The HTTPS front of the stand-in: what ARM's front door checks before any resource provider sees
// a request (a bearer token, an api-version), injected faults, and the record of every request.
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { ArmError } from "./errors.js";
import { canonical } from "./ids.js";
import type { Reply } from "./providers.js";
import type { Router } from "./router.js";
import { principalOf, type Throttling } from "./throttling.js";

export interface RecordedRequest {
  method: string;
  path: string;
  apiVersion?: string;
  body?: unknown;
  status: number;
  at: number;
}

/**
 * Faults chosen by a seeded schedule: each request, in the order they arrive, is answered 429 (with
 * Retry-After) with probability `throttle`, else 500 with probability `serverError`. The same seed
 * gives the same sequence of decisions.
 */
export interface FaultSchedule {
  seed: number;
  throttle: number;
  serverError: number;
  /** Retry-After of the 429s, in seconds (ARM's header is in seconds); default 1. */
  retryAfterSeconds?: number;
}

export interface FaultRule {
  method?: string;
  path: RegExp;
  status: number;
  code: string;
  message?: string;
  retryAfterSeconds?: number;
  /** Default 1. */
  times?: number;
}

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-[A-Za-z0-9.]+)?$/;

export class Front {
  readonly requests: RecordedRequest[] = [];
  /** Requests answered by an injected fault: they never reached a resource. */
  private readonly faulted = new WeakSet<RecordedRequest>();
  private readonly faults: (FaultRule & { left: number })[] = [];

  constructor(
    private readonly router: Router,
    private readonly now: () => number,
    /** ARM's request limits, when the stand-in models them. */
    private readonly throttling?: Throttling,
  ) {}

  private schedule?: { plan: FaultSchedule; next: () => number };

  setFaultSchedule(plan: FaultSchedule | undefined): void {
    this.schedule = plan && { plan, next: mulberry32(plan.seed) };
  }

  addFault(rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  /** Writes that reached a resource and were accepted (no fault, no 4xx/5xx), in order. */
  writes(): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        ["PUT", "PATCH", "POST", "DELETE"].includes(r.method) &&
        !this.faulted.has(r) &&
        r.status > 0 &&
        r.status < 400 &&
        // Provider and feature registrations are subscription settings, not resource writes.
        !/\/providers\/[^/]+\/(un)?register$/i.test(r.path) &&
        !/\/providers\/Microsoft\.Features\//i.test(r.path),
    );
  }

  /** The schedule's decision for this request, as a one-time rule. */
  private scheduledFault(): (FaultRule & { left: number }) | undefined {
    if (!this.schedule) return undefined;
    const { plan, next } = this.schedule;
    const r = next();
    if (r < plan.throttle)
      return { path: /./, status: 429, code: "TooManyRequests", message: "The request is being throttled (injected by the fault schedule).", retryAfterSeconds: plan.retryAfterSeconds ?? 1, left: 1 };
    if (r < plan.throttle + plan.serverError) return { path: /./, status: 500, code: "InternalServerError", message: "Injected by the fault schedule.", left: 1 };
    return undefined;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Not new URL(req.url): the authorization SDK puts the scope into the path as is
    // ("//subscriptions/…"), which a URL parser would read as a host name.
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
    const path = canonical(safeDecode(q >= 0 ? raw.slice(0, q) : raw).replace(/\/{2,}/g, "/").replace(/(.)\/+$/, "$1"));
    const method = (req.method ?? "GET").toUpperCase();
    const apiVersion = query.get("api-version") ?? undefined;
    const text = await readBody(req);
    const record: RecordedRequest = { method, path, apiVersion, status: 0, at: this.now() };
    this.requests.push(record);
    const send = (reply: Reply) => {
      record.status = reply.status;
      const body = reply.body === undefined || reply.status === 204 || method === "HEAD" ? "" : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        "content-type": "application/json; charset=utf-8",
        "x-ms-request-id": randomUUID(),
        "x-ms-correlation-request-id": String(req.headers["x-ms-correlation-request-id"] ?? randomUUID()),
        ...reply.headers,
      });
      res.end(body);
    };
    const fail = (e: ArmError) => send({ status: e.status, body: e.body(), headers: e.headers });
    let body: unknown;
    let unreadable = false;
    try {
      body = text ? JSON.parse(text) : undefined;
      record.body = body;
    } catch {
      unreadable = true;
    }
    try {
      if (!/^Bearer\s+\S+/i.test(String(req.headers.authorization ?? "")))
        throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", { "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' });
      if (!apiVersion) throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
      if (!API_VERSION.test(apiVersion)) throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported versions are dates such as '2024-01-01' or '2024-01-01-preview'.`);
      if (this.throttling) {
        let remaining: Record<string, string>;
        try {
          remaining = this.throttling.take(method, path, principalOf(String(req.headers.authorization)));
        } catch (e) {
          this.faulted.add(record);
          throw e;
        }
        for (const [name, value] of Object.entries(remaining)) res.setHeader(name, value);
      }
      const fault = this.faults.find((f) => f.left > 0 && f.path.test(path) && (!f.method || f.method.toUpperCase() === method)) ?? this.scheduledFault();
      if (fault) {
        fault.left--;
        this.faulted.add(record);
        const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {};
        throw new ArmError(fault.status, fault.code, fault.message ?? `Injected fault ${fault.code}.`, headers);
      }
      if (unreadable) throw new ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
      send(this.router.handle({ method, path, query, body, apiVersion }));
    } catch (e) {
      if (e instanceof ArmError) return fail(e);
      fail(new ArmError(500, "InternalServerError", `ARM stand-in error: ${(e as Error).stack ?? e}`));
    }
  }
}

/** A small seeded PRNG (mulberry32): the same seed, the same sequence in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Listens on 127.0.0.1 with the given certificate; resolves with the server and its port. */
export async function listen(front: Front, cert: { key: string; cert: string }, port: number): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => void front.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
