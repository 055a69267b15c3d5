// The steps of a `delete` request: one per resource the deleted request created, and one per
// connected cluster it associated (undone, not deleted: the cluster is its owner's).
//
// Before each DELETE the step reads the resource again and keeps it when
// - it is gone already (nothing to write: a re-run of a delete writes nothing);
// - its tags say another request (or another tool) made or changed it since;
// - something this delete does not remove still uses it: a subnet with endpoints or NICs of others,
//   a VNet with subnets of others, a zone with other links or records, a link through which others'
//   records resolve, a registry or scope with others' private endpoints, a resource group with
//   other resources. Kept resources are reported, never force-deleted.
// "Accounted for" = created by the deleted request (on the plan's list) or removed by a step before
// this one (its outputs' `gone`, with what went with it), unless a step before this one kept it.
import { MANAGED_BY_TAG, MANAGED_BY_VALUE, REQUEST_TAG } from "../contract.js";
import { sameId } from "../naming.js";
import { isSameOrUnder, resourceKindOf } from "../resource-kinds.js";
import { PROVISIONING_IN_PROGRESS, defineStep, provisioningState, put, type Decision, type Outputs, type ResourceKind, type ResourceRef, type StepContext, type StepDef } from "../step.js";

/**
 * A delete step reads resources of any kind (and lists) and looks only at a few common fields (id,
 * tags, what uses it), so it reads them loosely rather than through each kind's model.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
/**
 * A resource of any kind as the delete check looks at it: the fields it reads, each optional (a
 * subnet has privateEndpoints, a zone group privateDnsZoneConfigs, a list read `value`, …). Each read
 * is the SDK model of its kind; this is the common view of those models for this step.
 */
interface Resource {
  id?: string;
  tags?: Record<string, string>;
  privateEndpoints?: { id?: string }[];
  ipConfigurations?: { id?: string }[];
  serviceAssociationLinks?: { link?: string; id?: string }[];
  subnets?: { id?: string }[];
  value?: { id?: string }[];
  privateEndpointConnections?: EndpointConnection[];
  properties?: { privateEndpointConnections?: EndpointConnection[]; provisioningState?: string };
  networkInterfaces?: { id?: string }[];
  privateDnsZoneConfigs?: { privateDnsZoneId?: string; recordSets?: { recordType?: string; recordSetName?: string }[] }[];
  nodeResourceGroup?: string;
}
type EndpointConnection = { id?: string; privateEndpoint?: { id?: string }; properties?: { privateEndpoint?: { id?: string } } };
import { dissociationBody, isAssociated } from "./arc-clusters.js";


/** What a delete step records: removed (`gone`, with what went with it), already gone, or kept and why. */
export interface DeleteOutputs extends Outputs {
  gone?: string[];
  deleted?: string;
  alreadyGone?: string;
  kept?: { id: string; reason: string };
  dissociated?: string;
}

const tagOf = (r: Resource, key: string): string | undefined => {
  const k = Object.keys(r.tags ?? {}).find((t) => t.toLowerCase() === key);
  return k === undefined ? undefined : String(r.tags?.[k]);
};

/** Why the resource is no longer the deleted request's to remove, judged by its tags (when it has them). */
export function otherOwner(r: Resource, requestId: string): string | undefined {
  const by = tagOf(r, REQUEST_TAG);
  if (by !== undefined && by !== requestId) return `its tag ${REQUEST_TAG} says request ${by} made or changed it`;
  const managed = tagOf(r, MANAGED_BY_TAG);
  if (managed !== undefined && managed !== MANAGED_BY_VALUE) return `its tag ${MANAGED_BY_TAG} says ${managed} manages it`;
  return undefined;
}

const ids = (list: unknown): string[] => (Array.isArray(list) ? list.map((x: { id?: unknown } | null) => x?.id).filter((x): x is string => typeof x === "string") : []);
const parentOf = (id: string) => id.split("/").slice(0, -2).join("/");

/** Extra reads a kind needs to see what else uses it. */
function contentReads(kind: ResourceKind, id: string): ResourceRef[] {
  switch (kind) {
    case "privateDnsZone":
      return [
        { kind: "virtualNetworkLinkList", id: `${id}/virtualNetworkLinks` },
        { kind: "aRecordSetList", id: `${id}/A` },
      ];
    case "virtualNetworkLink":
      return [{ kind: "aRecordSetList", id: `${parentOf(id)}/A` }];
    case "resourceGroup":
      return [{ kind: "resourceGroupContents", id: `${id}/resources` }];
    default:
      return [];
  }
}

/** Ids of what uses (or sits in) the resource, from its read and the extra reads. */
function usersOf(kind: ResourceKind, r: Resource, extra: (Resource | undefined)[]): string[] {
  switch (kind) {
    case "subnet":
      return [...ids(r.privateEndpoints), ...ids(r.ipConfigurations), ...(r.serviceAssociationLinks ?? []).map((l) => l.link ?? l.id).filter((x): x is string => !!x)];
    case "virtualNetwork":
      return ids(r.subnets);
    case "privateDnsZone":
    case "virtualNetworkLink":
    case "resourceGroup":
      return extra.flatMap((e) => ids(e?.value));
    case "registry":
    case "privateLinkScope":
      return (r.privateEndpointConnections ?? r.properties?.privateEndpointConnections ?? []).map((c) => c.privateEndpoint?.id ?? c.properties?.privateEndpoint?.id ?? c.id).filter((x): x is string => !!x);
    default:
      return [];
  }
}

