// Production bundle for the Functions host: one CommonJS file. SDK modules imported with import()
// stay lazily evaluated inside it, so cold start loads only what the first invocation needs.
// @azure/functions-core is supplied by the worker at run time and must stay external.
import { build } from "esbuild";

const result = await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  outfile: "dist/main.cjs",
  external: ["@azure/functions-core"],
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`dist/main.cjs: ${(bytes / 1024 / 1024).toFixed(2)} MiB (with source map)`);
