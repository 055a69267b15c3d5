// ARM errors are classified once, here: transient (retry later) or terminal (the step fails with
// ARM's own code and message). See DESIGN rule 4.
import { ArmError } from "../app/arm.js";

/** 409 codes that mean "busy, try later", not "conflicting request". */
const BUSY_CODES = new Set(["operationnotallowed", "anotheroperationinprogress", "conflict", "resourcebusy", "etagmismatch", "retryableerror"]);
/** Codes that are transient whatever the status: Entra replication delay right after an identity is created, throttling. */
const TRANSIENT_CODES = new Set(["principalnotfound", "toomanyrequests", "subscriptionrequeststhrottled", "internalservererror", "serviceunavailable", "gatewaytimeout", "retryableerror", "operationtimedout"]);

export function classifyArmError(e: unknown): ArmError {
  if (e instanceof ArmError) return e;
  const err = e as { statusCode?: number; code?: string; message?: string; details?: { error?: { code?: string; message?: string } }; response?: { headers?: { get(n: string): string | undefined }; bodyAsText?: string } };
  const status = err.statusCode;
  const body = parseBody(err.response?.bodyAsText);
  const code = body?.code ?? err.details?.error?.code ?? err.code ?? (status ? `Http${status}` : "NetworkError");
  const message = body?.message ?? err.details?.error?.message ?? err.message ?? String(e);
  const lc = code.toLowerCase();
  const transient =
    status === undefined || // no answer: network error, timeout, connection reset
    status === 408 ||
    status === 429 ||
    status >= 500 ||
    (status === 409 && BUSY_CODES.has(lc)) ||
    TRANSIENT_CODES.has(lc);
  return new ArmError(code, message, status, transient, retryAfterMs(err.response?.headers));
}

/** An LRO that ended Failed: ARM's error from the operation status. */
export function operationFailure(error: { code?: string; message?: string } | undefined): ArmError {
  const code = error?.code ?? "OperationFailed";
  return new ArmError(code, error?.message ?? "the long-running operation failed", undefined, TRANSIENT_CODES.has(code.toLowerCase()));
}

function parseBody(text?: string): { code?: string; message?: string } | undefined {
  if (!text) return undefined;
  try {
    const j = JSON.parse(text);
    return j.error ?? j;
  } catch {
    return undefined;
  }
}

/** Retry-After as ARM sends it: retry-after-ms / x-ms-retry-after-ms, else Retry-After (seconds or a date). */
export function retryAfterMs(headers?: { get(name: string): string | undefined | null }): number | undefined {
  if (!headers) return undefined;
  for (const h of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = Number(headers.get(h));
    if (headers.get(h) && Number.isFinite(v)) return v;
  }
  const ra = headers.get("retry-after");
  if (!ra) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs * 1000;
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
