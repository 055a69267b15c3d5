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

export interface RecordedRequest {
  method: string;
  path: string;
  apiVersion?: string;
  body?: unknown;
  status: number;
  at: number;
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
  ) {}

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
      const fault = this.faults.find((f) => f.left > 0 && f.path.test(path) && (!f.method || f.method.toUpperCase() === method));
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
