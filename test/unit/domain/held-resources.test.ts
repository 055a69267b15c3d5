// What a request made is held with the cluster: which events name such a resource, which plan a
// restore runs (the request narrowed by onlySteps), and what a later request releases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ManagedCluster } from "@azure/arm-containerservice";
import { toResourceEvent } from "../../../src/domain/events.js";
import { planRequest, PlanningError } from "../../../src/domain/plan.js";
import { validateRequest } from "../../../src/domain/validate.js";
import { nextDesiredState, restoreOf } from "../../../src/domain/desired-state.js";
import { resourceDrift, resourceSetting, stepOfSetting, type HeldResource } from "../../../src/domain/held-resources.js";
import { STEP } from "../../../src/domain/steps/byo-names.js";
import type { CreateRequest } from "../../../src/domain/contract.js";
import { example } from "../../helpers/examples.js";

const RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-aks-byo";
const write = (resourceUri: string, type = "Microsoft.Resources.ResourceWriteSuccess") => ({ id: "e1", eventType: type, data: { resourceUri, status: "Succeeded" } });

describe("toResourceEvent", () => {
  it("names writes and deletes of held kinds: a record, a role assignment, an NSG rule", () => {
    const record = `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/A/acrisolatedbyo01`;
    assert.deepEqual(toResourceEvent(write(record, "Microsoft.Resources.ResourceDeleteSuccess")), { id: "e1", resourceId: record, deleted: true });
    const role = `${RG}/providers/Microsoft.ContainerRegistry/registries/acr1/providers/Microsoft.Authorization/roleAssignments/5f0c6c7e-0000-5000-8000-000000000001`;
    assert.equal(toResourceEvent(write(role))?.resourceId, role);
    assert.equal(toResourceEvent(write(`${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg/securityRules/r150`))?.deleted, false);
  });

  it("ignores kinds nobody holds, failed writes, dot segments and encoded ids", () => {
    for (const uri of [
      `${RG}/providers/Microsoft.Storage/storageAccounts/st1`,
      `${RG}/providers/Microsoft.Network/privateEndpoints/../../rg-other/providers/Microsoft.Network/privateEndpoints/pe`,
      `${RG}/providers/Microsoft.Network/privateEndpoints/pe%2F..`,
      "not an id",
    ])
      assert.equal(toResourceEvent(write(uri)), undefined, uri);
    assert.equal(toResourceEvent({ ...write(`${RG}/providers/Microsoft.Network/privateEndpoints/pe`), data: { resourceUri: `${RG}/providers/Microsoft.Network/privateEndpoints/pe`, status: "Failed" } }), undefined);
    assert.equal(toResourceEvent({ eventType: "Microsoft.ContainerService.NodePoolRollingStarted", data: {} }), undefined);
  });
});

const byo = () => {
  const v = validateRequest(example("network-isolated-byo-acr-vnet-integration.json"));
  assert.ok(v.ok);
  return v.request as CreateRequest;
};

describe("onlySteps", () => {
  it("runs the steps named and those they depend on, nothing else", () => {
    const full = planRequest(byo());
    const only = planRequest({ ...byo(), onlySteps: [STEP.recordRegistry] });
    const names = only.steps.map((s) => s.name);
    assert.ok(names.includes(STEP.recordRegistry) && names.includes(STEP.zone) && names.includes(STEP.endpointIps), names.join());
    assert.ok(!names.includes("cluster") && !names.includes(STEP.acrPull), names.join());
    assert.ok(names.length < full.steps.length);
    assert.match(only.warnings.join("\n"), /onlySteps/);
  });

  it("refuses a step the plan does not have, with its field path", () => {
    assert.throws(() => planRequest({ ...byo(), onlySteps: [STEP.zone, "dns:nothing"] }), (e: unknown) => e instanceof PlanningError && /onlySteps\[1\]/.test(`${(e as PlanningError).path} ${e.message}`));
  });

  it("is part of the contract: a bad name is a validation error, an empty list too", () => {
    for (const onlySteps of [[], ["bad name with spaces"]]) {
      const v = validateRequest({ ...example("network-isolated-byo-acr-vnet-integration.json"), onlySteps });
      assert.ok(!v.ok && v.errors.some((e) => e.path.startsWith("onlySteps")), JSON.stringify(v));
    }
  });
});

const mc: ManagedCluster = { location: "westus2", id: `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-iso-byo` };
const made = (step: string, name: string): HeldResource => ({ step, resourceId: `${RG}/providers/x/${name}`, requestId: "create-1" });

describe("held resources in the desired state", () => {
  it("a create holds what it made; disabling isolation releases the registry chain, keeps the roles on the subnets", () => {
    const first = nextDesiredState(undefined, { ...byo(), requestId: "create-1" }, mc, undefined, [made(STEP.registry, "acr"), made(STEP.recordData, "rec"), made(STEP.ncApiServer, "nc")])!;
    assert.deepEqual(first.resources?.map((r) => r.step), [STEP.registry, STEP.recordData, STEP.ncApiServer]);
    const off = nextDesiredState(first, { operation: "disableNetworkIsolation", cluster: byo().cluster, requestId: "off-1" } as never, mc, undefined)!;
    assert.deepEqual(off.resources?.map((r) => r.step), [STEP.ncApiServer]);
    assert.equal(off.generation, first.generation + 1);
  });

  it("a restore of a held resource is its request narrowed to its step, grouped per resource", () => {
    const desired = nextDesiredState(undefined, { ...byo(), requestId: "create-1" }, mc, "restore", [made(STEP.recordData, "rec"), made(STEP.acrPull, "role")])!;
    const origins = { "create-1": byo() };
    const plan = restoreOf({ setting: resourceSetting(STEP.recordData), resourceId: `${RG}/providers/x/rec` }, desired, byo().cluster, origins);
    assert.ok("request" in plan && plan.request.operation === "create");
    assert.deepEqual("request" in plan && (plan.request as { onlySteps?: string[] }).onlySteps, [STEP.recordData]);
    const other = restoreOf({ setting: resourceSetting(STEP.acrPull), resourceId: `${RG}/providers/x/role` }, desired, byo().cluster, origins);
    assert.notEqual(plan.group, other.group);
    const lost = restoreOf({ setting: resourceSetting(STEP.acrPull), resourceId: `${RG}/providers/x/role` }, desired, byo().cluster, {});
    assert.match("notRestorable" in lost ? lost.notRestorable : "", /no longer recorded/);
    assert.equal(stepOfSetting(resourceSetting(STEP.acrPull)), STEP.acrPull);
    assert.equal(stepOfSetting("networkProfile.outboundType"), undefined);
  });
});

describe("resourceDrift", () => {
  const put = (body: unknown) => ({ do: "put", body }) as never;
  it("a step that would not write: in sync; gone: present → null; changed: only the properties that differ", () => {
    assert.equal(resourceDrift({ do: "done" }, { properties: {} }), undefined);
    assert.deepEqual(resourceDrift(put({ properties: {} }), undefined), { desired: "present", actual: null });
    const drift = resourceDrift(put({ sku: { name: "Premium" }, properties: { publicNetworkAccess: "Disabled" }, tags: { a: "b" } }), { sku: { name: "Premium" }, properties: { publicNetworkAccess: "Enabled" } });
    assert.deepEqual(drift, { desired: { properties: { publicNetworkAccess: "Disabled" } }, actual: { properties: { publicNetworkAccess: "Enabled" } } });
  });
});
