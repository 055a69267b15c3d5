// A client of the app's HTTP API (a deployed Function App, `npm start`, or the CLI's own local
// host): submit, follow the status monitor at its Retry-After, list, cancel.
import type { PlanDocument } from "../app/accept.js";
import type { DriftedCluster } from "../app/drift.js";
import type { RequestSummary } from "../app/request-list.js";
import type { StatusDocument } from "../app/status.js";

/** The app could not be reached, or would not answer (network error, 401/403, 5xx). */
export class Unreachable extends Error {}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(
    private readonly endpoint: string,
    /** A function key, sent as x-functions-key (the local host needs none). */
    private readonly key?: string,
    /** An Entra ID access token for the app, sent as Authorization: Bearer (when the app checks tokens). */
    private readonly token?: string,
  ) {}

  submit(request: unknown): Promise<Answer<StatusDocument>> {
    return this.call("POST", "/api/requests", request);
  }

  whatIf(request: unknown): Promise<Answer<PlanDocument | StatusDocument>> {
    return this.call("POST", "/api/requests?whatIf=true", request);
  }

  status(id: string): Promise<Answer<StatusDocument>> {
    return this.call("GET", `/api/requests/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<Answer<StatusDocument>> {
    return this.call("POST", `/api/requests/${encodeURIComponent(id)}:cancel`);
  }

  list(filter: { state?: string; cluster?: string; top?: number }): Promise<Answer<{ value: RequestSummary[] }>> {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return this.call("GET", `/api/requests${q.size ? `?${q}` : ""}`);
  }

  /** The held clusters that drifted, each with its diff. */
  drifted(): Promise<Answer<{ value: DriftedCluster[] }>> {
    return this.call("GET", "/api/clusters?drifted=true");
  }

  /** A token of npm start's own issuer (AUTH_MODE=local). */
  localToken(caller: { name: string; roles: string[] }): Promise<Answer<{ accessToken: string; objectId: string }>> {
    return this.call("POST", "/local/token", caller);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const url = new URL(path, this.endpoint.endsWith("/") ? this.endpoint : `${this.endpoint}/`);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(this.key ? { "x-functions-key": this.key } : {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    } catch (e) {
      throw new Unreachable(`could not reach ${url.origin}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
    }
    const text = await res.text();
    // The app's own refusals (a token, a caller's rights) carry its error; the host's carry none.
    const appError = /"code":"(Unauthenticated|Forbidden)"/.exec(text)?.[0];
    if (res.status === 401 && appError) throw new Unreachable(`${url.origin} refused the call (HTTP 401): ${JSON.parse(text).error.message}; set an access token for the app in AKS_PROVISIONER_TOKEN`);
    if ((res.status === 401 || res.status === 403) && !appError) throw new Unreachable(`${url.origin} refused the call (HTTP ${res.status}): set the function key in AKS_PROVISIONER_KEY`);
    if (res.status >= 500) throw new Unreachable(`${url.origin} failed (HTTP ${res.status}): ${text.slice(0, 300)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Unreachable(`${url} did not answer JSON (HTTP ${res.status}): is this the app's endpoint?`);
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}

/** Seconds from the monitor's Retry-After (1 when absent). */
export const retryAfter = (headers: Headers) => Math.max(0, Number(headers.get("retry-after") ?? 1) || 1);
