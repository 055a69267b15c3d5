import type { HttpResponseInit } from "@azure/functions";

/**
 * A JSON answer. An error answer (status ≥ 400 with `error.code`) also carries the code in
 * `x-ms-error-code`, as the Azure REST API guidelines ask.
 */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => {
  const code = status >= 400 ? (body as { error?: { code?: unknown } } | undefined)?.error?.code : undefined;
  return {
    status,
    jsonBody: body,
    headers: { "content-type": "application/json", ...(typeof code === "string" ? { "x-ms-error-code": code } : {}), ...headers },
  };
};
