// The Bicep templates, read as text (no Bicep compiler installs here: `az bicep build` and
// `azd provision --preview` are the checks with Azure at hand). What must hold: identity-only
// security settings, the app settings the code reads and no others, the code's queues and function
// names, the roles on target scopes, and no key, SAS or connection string in infra/ or src/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { before, describe, it } from "node:test";
import { SETTINGS } from "../../src/config.js";
import { QUEUES } from "../../src/app/queue.js";
import { HELD_RESOURCE_TYPES } from "../../src/domain/events.js";
import { installFunctionsCore, type FunctionsCoreStandIn } from "../../src/local/functions-core.js";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const files = (dir: string): string[] =>
  readdirSync(path.join(root, dir)).flatMap((f) => (statSync(path.join(root, dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));

/** The text of a Bicep object or array literal that follows `marker` (balanced braces/brackets). */
function block(source: string, marker: string): string {
  const start = source.indexOf(marker);
  assert.ok(start >= 0, `${marker} not found`);
  const open = source.slice(start + marker.length).search(/[{[]/) + start + marker.length;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if ("{[".includes(source[i])) depth++;
    if ("}]".includes(source[i]) && --depth === 0) return source.slice(open, i + 1);
  }
  throw new Error(`unbalanced block after ${marker}`);
}

/** The top-level keys of a Bicep object literal (one `key: value` per line). */
const keysOf = (obj: string) => [...obj.matchAll(/^\s{2}(\w+):/gm)].map((m) => m[1]);

const main = read("infra/main.bicep");
const api = read("infra/app/api.bicep");
const roles = JSON.parse(read("infra/roles.json"));

describe("infra/: the Bicep templates azd deploys", () => {
  let core: FunctionsCoreStandIn;
  before(async () => {
    core = installFunctionsCore();
    await import("../../src/main.js");
  });

  it("the Function App: Flex Consumption FC1, Node.js 22, user-assigned identity only, package from blob by that identity, HTTPS only, no basic auth", () => {
    assert.match(block(main, "module plan"), /name: 'FC1'\s+tier: 'FlexConsumption'/);
    assert.match(api, /runtime: \{\s+name: 'node'\s+version: '22'\s+\}/);
    assert.match(api, /managedIdentities: \{\s+systemAssigned: false\s+userAssignedResourceIds: \[identityId\]/);
    assert.match(block(api, "deployment:"), /type: 'blobContainer'[\s\S]*type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identityId/);
    assert.match(api, /httpsOnly: true/);
    assert.match(block(api, "basicPublishingCredentialsPolicies:"), /\{ name: 'ftp', allow: false \}\s+\{ name: 'scm', allow: false \}/);
    assert.match(api, /minTlsVersion: '1.2'/);
  });

  it("storage: shared keys off, TLS 1.2, HTTPS only, no public blob access; Service Bus Standard, local auth off, no SAS rules; Application Insights with Entra auth only", () => {
    const storage = block(main, "module storage");
    for (const p of [/allowSharedKeyAccess: false/, /allowBlobPublicAccess: false/, /supportsHttpsTrafficOnly: true/, /minimumTlsVersion: 'TLS1_2'/]) assert.match(storage, p);
    const bus = block(main, "module serviceBus");
    for (const p of [/skuObject: \{ name: 'Standard' \}/, /disableLocalAuth: true/, /authorizationRules: \[\]/]) assert.match(bus, p);
    assert.match(block(main, "module applicationInsights"), /disableLocalAuth: true/);
    assert.match(api, /APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=\$\{identityClientId\};Authorization=AAD'/);
  });

  it("every connection is identity-based: __credential managedidentity and __clientId of the app identity for Storage and Service Bus", () => {
    const settings = block(api, "var appSettings =");
    for (const conn of ["AzureWebJobsStorage", "ServiceBusConnection"]) {
      assert.match(settings, new RegExp(`${conn}__credential: 'managedidentity'`));
      assert.match(settings, new RegExp(`${conn}__clientId: identityClientId`));
    }
    assert.match(settings, /AZURE_CLIENT_ID: identityClientId/);
  });

  it("app settings: exactly the settings src/config.ts marks for Azure", () => {
    const set = keysOf(block(api, "var appSettings =")).sort();
    const expected = Object.entries(SETTINGS)
      .filter(([, s]) => s.azure)
      .map(([name]) => name)
      .sort();
    assert.deepEqual(set, expected);
  });

  it("queues: the code's queues and the queues its triggers listen on, duplicate detection where the runner re-sends, bounded delivery, dead-lettering on expiry", () => {
    const queues = block(main, "var queues =");
    const names = [...queues.matchAll(/name: '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(names.sort(), Object.values(QUEUES).sort());
    const triggered = core.byTrigger("serviceBusTrigger").map((f) => String(f.binding.queueName));
    for (const q of triggered) assert.ok(names.includes(q), `queue ${q} of a trigger is created`);
    for (const entry of queues.split(/\n\s{2}\{/).slice(1)) {
      const name = entry.match(/name: '([^']+)'/)![1];
      const dedup = name === QUEUES.steps || name === QUEUES.upgrades;
      assert.match(entry, new RegExp(`requiresDuplicateDetection: ${dedup}`), name);
      assert.match(entry, /maxDeliveryCount: \d+/, name);
      assert.match(entry, /deadLetteringOnMessageExpiration: true/, name);
    }
  });

  it("the app identity on its own resources: Blob Data Owner, Table Data Contributor, Service Bus Data Sender and Receiver, Monitoring Metrics Publisher", () => {
    const granted = [...main.matchAll(/roleDefinitionIdOrName: roles\.ownResources\.(\w+)/g)].map((m) => m[1]).sort();
    assert.deepEqual(granted, Object.keys(roles.ownResources).sort());
    assert.deepEqual(Object.keys(roles.ownResources).sort(), ["MonitoringMetricsPublisher", "ServiceBusDataReceiver", "ServiceBusDataSender", "StorageBlobDataOwner", "StorageTableDataContributor"]);
  });

  it("on each target scope: Contributor and RBAC Administrator conditioned to AcrPull / Network Contributor / Managed Identity Operator for service principals; never Owner or User Access Administrator", () => {
    assert.deepEqual(roles.targetScopes, { Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c", RoleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168" });
    assert.deepEqual(Object.values(roles.delegable).sort(), ["4d97b98b-1d4f-4787-a291-c67834d212e7", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "f1a07417-d97a-45cb-824c-7a7467783830"].sort());
    const condition = read("infra/app/roles.bicep");
    assert.match(condition, /@Request\[Microsoft\.Authorization\/roleAssignments:RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals \{\$\{delegable\}\}/);
    assert.match(condition, /@Request\[Microsoft\.Authorization\/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{\\'ServicePrincipal\\'\}/);
    for (const file of ["infra/app/target-roles-subscription.bicep", "infra/app/target-roles-resource-group.bicep"]) {
      const text = read(file);
      assert.match(block(text, "resource rbacAdministrator"), /condition: delegationCondition\s+conditionVersion: '2.0'/, file);
      assert.equal([...text.matchAll(/roleDefinitions', roles\.(\w+)\.(\w+)\)/g)].map((m) => m[2]).join(","), "Contributor,RoleBasedAccessControlAdministrator", file);
    }
    const owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const userAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    for (const f of files("infra")) assert.doesNotMatch(read(f), new RegExp(`${owner}|${userAccessAdministrator}|'Owner'|User Access Administrator'`), f);
    assert.match(main, /for scope in subscriptionScopes\(allowedScopes\)[\s\S]*scope: subscription\(split\(scope, '\/'\)\[2\]\)/);
    assert.match(main, /for scope in resourceGroupScopes\(allowedScopes\)[\s\S]*scope: resourceGroup\(split\(scope, '\/'\)\[2\], split\(scope, '\/'\)\[4\]\)/);
  });

  it("Event Grid: a Microsoft.Resources.Subscriptions system topic (global) per target subscription; after deploy, cluster writes delivered to the code's Event Grid function", () => {
    assert.match(main, /for \(sub, i\) in targetSubscriptions\(allowedScopes\)/);
    const topic = read("infra/app/events-topic.bicep");
    assert.match(topic, /location: 'global'/);
    assert.match(topic, /topicType: 'Microsoft\.Resources\.Subscriptions'/);
    const sub = read("infra/app/event-subscription.bicep");
    assert.match(sub, /endpointType: 'AzureFunction'/);
    assert.match(sub, /includedEventTypes: \['Microsoft\.Resources\.ResourceWriteSuccess', 'Microsoft\.Resources\.ResourceDeleteSuccess'\]/);
    const operations = [...block(sub, "key: 'data.operationName'").matchAll(/'([^']+)'/g)].map((m) => m[1]);
    const held = HELD_RESOURCE_TYPES.flatMap((t) => [`${t}/write`, `${t}/delete`]);
    assert.deepEqual(operations, [...["managedClusters/write", "managedClusters/delete", "managedClusters/agentPools/write", "managedClusters/agentPools/delete"].map((o) => `Microsoft.ContainerService/${o}`), ...held]);
    assert.ok(operations.length <= 25, "Event Grid's StringIn filter takes at most 25 values");
    const eventFunctions = core.byTrigger("eventGridTrigger").map((f) => f.functionName);
    const target = read("infra/events.bicep").match(/\/functions\/(\w+)'/)![1];
    assert.deepEqual(eventFunctions, [target]);
    assert.match(read("infra/hooks/postdeploy.sh"), /--template-file infra\/events\.bicep/);
    assert.match(read("azure.yaml"), /postdeploy:\s+posix:\s+shell: sh\s+run: \.\/infra\/hooks\/postdeploy\.sh/);
  });

  it("callers: the audience and the caller policy are required parameters, set as app settings; the preprovision hook creates or takes the app registration and its app roles", () => {
    assert.match(main, /@minLength\(1\)\n@description\([^\n]+\)\nparam authAudience string\n/);
    assert.match(main, /@minLength\(1\)\n@description\([^\n]+\)\nparam callerPolicy string\n/);
    assert.match(main, /param authTenantId string = tenant\(\)\.tenantId/);
    const parameters = JSON.parse(read("infra/main.parameters.json")).parameters;
    assert.deepEqual([parameters.authAudience.value, parameters.callerPolicy.value], ["${AUTH_AUDIENCE}", "${CALLER_POLICY}"]);
    const settings = block(api, "var appSettings =");
    assert.match(settings, /AUTH_AUDIENCE: authAudience\n\s+AUTH_TENANT_ID: authTenantId\n\s+CALLER_POLICY: callerPolicy/);
    assert.match(read("azure.yaml"), /preprovision:\s+posix:\s+shell: sh\s+run: \.\/infra\/hooks\/app-registration\.sh/);
    const hook = read("infra/hooks/app-registration.sh");
    assert.match(hook, /az ad app update --id "\$app_id" --identifier-uris "api:\/\/\$app_id"/);
    assert.match(hook, /az ad app update --id "\$app_id" --app-roles "\$roles"/);
    assert.match(hook, /azd env set AUTH_AUDIENCE "api:\/\/\$app_id,\$app_id"/);
  });

  it("AVM modules are pinned to a version; names come from abbreviations.json and the resource token", () => {
    const refs = files("infra").flatMap((f) => [...read(f).matchAll(/'br\/public:([^']+)'/g)].map((m) => m[1]));
    assert.ok(refs.length >= 6);
    for (const r of refs) assert.match(r, /^avm\/res\/[\w/-]+:\d+\.\d+\.\d+$/, r);
    const abbrs = JSON.parse(read("infra/abbreviations.json"));
    for (const [, key] of main.matchAll(/abbrs\.(\w+)/g)) assert.ok(abbrs[key], `abbreviation ${key}`);
    assert.match(main, /var resourceToken = toLower\(uniqueString\(subscription\(\)\.id, environmentName, location\)\)/);
  });

  it("azure.yaml deploys service api as a TypeScript function; the package holds host.json, package.json and dist/ only", () => {
    assert.match(read("azure.yaml"), /services:\s+api:\s+project: \.\s+language: ts\s+host: function/);
    const ignored = read(".funcignore").split("\n").filter((l) => l && !l.startsWith("#"));
    // What the repository holds at its top (and the bundle, built before packaging).
    const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
    const top = [...new Set([...tracked.map((f) => f.split("/")[0]), "dist"])];
    const shipped = top.filter((f) => !ignored.some((p) => p.replace(/\/$/, "") === f || (p.startsWith("*.") && f.endsWith(p.slice(1)))));
    assert.deepEqual(shipped.sort(), ["dist", "host.json", "package.json"]);
  });

  it("no key, SAS or connection string in infra/ or src/, outside the local emulators (src/local)", () => {
    const secret = /AccountKey|SharedAccessKey|SharedAccessSignature|connectionString|listKeys|listConnectionStrings|[?&]sig=/i;
    // The one allowed hit: Application Insights' connection string is the resource's address, not a
    // credential (local auth is off: ingestion needs the identity's Entra token).
    const appInsightsAddress = /^\s*APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights\.properties\.ConnectionString$/;
    // src/domain/redact.ts names these shapes in order to redact them from ARM's messages.
    const redaction = path.join("src", "domain", "redact.ts");
    // src/storage-emulator.ts holds the storage emulator's published account and key, to accept that
    // one connection string (loopback only) and refuse every other; src/state opens it.
    const emulator = path.join("src", "storage-emulator.ts");
    const opensEmulator = /TableClient\.fromConnectionString\(conn\.emulator,|return emulator\.connectionString;/;
    const hits = [...files("infra"), ...files("src").filter((f) => !f.startsWith(path.join("src", "local")) && f !== redaction && f !== emulator)]
      .flatMap((f) => read(f).split("\n").map((line, i) => ({ where: `${f}:${i + 1}`, line })))
      .filter(({ line }) => secret.test(line) && !appInsightsAddress.test(line) && !opensEmulator.test(line));
    assert.deepEqual(hits, []);
  });
});
