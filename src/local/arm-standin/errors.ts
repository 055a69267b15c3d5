// ARM's error answer: always `{ "error": { "code", "message" } }` with the status ARM uses.
import type { ParsedId } from "./ids.js";

export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (code: string, message: string) => new ArmError(400, code, message);
export const conflict = (code: string, message: string) => new ArmError(409, code, message);

export function resourceGroupNotFound(rg: string): ArmError {
  return new ArmError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
}

/** ARM's own 404 for a resource it does not know (the wording ARM uses, link included). */
export function resourceNotFound(id: ParsedId): ArmError {
  const where = id.rg ? ` under resource group '${id.rg}'` : "";
  return new ArmError(404, "ResourceNotFound", `The Resource '${id.type}/${id.name}'${where} was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}
