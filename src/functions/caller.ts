// Who is calling over HTTP: with the token check on (AUTH_AUDIENCE), the caller of a valid Entra ID
// bearer token, or a 401 naming what was wrong; without it (the local host, AUTH_MODE=off) the one
// local caller with every right. The function key the Functions host checks first is not enough.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { LOCAL_CALLER, type Caller } from "../domain/caller.js";
import { json } from "./http-util.js";
import { runnerSettings } from "./runtime.js";

export async function httpCaller(request: HttpRequest): Promise<{ caller: Caller } | { refused: HttpResponseInit }> {
  const { auth } = await runnerSettings();
  if (!auth) return { caller: LOCAL_CALLER };
  const { bearerToken, callerFromToken, Unauthenticated } = await import("../app/tokens.js");
  try {
    return { caller: await callerFromToken(bearerToken(request.headers.get("authorization")), auth, "http") };
  } catch (e) {
    if (!(e instanceof Unauthenticated)) throw e;
    const challenge = `Bearer error="invalid_token", error_description="${e.message.replace(/["\\]/g, "'")}"`;
    return { refused: json(401, { error: { code: "Unauthenticated", message: e.message } }, { "www-authenticate": challenge }) };
  }
}

/** 403 with every problem and its field path: the caller may not make this request. */
export const forbidden = (details: { path: string; message: string; source?: string }[]) =>
  json(403, { state: "Rejected", status: "Failed", error: { code: "Forbidden", message: `${details.length} problem(s): not allowed for this caller; nothing was written`, details: details.map((d) => ({ code: "Forbidden", message: d.message, target: d.path, path: d.path, source: d.source })) } });
