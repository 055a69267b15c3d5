import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const EXAMPLES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../examples");
/** The request examples (X.seed.json files beside them are the resources they expect to exist). */
export const exampleNames = () => readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json") && !f.endsWith(".seed.json"));
export const example = (name: string): any => JSON.parse(readFileSync(path.join(EXAMPLES_DIR, name), "utf8"));
export const SUB = "00000000-0000-0000-0000-000000000000";
/** The resources an example expects to exist (its X.seed.json), or none. */
export const exampleSeed = (name: string): { id: string }[] => {
  const file = path.join(EXAMPLES_DIR, name.replace(/\.json$/, ".seed.json"));
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];
};
