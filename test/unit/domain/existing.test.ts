import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AKS_PREVIEW_API_VERSION } from "../../../src/domain/api-versions.js";
import { planRequest } from "../../../src/domain/plan.js";
import { clusterFacts, READ_STEP } from "../../../src/domain/steps/existing-cluster.js";
import { validateRequest } from "../../../src/domain/validate.js";
import { toClusterEvent } from "../../../src/domain/events.js";
import { inWindow, parseWindow } from "../../../src/domain/maintenance-window.js";
import type { StepContext, StepDef } from "../../../src/domain/step.js";
import { example, SUB } from "../../helpers/examples.js";

const cluster = { subscriptionId: SUB, resourceGroup: "rg", name: "aks1" };
const CID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1`;
const plan = (raw: unknown) => {
  const v = validateRequest(raw);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return planRequest(v.request);
};
const step = (steps: StepDef[], name: string) => steps.find((s) => s.name === name)!;
const ctx = (request: any, outputs: Record<string, any> = {}, posts = 0): StepContext => ({ request, outputs, posts, writes: {} });
const mc = (over: Record<string, any> = {}) => ({
  id: CID,
  location: "westus2",
  provisioningState: "Succeeded",
  identity: { type: "SystemAssigned", principalId: "pid" },
  agentPoolProfiles: [{ name: "system", vnetSubnetID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes" }, { name: "user" }],
  networkProfile: { outboundType: "loadBalancer" },
  ...over,
});

describe("operations on existing clusters", () => {
  it("enableNetworkIsolation: read, update, then re-image every pool after the update", () => {
    const p = plan(example("enable-network-isolation.json"));
    assert.deepEqual(p.steps.map((s) => [s.name, s.dependsOn]), [
      ["cluster:read", []],
      ["cluster:update", ["cluster:read"]],
      ["nodeImages:upgrade", ["cluster:update"]],
    ]);
    const update = step(p.steps, "cluster:update").decide(ctx({}), [mc()]);
    assert.equal(update.do, "put");
    const body = (update as any).body;
    assert.deepEqual(body.bootstrapProfile, { artifactSource: "Cache" });
    assert.equal(body.networkProfile.outboundType, "none");
    assert.equal(body.agentPoolProfiles.length, 2, "the PUT keeps the cluster's pools");
    // already isolated: nothing to write
    assert.equal(step(p.steps, "cluster:update").decide(ctx({}), [mc({ bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { outboundType: "none" } })]).do, "done");
  });

  it("the read step refuses a missing cluster and waits for a busy one", () => {
    const p = plan(example("enable-network-isolation.json"));
    const read = step(p.steps, "cluster:read");
    assert.deepEqual(read.decide(ctx({}), [undefined]).do, "fail");
    assert.deepEqual(read.decide(ctx({}), [mc({ provisioningState: "Updating" })]).do, "wait");
    const done = read.decide(ctx({}), [mc()]) as any;
    assert.deepEqual(done.outputs.pools, ["system", "user"]);
  });

  it("node images: one POST per pool, one pool at a time, waiting while a pool is busy", () => {
    const p = plan({ operation: "upgradeNodeImages", cluster });
    const up = step(p.steps, "nodeImages:upgrade");
    const out = { "cluster:read": { pools: ["system", "user"] } };
    const reads = up.reads(ctx({}, out));
    assert.deepEqual(reads.map((r) => r.kind), ["managedCluster", "agentPool", "agentPool"]);
    const pool = (name: string, state = "Succeeded") => ({ id: `${CID}/agentPools/${name}`, name, provisioningState: state });
    const first = up.decide(ctx({}, out, 0), [mc(), pool("system"), pool("user")]) as any;
    assert.deepEqual([first.do, first.action, first.ref.id], ["post", "upgradeNodeImageVersion", `${CID}/agentPools/system`]);
    assert.equal(up.decide(ctx({}, out, 1), [mc(), pool("system"), pool("user", "UpgradingNodeImageVersion")]).do, "wait");
    assert.equal(up.decide(ctx({}, out, 2), [mc(), pool("system"), pool("user")]).do, "done");
  });

  it("upgradeNodeImages refuses unknown pool names before writing", () => {
    const p = plan({ operation: "upgradeNodeImages", cluster, nodePoolNames: ["user", "gpu"] });
    const r = step(p.steps, "cluster:read").decide(ctx({}), [mc()]) as any;
    assert.equal(r.do, "fail");
    assert.match(r.message, /nodePoolNames\[1\]: .* no pool 'gpu'/);
  });

  it("disableNetworkIsolation: Direct + loadBalancer, then re-image", () => {
    const p = plan({ operation: "disableNetworkIsolation", cluster });
    const d = step(p.steps, "cluster:update").decide(ctx({}), [mc({ bootstrapProfile: { artifactSource: "Cache" }, networkProfile: { outboundType: "none" } })]) as any;
    assert.deepEqual([d.body.bootstrapProfile.artifactSource, d.body.networkProfile.outboundType], ["Direct", "loadBalancer"]);
    assert.ok(p.steps.some((s) => s.name === "nodeImages:upgrade"));
  });

  it("enableApiServerVnetIntegration: delegated subnet, Network Contributor on both subnets, update; one-way warning; no re-image", () => {
    const p = plan({ operation: "enableApiServerVnetIntegration", cluster, network: { subnets: { apiServer: "10.225.0.0/28" } } });
    assert.ok(!p.steps.some((s) => s.name === "nodeImages:upgrade"), "AKS re-images by itself");
    assert.ok(p.warnings.some((w) => /one-way/.test(w)) && p.warnings.some((w) => /IP address changes/.test(w)));
    const out = { "cluster:read": { vnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", nodesSubnetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", identityPrincipalId: "pid" } };
    const vnet = { addressSpace: { addressPrefixes: ["10.224.0.0/12"] }, subnets: [{ name: "nodes", addressPrefix: "10.224.0.0/16" }] };
    const sn = step(p.steps, "subnet:apiServer").decide(ctx({}, out), [vnet, undefined]) as any;
    assert.deepEqual(sn.body, { addressPrefix: "10.225.0.0/28", delegations: [{ name: "aks-apiserver", serviceName: "Microsoft.ContainerService/managedClusters" }] });
    const clash = step(p.steps, "subnet:apiServer").decide(ctx({}, out), [{ ...vnet, subnets: [{ name: "x", addressPrefix: "10.225.0.0/24" }] }, undefined]) as any;
    assert.equal(clash.do, "fail");
    const role = step(p.steps, "role:networkContributor:apiServerSubnet").decide(ctx({}, out), [undefined]) as any;
    assert.match(role.body.roleDefinitionId, /4d97b98b-1d4f-4787-a291-c67834d212e7$/);
    assert.equal(role.body.principalType, "ServicePrincipal");
    assert.ok(role.ref.id.startsWith(`${out["cluster:read"].vnetId}/subnets/snet-apiserver/providers/Microsoft.Authorization/roleAssignments/`));
  });

  it("setPrivateCluster is refused on a cluster without VNet integration", () => {
    const p = plan({ operation: "setPrivateCluster", cluster, apiServer: { private: true } });
    assert.equal(step(p.steps, "cluster:read").decide(ctx({}), [mc()]).do, "fail");
    assert.equal(step(p.steps, "cluster:read").decide(ctx({}), [mc({ apiServerAccessProfile: { enableVnetIntegration: true } })]).do, "done");
  });

  it("addSandboxPool: a Kata pool, then the cluster update only when a pool was added", () => {
    const p = plan({ operation: "addSandboxPool", cluster, nodePools: [{ name: "kata", vmSize: "Standard_D4s_v3", osSku: "AzureLinux", workloadRuntime: "KataVmIsolation" }] });
    const put = step(p.steps, "pool:kata").decide(ctx({}, { "cluster:read": {} }), [undefined]) as any;
    assert.deepEqual([put.body.workloadRuntime, put.body.osSKU, put.body.vmSize, put.body.mode], ["KataVmIsolation", "AzureLinux", "Standard_D4s_v3", "User"]);
    const refresh = step(p.steps, "cluster:update");
    assert.equal(refresh.decide({ ...ctx({}), writes: { "pool:kata": 0 } }, [mc()]).do, "done");
    assert.equal(refresh.decide({ ...ctx({}), writes: { "pool:kata": 1 } }, [mc()]).do, "put");
  });
});

describe("cluster events", () => {
  const write = { id: "e1", eventType: "Microsoft.Resources.ResourceWriteSuccess", subject: CID, eventTime: "2026-11-22T10:00:00Z", topic: `/subscriptions/${SUB}`, data: { resourceUri: CID, operationName: "Microsoft.ContainerService/managedClusters/write", status: "Succeeded", resourceProvider: "Microsoft.ContainerService" } };
  it("accepts ResourceWriteSuccess for a cluster in the Event Grid and CloudEvents schemas", () => {
    assert.equal(toClusterEvent(write)?.clusterId, CID);
    const cloud = { id: "e2", type: "Microsoft.Resources.ResourceWriteSuccess", source: `/subscriptions/${SUB}`, subject: CID, time: "2026-11-22T10:00:00Z", specversion: "1.0", data: write.data };
    assert.equal(toClusterEvent(cloud)?.kind, "ResourceWriteSuccess");
  });
  it("maps a pool's write or delete to AgentPoolChanged of its cluster (drift only), and ignores other children and other types", () => {
    const pool = toClusterEvent({ ...write, data: { ...write.data, resourceUri: `${CID}/agentPools/system` } });
    assert.deepEqual([pool?.kind, pool?.clusterId, pool?.data.nodePoolName, pool?.data.deleted], ["AgentPoolChanged", CID, "system", false]);
    const deleted = toClusterEvent({ ...write, eventType: "Microsoft.Resources.ResourceDeleteSuccess", data: { ...write.data, resourceUri: `${CID}/agentPools/kata1` } });
    assert.deepEqual([deleted?.kind, deleted?.data.deleted], ["AgentPoolChanged", true]);
    assert.equal(toClusterEvent({ ...write, data: { ...write.data, resourceUri: `${CID}/maintenanceConfigurations/default` } }), undefined);
    assert.equal(toClusterEvent({ ...write, data: { ...write.data, resourceUri: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v" } }), undefined);
  });
  it("reads the cluster of AKS system-topic events from the topic", () => {
    const ev = toClusterEvent({ id: "e3", eventType: "Microsoft.ContainerService.NodePoolRollingStarted", topic: CID, subject: "aks1", data: { nodePoolName: "system" } });
    assert.deepEqual([ev?.kind, ev?.clusterId, ev?.data.nodePoolName], ["NodePoolRollingStarted", CID, "system"]);
  });
});

describe("maintenance windows", () => {
  it("days and hours in UTC, also across midnight", () => {
    const w = parseWindow("Sat,Sun 01:00-05:00");
    assert.ok(inWindow(w, new Date("2026-11-21T02:30:00Z"))); // a Saturday
    assert.ok(!inWindow(w, new Date("2026-11-23T02:30:00Z"))); // a Monday
    const night = parseWindow("Fri 22:00-02:00");
    assert.ok(inWindow(night, new Date("2026-11-20T23:00:00Z"))); // Friday evening
    assert.ok(inWindow(night, new Date("2026-11-21T01:00:00Z"))); // Saturday morning
    assert.throws(() => parseWindow("whenever"), /not like/);
  });
});

describe("api-version of writes to a cluster that already holds a preview-only value", () => {
  it("a cluster with a KataMshvVmIsolation pool is updated with the preview api-version, one without with the SDK's stable one", async () => {
    const v = validateRequest({ operation: "disableNetworkIsolation", requestId: "r1", cluster });
    assert.ok(v.ok);
    const update = planRequest(v.request).steps.find((s) => s.name === "cluster:update")!;
    const pools = (runtime: string) => ({ id: "/x", location: "westus2", agentPoolProfiles: [{ name: "kata", workloadRuntime: runtime }] });
    const ctxWith = (mc: object) => ({ request: v.request, outputs: { [READ_STEP]: clusterFacts(mc as never) }, posts: 0, writes: {} });
    assert.equal(update.reads(ctxWith(pools("KataMshvVmIsolation")))[0].apiVersion, AKS_PREVIEW_API_VERSION);
    assert.equal(update.reads(ctxWith(pools("KataVmIsolation")))[0].apiVersion, undefined);
  });
});
