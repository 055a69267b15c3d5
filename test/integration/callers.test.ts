// Callers by identity, on the local host with the token check on: tokens minted here with a local
// key set (served as a JWKS over HTTP, as Entra ID publishes its keys), CALLER_POLICY giving two teams
// disjoint resource groups and an admin the subscription. Each rule is proved on HTTP and the queue,
// and every refusal makes zero ARM requests.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { localObjectId } from "../../src/local/local-issuer.js";
import { after, before, describe, it } from "node:test";
import { UnsecuredJWT } from "jose";
import { QUEUES } from "../../src/app/queue.js";
import type { CallerPolicy } from "../../src/domain/caller.js";
import type { LocalHost } from "../../src/local/host.js";
import { armWrites, startTestHost, waitForRequest } from "../helpers/local.js";
import { example, SUB } from "../helpers/examples.js";
import { AUDIENCE, ISSUER, startTokenIssuer, TENANT, type MintOptions, type TokenIssuer } from "../helpers/tokens.js";

const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const POLICY: CallerPolicy = {
  roles: {
    "Team.A": { operations: ["*"], scopes: [rg("rg-team-a*")], requests: "own" },
    "Team.B": { operations: ["create", "delete", "setPrivateCluster"], scopes: [rg("rg-team-b")], requests: "own" },
    "Platform.Admin": { operations: ["*"], scopes: [`/subscriptions/${SUB}`], requests: "scopes" },
    "Apps.Lead": { operations: ["delete"], scopes: [rg("rg-team-a-apps")], requests: "scopes" },
  },
};
const PEOPLE = {
  alice: { oid: "aaaaaaaa-0000-0000-0000-000000000001", upn: "alice@team-a.example", name: "Alice", roles: ["Team.A"] },
  bob: { oid: "bbbbbbbb-0000-0000-0000-000000000002", upn: "bob@team-b.example", name: "Bob", roles: ["Team.B"] },
  admin: { oid: "cccccccc-0000-0000-0000-000000000003", upn: "ops@platform.example", name: "Ops", roles: ["Platform.Admin"] },
  lead: { oid: "dddddddd-0000-0000-0000-000000000004", upn: "lead@team-a.example", name: "Lead", roles: ["Apps.Lead"] },
};

