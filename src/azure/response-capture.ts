// Captures the headers of the last ARM response of a call (Retry-After, Azure-AsyncOperation) so the
// runner can schedule its re-check when ARM says, without waiting inside the function. A pipeline
// policy writes into the AsyncLocalStorage slot that the gateway opens around each SDK call.
import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { operationFailure } from "./errors.js";

interface Slot { headers?: { get(name: string): string | undefined }; body?: string | null; requests: number }
const slot = new AsyncLocalStorage<Slot>();

export const captureResponsePolicy: PipelinePolicy = {
  name: "aksProvisionerCaptureResponse",
  async sendRequest(request, next) {
    const response = await next(request);
    const s = slot.getStore();
    if (s) {
      s.headers = response.headers;
      s.body = response.bodyAsText;
      s.requests++;
    }
    return response;
  },
};

/**
 * Runs an SDK call in a capture slot. A poller whose operation ended Failed or Canceled throws a
 * plain Error (core-lro keeps ARM's code only inside its message, and none for Canceled): the
 * operation status ARM answered last is what the call failed with, with ARM's code and message.
 */
export async function withCapture<T>(fn: () => Promise<T>): Promise<{ value: T; headers?: Slot["headers"]; requests: number }> {
  const s: Slot = { requests: 0 };
  try {
    const value = await slot.run(s, fn);
    return { value, headers: s.headers, requests: s.requests };
  } catch (e) {
    throw operationEnded(s.body) ?? e;
  }
}

/** ARM's operation status document (the Azure-AsyncOperation URL's answer) when it ended Failed or Canceled. */
function operationEnded(body: string | null | undefined) {
  if (!body) return undefined;
  let doc: { status?: unknown; error?: { code?: string; message?: string } };
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (doc.status !== "Failed" && doc.status !== "Canceled") return undefined;
  return operationFailure({ code: doc.error?.code ?? (doc.status === "Canceled" ? "Canceled" : undefined), message: doc.error?.message ?? `the long-running operation ended ${doc.status}` });
}
