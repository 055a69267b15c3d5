// Azure Arc private link on the ARM stand-in, pre-loaded with what the request expects to exist
// (examples/arc-private-link.seed.json: the VNet in eastus with its subnet, the NSG with a
// deny-internet rule at 4000, the connected cluster onprem-k8s-01 in eastus). The assertions read
// the FINAL resources from the stand-in.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { LocalHost } from "../../src/local/host.js";
import { ARC_ZONES } from "../../src/domain/steps/arc-dns.js";
import { provision, startTestHost } from "../helpers/local.js";
import { EXAMPLES_DIR, example, SUB } from "../helpers/examples.js";

const NET = `/subscriptions/${SUB}/resourceGroups/rg-net`;
const ARC_RG = `/subscriptions/${SUB}/resourceGroups/rg-arc`;
const SCOPE = `${ARC_RG}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-arc`;
const OTHER_SCOPE = `${ARC_RG}/providers/Microsoft.HybridCompute/privateLinkScopes/pls-other`;
const CLUSTER = `${ARC_RG}/providers/Microsoft.Kubernetes/connectedClusters/onprem-k8s-01`;
const VNET = `${NET}/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
const SUBNET = `${VNET}/subnets/snet-pe`;
const PE = `${NET}/providers/Microsoft.Network/privateEndpoints/pe-arc`;
const NSG = `${NET}/providers/Microsoft.Network/networkSecurityGroups/nsg-onprem-egress`;
const zoneId = (z: string) => `${NET}/providers/Microsoft.Network/privateDnsZones/${z}`;
const seed = (): any[] => JSON.parse(readFileSync(path.join(EXAMPLES_DIR, "arc-private-link.seed.json"), "utf8"));
const byId = (rs: any[], id: string) => rs.find((r) => r.id.toLowerCase() === id.toLowerCase());
const lower = (s: unknown) => String(s).toLowerCase();

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

/** The procedure's table as ARM stores the rules (plus the inbound half of the FrontDoor rule). */
const TABLE = [
  ["AllowAADOutboundAccess", "VirtualNetwork", "AzureActiveDirectory", 150, "Outbound"],
  ["AllowAzOutboundAccess", "VirtualNetwork", "AzureResourceManager", 151, "Outbound"],
  ["AllowAzureFrontDoorFirstPartyAccess", "VirtualNetwork", "AzureFrontDoor.FirstParty", 152, "Outbound"],
  ["AllowAzureFrontDoorFirstPartyAccessInbound", "AzureFrontDoor.FirstParty", "VirtualNetwork", 152, "Inbound"],
  ["AllowMCROutboundAccess", "VirtualNetwork", "MicrosoftContainerRegistry", 153, "Outbound"],
] as const;

describe("Azure Arc private link", () => {
  it("creates the scope, endpoint, zones, links, records and the NSG rules, and associates the cluster", () =>
    withSeededHost(() => {}, async (host) => {
      const status = await provision(host, example("arc-private-link.json"));
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error ?? status.steps));
      const get = (id: string) => host.standIn!.get(id);

      const scope = get(SCOPE);
      assert.equal(scope.location, "eastus");
      assert.equal(scope.properties.publicNetworkAccess, "Disabled");

      const pe = get(PE);
      assert.equal(pe.location, "eastus", "the VNet's region");
      assert.equal(lower(pe.properties.subnet.id), lower(SUBNET));
      const conn = pe.properties.privateLinkServiceConnections;
      assert.equal(conn.length, 1);
      assert.equal(lower(conn[0].properties.privateLinkServiceId), lower(SCOPE));
      assert.deepEqual(conn[0].properties.groupIds, ["hybridcompute"]);
      const configs: { fqdn: string; ipAddresses: string[] }[] = pe.properties.customDnsConfigs;
      assert.ok(configs.length >= 3);

      // zones linked to the VNet without registration, and one A record per endpoint FQDN at its IP
      for (const z of ARC_ZONES) {
        assert.ok(get(zoneId(z)), `zone ${z}`);
        const link = get(`${zoneId(z)}/virtualNetworkLinks/link-vnet-hub`);
        assert.equal(link.properties.registrationEnabled, false);
        assert.equal(lower(link.properties.virtualNetwork.id), lower(VNET));
      }
      for (const c of configs) {
        const zone = ARC_ZONES.find((z) => c.fqdn.endsWith(`.${z.replace(/^privatelink\./, "")}`));
        assert.ok(zone, `no Arc zone for ${c.fqdn}`);
        const rel = c.fqdn.slice(0, -(zone.length - "privatelink.".length) - 1);
        const record = get(`${zoneId(zone)}/A/${rel}`);
        assert.ok(record, `A record ${rel} in ${zone}`);
        assert.deepEqual(record.properties.aRecords.map((a: { ipv4Address: string }) => a.ipv4Address), c.ipAddresses);
      }
      for (const z of ARC_ZONES) for (const r of host.standIn!.list(`${zoneId(z)}/A/`)) assert.ok(r.properties.aRecords.length > 0, `empty record ${r.id}`);
      const group = get(`${PE}/privateDnsZoneGroups/default`);
      assert.deepEqual(group.properties.privateDnsZoneConfigs.map((c: any) => lower(c.properties.privateDnsZoneId)), ARC_ZONES.map((z) => lower(zoneId(z))));

      // the NSG rules exactly as the table; the rule that was there is untouched
      for (const [name, source, destination, priority, direction] of TABLE) {
        const p = get(`${NSG}/securityRules/${name}`).properties;
        assert.deepEqual(
          [p.protocol, p.sourceAddressPrefix, p.sourcePortRange, p.destinationAddressPrefix, p.destinationPortRange, p.access, p.priority, p.direction],
          ["Tcp", source, "*", destination, "443", "Allow", priority, direction],
          name,
        );
      }
      const deny = get(`${NSG}/securityRules/DenyInternetOutbound`).properties;
      assert.deepEqual([deny.access, deny.priority, deny.destinationAddressPrefix], ["Deny", 4000, "Internet"]);

      // the cluster is associated, and the PUT kept what the agent had set
      const cluster = get(CLUSTER);
      assert.deepEqual([cluster.properties.privateLinkState, lower(cluster.properties.privateLinkScopeResourceId)], ["Enabled", lower(SCOPE)]);
      assert.equal(cluster.properties.distribution, "k3s");
      assert.ok(cluster.properties.agentPublicKeyCertificate);
      assert.equal(cluster.location, "eastus");

      const resolve = status.outputs!.mustResolveToPrivateIps as Record<string, string>;
      assert.deepEqual(Object.keys(resolve), ["gbl.his.arc.azure.com", "agentserviceapi.guestconfiguration.azure.com", "dp.kubernetesconfiguration.azure.com"]);
      for (const ip of Object.values(resolve)) assert.match(ip, /^10\.10\.1\.\d+$/);
      assert.equal(status.outputs!.dnsRecordsToConfigure, undefined);
      assert.equal(status.outputs!.connectCommands, undefined);
    }));

  it("a second run of the same request finds everything done and writes nothing", () =>
    withSeededHost(() => {}, async (host) => {
      assert.equal((await provision(host, example("arc-private-link.json"))).state, "Succeeded");
      const before = host.standIn!.writes().length;
      const again = await provision(host, example("arc-private-link.json"));
      assert.equal(again.state, "Succeeded", JSON.stringify(again.error));
      assert.deepEqual(host.standIn!.writes().slice(before), []);
      assert.ok(again.steps.every((s) => s.armWrites === 0));
    }));

  it("manual DNS creates no zone and no record, and returns the endpoint's FQDN → IP table", () =>
    withSeededHost(() => {}, async (host) => {
      const raw = { ...example("arc-private-link.json"), privateEndpoint: { name: "pe-arc", dns: "manual" } };
      const status = await provision(host, raw);
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      const all = host.standIn!.list("/subscriptions/");
      assert.deepEqual(all.filter((r: any) => lower(r.type).startsWith("microsoft.network/privatednszones")).map((r: any) => r.id), []);
      assert.equal(host.standIn!.get(`${PE}/privateDnsZoneGroups/default`), undefined);
      const table = status.outputs!.dnsRecordsToConfigure as { fqdn: string; ipAddresses: string[] }[];
      assert.deepEqual(table, host.standIn!.get(PE).properties.customDnsConfigs.map((c: any) => ({ fqdn: c.fqdn, ipAddresses: c.ipAddresses })));
      assert.ok(table.some((r) => r.fqdn === "gbl.his.arc.azure.com" && /^10\.10\.1\.\d+$/.test(r.ipAddresses[0])));
      assert.ok(table.every((r) => r.ipAddresses.length > 0));
      assert.equal(host.standIn!.get(CLUSTER).properties.privateLinkState, "Enabled");
    }));

  it("puts the endpoint in the VNet's region when it differs from the scope's", () =>
    withSeededHost((rs) => (byId(rs, VNET).location = "westus2"), async (host) => {
      const status = await provision(host, example("arc-private-link.json"));
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      assert.equal(host.standIn!.get(PE).location, "westus2");
      assert.equal(host.standIn!.get(SCOPE).location, "eastus");
    }));

  it("reports the connect command for a cluster not yet onboarded", () =>
    withSeededHost((rs) => rs.splice(rs.indexOf(byId(rs, CLUSTER)), 1), async (host) => {
      const status = await provision(host, example("arc-private-link.json"));
      assert.equal(status.state, "Succeeded", JSON.stringify(status.error));
      assert.deepEqual(status.outputs!.connectCommands, [`az connectedk8s connect -g rg-arc -n onprem-k8s-01 -l eastus --enable-private-link true --private-link-scope-resource-id ${SCOPE}`]);
      assert.equal(host.standIn!.get(CLUSTER), undefined, "no cluster is created");
    }));

  const limits: [string, (rs: any[]) => void, RegExp][] = [
    [
      "one scope per VNet",
      (rs) => {
        rs.push({ id: OTHER_SCOPE, location: "eastus", properties: { publicNetworkAccess: "Disabled" } });
        rs.push({ id: `${NET}/providers/Microsoft.Network/privateEndpoints/pe-other`, location: "eastus", properties: { subnet: { id: SUBNET }, privateLinkServiceConnections: [{ name: "c", properties: { privateLinkServiceId: OTHER_SCOPE, groupIds: ["hybridcompute"] } }] } });
      },
      /^step arc:check: network\.vnetName: VNet vnet-hub already has a private endpoint \(pe-other\) to another Azure Arc private link scope, .*pls-other \(at most one scope per VNet\)$/,
    ],
    [
      "a cluster associated with another scope",
      (rs) => Object.assign(byId(rs, CLUSTER).properties, { privateLinkState: "Enabled", privateLinkScopeResourceId: OTHER_SCOPE }),
      /connectedClusters\[0\]: onprem-k8s-01 is already associated with scope .*pls-other/,
    ],
    ["a cluster in another region", (rs) => (byId(rs, CLUSTER).location = "westeurope"), /connectedClusters\[0\]: onprem-k8s-01 is in westeurope, the scope in eastus \(the clusters and the scope must be in the same region\)/],
    [
      "an NSG priority taken by another rule",
      (rs) =>
        byId(rs, NSG).properties.securityRules.push({ name: "AllowSshOut", properties: { protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22", access: "Allow", priority: 151, direction: "Outbound" } }),
      /network\.nsgName: rule AllowSshOut of nsg-onprem-egress already has priority 151 \(Outbound\), which the procedure gives to AllowAzOutboundAccess/,
    ],
    [
      "a deny-internet rule above the Arc rules",
      (rs) => (byId(rs, NSG).properties.securityRules[0].properties.priority = 100),
      /network\.nsgName: rule DenyInternetOutbound of nsg-onprem-egress denies internet traffic \(Outbound, priority 100\) before AllowAADOutboundAccess \(150\)/,
    ],
  ];
  for (const [name, change, message] of limits)
    it(`fails with zero writes: ${name}`, () =>
      withSeededHost(change, async (host) => {
        const status = await provision(host, example("arc-private-link.json"));
        assert.equal(status.state, "Failed");
        assert.equal(status.error!.code, "ArcPrivateLinkLimit");
        assert.match(status.error!.message, message);
        assert.deepEqual(host.standIn!.writes(), []);
        assert.deepEqual(status.steps.filter((s) => s.state !== "Pending").map((s) => s.name).sort(), ["arc:check", "arc:check:network"]);
      }));

  it("is rejected with zero ARM requests in the preview's excluded region (Southeast Asia)", () =>
    withSeededHost(() => {}, async (host) => {
      const raw = example("arc-private-link.json");
      raw.scope.location = "southeastasia";
      const status = await provision(host, raw);
      assert.equal(status.state, "Rejected");
      const details = (status.error as { details?: { path: string; message: string }[] }).details!;
      assert.deepEqual(details.map((d) => d.path), ["scope.location"]);
      assert.match(details[0].message, /southeastasia during the preview/);
      assert.deepEqual(host.standIn!.writes(), []);
      assert.deepEqual(host.standIn!.requests, []);
    }));
});
