// The arcPrivateLink plan (Azure Arc private link procedure): steps and their order, and every body
// exactly as the procedure writes it (scope, endpoint group hybridcompute, zones, links, zone group,
// the NSG table, the cluster association).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ancestors, planRequest } from "../../../src/domain/plan.js";
import { validateRequest } from "../../../src/domain/validate.js";
import type { ConnectedCluster } from "../../../src/domain/arm-models.js";
import type { Decision, Plan, StepContext, StepDef } from "../../../src/domain/step.js";

/** A resource as a test writes it: ARM JSON, loosely typed (decide() takes it as the SDK model). */
type Resource = Record<string, any>;
import { associationBody } from "../../../src/domain/steps/arc-clusters.js";
import { ARC_ZONES } from "../../../src/domain/steps/arc-dns.js";
import { ARC_NSG_RULES } from "../../../src/domain/steps/arc-nsg.js";
import { example, SUB } from "../../helpers/examples.js";
import { createdTags } from "../../../src/domain/managed.js";

/** The tags the app puts on what it creates (managed-by, and the request id when it has one). */
const APP_TAGS = createdTags(undefined, undefined);

const valid = (raw: unknown) => {
  const v = validateRequest(raw);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.request;
};
const arc = (change: (r: any) => void = () => {}) => {
  const r = example("arc-private-link.json");
  change(r);
  return r;
};
const planOf = (raw: unknown): Plan => planRequest(valid(raw));
const step = (p: Plan, name: string): StepDef => {
  const s = p.steps.find((x) => x.name === name);
  assert.ok(s, `no step ${name} in ${p.steps.map((x) => x.name).join(", ")}`);
  return s;
};
/** Outputs as the runner passes them: the first step's findings (VNet in `vnetLocation`). */
const ctx = (request: unknown, vnetLocation = "eastus", more: Record<string, Record<string, unknown>> = {}): StepContext => ({
  request: request as never,
  outputs: { "arc:check:network": { vnet: { vnetFound: true, vnetLocation, subnetFound: true, endpointsInVnet: [] } }, ...more },
  posts: 0,
  writes: {},
});
const decide = (s: StepDef, c: StepContext, current: (Resource | undefined)[]): Decision => s.decide(c, current as never);
const putBody = (d: Decision): any => {
  assert.equal(d.do, "put", JSON.stringify(d));
  return (d as Extract<Decision, { do: "put" }>).body;
};

