// The layers of docs/design.md, read off the source's own import lines: the domain imports nothing
// of the app's; the app imports only the domain (its ports are its own files), never an adapter, a
// trigger or the local host; the adapters implement the app's ports and never reach the triggers.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const SRC = path.resolve("src");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));

/** Every relative import (static or dynamic, type-only included) of a file, as a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specs.map((s) => path.relative(SRC, path.resolve(path.dirname(file), s)).split(path.sep).join("/"));
}

const layerOf = (rel: string) => rel.split("/")[0].replace(/\.(ts|js)$/, "");

/** What each layer may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  domain: [],
  app: ["domain", "lazy"],
  azure: ["app", "domain", "lazy"],
  state: ["app", "domain"],
  messaging: ["app", "domain"],
};

describe("layers", () => {
  for (const [layer, allowed] of Object.entries(ALLOWED))
    it(`src/${layer} imports only ${allowed.length ? allowed.map((l) => `src/${l}`).join(", ") : "itself"}`, () => {
      const offending = files(path.join(SRC, layer)).flatMap((f) =>
        importsOf(f)
          .filter((target) => layerOf(target) !== layer && !allowed.includes(layerOf(target)))
          .map((target) => `${path.relative(SRC, f)} -> ${target}`),
      );
      assert.deepEqual(offending, []);
    });

  it("the check reads imports: src/app/run-step.ts is seen importing the domain", () => {
    assert.ok(importsOf(path.join(SRC, "app/run-step.ts")).some((t) => t.startsWith("domain/")));
  });
});
