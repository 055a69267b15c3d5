// npm run provision -- …: submit a request and follow it, on the local host (Azurite, in-process
// bus, ARM stand-in or ARM_ENDPOINT) or on a deployed app (--endpoint); status, list and cancel.
// Progress goes to stderr, the document to stdout. Usage and exit codes: HELP below.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { whatIf } from "../app/accept.js";
import type { StatusDocument } from "../app/status.js";
import { isTerminal } from "../app/status.js";
import { readLocalConfig } from "../config.js";
import { parseResourceId } from "../domain/naming.js";
import { parseJson } from "../domain/validate.js";
import { ApiClient, retryAfter, Unreachable } from "./api-client.js";
import { startLocalHost, UNRESTRICTED_WARNING, type LocalHost } from "./host.js";
import { progressView } from "./progress-view.js";

const HELP = `usage:
  npm run provision -- FILE [--endpoint URL] [-o json|table] [--plan] [--then-delete] [--seed RESOURCES.json] [--timeout SECONDS]
  npm run provision -- status ID [--wait] [--endpoint URL] [-o json|table]
  npm run provision -- list [--state STATE] [--cluster NAME] [--top N] [--endpoint URL] [-o json|table]
  npm run provision -- cancel ID [--endpoint URL] [-o json|table]
  npm run provision -- drift [CLUSTER] [--endpoint URL] [-o json|table]
  npm run provision -- token --name NAME --role ROLE [--role ROLE …] [--endpoint URL]

FILE          a request (docs/contract.md); submitted, then followed until it finishes
--endpoint    the app's URL (https://APP.azurewebsites.net); the function key comes from
              AKS_PROVISIONER_KEY, an access token for the app (when it checks tokens) from
              AKS_PROVISIONER_TOKEN. Without it, FILE runs on a local host of its own (its ARM is
              the local stand-in, or ARM_ENDPOINT), and status/list/cancel ask http://127.0.0.1:7071
              (npm start)
-o, --output  json: the document on stdout as one line of JSON; table (default): for people
--json        the same as -o json
--plan        validate and print the plan; nothing is written
--then-delete when FILE's request succeeds, submit a delete of it and follow that too (on the
              local stand-in, its DELETEs are listed in order); the document is the delete's
--seed FILE   resources the local ARM stand-in starts with (default: FILE's X.seed.json beside it)
--wait        status: follow the request until it finishes
--timeout     stop following after this many seconds (default 900)
drift         the clusters whose hardened settings were changed outside this app, each setting
              with its desired and actual value (CLUSTER: a name or SUBSCRIPTION/GROUP/NAME; none:
              every held cluster)
token         an access token of npm start's own issuer (AUTH_MODE=local) for the caller NAME
              with these app roles, on stdout: AKS_PROVISIONER_TOKEN=$(npm run -s provision --
              token --name alice --role Team.A)

Progress goes to stderr (rows redrawn in a terminal, one line per change otherwise), the document
to stdout.
exit codes: 0 succeeded (status, list: answered; cancel: canceled; drift: nothing drifted), 1 failed
or canceled (cancel: it finished otherwise; drift: something drifted), 2 rejected (an invalid request, an unknown id, a usage error), 3 could not
reach the app (network, 401/403, 5xx)`;