/** What goes with the resource when it is deleted (so later steps do not count it as a user). */
function goesWith(kind: ResourceKind, r: Resource): string[] {
  if (kind === "privateEndpoint") return ids(r.networkInterfaces);
  // The records a zone group wrote into its zones are removed with it.
  if (kind === "privateDnsZoneGroup")
    return (r.privateDnsZoneConfigs ?? []).flatMap((c) => (c.recordSets ?? []).map((rs) => `${c.privateDnsZoneId}/${rs.recordType}/${rs.recordSetName}`));
  if (kind === "managedCluster" && r.nodeResourceGroup && r.id) return [`${r.id.split("/").slice(0, 3).join("/")}/resourceGroups/${r.nodeResourceGroup}`];
  return [];
}

const USE_WORD: Partial<Record<ResourceKind, string>> = {
  subnet: "still used by",
  virtualNetwork: "holds subnets this delete does not remove:",
  privateDnsZone: "holds links or records this delete does not remove:",
  virtualNetworkLink: "others' records in its zone resolve through it:",
  resourceGroup: "holds resources this delete does not remove:",
  registry: "has private endpoints of others:",
  privateLinkScope: "has private endpoints of others:",
};

/** The ids earlier steps (this step's ancestors) removed, and those they kept. */
function history(ctx: StepContext): { gone: string[]; kept: string[] } {
  const out = Object.values(ctx.outputs) as DeleteOutputs[];
  return { gone: out.flatMap((o) => o.gone ?? []), kept: out.flatMap((o) => (o.kept ? [o.kept.id] : [])) };
}

export interface DeleteStepSpec {
  name: string;
  dependsOn: string[];
  /** The resource to delete. */
  id: string;
  /** The request whose resource it is. */
  requestId: string;
  /** Every resource the delete plan removes (ids). */
  planned: string[];
}

export function deleteStep(o: DeleteStepSpec): StepDef {
  const kind = resourceKindOf(o.id)!;
  return {
    name: o.name,
    dependsOn: o.dependsOn,
    describe: `delete ${kind} ${o.id.split("/").pop()}`,
    resourceId: o.id,
    reads: () => [{ kind, id: o.id }, ...contentReads(kind, o.id)],
    decide(ctx, reads): Decision {
      const [r, ...extra] = reads as readonly (Resource | undefined)[];
      if (!r) return { do: "done", resourceId: o.id, outputs: { gone: [o.id], alreadyGone: o.id } satisfies DeleteOutputs };
      if (PROVISIONING_IN_PROGRESS(r)) return { do: "wait", reason: `${o.id} is ${provisioningState(r)}`, resourceId: o.id };
      const keep = (reason: string): Decision => ({ do: "done", resourceId: o.id, outputs: { kept: { id: o.id, reason } } satisfies DeleteOutputs });
      const owner = otherOwner(r, o.requestId);
      if (owner) return keep(owner);
      const { gone, kept } = history(ctx);
      const accounted = (id: string) =>
        // Planned: that very resource (what is merely inside a planned VNet or group is not ours);
        // gone: also what went with it (an endpoint's NIC, a cluster's node resource group).
        (o.planned.some((p) => sameId(id, p)) || gone.some((g) => isSameOrUnder(id, g))) && !kept.some((k) => sameId(id, k));
      const others = [...new Set(usersOf(kind, r, extra).filter((u) => !accounted(u)))];
      if (others.length) return keep(`${USE_WORD[kind] ?? "used by"} ${others.slice(0, 3).join(", ")}${others.length > 3 ? ` and ${others.length - 3} more` : ""}`);
      return { do: "delete", ref: { kind, id: o.id }, outputs: { gone: [o.id, ...goesWith(kind, r)], deleted: o.id } satisfies DeleteOutputs };
    },
  };
}

/** Undoes the association of a connected cluster with the deleted request's scope (the cluster stays). */
export function dissociateStep(o: { name: string; dependsOn: string[]; id: string; scopeId: string }): StepDef {
  return defineStep({
    name: o.name,
    dependsOn: o.dependsOn,
    describe: `undo the association of connected cluster ${o.id.split("/").pop()} with scope ${o.scopeId.split("/").pop()} (privateLinkState Disabled)`,
    resourceId: o.id,
    reads: () => [{ kind: "connectedCluster", id: o.id }] as const,
    decide(_ctx, [cluster]): Decision {
      if (!cluster) return { do: "done" };
      if (PROVISIONING_IN_PROGRESS(cluster)) return { do: "wait", reason: `${o.id} is ${provisioningState(cluster)}`, resourceId: o.id };
      // Associated with another scope since, or already undone: not ours to change.
      if (!isAssociated(cluster, o.scopeId)) return { do: "done", resourceId: o.id };
      return put({ kind: "connectedCluster", id: o.id }, dissociationBody(cluster), []);
    },
    outputs: () => ({ dissociated: o.id }) satisfies DeleteOutputs,
  });
}
