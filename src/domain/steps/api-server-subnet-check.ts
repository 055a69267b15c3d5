// Read before you grant: an existing API server subnet (apiServer.subnetId) is read with its VNet and
// checked against the API server VNet integration procedure before any role is assigned on it or
// the cluster is pointed at it: it exists, is delegated to Microsoft.ContainerService/managedClusters,
// is /28 or larger, and its VNet is in the cluster's region (and is the nodes' VNet when the nodes are
// in one). A subnet that fails writes nothing: every write of the plan depends on this step.
import { parseCidr } from "../cidr.js";
import { sameId } from "../naming.js";
import { API_SERVER_SUBNET_MAX_PREFIX } from "../rules.js";
import { defineStep, type Decision, type StepContext, type StepDef } from "../step.js";

export const API_SERVER_SUBNET_CHECK = "check:apiServerSubnet";
const AKS_SERVICE = "microsoft.containerservice/managedclusters";
const PATH = "apiServer.subnetId";

export function apiServerSubnetCheckStep(o: {
  subnetId: string;
  dependsOn: string[];
  /** The cluster's region. */
  location: (ctx: StepContext) => string | undefined;
  /** The VNet of the cluster's nodes, when they are in one. */
  nodesVnetId?: (ctx: StepContext) => string | undefined;
}): StepDef {
  const vnetId = o.subnetId.replace(/\/subnets\/[^/]+$/i, "");
  return defineStep({
    name: API_SERVER_SUBNET_CHECK,
    dependsOn: o.dependsOn,
    describe: `read the API server subnet and its VNet and check them (exists, delegated to AKS, /${API_SERVER_SUBNET_MAX_PREFIX} or larger, the cluster's region) — no write`,
    resourceId: o.subnetId,
    reads: () => [
      { kind: "subnet" as const, id: o.subnetId },
      { kind: "virtualNetwork" as const, id: vnetId },
    ],
    decide(ctx, [subnet, vnet]): Decision {
      const fail = (code: string, message: string): Decision => ({ do: "fail", code, message: `${PATH}: ${message}` });
      if (!subnet || !vnet) return fail("SubnetNotFound", `subnet ${o.subnetId} does not exist`);
      const delegated = (subnet.delegations ?? []).some((d) => String(d.serviceName ?? "").toLowerCase() === AKS_SERVICE);
      if (!delegated) return fail("SubnetIsNotDelegated", `subnet ${o.subnetId} is not delegated to Microsoft.ContainerService/managedClusters`);
      const prefix = subnet.addressPrefix ?? subnet.addressPrefixes?.[0];
      if (!prefix || parseCidr(prefix).bits > API_SERVER_SUBNET_MAX_PREFIX)
        return fail("SubnetTooSmall", `subnet ${o.subnetId} (${prefix ?? "no prefix"}) is smaller than /${API_SERVER_SUBNET_MAX_PREFIX}`);
      const location = o.location(ctx);
      if (location && String(vnet.location ?? "").toLowerCase() !== location.toLowerCase())
        return fail("SubnetInOtherRegion", `the subnet's VNet is in ${vnet.location}, the cluster in ${location}`);
      const nodesVnet = o.nodesVnetId?.(ctx);
      if (nodesVnet && !sameId(nodesVnet, vnetId)) return fail("SubnetNotInNodesVnet", `the subnet must be in the VNet of the cluster's nodes (${nodesVnet})`);
      return { do: "done", resourceId: o.subnetId };
    },
  });
}