const EXIT = { succeeded: 0, failed: 1, rejected: 2, unreachable: 3 } as const;
const exitFor = (doc: StatusDocument) => (doc.state === "Rejected" ? EXIT.rejected : doc.state === "Failed" || doc.state === "Canceled" ? EXIT.failed : EXIT.succeeded);

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      output: { type: "string", short: "o" },
      plan: { type: "boolean", default: false },
      "then-delete": { type: "boolean", default: false },
      seed: { type: "string" },
      endpoint: { type: "string" },
      wait: { type: "boolean", default: false },
      timeout: { type: "string", default: "900" },
      state: { type: "string" },
      cluster: { type: "string" },
      top: { type: "string" },
      name: { type: "string" },
      role: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const output = values.json ? "json" : (values.output ?? "table");
  if (output !== "json" && output !== "table") throw new UsageError(`-o must be json or table, not ${output}`);
  const timeoutMs = Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new UsageError("--timeout takes a number of seconds");
  return { ...values, output, timeoutMs, positionals };
}
type Args = ReturnType<typeof parse>;

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${HELP}`);
    return EXIT.rejected;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const [command, id, ...rest] = args.positionals;
  const client = () => new ApiClient(args.endpoint ?? `http://127.0.0.1:${readLocalConfig(process.env).port}`, process.env.AKS_PROVISIONER_KEY, process.env.AKS_PROVISIONER_TOKEN);
  try {
    if (rest.length) throw new UsageError(`unexpected ${rest.join(" ")}`);
    if (command === "list" && !id) return await list(client(), args);
    if (command === "drift" && !existsSync(command)) return await drift(client(), id, args);
    if (command === "token" && !existsSync(command)) {
      if (id) throw new UsageError(`unexpected ${id}`);
      return await token(client(), args);
    }
    if ((command === "status" || command === "cancel") && !existsSync(command)) {
      if (!id) throw new UsageError(`${command} needs a request id`);
      return command === "status" ? await status(client(), id, args) : await cancel(client(), id, args);
    }
    if (!command || id) throw new UsageError(command ? `unexpected ${id}` : "give a request file, or status, list, cancel, drift or token");
    return await submitFile(command, args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${HELP}`);
      return EXIT.rejected;
    }
    if (e instanceof Unreachable) {
      console.error(e.message);
      return EXIT.unreachable;
    }
    throw e;
  }
}

async function token(api: ApiClient, args: Args): Promise<number> {
  if (!args.name || !args.role?.length) throw new UsageError("token needs --name and at least one --role");
  const answer = await api.localToken({ name: args.name, roles: args.role });
  if (answer.status !== 200) {
    console.error((answer.body as { error?: string }).error ?? `HTTP ${answer.status}`);
    return EXIT.rejected;
  }
  console.log(answer.body.accessToken);
  return EXIT.succeeded;
}

async function submitFile(file: string, args: Args): Promise<number> {
  const text = await readFile(file, "utf8").catch((e: Error) => {
    throw new UsageError(`cannot read ${file}: ${e.message}`);
  });
  if (args.plan && !args.endpoint) {
    // Validation and planning are pure: no host, nothing written.
    const parsed = parseJson(text);
    const result = parsed.ok ? await whatIf(parsed.value, { allowedScopes: readLocalConfig(process.env).allowedScopes }) : parsed;
    if (!result.ok) {
      printErrors(result.errors);
      return EXIT.rejected;
    }
    return printPlan(result.plan, args);
  }
  let host: LocalHost | undefined;
  try {
    let endpoint = args.endpoint;
    if (!endpoint) {
      const { armEndpoint, armAccessToken } = readLocalConfig(process.env);
      const local = (host = await startLocalHost({ armEndpoint, armAccessToken, quiet: true, httpPort: 0 }));
      if (!host.deps.settings.allowedScopes) console.error(UNRESTRICTED_WARNING);
      // Interrupted: stop Azurite and the stand-in before leaving (a parent's death is covered by the children themselves).
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
        process.once(signal, () => void local.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 143)));
      // Resources that must exist before the request (an existing cluster, a VNet): --seed FILE, or
      // FILE's sibling X.seed.json. Only the stand-in is seeded; a real ARM has its own.
      const sibling = file.replace(/\.json$/, ".seed.json");
      const seedFile = args.seed ?? (sibling !== file && existsSync(sibling) ? sibling : undefined);
      if (seedFile && host.standIn) for (const r of JSON.parse(await readFile(seedFile, "utf8"))) host.standIn.seed(r);
      console.error(`ARM: ${armEndpoint ?? `local stand-in at ${host.standIn!.endpoint}`}; Tables: Azurite on port ${host.azurite.port}; status page: ${host.url}/`);
      endpoint = host.url!;
    }
    const api = new ApiClient(endpoint, args.endpoint ? process.env.AKS_PROVISIONER_KEY : undefined, process.env.AKS_PROVISIONER_TOKEN);
    if (args.plan) {
      const answer = await api.whatIf(text);
      if (answer.status !== 200) return rejected(answer.body as StatusDocument, args);
      return printPlan(answer.body as Parameters<typeof printPlan>[0], args);
    }
    /** Submits one request and follows it to the end: its final document, or an exit code when refused. */
    const run = async (body: string): Promise<StatusDocument | number> => {
      const started = Date.now();
      const writesBefore = host?.standIn?.writes().length ?? 0;
      const submitted = await api.submit(body);
      if (submitted.status === 400 || submitted.status === 403) return rejected(submitted.body, args);
      if (submitted.status === 409) {
        console.error(`refused: ${submitted.body.error?.code}: ${submitted.body.error?.message}`);
        return EXIT.rejected;
      }
      console.error(`${submitted.body.id}: ${submitted.headers.get("operation-location")}`);
      const final = await follow(api, submitted.body, retryAfter(submitted.headers), args.timeoutMs, host ? 250 : 5000);
      const writes = host?.standIn?.writes().slice(writesBefore);
      const arm = host?.standIn ? `; ARM requests: ${host.standIn.requests.length} (writes: ${writes!.length})` : "";
      console.error(`${final.operation} ${final.id}: ${final.state} in ${((Date.now() - started) / 1000).toFixed(1)}s${arm}`);
      if (final.operation === "delete" && writes) for (const w of writes) console.error(`  ${w.method} ${w.path.split("?")[0]}`);
      return final;
    };
    let final = await run(text);
    if (typeof final === "number") return final;
    // The local host's state lives only as long as the command: a delete of its request is submitted here.
    if (args["then-delete"] && final.state === "Succeeded") {
      final = await run(JSON.stringify({ operation: "delete", deletes: final.id, confirm: true }));
      if (typeof final === "number") return final;
    }
    printStatus(final, args);
    return isTerminal(final.state) ? exitFor(final) : EXIT.failed;
  } finally {
    await host?.close();
  }
}

/** Follows the status monitor at its Retry-After (at most `maxPollMs` apart) until it finishes or the time is up. */
async function follow(api: ApiClient, doc: StatusDocument, waitSeconds: number, timeoutMs: number, maxPollMs: number): Promise<StatusDocument> {
  const started = Date.now();
  const view = progressView(process.stderr, started);
  view.show(doc);
  while (!isTerminal(doc.state)) {
    if (Date.now() - started > timeoutMs) {
      console.error(`still ${doc.status} after ${timeoutMs / 1000}s; follow it with: npm run provision -- status ${doc.id} --wait`);
      break;
    }
    await new Promise((r) => setTimeout(r, Math.min(waitSeconds * 1000, maxPollMs)));
    const answer = await api.status(doc.id);
    doc = answer.body;
    waitSeconds = retryAfter(answer.headers);
    view.show(doc);
  }
  return doc;
}

async function status(api: ApiClient, id: string, args: Args): Promise<number> {
  const answer = await api.status(id);
  if (answer.status === 404) return notFound(id);
  const doc = args.wait ? await follow(api, answer.body, retryAfter(answer.headers), args.timeoutMs, 5000) : answer.body;
  printStatus(doc, args);
  return exitFor(doc);
}

async function cancel(api: ApiClient, id: string, args: Args): Promise<number> {
  const answer = await api.cancel(id);
  if (answer.status === 404) return notFound(id);
  if (answer.status === 409) {
    console.error(`${id} is already ${answer.body.state}: nothing to cancel`);
    printStatus(answer.body, args);
    return EXIT.failed;
  }
  console.error(`canceling ${id}: no new step starts; ARM writes in flight finish`);
  const doc = await follow(api, answer.body, retryAfter(answer.headers), args.timeoutMs, 5000);
  printStatus(doc, args);
  return doc.state === "Canceled" ? EXIT.succeeded : EXIT.failed;
}

async function list(api: ApiClient, args: Args): Promise<number> {
  const answer = await api.list({ state: args.state, cluster: args.cluster, top: args.top === undefined ? undefined : Number(args.top) });
  if (answer.status !== 200) {
    printErrors((answer.body as unknown as StatusDocument).error?.details ?? []);
    return EXIT.rejected;
  }
  if (args.output === "json") console.log(JSON.stringify(answer.body));
  else
    table(
      ["REQUEST", "OPERATION", "CLUSTER", "STATUS", "CREATED"],
      answer.body.value.map((r) => [r.id, r.operation, r.target.split("/").at(-1) ?? "", r.status, r.createdAt]),
    );
  return EXIT.succeeded;
}

/** Exit 1 when anything drifted: a pipeline can gate on it. */
async function drift(api: ApiClient, cluster: string | undefined, args: Args): Promise<number> {
  const answer = await api.drifted();
  // NAME, or SUBSCRIPTION/GROUP/NAME: compared with the id's own segments, case-folded.
  const wanted = cluster?.toLowerCase().split("/");
  const matches = (id: string) => {
    const { subscriptionId, resourceGroup, name } = parseResourceId(id);
    const have = [subscriptionId, resourceGroup, name].map((x) => x.toLowerCase());
    return !wanted || wanted.join("/") === have.slice(-wanted.length).join("/");
  };
  const drifted = answer.body.value.filter((c) => c.drift.length && matches(c.id));
  if (args.output === "json") console.log(JSON.stringify({ value: drifted }));
  else if (!drifted.length) console.log(cluster ? `${cluster}: no drift` : "no held cluster drifted");
  else
    table(
      ["CLUSTER", "SETTING", "DESIRED", "ACTUAL", "SEEN BY", "DETECTED", "RESTORE"],
      drifted.flatMap((c) => c.drift.map((e) => [c.id.split("/").at(-1)!, e.setting, JSON.stringify(e.desired), JSON.stringify(e.actual), e.via, e.detectedAt, e.restore ?? (c.policy === "report" ? "(report only)" : "")])),
    );
  return drifted.length ? EXIT.failed : EXIT.succeeded;
}

function notFound(id: string): number {
  console.error(`no request ${id}`);
  return EXIT.rejected;
}

function rejected(doc: StatusDocument, args: Args): number {
  console.error(`rejected: ${doc.error?.message ?? "invalid request"}`);
  printErrors(doc.error?.details ?? []);
  if (args.output === "json") console.log(JSON.stringify(doc));
  return EXIT.rejected;
}

function printStatus(doc: StatusDocument, args: Args): void {
  if (args.output === "json") return console.log(JSON.stringify(doc));
  console.log(`${doc.id}: ${doc.status} (${doc.state}), ${doc.operation} of ${doc.target}`);
  table(
    ["STEP", "STATE", "ATTEMPTS", "DETAIL"],
    doc.steps.map((s) => [s.name, s.state, String(s.attempts), s.error ? `${s.error.code}: ${s.error.message}` : (s.waitingFor ?? s.lastError?.code ?? "")]),
  );
  if (doc.error) {
    console.log(`error: ${doc.error.code}: ${doc.error.message}`);
    for (const d of doc.error.details ?? []) console.log(`  ${d.target ?? ""}: ${d.message}`);
  }
  if (doc.outputs) console.log(`outputs: ${JSON.stringify(doc.outputs, null, 2)}`);
}

function printErrors(errors: { path?: string; target?: string; message: string; source?: string }[]): void {
  for (const e of errors) console.error(`  ${e.target ?? e.path ?? "(body)"}: ${e.message}${e.source ? `  [${e.source}]` : ""}`);
}

function printPlan(plan: { operation: string; target: string; warnings: string[]; steps: { name: string; dependsOn: string[]; writes: string; resourceId?: string }[] }, args: Args): number {
  if (args.output === "json") {
    console.log(JSON.stringify(plan));
    return EXIT.succeeded;
  }
  console.log(`${plan.operation} ${plan.target}`);
  for (const w of plan.warnings) console.log(`warning: ${w}`);
  for (const s of plan.steps) {
    console.log(`- ${s.name}: ${s.writes}`);
    if (s.resourceId) console.log(`    resource: ${s.resourceId}`);
    console.log(`    after: ${s.dependsOn.length ? s.dependsOn.join(", ") : "(nothing)"}`);
  }
  return EXIT.succeeded;
}

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
