// Production bundle for the Functions host: dist/main.mjs (package.json "main") and the chunks it
// loads on demand. ES modules with code splitting: each `import()` in the source (the app layer in
// the handlers, each SDK in its adapter) becomes a chunk read on first use, so a cold start parses
// only the registrations and @azure/functions. @azure/functions-core is supplied by the worker at
// run time and must stay external; bundled CommonJS packages `require` it (and Node built-ins)
// through a require made for the module.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Builds dist/ and answers esbuild's metafile (every output with what it imports). */
export async function bundle() {
  rmSync("dist", { recursive: true, force: true });
  return (await build(OPTIONS)).metafile;
}

const OPTIONS = {
  entryPoints: { main: "src/main.ts" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  splitting: true,
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  external: ["@azure/functions-core"],
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outputs = Object.entries((await bundle()).outputs).filter(([f]) => f.endsWith(".mjs"));
  const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
  const main = outputs.find(([f]) => f === "dist/main.mjs")[1];
  console.log(`dist/main.mjs: ${mib(main.bytes)}; ${outputs.length - 1} chunks loaded on demand: ${mib(outputs.reduce((n, [, o]) => n + o.bytes, 0) - main.bytes)}`);
}
