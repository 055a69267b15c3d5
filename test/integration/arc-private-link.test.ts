// Azure Arc private link on the ARM stand-in, pre-loaded with the VNet, subnet, NSG and the
// connected cluster (examples/arc-private-link.seed.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { ARC_NSG_RULES, ARC_ZONES } from "../../src/domain/plans/arc-private-link.js";
import { provision, startTestHost } from "../helpers/local.js";
import { EXAMPLES_DIR, example, SUB } from "../helpers/examples.js";

const NET = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const SCOPE = `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/privateLinkScopes/pls-arc`;
const CLUSTER = `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.Kubernetes/connectedClusters/onprem-k8s-01`;
const NSG = `${NET}/providers/Microsoft.Network/networkSecurityGroups/nsg-onprem-egress`;
const seed = (): any[] => JSON.parse(readFileSync(path.join(EXAMPLES_DIR, "arc-private-link.seed.json"), "utf8"));

async function withSeededHost(change: (resources: any[]) => void, fn: (host: LocalHost) => Promise<void>): Promise<void> {
  const host = await startTestHost();
  try {
    const resources = seed();
    change(resources);
    resources.forEach((r) => host.standIn!.seed(r));
    await fn(host);
  } finally {
    await host.close();
  }
}

describe("Azure Arc private link", () => {
  it("creates the scope, endpoint, zones, links, records and the four NSG rules, and associates the cluster", () =>
    withSeededHost(() => {}, async (host) => {
      const status = await provision(host, example("arc-private-link.json"));
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      const get = (id: string) => host.standIn!.get(id);
      assert.equal(get(SCOPE).properties.publicNetworkAccess, "Disabled");
      const pe = get(`${NET}/providers/Microsoft.Network/privateEndpoints/pe-arc`);
      assert.deepEqual(pe.properties.privateLinkServiceConnections[0].properties.groupIds, ["hybridcompute"]);
      assert.equal(pe.location, "eastus");
      for (const z of ARC_ZONES) {
        const zone = `${NET}/providers/Microsoft.Network/privateDnsZones/${z}`;
        assert.ok(get(zone), `zone ${z}`);
        assert.equal(get(`${zone}/virtualNetworkLinks/link-vnet-hub`).properties.registrationEnabled, false);
        assert.ok(host.standIn!.list(`${zone}/A/`).length > 0, `records in ${z}`);
      }
      for (const r of ARC_NSG_RULES) {
        const p = get(`${NSG}/securityRules/${r.name}`).properties;
        const out = r.direction === "Outbound";
        assert.deepEqual(
          [p.protocol, p.sourceAddressPrefix, p.sourcePortRange, p.destinationAddressPrefix, p.destinationPortRange, p.access, p.priority, p.direction],
          ["Tcp", out ? "VirtualNetwork" : r.tag, "*", out ? r.tag : "VirtualNetwork", "443", "Allow", r.priority, r.direction],
        );
      }
      assert.deepEqual(ARC_NSG_RULES.filter((r) => r.direction === "Outbound").map((r) => [r.name, r.tag, r.priority]), [
        ["AllowAADOutboundAccess", "AzureActiveDirectory", 150],
        ["AllowAzOutboundAccess", "AzureResourceManager", 151],
        ["AllowAzureFrontDoorFirstPartyAccess", "AzureFrontDoor.FirstParty", 152],
        ["AllowMCROutboundAccess", "MicrosoftContainerRegistry", 153],
      ]);
      const cluster = get(CLUSTER).properties;
      assert.deepEqual([cluster.privateLinkState, cluster.privateLinkScopeResourceId], ["Enabled", SCOPE]);
      assert.ok((status.outputs!.mustResolveToPrivateIps as Record<string, string>)["gbl.his.arc.azure.com"]);
    }));

  it("manual DNS creates no zone and returns the record table", () =>
    withSeededHost(() => {}, async (host) => {
      const raw = { ...example("arc-private-link.json"), privateEndpoint: { name: "pe-arc", dns: "manual" } };
      const status = await provision(host, raw);
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      assert.equal(host.standIn!.list("/subscriptions/").filter((r: any) => r.type.startsWith("Microsoft.Network/privateDnsZones")).length, 0);
      const table = status.outputs!.dnsRecordsToConfigure as { fqdn: string; ipAddresses: string[] }[];
      assert.ok(table.some((r) => r.fqdn === "gbl.his.arc.azure.com" && r.ipAddresses[0].startsWith("10.10.1.")));
    }));

  it("reports the connect command for a cluster not yet onboarded", () =>
    withSeededHost((rs) => rs.splice(rs.findIndex((r) => r.id === CLUSTER), 1), async (host) => {
      const status = await provision(host, example("arc-private-link.json"));
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      assert.match(String(status.outputs!["connectCommand:onprem-k8s-01"]), /^az connectedk8s connect -g rg-arc -n onprem-k8s-01 -l eastus --enable-private-link true --private-link-scope-resource-id \/subscriptions\/.*\/privateLinkScopes\/pls-arc$/);
    }));

  const limits: [string, (rs: any[]) => void, RegExp][] = [
    ["one scope per VNet", (rs) => {
      rs.push({ id: `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/privateLinkScopes/pls-other`, location: "eastus", properties: { publicNetworkAccess: "Disabled" } });
      rs.push({ id: `${NET}/providers/Microsoft.Network/privateEndpoints/pe-other`, location: "eastus", properties: { subnet: { id: `${NET}/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe` }, privateLinkServiceConnections: [{ name: "c", properties: { privateLinkServiceId: `/subscriptions/${SUB}/resourceGroups/rg-arc/providers/Microsoft.HybridCompute/privateLinkScopes/pls-other`, groupIds: ["hybridcompute"] } }] } });
    }, /one scope per VNet/],
    ["a cluster associated with another scope", (rs) => (rs.find((r) => r.id === CLUSTER).properties.privateLinkScopeResourceId = `/subscriptions/${SUB}/resourceGroups/x/providers/Microsoft.HybridCompute/privateLinkScopes/elsewhere`), /connectedClusters\[0\]: .*already associated/],
    ["a cluster in another region", (rs) => (rs.find((r) => r.id === CLUSTER).location = "westeurope"), /connectedClusters\[0\]: .*same region/],
    ["an NSG priority taken by another rule", (rs) => rs.find((r) => r.id === NSG).properties.securityRules.push({ name: "Other", properties: { protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22", access: "Allow", priority: 151, direction: "Outbound" } }), /priority 151/],
    ["a deny-internet rule above the Arc rules", (rs) => (rs.find((r) => r.id === NSG).properties.securityRules[0].properties.priority = 100), /denies internet traffic at priority 100/],
  ];
  for (const [name, change, message] of limits)
    it(`refuses with zero writes: ${name}`, () =>
      withSeededHost(change, async (host) => {
        const status = await provision(host, example("arc-private-link.json"));
        assert.equal(status.state, "Failed");
        assert.equal(status.error!.code, "ArcPrivateLinkLimit");
        assert.match(status.error!.message, message);
        assert.deepEqual(host.standIn!.writes(), []);
      }));
});