describe("callers by identity: tokens, CALLER_POLICY, requestedBy", () => {
  let host: LocalHost;
  let issuer: TokenIssuer;
  const logs: Record<string, unknown>[] = [];

  before(async () => {
    issuer = await startTokenIssuer();
    host = await startTestHost({
      httpPort: 0,
      settings: { allowedScopes: [`/subscriptions/${SUB}`.toLowerCase()], auth: issuer.settings, callerPolicy: POLICY },
      onLog: (line) => logs.push(JSON.parse(line)),
    });
  });
  after(async () => {
    await host?.close();
    await issuer?.close();
  });

  const mint = (who: keyof typeof PEOPLE, change: MintOptions = {}) => issuer.mint(PEOPLE[who], change);
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${host.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {}, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text.startsWith("{") ? JSON.parse(text) : text };
  };
  const create = (id: string, group: string) => ({ ...example("pod-sandboxing.json"), requestId: id, cluster: { ...example("pod-sandboxing.json").cluster, resourceGroup: group, name: `aks-${id}` } });
  /** Sends as another system does: the token in the message's application property. */
  const sendMessage = async (id: string, body: unknown, properties: Record<string, string>) => {
    await host.bus.send(QUEUES.requests, [{ body: JSON.stringify(body), messageId: `msg-${id}`, applicationProperties: properties }]);
    await host.bus.whenIdle();
  };
  const armRequests = () => host.standIn!.requests.length;

  it("each team creates in its own scopes, over HTTP and the queue; who asked is in the status document and every log line of the request", async () => {
    const posted = await call("POST", "/api/requests", await mint("alice"), create("alice-1", "rg-team-a-apps"));
    assert.equal(posted.status, 202, JSON.stringify(posted.body));
    const done = await waitForRequest(host, "alice-1");
    assert.equal(done.state, "Succeeded", JSON.stringify(done.error));
    assert.deepEqual(done.requestedBy, { via: "http", objectId: PEOPLE.alice.oid, appId: "caller-app", userPrincipalName: PEOPLE.alice.upn, displayName: "Alice", roles: ["Team.A"] });

    await sendMessage("bob-1", create("bob-1", "rg-team-b"), { authorization: `Bearer ${await mint("bob")}` });
    const bobs = await waitForRequest(host, "bob-1");
    assert.equal(bobs.state, "Succeeded", JSON.stringify(bobs.error));
    assert.equal(bobs.requestedBy?.via, "queue");
    assert.equal(bobs.requestedBy?.userPrincipalName, PEOPLE.bob.upn);

    const lines = logs.filter((l) => l.requestId === "alice-1");
    assert.ok(lines.length > 3);
    for (const l of lines) assert.match(String(l.requestedBy), /^alice@team-a\.example, oid aaaaaaaa-.*, via http$/, JSON.stringify(l));
    const page = await call("GET", "/requests/alice-1", await mint("alice"));
    assert.match(page.body, /Requested by alice@team-a\.example, oid aaaaaaaa-0000-0000-0000-000000000001, via http\./);
  });

  it("a request outside its caller's scopes or operations is refused with the field path: 403 on HTTP, Rejected on the queue, zero ARM requests", async () => {
    const before = armRequests();
    const http403 = await call("POST", "/api/requests", await mint("alice"), create("alice-in-b", "rg-team-b"));
    assert.equal(http403.status, 403);
    assert.equal(http403.headers.get("x-ms-error-code"), "Forbidden");
    assert.deepEqual(http403.body.error.details.map((d: { target: string }) => d.target), ["cluster"]);
    assert.match(http403.body.error.details[0].message, /outside the scopes alice@team-a\.example may act on/);
    assert.equal((await call("GET", "/api/requests/alice-in-b", await mint("alice"))).status, 404, "nothing recorded for a refused POST");
    const plan = await call("POST", "/api/requests?whatIf=true", await mint("alice"), create("alice-in-b", "rg-team-b"));
    assert.equal(plan.status, 403, "no plan shown either");

    const op = await call("POST", "/api/requests", await mint("bob"), { operation: "addSandboxPool", requestId: "bob-pool", cluster: { subscriptionId: SUB, resourceGroup: "rg-team-b", name: "aks-bob-1" }, nodePools: [{ name: "kata2", mode: "User", vmSize: "Standard_D4s_v3", count: 1, osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] });
    assert.equal(op.status, 403);
    assert.deepEqual(op.body.error.details.map((d: { target: string }) => d.target), ["operation"]);

    await sendMessage("bob-in-a", create("bob-in-a", "rg-team-a-apps"), { authorization: `Bearer ${await mint("bob")}` });
    const queued = await call("GET", "/api/requests/bob-in-a", await mint("bob"));
    assert.equal(queued.status, 200, "the sender sees its refused message");
    assert.equal(queued.body.state, "Rejected");
    assert.equal(queued.body.error.code, "Forbidden");
    assert.deepEqual(queued.body.error.details.map((d: { target: string }) => d.target), ["cluster"]);
    assert.equal(armRequests(), before, "zero ARM requests for every refusal");
    assert.equal(host.bus.deadLetters(QUEUES.requests).length, 0, "refused messages are completed, not dead-lettered");
  });

  it("reads, cancel and delete: each team sees and acts on its own requests only; the admin role on every request in its scopes", async () => {
    const [alice, bob, admin] = await Promise.all([mint("alice"), mint("bob"), mint("admin")]);
    const ids = async (token: string) => (await call("GET", "/api/requests", token)).body.value.map((r: { id: string }) => r.id).sort();
    assert.deepEqual(await ids(alice), ["alice-1"]);
    assert.deepEqual(await ids(bob), ["bob-1", "bob-in-a"]);
    assert.deepEqual(await ids(admin), ["alice-1", "bob-1", "bob-in-a"]);
    assert.equal((await call("GET", "/api/requests/alice-1", bob)).status, 404);
    assert.equal((await call("GET", "/api/requests/alice-1", admin)).status, 200);
    assert.equal((await call("POST", "/api/requests/alice-1:cancel", bob)).status, 404);
    assert.equal((await call("POST", "/api/requests/alice-1:cancel", admin)).status, 409, "allowed, but it has already finished");
    assert.equal((await call("GET", `/api/clusters/${SUB}/rg-team-a-apps/aks-alice-1`, bob)).status, 404);
    assert.equal((await call("GET", `/api/clusters/${SUB}/rg-team-a-apps/aks-alice-1`, alice)).status, 200);
    const listPage = await call("GET", "/", bob);
    assert.doesNotMatch(listPage.body, /alice-1/);
    assert.equal((await call("GET", "/requests/alice-1", bob)).status, 404);

    const before = armRequests();
    const bobDeletes = await call("POST", "/api/requests", bob, { operation: "delete", requestId: "bob-deletes-alice", deletes: "alice-1", confirm: true });
    assert.equal(bobDeletes.status, 400);
    assert.equal(bobDeletes.body.error.details[0].message, "no request with id 'alice-1' is known", "another team's request is not even known");
    assert.equal(armRequests(), before);
    const adminDeletes = await call("POST", "/api/requests", admin, { operation: "delete", requestId: "admin-deletes-alice", deletes: "alice-1", confirm: true });
    assert.equal(adminDeletes.status, 202, JSON.stringify(adminDeletes.body));
    assert.equal((await waitForRequest(host, "admin-deletes-alice")).state, "Succeeded");
  });

  it("another team's requestId is only 'taken': its status is never shown, it is neither repeated nor taken over, on either path", async () => {
    const [alice, bob] = await Promise.all([mint("alice"), mint("bob")]);
    const before = armRequests();
    // Alice's own rejection (an invalid body), under an id Bob then tries to take with a valid one.
    assert.equal((await call("POST", "/api/requests", alice, { ...create("alice-typo", "rg-team-a-apps"), nodePools: [] })).status, 400);
    const alicesRejection = JSON.stringify((await call("GET", "/api/requests/alice-typo", alice)).body.error);
    const attempts: [string, unknown][] = [
      ["a repeat of Bob's own body", create("bob-1", "rg-team-b")],
      ["the same body as Alice's request, under its id", { ...create("bob-1", "rg-team-b"), requestId: "alice-1" }],
      ["an invalid body under Alice's id", { requestId: "alice-1" }],
      ["a valid body under Alice's rejected id", create("alice-typo", "rg-team-b")],
      ["an invalid body under Alice's rejected id", { requestId: "alice-typo" }],
    ];
    for (const [what, body] of attempts.slice(1)) {
      const res = await call("POST", "/api/requests", bob, body);
      assert.equal(res.status, 409, what);
      assert.equal(res.body.error.code, "RequestIdConflict", what);
      assert.match(res.body.error.message, /is taken by another request: choose another requestId/, what);
      assert.doesNotMatch(JSON.stringify(res.body), /alice@|aaaaaaaa-|rg-team-a|"Alice"|Team\.A|steps":\[\{/, `${what}: nothing of Alice's request`);
    }
    assert.equal((await call("POST", "/api/requests", bob, attempts[0][1])).status, 202, "a caller's own id still answers with its request");
    await sendMessage("bob-takes-alice", { ...create("x", "rg-team-b"), requestId: "alice-typo" }, { authorization: `Bearer ${bob}` });
    assert.equal(host.bus.deadLetters(QUEUES.requests).some((m) => m.messageId === "msg-bob-takes-alice"), true, "on the queue: a conflict, dead-lettered with the reason");
    assert.equal(JSON.stringify((await call("GET", "/api/requests/alice-typo", alice)).body.error), alicesRejection, "Alice's rejection is untouched");
    assert.equal((await call("GET", "/api/requests/alice-1", alice)).body.state, "Succeeded");
    assert.equal(armRequests(), before, "nothing reached ARM");
  });

  it("what a request finds only as it runs, or a delete takes from the request it deletes, is held to the caller's scopes: no write outside them", async () => {
    const [alice, lead] = await Promise.all([mint("alice"), mint("lead")]);
    // A cluster of team A whose nodes sit in a hub VNet of another group: converting it would put the API server's subnet there.
    const hub = `/subscriptions/${SUB}/resourceGroups/rg-hub`;
    const vnet = `${hub}/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
    host.standIn!.seed({ id: hub, location: "westus2" });
    host.standIn!.seed({ id: vnet, location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.224.0.0/12"] }, subnets: [{ name: "nodes", properties: { addressPrefix: "10.224.0.0/16" } }] } });
    const pool = (name: string, mode: string) => ({ name, mode, count: 1, vmSize: "Standard_D4s_v3", osType: "Linux", vnetSubnetID: `${vnet}/subnets/nodes` });
    host.standIn!.seed({ id: `${rg("rg-team-a-apps")}/providers/Microsoft.ContainerService/managedClusters/aks-spoke`, location: "westus2", identity: { type: "SystemAssigned" }, properties: { kubernetesVersion: "1.30.3", dnsPrefix: "aks-spoke", networkProfile: { networkPlugin: "azure", outboundType: "loadBalancer" }, agentPoolProfiles: [pool("system", "System")] } });
    const writes = armWrites(host).length;
    const convert = await call("POST", "/api/requests", alice, { operation: "enableApiServerVnetIntegration", requestId: "alice-convert-spoke", cluster: { subscriptionId: SUB, resourceGroup: "rg-team-a-apps", name: "aks-spoke" }, network: { subnets: { apiServer: "10.225.0.0/28" } } });
    assert.equal(convert.status, 202, JSON.stringify(convert.body));
    const done = await waitForRequest(host, "alice-convert-spoke");
    assert.equal(done.state, "Failed");
    const refused = done.steps.find((x) => x.lastError?.code === "OutsideScopes" || x.error?.code === "OutsideScopes");
    assert.ok(refused, JSON.stringify(done.steps));
    assert.match(JSON.stringify(refused), /rg-hub.* is outside the scopes alice@team-a\.example may act on for enableApiServerVnetIntegration/);
    assert.deepEqual(armWrites(host).slice(writes), [], "nothing written in the hub");

    // Alice's cluster in rg-team-a-apps with its VNet in rg-team-a-net: a lead of rg-team-a-apps alone may not delete it.
    const withNet = { ...create("alice-net", "rg-team-a-apps"), network: { resourceGroup: "rg-team-a-net", vnetName: "vnet-a", addressPrefixes: ["10.10.0.0/16"], subnets: { nodes: "10.10.1.0/24" } } };
    const made = await call("POST", "/api/requests", alice, withNet);
    assert.equal(made.status, 202, JSON.stringify(made.body));
    assert.equal((await waitForRequest(host, "alice-net")).state, "Succeeded");
    const before = armRequests();
    const del = await call("POST", "/api/requests", lead, { operation: "delete", requestId: "lead-deletes-alice-net", deletes: "alice-net", confirm: true });
    assert.equal(del.status, 403, JSON.stringify(del.body));
    assert.ok(del.body.error.details.every((d: { target: string }) => d.target === "deletes"));
    assert.match(JSON.stringify(del.body.error.details), /rg-team-a-net.* is outside the scopes lead@team-a\.example may act on for delete/);
    assert.equal(armRequests(), before, "zero ARM requests");
  });

  it("a bad token on either path: a clear error, nothing recorded over HTTP, Rejected (Unauthenticated) on the queue, nothing written", async () => {
    const cases: [string, () => Promise<string | undefined>, RegExp][] = [
      ["no token", async () => undefined, /no (bearer )?token/],
      ["malformed", async () => "not.a-token", /not a well-formed signed JWT/],
      ["wrong signature", () => mint("alice", { forged: true }), /signature does not verify/],
      ["wrong issuer", () => mint("alice", { issuer: "https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0" }), /not issued by this app's tenant/],
      ["expired", () => mint("alice", { expires: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
      ["not yet valid", () => mint("alice", { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } }), /not valid yet \(nbf\)/],
      ["wrong audience", () => mint("alice", { audience: "api://another-app" }), /not for this app/],
      ["wrong tenant", () => mint("alice", { claims: { tid: "99999999-0000-0000-0000-000000000000" } }), /of tenant 99999999-.*not this app's/],
      ["unsigned (alg none)", async () => new UnsecuredJWT({ oid: PEOPLE.admin.oid, roles: ["Platform.Admin"], tid: TENANT }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("10m").encode(), /not a well-formed|algorithm/],
    ];
    const before = armRequests();
    for (const [name, token, why] of cases) {
      const posted = await call("POST", "/api/requests", await token(), create(`bad-${name.replace(/\W+/g, "-")}`, "rg-team-a-apps"));
      assert.equal(posted.status, 401, name);
      assert.equal(posted.body.error.code, "Unauthenticated", name);
      assert.match(posted.body.error.message, why, name);
      assert.match(posted.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token"/, name);
      assert.equal((await call("GET", "/api/requests", await token())).status, 401, `${name}: reads too`);

      const id = `badq-${name.replace(/\W+/g, "-")}`;
      const t = await token();
      await sendMessage(id, create(id, "rg-team-a-apps"), t ? { authorization: `Bearer ${t}` } : {});
      const rec = (await host.deps.requests.getRequest(id))!;
      assert.equal(rec.state, "Rejected", name);
      assert.equal(rec.error?.code, "Unauthenticated", name);
      assert.match(rec.error!.details![0].message, why, name);
      assert.equal(rec.requestedBy, undefined);
    }
    // The token sent, but in the wrong property.
    await sendMessage("badq-wrong-property", create("badq-wrong-property", "rg-team-a-apps"), { token: `Bearer ${await mint("alice")}` });
    const misplaced = (await host.deps.requests.getRequest("badq-wrong-property"))!;
    assert.equal(misplaced.error?.code, "Unauthenticated");
    assert.match(misplaced.error!.details![0].message, /a token was found in property 'token': it belongs in 'authorization'/);
    assert.equal(armRequests(), before, "nothing reached ARM");
  });
});

describe("the local host as its own token issuer (AUTH_MODE=local)", () => {
  let host: LocalHost;
  before(async () => (host = await startTestHost({ httpPort: 0, localIssuer: true, settings: { allowedScopes: [`/subscriptions/${SUB}`.toLowerCase()], callerPolicy: POLICY } })));
  after(async () => host?.close());

  /** `npm run provision -- token …` against this host, as a child process. */
  const tokenCli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/local/provision-cli.ts", "token", ...args], { env: { ...process.env, PORT: new URL(host.url!).port }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  const post = (token: string | undefined, body: unknown) =>
    fetch(`${host.url}/api/requests`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify(body) });
  const create = (id: string, group: string) => ({ ...example("pod-sandboxing.json"), requestId: id, cluster: { ...example("pod-sandboxing.json").cluster, resourceGroup: group, name: `aks-${id}` } });

  it("checks tokens: the CLI's token acts in its role's scopes as that caller, is refused elsewhere; no token is refused", async () => {
    const run = await tokenCli(["--name", "alice", "--role", "Team.A"]);
    assert.equal(run.code, 0, run.stderr);
    const token = run.stdout.trim();
    assert.equal((await post(undefined, create("li-none", "rg-team-a-apps"))).status, 401);
    assert.equal((await post(token, create("li-b", "rg-team-b"))).status, 403);
    assert.equal((await post(token, create("li-a", "rg-team-a-apps"))).status, 202);
    const done = await waitForRequest(host, "li-a");
    assert.deepEqual([done.state, done.requestedBy?.displayName, done.requestedBy?.objectId, done.requestedBy?.roles], ["Succeeded", "alice", localObjectId("alice"), ["Team.A"]]);
  });

  it("the token route wants a name and roles; the CLI says what is missing", async () => {
    const bad = await fetch(`${host.url}/local/token`, { method: "POST", body: JSON.stringify({ name: "alice" }) });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /"roles"/);
    const run = await tokenCli(["--name", "alice"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /token needs --name and at least one --role/);
  });
});

describe("the local host without a token check", () => {
  it("acts as one local caller with every right, recorded as such", async () => {
    const host = await startTestHost({ httpPort: 0 });
    try {
      const res = await fetch(`${host.url}/api/requests`, { method: "POST", body: JSON.stringify({ ...example("pod-sandboxing.json"), requestId: "local-1" }) });
      assert.equal(res.status, 202);
      assert.deepEqual((await waitForRequest(host, "local-1")).requestedBy, { via: "local", displayName: "local caller (no token check)" });
      assert.equal((await fetch(`${host.url}/local/token`, { method: "POST", body: JSON.stringify({ name: "alice", roles: ["Team.A"] }) })).status, 404, "it hands out no tokens");
    } finally {
      await host.close();
    }
  });
});
