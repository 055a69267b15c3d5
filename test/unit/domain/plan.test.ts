import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDag, planRequest, readySteps } from "../../../src/domain/plan.js";
import { AKS_PREVIEW_API_VERSION } from "../../../src/domain/api-versions.js";
import { desiredCluster } from "../../../src/domain/steps/cluster.js";
import { validateRequest } from "../../../src/domain/validate.js";
import type { CreateRequest } from "../../../src/domain/contract.js";
import type { StepContext } from "../../../src/domain/step.js";
import { example } from "../../helpers/examples.js";

const valid = (raw: unknown) => {
  const v = validateRequest(raw);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.request;
};
const ctx = (request: any, outputs = {}, posts = 0): StepContext => ({ request, outputs, posts, writes: {} });

describe("create plan", () => {
  it("runs preflight and the resource group before the cluster, and verifies last", () => {
    const plan = planRequest(valid(example("network-isolated-managed-acr.json")));
    const deps = Object.fromEntries(plan.steps.map((s) => [s.name, s.dependsOn]));
    assert.deepEqual(deps, {
      "provider:Microsoft.ContainerService": [],
      "provider:Microsoft.ContainerRegistry": [],
      resourceGroup: [],
      cluster: ["resourceGroup", "provider:Microsoft.ContainerService", "provider:Microsoft.ContainerRegistry"],
      verify: ["cluster"],
    });
    assert.equal(plan.target, "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-iso/providers/Microsoft.ContainerService/managedClusters/aks-iso-managed");
  });

  it("asks for feature flags only when a preview-only value is requested", () => {
    const names = (raw: unknown) => planRequest(valid(raw)).steps.map((s) => s.name).filter((n) => n.startsWith("feature:"));
    assert.deepEqual(names(example("pod-sandboxing.json")), []);
    const preview = example("pod-sandboxing.json");
    preview.nodePools[0].workloadRuntime = "KataMshvVmIsolation";
    assert.deepEqual(names(preview), ["feature:KataVMIsolationPreview"]);
    const block = example("network-isolated-managed-acr.json");
    block.networkIsolation.outboundType = "block";
    assert.deepEqual(names(block), ["feature:NetworkIsolatedClusterPreview"]);
    // the provider is registered again after the feature, and the cluster uses the preview API
    const plan = planRequest(valid(block));
    assert.deepEqual(plan.steps.find((s) => s.name === "provider:Microsoft.ContainerService")!.dependsOn, ["feature:NetworkIsolatedClusterPreview"]);
    const cluster = plan.steps.find((s) => s.name === "cluster")!;
    assert.equal(cluster.reads(ctx(valid(block)))[0].apiVersion, AKS_PREVIEW_API_VERSION);
  });

  it("warns on every preview-only value: block is in no published api-version, KataMshvVmIsolation has a supported successor", () => {
    const stable = planRequest(valid(example("pod-sandboxing.json")));
    assert.deepEqual(stable.warnings, []);
    const both = example("network-isolated-managed-acr.json");
    both.networkIsolation.outboundType = "block";
    both.nodePools.push({ name: "kata", mode: "User", vmSize: "Standard_D4s_v3", count: 1, osSku: "AzureLinux", workloadRuntime: "KataMshvVmIsolation" });
    const warnings = planRequest(valid(both)).warnings.join("\n");
    assert.match(warnings, /outboundType block is listed in no published api-version/);
    assert.match(warnings, /KataVmIsolation is its supported successor/);
  });

  it("starts with the steps that have no dependencies", () => {
    const plan = planRequest(valid(example("pod-sandboxing.json")));
    assert.deepEqual(readySteps(plan.steps, new Set(), new Set()).map((s) => s.name), ["provider:Microsoft.ContainerService", "resourceGroup"]);
  });

  it("rejects a cyclic or dangling plan", () => {
    const step = (name: string, dependsOn: string[]) => ({ name, dependsOn, describe: "", reads: () => [], decide: () => ({ do: "done" as const }) });
    assert.throws(() => checkDag([step("a", ["b"]), step("b", ["a"])]), /cycle/);
    assert.throws(() => checkDag([step("a", ["x"])]), /unknown step x/);
  });
});

