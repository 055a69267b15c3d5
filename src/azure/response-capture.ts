// Captures the headers of the last ARM response of a call (Retry-After, Azure-AsyncOperation) so the
// runner can schedule its re-check when ARM says, without waiting inside the function. A pipeline
// policy writes into the AsyncLocalStorage slot that the gateway opens around each SDK call.
import { AsyncLocalStorage } from "node:async_hooks";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

interface Slot { headers?: { get(name: string): string | undefined }; requests: number }
const slot = new AsyncLocalStorage<Slot>();

export const captureResponsePolicy: PipelinePolicy = {
  name: "aksProvisionerCaptureResponse",
  async sendRequest(request, next) {
    const response = await next(request);
    const s = slot.getStore();
    if (s) {
      s.headers = response.headers;
      s.requests++;
    }
    return response;
  },
};

export async function withCapture<T>(fn: () => Promise<T>): Promise<{ value: T; headers?: Slot["headers"]; requests: number }> {
  const s: Slot = { requests: 0 };
  const value = await slot.run(s, fn);
  return { value, headers: s.headers, requests: s.requests };
}
