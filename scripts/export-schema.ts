// Writes the request contract as JSON Schema (docs/request.schema.json) for callers.
import { writeFile } from "node:fs/promises";
import { requestJsonSchema } from "../src/domain/contract.js";

await writeFile("docs/request.schema.json", JSON.stringify(requestJsonSchema(), null, 2) + "\n");
console.log("wrote docs/request.schema.json");
