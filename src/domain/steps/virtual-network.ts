// Virtual networks and subnets.
//
// vnetStep: step 1 of the BYO chain of a `create` (network-isolated procedure, BYO ACR step 1; API
// server VNet integration procedure, BYO VNet): the VNet and its subnets.
// newSubnetStep: one new subnet in a cluster's existing VNet (an existing-cluster operation's API
// server or registry subnet), checked against the VNet's address space and subnets first.
//
// Subnets are written INLINE, in the VNet's own PUT, not as separate subnet steps:
// - a VNet PUT replaces the VNet's subnet list: ARM tries to delete every subnet the body leaves out
//   (and fails with InUseSubnetCannotBeDeleted once a NIC or the cluster uses one). So any later
//   PUT of the VNet has to carry the subnets anyway; separate subnet resources would not spare that.
// - one PUT and one long-running operation instead of four: ARM serialises writes to the subnets
//   of one VNet (AnotherOperationInProgress), so separate steps would not run in parallel either;
//   the chain's critical path is shorter by three network operations.
// - when the VNet already exists (a re-run, or a VNet someone else made), the PUT is a
//   read-modify-write: subnets this request does not know, address prefixes, DNS servers and the
//   subnets' own NSG / route table are carried over, so nothing is dropped.
import type { Subnet, VirtualNetwork } from "@azure/arm-network";
import type { CreateRequest } from "../contract.js";
import { contains, overlaps, parseCidr } from "../cidr.js";
import { LAST_WRITE_FAILED, PROVISIONING_IN_PROGRESS, defineStep, provisioningState, put, type Decision, type StepContext, type StepDef } from "../step.js";
import { lastSegment, STEP, type ByoNames } from "./byo-names.js";
import { isSubset, overExisting } from "./put-step.js";

export const AKS_DELEGATION_SERVICE = "Microsoft.ContainerService/managedClusters";
/** The API server subnet of the VNet integration procedure is delegated to AKS (`--delegations`). */
export const API_SERVER_DELEGATION = { name: "aks-apiserver", serviceName: AKS_DELEGATION_SERVICE };

export interface DesiredSubnet {
  name: string;
  addressPrefix: string;
  /** Nodes subnet: the procedure's `--default-outbound-access false`. */
  defaultOutboundAccess?: false;
  /** Registry subnet: `--private-endpoint-network-policies Disabled`. */
  privateEndpointNetworkPolicies?: "Disabled";
  /** API server subnet: `--delegations Microsoft.ContainerService/managedClusters`. */
  delegations?: { name: string; serviceName: string }[];
}

/** The subnets of the request, exactly as the procedures create them. */
export function desiredSubnets(req: CreateRequest, n: ByoNames): DesiredSubnet[] {
  const s = req.network!.subnets!;
  const out: DesiredSubnet[] = [{ name: lastSegment(n.subnet.nodes), addressPrefix: s.nodes!, defaultOutboundAccess: false }];
  if (s.registry) out.push({ name: lastSegment(n.subnet.registry), addressPrefix: s.registry, privateEndpointNetworkPolicies: "Disabled" });
  if (s.apiServer) out.push({ name: lastSegment(n.subnet.apiServer), addressPrefix: s.apiServer, delegations: [API_SERVER_DELEGATION] });
  return out;
}

const same = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
const byName = (list: Subnet[] | undefined, name: string) => (list ?? []).find((x) => same(x.name, name));
const prefixOf = (s: Subnet) => s.addressPrefix ?? s.addressPrefixes?.[0];
const delegatedTo = (s: Subnet, service: string) => (s.delegations ?? []).some((d) => same(d.serviceName, service));

/** An existing subnet is what we want: same prefix, and each flag the procedure sets. */
export function subnetSatisfied(want: DesiredSubnet, have: Subnet | undefined): boolean {
  if (!have || prefixOf(have) !== want.addressPrefix) return false;
  if (want.defaultOutboundAccess !== undefined && have.defaultOutboundAccess !== want.defaultOutboundAccess) return false;
  if (want.privateEndpointNetworkPolicies && !same(have.privateEndpointNetworkPolicies, want.privateEndpointNetworkPolicies)) return false;
  // Whatever the delegation is called (az names it "0"), it is the service that matters.
  return (want.delegations ?? []).every((d) => delegatedTo(have, d.serviceName));
}

interface DesiredVnet {
  location: string;
  addressPrefixes: string[];
  tags?: Record<string, string>;
  subnets: DesiredSubnet[];
}

export function vnetSatisfied(want: DesiredVnet, have: VirtualNetwork): boolean {
  const prefixes = have.addressSpace?.addressPrefixes ?? [];
  return (
    // Tags never cause a write of their own (put-step.ts).
    want.addressPrefixes.every((p) => prefixes.includes(p)) &&
    want.subnets.every((s) => subnetSatisfied(s, byName(have.subnets, s.name)))
  );
}

/** The PUT body: our VNet as asked, over whatever exists (see the header). */
export function vnetBody(want: DesiredVnet, have: VirtualNetwork | undefined): VirtualNetwork {
  if (!have) return { location: want.location, tags: want.tags, addressSpace: { addressPrefixes: want.addressPrefixes }, subnets: want.subnets };
  const ours = want.subnets.map((w) => {
    const old = byName(have.subnets, w.name);
    if (!old) return w;
    const merged: Subnet = { ...old, ...w };
    // A single-prefix subnet is written with addressPrefix; don't send a stale addressPrefixes beside it.
    delete merged.addressPrefixes;
    // Keep an existing delegation to the same service under its own name (renaming one in use fails).
    if (w.delegations && delegatedTo(old, w.delegations[0].serviceName)) merged.delegations = old.delegations;
    return merged;
  });
  const others = (have.subnets ?? []).filter((s) => !want.subnets.some((w) => same(w.name, s.name)));
  const prefixes = have.addressSpace?.addressPrefixes ?? [];
  return overExisting(have, {
    tags: want.tags,
    addressSpace: { ...(have.addressSpace ?? {}), addressPrefixes: [...prefixes, ...want.addressPrefixes.filter((p) => !prefixes.includes(p))] },
    subnets: [...ours, ...others],
  });
}

