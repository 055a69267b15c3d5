// The documented limits of Azure Arc private link, checked before any write: the static rule
// (preview region) at validation, the others by the read-only check steps from what exists.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planRequest } from "../../../src/domain/plan.js";
import { validateRequest } from "../../../src/domain/validate.js";
import type { Decision, StepContext, StepDef } from "../../../src/domain/step.js";

/** A resource as a test writes it: ARM JSON, loosely typed (decide() takes it as the SDK model). */
type Resource = Record<string, any>;
import { networkFacts } from "../../../src/domain/steps/arc-check.js";
import { nsgProblems } from "../../../src/domain/steps/arc-nsg.js";
import { example, SUB } from "../../helpers/examples.js";

const arc = (change: (r: any) => void = () => {}) => {
  const r = example("arc-private-link.json");
  change(r);
  return r;
};
const valid = (raw: unknown) => {
  const v = validateRequest(raw);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.request;
};

const ARC_RG = `/subscriptions/${SUB}/resourceGroups/rg-arc`;
const NET = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const SCOPE = `${ARC_RG}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-arc`;
const OTHER_SCOPE = `${ARC_RG}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-other`;
const VNET = `${NET}/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
const SUBNET = `${VNET}/subnets/snet-pe`;
const PE = `${NET}/providers/Microsoft.Network/privateEndpoints/pe-arc`;
const NSG = `${NET}/providers/Microsoft.Network/networkSecurityGroups/nsg-onprem-egress`;
const CLUSTER = `${ARC_RG}/providers/Microsoft.Kubernetes/connectedClusters/onprem-k8s-01`;

// What ARM answers through the SDKs (network models flattened; the connected cluster is ARM JSON).
const vnet = (endpoints: string[] = [], location = "eastus"): Resource => ({ id: VNET, name: "vnet-hub", location, subnets: [{ name: "snet-pe", addressPrefix: "10.10.1.0/24", privateEndpoints: endpoints.map((id) => ({ id })) }] });
const rule = (name: string, priority: number, more: Record<string, unknown> = {}): Resource => ({
  name,
  protocol: "*",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "*",
  access: "Allow",
  direction: "Outbound",
  priority,
  ...more,
});
const denyInternet = (priority: number, more: Record<string, unknown> = {}) => rule("DenyInternetOutbound", priority, { access: "Deny", destinationAddressPrefix: "Internet", ...more });
const nsg = (...rules: Resource[]): Resource => ({ id: NSG, name: "nsg-onprem-egress", location: "eastus", securityRules: rules });
const cluster = (props: Record<string, unknown> = {}, location = "eastus"): Resource => ({ id: CLUSTER, name: "onprem-k8s-01", location, properties: { privateLinkState: "Disabled", ...props } });
const endpointTo = (id: string, target: string, more: Record<string, unknown> = {}): Resource => ({ id, name: id.split("/").pop(), location: "eastus", subnet: { id: SUBNET }, privateLinkServiceConnections: [{ name: "c", privateLinkServiceId: target, groupIds: ["hybridcompute"] }], ...more });

interface World {
  vnet?: Resource;
  scope?: Resource;
  endpoint?: Resource;
  nsg?: Resource;
  clusters?: (Resource | undefined)[];
  others?: Record<string, Resource | undefined>;
}
const healthy = (): World => ({ vnet: vnet(), nsg: nsg(denyInternet(4000), rule("AllowSsh", 200, { direction: "Inbound", destinationPortRange: "22" })), clusters: [cluster()] });

/** Runs the two check steps as the runner would: the first one's outputs feed the second's reads. */
function check(raw: unknown, world: World): Decision {
  const req = valid(raw);
  const plan = planRequest(req);
  const find = (n: string): StepDef => plan.steps.find((s) => s.name === n)!;
  const c0: StepContext = { request: req, outputs: {}, posts: 0, writes: {} };
  const first = find("arc:check:network");
  assert.deepEqual(first.reads(c0), [{ kind: "virtualNetwork", id: VNET }]);
  const d1 = first.decide(c0, [world.vnet]);
  assert.equal(d1.do, "done");
  const c1: StepContext = { ...c0, outputs: { "arc:check:network": (d1 as { outputs: Record<string, unknown> }).outputs } };
  const second = find("arc:check");
  const clusters = world.clusters ?? [];
  const current = second.reads(c1).map((ref) => {
    if (ref.kind === "privateLinkScope") return world.scope;
    if (ref.kind === "networkSecurityGroup") return world.nsg;
    if (ref.kind === "connectedCluster") return clusters[(req as any).connectedClusters.findIndex((c: any) => ref.id.endsWith(`/${c.name}`))];
    if (ref.kind === "privateEndpoint") return ref.id === PE ? world.endpoint : world.others?.[ref.id];
    throw new Error(`unexpected read ${ref.kind}`);
  });
  return second.decide(c1, current);
}
const rejected = (d: Decision): string => {
  assert.equal(d.do, "fail", JSON.stringify(d));
  const f = d as Extract<Decision, { do: "fail" }>;
  assert.equal(f.code, "ArcPrivateLinkLimit");
  return f.message;
};

describe("Arc private link: static rules", () => {
  it("refuses the preview's excluded region (Southeast Asia) at validation, with the field path", () => {
    const v = validateRequest(arc((r) => (r.scope.location = "southeastasia")));
    assert.ok(!v.ok);
    assert.deepEqual(v.errors.map((e) => e.path), ["scope.location"]);
    assert.match(v.errors[0].message, /not available in southeastasia/);
  });

  it("refuses a cluster listed twice", () => {
    const v = validateRequest(arc((r) => r.connectedClusters.push({ ...r.connectedClusters[0] })));
    assert.ok(!v.ok);
    assert.deepEqual(v.errors.map((e) => e.path), ["connectedClusters[1]"]);
  });
});

describe("Arc private link: the check steps", () => {
  it("pass on the example's world, listing the connect command of clusters not onboarded", () => {
    assert.deepEqual(check(arc(), healthy()), { do: "done", resourceId: SCOPE, outputs: {} });
    const d = check(arc((r) => r.connectedClusters.push({ resourceGroup: "rg-arc", name: "onprem-k8s-02" })), { ...healthy(), clusters: [cluster(), undefined] });
    assert.deepEqual(d, {
      do: "done",
      resourceId: SCOPE,
      outputs: { connectCommands: [`az connectedk8s connect -g rg-arc -n onprem-k8s-02 -l eastus --enable-private-link true --private-link-scope-resource-id ${SCOPE}`] },
    });
  });

  it("pass on a re-run: our scope, endpoint, rules and association already there", () => {
    const world = healthy();
    world.scope = { id: SCOPE, location: "eastus", properties: { publicNetworkAccess: "Disabled" } };
    world.vnet = vnet([PE]);
    world.endpoint = endpointTo(PE, SCOPE);
    world.nsg = nsg(denyInternet(4000), rule("AllowAADOutboundAccess", 150, { destinationAddressPrefix: "AzureActiveDirectory", destinationPortRange: "443", protocol: "Tcp" }));
    world.clusters = [cluster({ privateLinkState: "Enabled", privateLinkScopeResourceId: SCOPE })];
    assert.equal(check(arc(), world).do, "done");
  });

  it("one scope per VNet: an endpoint in the VNet to another Arc scope", () => {
    const other = `${NET}/providers/Microsoft.Network/privateEndpoints/pe-other`;
    const unrelated = `${NET}/providers/Microsoft.Network/privateEndpoints/pe-kv`;
    const world = { ...healthy(), vnet: vnet([other, unrelated]), others: { [other]: endpointTo(other, OTHER_SCOPE), [unrelated]: endpointTo(unrelated, `${NET}/providers/Microsoft.KeyVault/vaults/kv`) } };
    assert.match(rejected(check(arc(), world)), /^network\.vnetName: VNet vnet-hub already has a private endpoint \(pe-other\) to another Azure Arc private link scope, .*pls-other \(at most one scope per VNet\)$/);
    // a manual-approval connection counts too
    world.others[other] = { ...endpointTo(other, OTHER_SCOPE), privateLinkServiceConnections: [], manualPrivateLinkServiceConnections: [{ name: "m", privateLinkServiceId: OTHER_SCOPE }] };
    assert.match(rejected(check(arc(), world)), /one scope per VNet/);
  });

  it("a cluster connects to one scope only", () => {
    const world = { ...healthy(), clusters: [cluster({ privateLinkState: "Enabled", privateLinkScopeResourceId: OTHER_SCOPE })] };
    assert.equal(rejected(check(arc(), world)), `connectedClusters[0]: onprem-k8s-01 is already associated with scope ${OTHER_SCOPE} (a connected cluster connects to one private link scope only)`);
  });

  it("clusters in the scope's region", () => {
    assert.match(rejected(check(arc(), { ...healthy(), clusters: [cluster({}, "westeurope")] })), /^connectedClusters\[0\]: onprem-k8s-01 is in westeurope, the scope in eastus \(.*same region\)$/);
    assert.equal(check(arc(), { ...healthy(), clusters: [cluster({}, "East US")] }).do, "done", "display names compare as region names");
  });

  it("the endpoint in the VNet's region: an existing endpoint of that name elsewhere, or to something else, is refused", () => {
    assert.match(rejected(check(arc(), { ...healthy(), vnet: vnet([PE]), endpoint: endpointTo(PE, SCOPE, { location: "westus" }) })), /^privateEndpoint\.name: .*already exists in westus \(the endpoint must be in the VNet's region, eastus\)$/);
    assert.match(rejected(check(arc(), { ...healthy(), endpoint: endpointTo(PE, OTHER_SCOPE) })), /^privateEndpoint\.name: private endpoint pe-arc already exists and connects to .*pls-other, not to scope pls-arc/);
    // the VNet in another region than the scope is allowed: the endpoint follows the VNet
    assert.equal(check(arc(), { ...healthy(), vnet: vnet([], "westus2") }).do, "done");
  });

  it("a missing VNet, subnet or NSG, and a scope that exists in another region", () => {
    assert.match(rejected(check(arc(), { ...healthy(), vnet: undefined })), /^network\.vnetName: VNet vnet-hub does not exist/);
    assert.match(rejected(check(arc(), { ...healthy(), vnet: { ...vnet(), subnets: [] } })), /^network\.subnetName: VNet vnet-hub has no subnet snet-pe/);
    assert.match(rejected(check(arc(), { ...healthy(), nsg: undefined })), /^network\.nsgName: network security group nsg-onprem-egress does not exist/);
    assert.match(rejected(check(arc(), { ...healthy(), scope: { id: SCOPE, location: "westus", properties: {} } })), /^scope\.location: scope pls-arc already exists in westus/);
  });

  it("reports every broken limit at once", () => {
    const world = { ...healthy(), clusters: [cluster({ privateLinkScopeResourceId: OTHER_SCOPE }, "westeurope")], nsg: nsg(denyInternet(100)) };
    const paths = rejected(check(arc(), world)).split("; ").map((p) => p.split(":")[0]);
    assert.deepEqual(paths, ["connectedClusters[0]", "connectedClusters[0]", "network.nsgName"]);
  });

  it("the NSG: a rule at one of the table's priorities and direction is refused before anything is written", () => {
    assert.match(rejected(check(arc(), { ...healthy(), nsg: nsg(denyInternet(4000), rule("Other", 151, { destinationPortRange: "22" })) })), /^network\.nsgName: rule Other of nsg-onprem-egress already has priority 151 \(Outbound\), which the procedure gives to AllowAzOutboundAccess/);
  });

  it("the NSG: a deny-internet rule above the Arc rules is refused", () => {
    assert.match(rejected(check(arc(), { ...healthy(), nsg: nsg(denyInternet(100)) })), /^network\.nsgName: rule DenyInternetOutbound of nsg-onprem-egress denies internet traffic \(Outbound, priority 100\) before AllowAADOutboundAccess \(150\), AllowAzOutboundAccess \(151\), AllowAzureFrontDoorFirstPartyAccess \(152\), AllowMCROutboundAccess \(153\)/);
  });
});

describe("Arc private link: NSG rule analysis", () => {
  const problems = (...rules: Resource[]) => nsgProblems(nsg(...rules), "nsg");

  it("same priority in the other direction, or a rule with our name, is no conflict", () => {
    assert.deepEqual(problems(rule("In150", 150, { direction: "Inbound" }), rule("AllowAADOutboundAccess", 300), rule("AllowAzOutboundAccess", 151)), []);
  });

  it("a rule of ours at another of our priorities still conflicts (rules are written in parallel)", () => {
    assert.equal(problems(rule("AllowAADOutboundAccess", 151)).length, 1);
  });

  it("the inbound FrontDoor rule: 152 inbound must be free, and no inbound deny from the internet before it", () => {
    assert.match(problems(rule("Web", 152, { direction: "Inbound" }))[0], /priority 152 \(Inbound\), which the procedure gives to AllowAzureFrontDoorFirstPartyAccessInbound/);
    assert.match(problems(rule("DenyInbound", 100, { direction: "Inbound", access: "Deny", sourceAddressPrefix: "Internet" }))[0], /denies internet traffic \(Inbound, priority 100\) before AllowAzureFrontDoorFirstPartyAccessInbound \(152\) /);
  });

  it("only a deny that blocks TCP 443 to the internet (or to the tag) counts", () => {
    assert.deepEqual(problems(denyInternet(100, { protocol: "Udp" })), []);
    assert.deepEqual(problems(denyInternet(100, { destinationPortRange: "80" })), []);
    assert.deepEqual(problems(denyInternet(100, { destinationAddressPrefix: "10.0.0.0/8" })), []);
    assert.deepEqual(problems(denyInternet(4096)), []);
    assert.equal(problems(denyInternet(100, { protocol: "Tcp", destinationPortRange: "400-500" })).length, 1);
    assert.equal(problems(denyInternet(100, { destinationPortRange: undefined, destinationPortRanges: ["80", "443"] })).length, 1);
    assert.equal(problems(denyInternet(100, { destinationAddressPrefix: undefined, destinationAddressPrefixes: ["0.0.0.0/0"] })).length, 1);
    // at an Arc priority: both the priority conflict and the deny before the later rules
    assert.equal(problems(denyInternet(151, { destinationAddressPrefix: "MicrosoftContainerRegistry" })).length, 2);
    assert.match(problems(rule("DenyMcr", 120, { access: "Deny", destinationAddressPrefix: "MicrosoftContainerRegistry" }))[0], /before AllowMCROutboundAccess \(153\)/);
  });
});

describe("Arc private link: what the first check step reads from the VNet", () => {
  it("the region, the subnet and the endpoints in any subnet, except the request's own", () => {
    const other = `${NET}/providers/Microsoft.Network/privateEndpoints/pe-other`;
    const v = { ...vnet([PE, other]), subnets: [...vnet([PE, other]).subnets, { name: "snet-b", privateEndpoints: [{ id: other }] }] };
    assert.deepEqual(networkFacts(v, "SNET-PE", PE), { vnetFound: true, vnetLocation: "eastus", subnetFound: true, endpointsInVnet: [other] });
    assert.deepEqual(networkFacts(undefined, "snet-pe", PE), { vnetFound: false, subnetFound: false, endpointsInVnet: [] });
  });
});
