// Association of each listed Arc-enabled Kubernetes cluster with the scope (procedure: "for clusters
// set up before the scope … add them to the scope"): privateLinkState Enabled and
// privateLinkScopeResourceId on the connected cluster. A listed cluster that does not exist yet is
// onboarded by its owner with the `az connectedk8s connect … --enable-private-link true` command the
// check step reports.
//
// The write is a PUT of the whole connected cluster, read first (read-modify-write): in the
// Microsoft.Kubernetes API (2024-01-01 and later, 2026-05-01 used here) privateLinkState and privateLinkScopeResourceId are
// properties of the PUT model only; the PATCH model (ConnectedClusterPatchProperties) carries just
// distribution, distributionVersion and azureHybridBenefit, so a PATCH cannot associate a cluster.
// The PUT keeps everything writable the cluster already has (the agent's public key certificate,
// which the PUT requires, its identity, distribution, tags) and leaves out what the service computes.
import type { ConnectedCluster, ConnectedClusterProperties } from "../arm-models.js";
import { LAST_WRITE_FAILED, PROVISIONING_IN_PROGRESS, defineStep, provisioningState, put, type Decision, type StepDef } from "../step.js";
import { sameId } from "../naming.js";
import { connectCommand } from "./arc-check.js";
import { ARC_LIMIT, ARC_STEP, type ArcIds, type ArcRequest } from "./arc-names.js";

/** ConnectedClusterProperties the service computes (readOnly in the 2026-05-01 spec), at the top level. */
const READ_ONLY = new Set<string>([
  "provisioningState",
  "agentVersion",
  "connectivityStatus",
  "kubernetesVersion",
  "lastConnectivityTime",
  "managedIdentityCertificateExpirationTime",
  "miscellaneousProperties",
  "offering",
  "totalCoreCount",
  "totalNodeCount",
]);

export const isAssociated = (c: ConnectedCluster, scopeId: string): boolean =>
  String(c.properties?.privateLinkState ?? "").toLowerCase() === "enabled" && sameId(c.properties?.privateLinkScopeResourceId, scopeId);

/** The PUT body that associates `current` (a GET by id: ARM JSON with its `properties` envelope). */
export function associationBody(current: ConnectedCluster, scopeId: string): ConnectedCluster {
  return connectedClusterBody(current, { privateLinkState: "Enabled", privateLinkScopeResourceId: scopeId });
}

/** The PUT body that undoes the association (a `delete` of the arcPrivateLink request, before the scope goes). */
export function dissociationBody(current: ConnectedCluster): ConnectedCluster {
  return connectedClusterBody(current, { privateLinkState: "Disabled" });
}

/** The cluster as read, without what the service computes, with the given private-link settings. */
function connectedClusterBody(current: ConnectedCluster, link: Pick<ConnectedClusterProperties, "privateLinkState" | "privateLinkScopeResourceId">): ConnectedCluster {
  const properties = Object.fromEntries(Object.entries(current.properties ?? {}).filter(([k]) => !READ_ONLY.has(k) && k !== "privateLinkScopeResourceId")) as ConnectedClusterProperties;
  // Read-only fields nested in writable objects (2026-05-01): the agent's state and errors, each
  // component's running version, the OIDC issuer URL the service assigned.
  if (properties.arcAgentProfile) {
    const { agentState: _s, agentErrors: _e, ...profile } = properties.arcAgentProfile;
    properties.arcAgentProfile = { ...profile, ...(profile.systemComponents ? { systemComponents: profile.systemComponents.map(({ currentVersion: _v, ...c }) => c) } : {}) };
  }
  if (properties.oidcIssuerProfile) {
    const { issuerUrl: _u, ...oidc } = properties.oidcIssuerProfile;
    properties.oidcIssuerProfile = oidc;
  }
  return {
    location: current.location,
    ...(current.kind ? { kind: current.kind } : {}),
    ...(current.tags ? { tags: current.tags } : {}),
    identity: { type: current.identity?.type ?? "SystemAssigned" },
    properties: { ...properties, ...link },
  };
}

/**
 * After the scope and endpoint, and after the DNS and NSG steps (`after`): once associated, the
 * cluster's agents reach Azure Arc through the private endpoint only, so its names must resolve to
 * the endpoint and the service tags be reachable first (the procedure's order: scope, endpoint,
 * DNS, firewall, then associate).
 */
export function associationSteps(req: ArcRequest, ids: ArcIds, after: string[]): StepDef[] {
  return req.connectedClusters.map((c, i) => {
    const id = ids.clusters[i];
    // ARM now says the cluster is in the scope; its agents switch to the private endpoint only when
    // `az connectedk8s connect … --enable-private-link true` runs against the cluster (procedure:
    // "for an existing Arc-enabled cluster … use the following command"), which needs cluster access
    // this app does not have. The output says so, with the exact command.
    const agentSetup = { [`agentSetup:${c.name}`]: `run with access to the cluster (kubeconfig) so that its Arc agents use the private link: ${connectCommand(req, ids, i)}` };
    return defineStep({
      name: ARC_STEP.associate(c.name),
      dependsOn: [ARC_STEP.scope, ARC_STEP.endpoint, ...after],
      describe: `associate connected cluster ${c.name} with scope ${req.scope.name} (privateLinkState Enabled, privateLinkScopeResourceId)`,
      resourceId: id,
      reads: () => [{ kind: "connectedCluster", id }],
      decide(_ctx, [cluster]): Decision {
        if (!cluster) return { do: "done" }; // not onboarded: the check step reported its connect command
        if (PROVISIONING_IN_PROGRESS(cluster)) return { do: "wait", reason: `${c.name} is ${provisioningState(cluster)}`, resourceId: id };
        if (isAssociated(cluster, ids.scope) && !LAST_WRITE_FAILED(cluster)) return { do: "done", resourceId: id, outputs: agentSetup };
        const other = cluster.properties?.privateLinkScopeResourceId;
        // Associated elsewhere since the check step ran: do not take it over.
        if (other && !sameId(other, ids.scope))
          return { do: "fail", code: ARC_LIMIT, message: `connectedClusters[${i}]: ${c.name} is already associated with scope ${other} (a connected cluster connects to one private link scope only)` };
        return put({ kind: "connectedCluster", id }, associationBody(cluster, ids.scope));
      },
      outputs: () => agentSetup,
    });
  });
}
