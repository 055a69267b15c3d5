// A JSON-schema subset walker for ARM request bodies, checked against excerpts of the published
// REST specifications (test/fixtures/arm-specs/*.json). An excerpt is written in wire format (the
// `properties` envelope kept, `$ref`s resolved as far as the app's bodies go) and keeps, per model,
// the properties the app sets plus what the spec requires there. Keywords: type, properties,
// required, readOnly, enum (+ extensible for `x-ms-enum.modelAsString: true`), items,
// additionalProperties (a schema, for string maps such as tags).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface SchemaNode {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  properties?: Record<string, SchemaNode>;
  required?: string[];
  readOnly?: boolean;
  enum?: string[];
  /** The spec's x-ms-enum modelAsString: true (an unlisted value is a warning, not an error). */
  extensible?: boolean;
  items?: SchemaNode;
  additionalProperties?: SchemaNode;
}

export interface SpecExcerpt {
  resourceType: string;
  apiVersion: string;
  source: { repo: string; path: string; commit: string; model: string };
  /** Further spec files the excerpt resolves `$ref`s into. */
  refs?: { path: string; commit: string; models: string[] }[];
  note?: string;
  schema: SchemaNode;
}

export interface Findings {
  errors: string[];
  warnings: string[];
}

const typeOf = (v: unknown): string => (Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v);

/** Every way `body` departs from `schema`, with the JSON path of each. */
export function checkBody(body: unknown, schema: SchemaNode, at = "$"): Findings {
  const out: Findings = { errors: [], warnings: [] };
  walk(body, schema, at, out);
  return out;
}

function walk(value: unknown, schema: SchemaNode, at: string, out: Findings): void {
  const actual = typeOf(value);
  if (schema.type && !(schema.type === actual || (schema.type === "number" && actual === "integer"))) {
    out.errors.push(`${at}: ${actual} where the spec has ${schema.type}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    const message = `${at}: "${String(value)}" is not one of ${schema.enum.join(", ")}`;
    if (schema.extensible) out.warnings.push(`${message} (the enum is extensible)`);
    else out.errors.push(message);
  }
  if (actual === "array" && schema.items) (value as unknown[]).forEach((v, i) => walk(v, schema.items!, `${at}[${i}]`, out));
  if (actual !== "object") return;
  const obj = value as Record<string, unknown>;
  for (const name of schema.required ?? []) if (obj[name] === undefined) out.errors.push(`${at}.${name}: required by the spec, missing`);
  for (const [name, v] of Object.entries(obj)) {
    const child = schema.properties?.[name];
    if (child?.readOnly) out.errors.push(`${at}.${name}: read-only in the spec, sent`);
    else if (child) walk(v, child, `${at}.${name}`, out);
    else if (schema.additionalProperties) walk(v, schema.additionalProperties, `${at}.${name}`, out);
    else out.errors.push(`${at}.${name}: not defined by the spec`);
  }
}

/** `…/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/default` → `Microsoft.Network/privateEndpoints/privateDnsZoneGroups`. */
export function resourceTypeOf(armPath: string): string {
  const parts = armPath.split("?")[0].split("/").filter(Boolean);
  const providers = parts.map((p) => p.toLowerCase()).lastIndexOf("providers");
  if (providers < 0) return parts.length === 4 && parts[2].toLowerCase() === "resourcegroups" ? "Microsoft.Resources/resourceGroups" : parts.join("/");
  const types: string[] = [];
  for (let i = providers + 2; i < parts.length; i += 2) types.push(parts[i]);
  return `${parts[providers + 1]}/${types.join("/")}`;
}

export const SPECS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/arm-specs");

/** The excerpts by `{resourceType}@{apiVersion}` (resource type lower-cased: ARM ignores its case). */
export function loadExcerpts(dir = SPECS_DIR): Map<string, SpecExcerpt> {
  const excerpts = new Map<string, SpecExcerpt>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const e = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as SpecExcerpt;
    excerpts.set(excerptKey(e.resourceType, e.apiVersion), e);
  }
  return excerpts;
}

export const excerptKey = (resourceType: string, apiVersion: string | undefined) => `${resourceType.toLowerCase()}@${apiVersion ?? "(none)"}`;
