// A pre-existing cluster in the ARM stand-in, and the events Event Grid would deliver about it.
import type { LocalHost } from "../../src/local/host.js";
import { armWrites } from "./local.js";
import { SUB } from "./examples.js";

/** The tag an operator sets to let the app manage a cluster it did not create. */
export const MANAGED = { "managed-by": "aks-provisioner" };

export const RG = "rg-aks";
let seq = 0;
/** A fresh event id. */
export const nextEventId = (prefix: string) => `${prefix}-${++seq}`;
export const rgId = `/subscriptions/${SUB}/resourceGroups/${RG}`;
export const vnetId = `${rgId}/providers/Microsoft.Network/virtualNetworks/vnet-aks-existing`;
export const nodesSubnet = `${vnetId}/subnets/nodes`;
export const idOf = (name: string) => `${rgId}/providers/Microsoft.ContainerService/managedClusters/${name}`;

/** A running cluster with two pools in its own VNet, as `az aks create` would leave it. */
export function seedCluster(host: LocalHost, name: string, extra: Record<string, unknown> = {}, tags: Record<string, string> | undefined = MANAGED): string {
  const s = host.standIn!;
  if (!s.get(rgId)) {
    s.seed({ id: rgId, location: "westus2" });
    s.seed({ id: vnetId, location: "westus2", properties: { addressSpace: { addressPrefixes: ["10.224.0.0/12"] }, subnets: [{ name: "nodes", properties: { addressPrefix: "10.224.0.0/16" } }] } });
  }
  const id = idOf(name);
  s.seed({
    id,
    location: "westus2",
    tags,
    identity: { type: "SystemAssigned" },
    properties: {
      kubernetesVersion: "1.30.3",
      dnsPrefix: name,
      networkProfile: { networkPlugin: "azure", outboundType: "loadBalancer" },
      agentPoolProfiles: [
        { name: "system", mode: "System", count: 1, vmSize: "Standard_D4s_v3", osType: "Linux", vnetSubnetID: nodesSubnet },
        { name: "user", mode: "User", count: 1, vmSize: "Standard_D4s_v3", osType: "Linux", vnetSubnetID: nodesSubnet },
      ],
      ...extra,
    },
  });
  return id;
}

export const upgradePosts = (host: LocalHost, name: string) => armWrites(host).filter((w) => w.includes(`/managedClusters/${name}/agentPools/`) && w.endsWith("/upgradeNodeImageVersion"));

export const writeEvent = (clusterId: string) => resourceEvent(clusterId, "Write");

/**
 * What the subscription's Event Grid subscription delivers after a write or delete of `resourceUri`
 * (the cluster, or a child such as …/agentPools/{p}).
 */
export function resourceEvent(resourceUri: string, what: "Write" | "Delete") {
  const id = nextEventId("evt");
  // providers/{namespace}/{type}/{name}/{childType}/{name}… → {namespace}/{type}/{childType}/write
  const [namespace, ...rest] = resourceUri.split(/\/providers\//i)[1].split("/");
  const operationName = [namespace, ...rest.filter((_, i) => i % 2 === 0), what.toLowerCase()].join("/");
  return [
    {
      id,
      topic: `/subscriptions/${SUB}`,
      subject: resourceUri,
      eventType: `Microsoft.Resources.Resource${what}Success`,
      eventTime: new Date().toISOString(),
      dataVersion: "",
      metadataVersion: "1",
      data: {
        authorization: { scope: resourceUri, action: operationName, evidence: { role: "Contributor" } },
        correlationId: `corr-${id}`,
        operationName,
        resourceProvider: "Microsoft.ContainerService",
        resourceUri,
        status: "Succeeded",
        subscriptionId: resourceUri.split("/")[2],
        resourceGroup: resourceUri.split("/")[4],
      },
    },
  ];
}

export async function postEvents(host: LocalHost, body: unknown): Promise<Response> {
  const res = await fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=clusterEvents`, { method: "POST", headers: { "content-type": "application/json", "aeg-event-type": "Notification" }, body: JSON.stringify(body) });
  await host.bus.whenIdle();
  return res;
}

export async function waitUntil(cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
