// Azure Arc-enabled Kubernetes private link (the Arc private link procedure), in its order:
//   1. check (read only): the VNet, then the documented limits against what exists;
//   2. the private link scope; 3. its private endpoint in the VNet (group hybridcompute);
//   4. private DNS: zones + VNet links + the endpoint's zone group (or, for on-premises DNS, the
//      FQDN → IP table in the outputs); 5. the NSG rules of the procedure's table;
//   6. the association of each connected cluster with the scope.
// Every writing step depends (directly or not) on the check step, so a request that breaks a limit
// fails with code ArcPrivateLinkLimit and writes nothing.
import type { Plan, StepDef } from "../step.js";
import { checkStep, readNetworkStep } from "../steps/arc-check.js";
import { associationSteps } from "../steps/arc-clusters.js";
import { ARC_ZONES, dnsSteps } from "../steps/arc-dns.js";
import { endpointStep, scopeStep } from "../steps/arc-endpoint.js";
import { ARC_STEP, arcIds, type ArcRequest } from "../steps/arc-names.js";
import { ruleSteps } from "../steps/arc-nsg.js";

export function planArcPrivateLink(req: ArcRequest): Plan {
  const ids = arcIds(req);
  const steps: StepDef[] = [readNetworkStep(req, ids), checkStep(req, ids), scopeStep(req, ids), endpointStep(req, ids)];
  const before: string[] = []; // what the clusters' association waits for besides scope and endpoint
  if (req.privateEndpoint.dns === "azurePrivateDns") {
    steps.push(...dnsSteps(req, ids));
    before.push(ARC_STEP.zoneGroup, ...ARC_ZONES.map(ARC_STEP.link));
  }
  if (req.network.nsgName) {
    const rules = ruleSteps(ids, req.network.nsgName);
    steps.push(...rules);
    before.push(...rules.map((s) => s.name));
  }
  steps.push(...associationSteps(req, ids, before));

  const warnings = ["Cluster Connect (and so custom locations) is not supported on clusters that use Azure Arc private link (procedure: current limitations)"];
  if (!req.network.nsgName)
    warnings.push("network.nsgName is not set: no NSG rules are written; allow TCP 443 to AzureActiveDirectory, AzureResourceManager, AzureFrontDoor.FirstParty and MicrosoftContainerRegistry on your firewall");
  if (req.privateEndpoint.dns === "manual")
    warnings.push("dns is manual: create the A records of outputs.dnsRecordsToConfigure on your DNS servers (no empty records)");
  return { steps, target: ids.scope, warnings };
}
