// npm run provision -- FILE [--json] [--plan] [--seed FILE] [--then-delete]
// Runs one request end to end on the local host (Azurite, in-process bus, and the ARM stand-in,
// or the ARM that ARM_ENDPOINT names) with a progress display. Exit code 0 when the request
// Succeeded, 1 when it Failed or was Rejected, 2 on a usage error. With --json the last line on
// stdout is the final status document. With --plan it prints the plan and writes nothing. With
// --then-delete a request that succeeded is followed by a `delete` of it (the host's state lives
// only as long as the command, so a delete of an earlier run cannot be submitted on its own).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { acceptRequest, whatIf } from "../app/accept.js";
import { statusOf } from "../app/accept.js";
import type { StatusDocument } from "../app/status.js";
import type { ValidationError } from "../domain/rules.js";
import { readLocalConfig } from "../config.js";
import { parseJson } from "../domain/validate.js";
import { startLocalHost, UNRESTRICTED_WARNING } from "./host.js";

interface Args { file?: string; json: boolean; plan: boolean; seed?: string; timeoutMs: number; thenDelete: boolean }

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, plan: false, timeoutMs: 15 * 60_000, thenDelete: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") args.json = true;
    else if (a === "--plan") args.plan = true;
    else if (a === "--then-delete") args.thenDelete = true;
    else if (a === "--seed") args.seed = argv[++i];
    else if (a === "--timeout") args.timeoutMs = Number(argv[++i]) * 1000;
    else if (!a.startsWith("--") && !args.file) args.file = a;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
    if (!args.file) throw new Error("give the request file");
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: npm run provision -- FILE [--json] [--plan] [--seed RESOURCES.json] [--timeout SECONDS] [--then-delete]`);
    return 2;
  }
  const parsed = parseJson(await readFile(args.file!, "utf8"));

  if (args.plan) {
    const result = parsed.ok ? await whatIf(parsed.value, { allowedScopes: readLocalConfig(process.env).allowedScopes }) : parsed;
    if (!result.ok) {
      printErrors(result.errors);
      return 1;
    }
    if (args.json) console.log(JSON.stringify(result.plan));
    else printPlan(result.plan);
    return 0;
  }

  const { armEndpoint, armAccessToken } = readLocalConfig(process.env);
  const host = await startLocalHost({ armEndpoint, armAccessToken, quiet: true });
  if (!host.deps.settings.allowedScopes) console.error(UNRESTRICTED_WARNING);
  // Interrupted: stop Azurite and the stand-in before leaving (a parent's death is covered by the children themselves).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.once(signal, () => void host.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 143)));
  const out = args.json ? (s: string) => console.error(s) : (s: string) => console.log(s);
  try {
    // Resources that must exist before the request (an existing cluster, a VNet): --seed FILE, or
    // FILE's sibling X.seed.json next to X.json. Only the stand-in is seeded; a real ARM has its own.
    const seedFile = args.seed ?? (existsSync(args.file!.replace(/\.json$/, ".seed.json")) ? args.file!.replace(/\.json$/, ".seed.json") : undefined);
    if (seedFile && host.standIn) for (const r of JSON.parse(await readFile(seedFile, "utf8"))) host.standIn.seed(r);
    out(`ARM: ${armEndpoint ?? `local stand-in at ${host.standIn!.endpoint}`}; Tables: Azurite on port ${host.azurite.port}`);
    const run = async (raw: unknown, parseErrors?: ValidationError[]): Promise<StatusDocument> => {
      const started = Date.now();
      const writesBefore = host.standIn?.writes().length ?? 0;
      const outcome = await acceptRequest(host.deps, raw, undefined, parseErrors);
      let status: StatusDocument = outcome.status;
      const seen = new Map<string, string>();
      const show = (s: StatusDocument) => {
        for (const step of s.steps) {
          const line = `${step.state}${step.waitingFor ? ` (${step.waitingFor})` : ""}${step.lastError ? ` [retry: ${step.lastError.code}]` : ""}`;
          if (seen.get(step.name) !== line) {
            seen.set(step.name, line);
            out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${step.name.padEnd(40)} ${line}`);
          }
        }
      };
      while (!["Succeeded", "Failed", "Rejected"].includes(status.state) && Date.now() - started < args.timeoutMs) {
        show(status);
        await new Promise((r) => setTimeout(r, 100));
        status = (await statusOf(host.deps, status.id))!;
      }
      show(status);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const writes = host.standIn?.writes().slice(writesBefore);
      const arm = writes ? `; ARM writes: ${writes.length}` : "";
      out(`${status.operation} ${status.id}: ${status.state} in ${seconds}s${arm}`);
      if (status.operation === "delete" && writes) for (const w of writes) out(`  ${w.method} ${w.path.split("?")[0]}`);
      if (status.error) out(`error: ${status.error.code}: ${status.error.message}`);
      if (status.error?.details) printErrors(status.error.details);
      if (status.outputs && !args.json) out(`outputs: ${JSON.stringify(status.outputs, null, 2)}`);
      return status;
    };
    let status = await run(parsed.ok ? parsed.value : undefined, parsed.ok ? undefined : parsed.errors);
    if (args.thenDelete && status.state === "Succeeded") status = await run({ operation: "delete", deletes: status.id, confirm: true });
    if (args.json) console.log(JSON.stringify(status));
    return status.state === "Succeeded" ? 0 : 1;
  } finally {
    await host.close();
  }
}

function printErrors(errors: { path: string; message: string; source?: string }[]): void {
  for (const e of errors) console.error(`  ${e.path || "(body)"}: ${e.message}${e.source ? `  [${e.source}]` : ""}`);
}

function printPlan(plan: { operation: string; target: string; warnings: string[]; steps: { name: string; dependsOn: string[]; writes: string; resourceId?: string }[] }): void {
  console.log(`${plan.operation} ${plan.target}`);
  for (const w of plan.warnings) console.log(`warning: ${w}`);
  for (const s of plan.steps) {
    console.log(`- ${s.name}: ${s.writes}`);
    if (s.resourceId) console.log(`    resource: ${s.resourceId}`);
    console.log(`    after: ${s.dependsOn.length ? s.dependsOn.join(", ") : "(nothing)"}`);
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