describe("the managed cluster the procedures ask for", () => {
  it("network-isolated, AKS-managed registry, private link", () => {
    const req = valid(example("network-isolated-managed-acr.json")) as CreateRequest;
    const mc = desiredCluster(req, {});
    assert.deepEqual(mc.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: undefined });
    assert.deepEqual(mc.networkProfile, { networkPlugin: "azure", outboundType: "none" });
    assert.deepEqual(mc.apiServerAccessProfile, { enablePrivateCluster: true });
    assert.equal(mc.kubernetesVersion, "1.30.3");
    assert.deepEqual(mc.identity, { type: "SystemAssigned" });
    assert.equal(mc.agentPoolProfiles!.length, 1);
    assert.equal(mc.agentPoolProfiles![0].mode, "System");
  });

  it("Pod Sandboxing pool: workloadRuntime and AzureLinux, no isolation settings", () => {
    const mc = desiredCluster(valid(example("pod-sandboxing.json")) as CreateRequest, {});
    assert.equal(mc.agentPoolProfiles![0].workloadRuntime, "KataVmIsolation");
    assert.equal(mc.agentPoolProfiles![0].osSKU, "AzureLinux");
    assert.equal(mc.agentPoolProfiles![0].vmSize, "Standard_D4s_v3");
    assert.equal(mc.bootstrapProfile, undefined);
    assert.equal(mc.networkProfile!.outboundType, undefined);
  });

  it("API server VNet integration with the managed VNet, private", () => {
    const req = valid({ ...example("network-isolated-managed-acr.json"), apiServer: { access: "vnetIntegration", private: true } }) as CreateRequest;
    assert.deepEqual(desiredCluster(req, {}).apiServerAccessProfile, { enableVnetIntegration: true, enablePrivateCluster: true, subnetId: undefined });
  });

  it("uses the BYO chain's outputs: subnet, identities, registry", () => {
    const req = valid(example("network-isolated-byo-acr-vnet-integration.json")) as CreateRequest;
    const mc = desiredCluster(req, {
      vnet: { nodesSubnetId: "/s/nodes", apiServerSubnetId: "/s/api" },
      "identity:controlPlane": { controlPlaneIdentityId: "/id/cp", controlPlaneIdentityPrincipalId: "p1", controlPlaneIdentityClientId: "c1" },
      "identity:kubelet": { kubeletIdentityId: "/id/kubelet", kubeletIdentityPrincipalId: "p2", kubeletIdentityClientId: "c2" },
      registry: { registryId: "/acr" },
    });
    assert.equal(mc.agentPoolProfiles![0].vnetSubnetID, "/s/nodes");
    assert.deepEqual(mc.identity, { type: "UserAssigned", userAssignedIdentities: { "/id/cp": {} } });
    assert.deepEqual(mc.identityProfile, { kubeletidentity: { resourceId: "/id/kubelet", clientId: "c2", objectId: "p2" } });
    assert.deepEqual(mc.bootstrapProfile, { artifactSource: "Cache", containerRegistryId: "/acr" });
    assert.deepEqual(mc.apiServerAccessProfile, { enableVnetIntegration: true, enablePrivateCluster: true, subnetId: "/s/api" });
  });
});

describe("put steps", () => {
  const plan = planRequest(valid(example("pod-sandboxing.json")));
  const cluster = plan.steps.find((s) => s.name === "cluster")!;
  const req = valid(example("pod-sandboxing.json"));

  it("write when the resource is missing", () => {
    assert.equal(cluster.decide(ctx(req), [undefined]).do, "put");
  });
  it("wait, never write, while the resource is being provisioned", () => {
    assert.equal(cluster.decide(ctx(req), [{ provisioningState: "Creating" }]).do, "wait");
  });
  it("record success without writing when it already is as desired", () => {
    const body = desiredCluster(req as CreateRequest, {});
    const actual = { ...JSON.parse(JSON.stringify(body)), id: "x", provisioningState: "Succeeded", kubernetesVersion: "1.31.2", fqdn: "f" };
    assert.equal(cluster.decide(ctx(req), [actual]).do, "done");
    actual.agentPoolProfiles[0].workloadRuntime = "OCIContainer";
    assert.equal(cluster.decide(ctx(req), [actual]).do, "put");
  });
});
