// The plan of a `delete`: built from what the deleted request's rows say it created, in the reverse
// order of its DAG; and each step's decision before its DELETE (gone, another owner, still in use).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ancestors, planRequest } from "../../../src/domain/plan.js";
import type { DeleteSource } from "../../../src/domain/plans/delete.js";
import { resourceKindOf } from "../../../src/domain/resource-kinds.js";
import type { Decision, Plan, StepContext, StepDef } from "../../../src/domain/step.js";
import { validateRequest } from "../../../src/domain/validate.js";
import type { ClusterRequest } from "../../../src/domain/contract.js";
import { example, SUB } from "../../helpers/examples.js";

const valid = (raw: unknown): ClusterRequest => {
  const v = validateRequest(raw);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return v.request;
};

const RG = `/subscriptions/${SUB}/resourceGroups/rg-aks-byo`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-aks`;
const subnet = (n: string) => `${VNET}/subnets/${n}`;
const ZONE = `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks-iso-byo`;
const assignment = (scope: string, n: number) => `${scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-00000000000${n}`;

/** Rows as a finished BYO create leaves them: every put step created its resource (the VNet its subnets too). */
function byoSource(overrides: Record<string, Partial<DeleteSource["steps"][number]>> = {}): DeleteSource {
  const body = valid(example("network-isolated-byo-acr-vnet-integration.json"));
  const original = planRequest(body);
  let n = 0;
  // Ids that depend on earlier outputs are not in the plan; the rows have them.
  const known: Record<string, string> = {
    "dns:record:registry": `${ZONE}/A/acrisolatedbyo01`,
    "dns:record:data": `${ZONE}/A/acrisolatedbyo01.westus2.data`,
    "dns:vnetLink": `${ZONE}/virtualNetworkLinks/link-vnet-aks`,
  };
  const steps = original.steps.map((s) => {
    const scope = s.name.includes("acrPull")
      ? `${RG}/providers/Microsoft.ContainerRegistry/registries/acrisolatedbyo01`
      : s.name.includes("Operator")
        ? `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-kubelet`
        : subnet(s.name.includes("apiServer") ? "snet-apiserver" : "snet-nodes");
    const id = known[s.name] ?? (s.name.startsWith("role:") ? assignment(scope, ++n) : s.resourceId);
    const isPut = !!id && resourceKindOf(id) !== undefined && !s.name.startsWith("provider:") && s.name !== "verify";
    const created = !isPut ? undefined : s.name === "vnet" ? [VNET, subnet("snet-nodes"), subnet("snet-registry"), subnet("snet-apiserver")] : [id!];
    return { name: s.name, writes: isPut ? 1 : s.name.startsWith("provider:") ? 1 : 0, posts: s.name.startsWith("provider:") ? 1 : 0, resourceId: id, created, ...overrides[s.name] };
  });
  return { id: "example-byo-acr", body, steps };
}

const planDeleteOf = (source: DeleteSource): Plan => planRequest(valid({ operation: "delete", requestId: "del", deletes: source.id, confirm: true }), source);
const stepFor = (p: Plan, id: string): StepDef => {
  const s = p.steps.find((x) => x.resourceId?.toLowerCase() === id.toLowerCase());
  assert.ok(s, `no delete step for ${id}`);
  return s;
};
/** Whether the delete of `first` comes before the delete of `then`. */
const before = (p: Plan, first: string, then: string) => ancestors(p.steps, stepFor(p, then).name).has(stepFor(p, first).name);
const ctx = (outputs: Record<string, Record<string, unknown>> = {}): StepContext => ({ request: {} as never, outputs, posts: 0, writes: {} });

describe("delete plan: the reverse of the BYO chain", () => {
  const plan = planDeleteOf(byoSource());

  it("deletes exactly what the rows say the create made; providers (registrations) are not resources", () => {
    const ids = plan.steps.map((s) => s.resourceId!);
    assert.ok(ids.includes(CLUSTER) && ids.includes(VNET) && ids.includes(RG) && ids.includes(ZONE));
    assert.ok(!ids.some((id) => /\/providers\/Microsoft\.(ContainerService|Network|ContainerRegistry|ManagedIdentity)$/.test(id)));
    assert.equal(plan.steps.filter((s) => s.resourceId?.includes("/roleAssignments/")).length, 4);
  });

  it("cluster before its role assignments and identities; endpoint before its subnet; records and link before the zone; subnets before the VNet; all before the group", () => {
    for (const s of plan.steps.filter((x) => x.resourceId?.includes("/roleAssignments/"))) assert.ok(before(plan, CLUSTER, s.resourceId!), s.name);
    assert.ok(before(plan, CLUSTER, `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-cp`));
    assert.ok(before(plan, `${RG}/providers/Microsoft.Network/privateEndpoints/pe-acrisolatedbyo01`, subnet("snet-registry")));
    assert.ok(before(plan, `${ZONE}/A/acrisolatedbyo01`, ZONE));
    assert.ok(before(plan, `${ZONE}/virtualNetworkLinks/link-vnet-aks`, ZONE));
    for (const s of ["snet-nodes", "snet-registry", "snet-apiserver"]) assert.ok(before(plan, subnet(s), VNET));
    for (const s of plan.steps) if (s.resourceId !== RG) assert.ok(before(plan, s.resourceId!, RG), s.name);
  });

  it("a VNet the create found is not deleted, only the subnets it added", () => {
    const p = planDeleteOf(byoSource({ vnet: { created: [subnet("snet-apiserver")] } }));
    assert.ok(!p.steps.some((s) => s.resourceId === VNET));
    assert.ok(p.steps.some((s) => s.resourceId === subnet("snet-apiserver")));
    assert.ok(!p.steps.some((s) => s.resourceId === subnet("snet-nodes")));
  });

  it("rows recorded before `created` existed: a step's PUTs (writes beyond its POSTs) name its resource", () => {
    const legacy = byoSource();
    legacy.steps = legacy.steps.map(({ created: _c, ...r }) => r);
    const p = planDeleteOf(legacy);
    assert.ok(p.steps.some((s) => s.resourceId === VNET));
    assert.ok(!p.steps.some((s) => s.resourceId === subnet("snet-nodes")), "subnets written inline are not known without `created`");
    assert.ok(!p.steps.some((s) => s.resourceId?.endsWith("/providers/Microsoft.Network")));
  });
});

describe("delete step: re-checks before each DELETE", () => {
  const plan = planDeleteOf(byoSource());
  const decide = (id: string, current: (Record<string, unknown> | undefined)[], outputs = {}): Decision => stepFor(plan, id).decide(ctx(outputs), current);

  it("gone already: done, nothing written", () => {
    assert.deepEqual(decide(CLUSTER, [undefined]), { do: "done", resourceId: CLUSTER, outputs: { gone: [CLUSTER], alreadyGone: CLUSTER } });
  });

  it("tagged by another request (made or changed after the list): kept", () => {
    const d = decide(CLUSTER, [{ id: CLUSTER, provisioningState: "Succeeded", tags: { "managed-by": "aks-provisioner", "aks-provisioner-request": "someone-else" } }]);
    assert.equal(d.do, "done");
    assert.match(JSON.stringify(d), /request someone-else/);
    assert.equal(decide(CLUSTER, [{ id: CLUSTER, provisioningState: "Succeeded", tags: { "managed-by": "aks-provisioner", "aks-provisioner-request": "example-byo-acr" } }]).do, "delete");
  });

  it("a subnet with another's endpoint is kept; with only this request's endpoint (gone before it) it is deleted", () => {
    const other = `${RG}/providers/Microsoft.Network/privateEndpoints/pe-other`;
    const ours = `${RG}/providers/Microsoft.Network/privateEndpoints/pe-acrisolatedbyo01`;
    assert.equal(decide(subnet("snet-registry"), [{ id: subnet("snet-registry"), provisioningState: "Succeeded", privateEndpoints: [{ id: other }] }]).do, "done");
    assert.equal(decide(subnet("snet-registry"), [{ id: subnet("snet-registry"), provisioningState: "Succeeded", privateEndpoints: [{ id: ours }] }]).do, "delete");
  });

  it("a VNet with a subnet a step before kept is kept", () => {
    const kept = { "delete:vnet:snet-nodes": { kept: { id: subnet("snet-nodes"), reason: "in use" } } };
    const vnet = { id: VNET, provisioningState: "Succeeded", subnets: [{ id: subnet("snet-nodes") }] };
    assert.equal(decide(VNET, [vnet], kept).do, "done");
    assert.equal(decide(VNET, [vnet]).do, "delete");
  });

  it("while it is being deleted (or written): waits", () => {
    assert.equal(decide(CLUSTER, [{ id: CLUSTER, provisioningState: "Deleting" }]).do, "wait");
  });
});

describe("delete plan: Azure Arc private link", () => {
  it("undoes each association before the scope goes, and never deletes the connected cluster", () => {
    const body = valid(example("arc-private-link.json"));
    const original = planRequest(body);
    const steps = original.steps.map((s) => {
      const writes = s.name.startsWith("arc:check") ? 0 : 1;
      const kind = s.resourceId ? resourceKindOf(s.resourceId) : undefined;
      return { name: s.name, writes, posts: 0, resourceId: s.resourceId, created: writes && kind !== "connectedCluster" && s.resourceId ? [s.resourceId] : [] };
    });
    const p = planDeleteOf({ id: "arc-1", body, steps });
    const undo = p.steps.find((s) => s.name.startsWith("undo:"))!;
    assert.ok(undo);
    const scope = p.steps.find((s) => s.resourceId === original.target)!;
    assert.ok(ancestors(p.steps, scope.name).has(undo.name));
    assert.ok(!p.steps.some((s) => s.name.startsWith("delete:") && s.resourceId?.includes("connectedClusters")));
  });
});
