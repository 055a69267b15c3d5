// Writes what callers read, generated from the zod schemas: the request contract as JSON Schema
// (docs/request.schema.json) and the HTTP API as OpenAPI 3.1 (docs/openapi.json). Part of the build.
import { writeFile } from "node:fs/promises";
import { openApiDocument } from "../src/app/openapi.js";
import { requestJsonSchema } from "../src/domain/contract.js";

await writeFile("docs/request.schema.json", JSON.stringify(requestJsonSchema(), null, 2) + "\n");
await writeFile("docs/openapi.json", JSON.stringify(openApiDocument(), null, 2) + "\n");
console.log("wrote docs/request.schema.json and docs/openapi.json");