/**
 * The VNet with its subnets inline (see the header). Nodes: default outbound access off; registry:
 * private endpoint network policies off; API server: delegated to AKS.
 */
export function vnetStep(req: CreateRequest, n: ByoNames, dependsOn: string[]): StepDef {
  const net = req.network!;
  const want = { location: n.location, addressPrefixes: net.addressPrefixes!, tags: req.tags, subnets: desiredSubnets(req, n) };
  const outputs = () => ({
    vnetId: n.vnetId,
    nodesSubnetId: n.subnet.nodes,
    registrySubnetId: net.subnets?.registry ? n.subnet.registry : undefined,
    apiServerSubnetId: n.apiServerSubnetId,
  });
  return defineStep({
    name: STEP.vnet,
    dependsOn,
    describe: `VNet ${n.vnetName} ${want.addressPrefixes.join(", ")} with subnets ${want.subnets.map((s) => `${s.name} ${s.addressPrefix}`).join(", ")}`,
    resourceId: n.vnetId,
    reads: () => [{ kind: "virtualNetwork", id: n.vnetId }],
    decide(_ctx, [vnet]): Decision {
      if (PROVISIONING_IN_PROGRESS(vnet)) return { do: "wait", reason: `${n.vnetId} is ${provisioningState(vnet)}`, resourceId: n.vnetId };
      // A VNet cannot move: the private endpoint and the cluster must be in its region.
      if (vnet?.location && !same(vnet.location.replace(/\s/g, ""), n.location))
        return { do: "fail", code: "VirtualNetworkLocationMismatch", message: `network.vnetName: VNet ${n.vnetName} exists in ${vnet.location}, the cluster is in ${n.location}; the nodes and the private endpoint must be in the VNet's region` };
      if (vnet && !LAST_WRITE_FAILED(vnet) && vnetSatisfied(want, vnet)) return { do: "done", resourceId: n.vnetId, outputs: outputs() };
      // What this write brings into being: the VNet when it is new, and each subnet it did not have
      // (a `delete` of this request removes those, and never a VNet or subnet it found).
      const creates = [...(vnet ? [] : [n.vnetId]), ...want.subnets.filter((w) => !byName(vnet?.subnets, w.name)).map((w) => `${n.vnetId}/subnets/${w.name}`)];
      return put({ kind: "virtualNetwork", id: n.vnetId }, vnetBody(want, vnet), creates);
    },
    outputs,
  });
}

/** A new subnet in an existing VNet, checked against the VNet's space and subnets before it is written. */
export function newSubnetStep(o: {
  name: string;
  cidr: string;
  /** The request field the subnet comes from, for error messages. */
  path: string;
  /** What the procedure sets on the subnet besides its prefix. */
  props: Omit<Subnet, "addressPrefix">;
  describe: string;
  dependsOn: string[];
  vnetId: (ctx: StepContext) => string;
  subnetId: (ctx: StepContext) => string;
}): StepDef {
  const { name, cidr, vnetId, subnetId } = o;
  return defineStep({
    name,
    dependsOn: o.dependsOn,
    describe: o.describe,
    reads: (ctx) => [
      { kind: "virtualNetwork", id: vnetId(ctx) },
      { kind: "subnet", id: subnetId(ctx) },
    ],
    decide(ctx, [vnet, existing]): Decision {
      const id = subnetId(ctx);
      if (!vnet) return { do: "fail", code: "VirtualNetworkNotFound", message: `network: VNet ${vnetId(ctx)} does not exist` };
      if (existing) {
        if (PROVISIONING_IN_PROGRESS(existing)) return { do: "wait", reason: `subnet is ${existing.provisioningState}`, resourceId: id };
        if (existing.addressPrefix !== cidr) return { do: "fail", code: "SubnetConflict", message: `${o.path}: subnet ${id} exists with ${existing.addressPrefix}` };
        if (!LAST_WRITE_FAILED(existing) && isSubset(o.props, existing)) return { do: "done", resourceId: id, outputs: { [`${name}Id`]: existing.id } };
      }
      const c = parseCidr(cidr);
      const spaces = vnet.addressSpace?.addressPrefixes ?? [];
      if (!spaces.some((s) => contains(parseCidr(s), c))) return { do: "fail", code: "SubnetOutsideVnet", message: `${o.path}: ${cidr} is not inside the VNet's address space (${spaces.join(", ")})` };
      const clash = (vnet.subnets ?? []).find((s) => s.name !== lastSegment(id) && s.addressPrefix && overlaps(parseCidr(s.addressPrefix), c));
      if (clash) return { do: "fail", code: "SubnetOverlap", message: `${o.path}: ${cidr} overlaps subnet ${clash.name} (${clash.addressPrefix})` };
      return put({ kind: "subnet", id }, { addressPrefix: cidr, ...o.props });
    },
    outputs: (_ctx, s) => ({ [`${name}Id`]: (s as Subnet | undefined)?.id }),
  });
}
