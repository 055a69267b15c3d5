import type { HttpResponseInit } from "@azure/functions";

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { "content-type": "application/json", ...headers },
});