const ARC_RG = `/subscriptions/${SUB}/resourceGroups/rg-arc`;
const NET = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const SCOPE = `${ARC_RG}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-arc`;
const VNET = `${NET}/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
const SUBNET = `${VNET}/subnets/snet-pe`;
const PE = `${NET}/providers/Microsoft.Network/privateEndpoints/pe-arc`;
const NSG = `${NET}/providers/Microsoft.Network/networkSecurityGroups/nsg-onprem-egress`;
const CLUSTER = `${ARC_RG}/providers/Microsoft.Kubernetes/connectedClusters/onprem-k8s-01`;
const zoneId = (z: string) => `${NET}/providers/Microsoft.Network/privateDnsZones/${z}`;

describe("arcPrivateLink plan", () => {
  it("checks first, then scope → endpoint → DNS, NSG rules, and associates the clusters last", () => {
    const plan = planOf(arc());
    const deps = Object.fromEntries(plan.steps.map((s) => [s.name, s.dependsOn]));
    const zones = ARC_ZONES.map((z) => `arc:dns:zone:${z}`);
    const links = ARC_ZONES.map((z) => `arc:dns:link:${z}`);
    const rules = ARC_NSG_RULES.map((r) => `arc:nsg:${r.name}`);
    assert.deepEqual(deps, {
      "arc:check:network": [],
      "arc:check": ["arc:check:network"],
      "arc:scope": ["arc:check"],
      "arc:privateEndpoint": ["arc:scope"],
      ...Object.fromEntries(ARC_ZONES.flatMap((z) => [[`arc:dns:zone:${z}`, ["arc:check"]], [`arc:dns:link:${z}`, [`arc:dns:zone:${z}`]]])),
      "arc:dns:zoneGroup": ["arc:privateEndpoint", ...zones],
      // one rule after the other: ARM serialises writes under one NSG
      ...Object.fromEntries(rules.map((r, i) => [r, [i === 0 ? "arc:check" : rules[i - 1]]])),
      "arc:associate:onprem-k8s-01": ["arc:scope", "arc:privateEndpoint", "arc:dns:zoneGroup", ...links, ...rules],
    });
    assert.equal(plan.target, SCOPE);
  });

  it("every step but the two read-only checks depends on the check step (nothing is written before it)", () => {
    const plan = planOf(arc((r) => r.connectedClusters.push({ resourceGroup: "rg-arc", name: "onprem-k8s-02" })));
    for (const s of plan.steps) {
      if (s.name === "arc:check" || s.name === "arc:check:network") continue;
      assert.ok(ancestors(plan.steps, s.name).has("arc:check"), `${s.name} does not wait for arc:check`);
    }
    // the check steps only read: they never answer put or post, whatever they find
    const check = step(plan, "arc:check");
    const c = ctx(plan);
    const reads = check.reads(c);
    for (const current of [reads.map(() => undefined), reads.map(() => ({}))]) assert.ok(["done", "fail"].includes(check.decide(c, current).do));
  });

  it("the scope: Microsoft.HybridCompute/privateLinkScopes in the scope's region, public network access as asked", () => {
    const s = step(planOf(arc()), "arc:scope");
    const req = valid(arc());
    assert.deepEqual(s.reads(ctx(req)), [{ kind: "privateLinkScope", id: SCOPE, apiVersion: undefined }]);
    assert.deepEqual(putBody(decide(s, ctx(req), [undefined])), { location: "eastus", tags: APP_TAGS, properties: { publicNetworkAccess: "Disabled" } });
    const open = valid(arc((r) => { r.scope.publicNetworkAccess = true; r.tags = { team: "edge" }; }));
    assert.deepEqual(putBody(decide(step(planRequest(open), "arc:scope"), ctx(open), [undefined])), { location: "eastus", tags: { team: "edge", ...APP_TAGS }, properties: { publicNetworkAccess: "Enabled" } });
    // already as asked: no write
    assert.equal(decide(s, ctx(req), [{ id: SCOPE, location: "eastus", properties: { publicNetworkAccess: "Disabled", provisioningState: "Succeeded" } }]).do, "done");
  });

  it("the endpoint: group hybridcompute, in the given subnet, in the VNet's region (not the scope's)", () => {
    const req = valid(arc());
    const s = step(planRequest(req), "arc:privateEndpoint");
    assert.deepEqual(putBody(decide(s, ctx(req, "westus2"), [undefined])), {
      location: "westus2",
      tags: APP_TAGS,
      subnet: { id: SUBNET },
      privateLinkServiceConnections: [{ name: "pls-arc-connection", privateLinkServiceId: SCOPE, groupIds: ["hybridcompute"] }],
    });
  });

  it("the endpoint's outputs: the names that must resolve privately, with their IPs (regional data-plane name)", () => {
    const req = valid(arc());
    const s = step(planRequest(req), "arc:privateEndpoint");
    const pe = {
      customDnsConfigs: [
        { fqdn: "gbl.his.arc.azure.com", ipAddresses: ["10.10.1.4"] },
        { fqdn: "eastus.his.arc.azure.com", ipAddresses: ["10.10.1.5"] },
        { fqdn: "agentserviceapi.guestconfiguration.azure.com", ipAddresses: ["10.10.1.6"] },
        { fqdn: "eastus.dp.kubernetesconfiguration.azure.com", ipAddresses: ["10.10.1.8"] },
        { fqdn: "empty.his.arc.azure.com", ipAddresses: [] },
      ],
    };
    const out = s.outputs!(ctx(req), pe);
    assert.deepEqual(out.mustResolveToPrivateIps, { "gbl.his.arc.azure.com": "10.10.1.4", "agentserviceapi.guestconfiguration.azure.com": "10.10.1.6", "dp.kubernetesconfiguration.azure.com": "10.10.1.8" });
    assert.equal(out.dnsRecordsToConfigure, undefined, "private DNS zones hold the records: no table");
    assert.deepEqual(s.outputs!(ctx(req), undefined).mustResolveToPrivateIps, { "gbl.his.arc.azure.com": null, "agentserviceapi.guestconfiguration.azure.com": null, "dp.kubernetesconfiguration.azure.com": null });
  });

  it("azurePrivateDns: the three Arc zones, each linked to the VNet without registration, and one zone group", () => {
    const req = valid(arc());
    const plan = planRequest(req);
    assert.deepEqual(ARC_ZONES, ["privatelink.his.arc.azure.com", "privatelink.guestconfiguration.azure.com", "privatelink.dp.kubernetesconfiguration.azure.com"]);
    for (const z of ARC_ZONES) {
      const zone = step(plan, `arc:dns:zone:${z}`);
      assert.deepEqual(zone.reads(ctx(req)), [{ kind: "privateDnsZone", id: zoneId(z), apiVersion: undefined }]);
      assert.deepEqual(putBody(decide(zone, ctx(req), [undefined])), { location: "global", tags: APP_TAGS });
      const link = step(plan, `arc:dns:link:${z}`);
      assert.deepEqual(link.reads(ctx(req)), [{ kind: "virtualNetworkLink", id: `${zoneId(z)}/virtualNetworkLinks/link-vnet-hub`, apiVersion: undefined }]);
      assert.deepEqual(putBody(decide(link, ctx(req), [undefined])), { location: "global", tags: APP_TAGS, virtualNetwork: { id: VNET }, registrationEnabled: false });
    }
    const group = step(plan, "arc:dns:zoneGroup");
    assert.deepEqual(group.reads(ctx(req)), [{ kind: "privateDnsZoneGroup", id: `${PE}/privateDnsZoneGroups/default`, apiVersion: undefined }]);
    assert.deepEqual(putBody(decide(group, ctx(req), [undefined])), {
      privateDnsZoneConfigs: [
        { name: "privatelink-his-arc-azure-com", privateDnsZoneId: zoneId("privatelink.his.arc.azure.com") },
        { name: "privatelink-guestconfiguration-azure-com", privateDnsZoneId: zoneId("privatelink.guestconfiguration.azure.com") },
        { name: "privatelink-dp-kubernetesconfiguration-azure-com", privateDnsZoneId: zoneId("privatelink.dp.kubernetesconfiguration.azure.com") },
      ],
    });
  });

  it("manual DNS: no zone, link or zone group; the endpoint reports the FQDN → IP table without empty records", () => {
    const req = valid(arc((r) => (r.privateEndpoint.dns = "manual")));
    const plan = planRequest(req);
    assert.deepEqual(plan.steps.filter((s) => s.name.startsWith("arc:dns:")).map((s) => s.name), []);
    assert.ok(plan.steps.every((s) => !s.reads(ctx(req)).some((r) => r.kind.startsWith("privateDns") || r.kind === "virtualNetworkLink" || r.kind === "aRecordSet")));
    assert.deepEqual(step(plan, "arc:associate:onprem-k8s-01").dependsOn, ["arc:scope", "arc:privateEndpoint", ...ARC_NSG_RULES.map((r) => `arc:nsg:${r.name}`)]);
    const out = step(plan, "arc:privateEndpoint").outputs!(ctx(req), {
      customDnsConfigs: [
        { fqdn: "gbl.his.arc.azure.com", ipAddresses: ["10.10.1.4"] },
        { fqdn: "pending.his.arc.azure.com", ipAddresses: [] },
        { fqdn: "eastus.dp.kubernetesconfiguration.azure.com", ipAddresses: ["10.10.1.8"] },
      ],
    });
    assert.deepEqual(out.dnsRecordsToConfigure, [
      { fqdn: "gbl.his.arc.azure.com", ipAddresses: ["10.10.1.4"] },
      { fqdn: "eastus.dp.kubernetesconfiguration.azure.com", ipAddresses: ["10.10.1.8"] },
    ]);
    assert.ok(planOf(arc((r) => (r.privateEndpoint.dns = "manual"))).warnings.some((w) => /dnsRecordsToConfigure/.test(w)));
  });

  it("the NSG rules exactly as the procedure's table (FrontDoor also inbound, mirrored, same priority)", () => {
    const req = valid(arc());
    const plan = planRequest(req);
    const bodies = ARC_NSG_RULES.map((r) => {
      const s = step(plan, `arc:nsg:${r.name}`);
      assert.deepEqual(s.reads(ctx(req)), [{ kind: "securityRule", id: `${NSG}/securityRules/${r.name}`, apiVersion: undefined }]);
      return [r.name, putBody(decide(s, ctx(req), [undefined]))];
    });
    const out = (tag: string, priority: number) => ({ protocol: "Tcp", sourceAddressPrefix: "VirtualNetwork", sourcePortRange: "*", destinationAddressPrefix: tag, destinationPortRange: "443", access: "Allow", priority, direction: "Outbound" });
    assert.deepEqual(bodies, [
      ["AllowAADOutboundAccess", out("AzureActiveDirectory", 150)],
      ["AllowAzOutboundAccess", out("AzureResourceManager", 151)],
      ["AllowAzureFrontDoorFirstPartyAccess", out("AzureFrontDoor.FirstParty", 152)],
      ["AllowAzureFrontDoorFirstPartyAccessInbound", { protocol: "Tcp", sourceAddressPrefix: "AzureFrontDoor.FirstParty", sourcePortRange: "*", destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "443", access: "Allow", priority: 152, direction: "Inbound" }],
      ["AllowMCROutboundAccess", out("MicrosoftContainerRegistry", 153)],
    ]);
    // a rule already as in the table (ARM's answer, flattened by the SDK) is not written again
    const s = step(plan, "arc:nsg:AllowAADOutboundAccess");
    assert.equal(decide(s, ctx(req), [{ name: "AllowAADOutboundAccess", ...out("AzureActiveDirectory", 150), provisioningState: "Succeeded", etag: "x" }]).do, "done");
  });

  it("without nsgName: no NSG rule and a warning", () => {
    const plan = planOf(arc((r) => delete r.network.nsgName));
    assert.deepEqual(plan.steps.filter((s) => s.name.startsWith("arc:nsg:")), []);
    assert.ok(plan.warnings.some((w) => /no NSG rules/.test(w)));
  });
});

describe("arcPrivateLink: associating a connected cluster", () => {
  const req = valid(arc());
  const s = step(planRequest(req), "arc:associate:onprem-k8s-01");
  const cluster = (props: Record<string, unknown> = {}) => ({
    id: CLUSTER,
    name: "onprem-k8s-01",
    type: "Microsoft.Kubernetes/connectedClusters",
    location: "eastus",
    kind: "ProvisionedCluster",
    tags: { env: "lab" },
    identity: { type: "SystemAssigned", principalId: "p", tenantId: "t" },
    systemData: { createdBy: "someone" },
    properties: {
      agentPublicKeyCertificate: "MIIBCgKCAQEA",
      distribution: "k3s",
      infrastructure: "generic",
      provisioningState: "Succeeded",
      connectivityStatus: "Connected",
      agentVersion: "1.20.1",
      kubernetesVersion: "1.30.4",
      totalNodeCount: 3,
      totalCoreCount: 12,
      lastConnectivityTime: "2026-11-22T10:00:00Z",
      offering: "generic",
      privateLinkState: "Disabled",
      ...props,
    },
  });

  it("PUTs the cluster it read with private link enabled and the scope id, without the read-only properties", () => {
    assert.deepEqual(s.reads(ctx(req)), [{ kind: "connectedCluster", id: CLUSTER }]);
    assert.deepEqual(putBody(decide(s, ctx(req), [cluster()])), {
      location: "eastus",
      kind: "ProvisionedCluster",
      tags: { env: "lab" },
      identity: { type: "SystemAssigned" },
      properties: { agentPublicKeyCertificate: "MIIBCgKCAQEA", distribution: "k3s", infrastructure: "generic", privateLinkState: "Enabled", privateLinkScopeResourceId: SCOPE },
    });
    assert.deepEqual(associationBody({ location: "eastus", properties: { agentPublicKeyCertificate: "k" } } as ConnectedCluster, SCOPE), {
      location: "eastus",
      identity: { type: "SystemAssigned" },
      properties: { agentPublicKeyCertificate: "k", privateLinkState: "Enabled", privateLinkScopeResourceId: SCOPE },
    });
  });

  it("writes nothing when the cluster is associated already or not onboarded; waits while it is busy", () => {
    assert.equal(decide(s, ctx(req), [cluster({ privateLinkState: "Enabled", privateLinkScopeResourceId: SCOPE.toLowerCase() })]).do, "done");
    assert.equal(decide(s, ctx(req), [undefined]).do, "done");
    assert.equal(decide(s, ctx(req), [cluster({ provisioningState: "Updating" })]).do, "wait");
  });

  it("does not take over a cluster another scope got since the check", () => {
    const d = decide(s, ctx(req), [cluster({ privateLinkState: "Enabled", privateLinkScopeResourceId: `${ARC_RG}/providers/Microsoft.HybridCompute/privateLinkScopes/other` })]);
    assert.equal(d.do, "fail");
    assert.match((d as { message: string }).message, /^connectedClusters\[0\]: onprem-k8s-01 is already associated with scope .*\/other/);
  });
});
