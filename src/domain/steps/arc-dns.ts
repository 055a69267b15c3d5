// Private DNS for the Arc endpoint (dns: azurePrivateDns): one zone per Arc service, each linked to
// the VNet with auto-registration off, and a DNS zone group on the endpoint. The zone group writes
// the endpoint's A records into the zones (and removes them with the endpoint), so no record is
// written by hand and none is ever empty. With dns: manual nothing here is planned: the endpoint
// step reports the FQDN → IP table for the on-premises DNS servers instead.
import type { PrivateDnsZoneGroup } from "@azure/arm-network";
import type { PrivateZone, VirtualNetworkLink } from "@azure/arm-privatedns";
import type { StepDef } from "../step.js";
import { ARC_STEP, type ArcIds, type ArcRequest } from "./arc-names.js";
import { putStep } from "./put-step.js";

/**
 * Azure's private DNS zone values for Azure Arc, group id hybridcompute ("Azure Private Endpoint
 * private DNS zone values", Management and Governance: Azure Arc): hybrid identity service,
 * guest configuration, and the Kubernetes configuration data plane.
 */
export const ARC_ZONES = ["privatelink.his.arc.azure.com", "privatelink.guestconfiguration.azure.com", "privatelink.dp.kubernetesconfiguration.azure.com"];

export const linkBody = (req: ArcRequest, ids: ArcIds): VirtualNetworkLink => ({ location: "global", tags: req.tags, virtualNetwork: { id: ids.vnet }, registrationEnabled: false });

export const zoneGroupBody = (ids: ArcIds): PrivateDnsZoneGroup => ({ privateDnsZoneConfigs: ARC_ZONES.map((z) => ({ name: z.replace(/\./g, "-"), privateDnsZoneId: ids.zone(z) })) });

export function dnsSteps(req: ArcRequest, ids: ArcIds): StepDef[] {
  const steps: StepDef[] = [];
  for (const z of ARC_ZONES)
    steps.push(
      putStep({
        name: ARC_STEP.zone(z),
        dependsOn: [ARC_STEP.check],
        describe: `private DNS zone ${z}`,
        kind: "privateDnsZone",
        resourceId: ids.zone(z),
        id: () => ids.zone(z),
        body: (): PrivateZone => ({ location: "global", tags: req.tags }),
      }),
      putStep({
        name: ARC_STEP.link(z),
        dependsOn: [ARC_STEP.zone(z)],
        describe: `link ${z} to VNet ${req.network.vnetName} (registration disabled)`,
        kind: "virtualNetworkLink",
        resourceId: ids.link(z),
        id: () => ids.link(z),
        body: () => linkBody(req, ids),
      }),
    );
  steps.push(
    putStep({
      name: ARC_STEP.zoneGroup,
      dependsOn: [ARC_STEP.endpoint, ...ARC_ZONES.map(ARC_STEP.zone)],
      describe: `DNS zone group of ${req.privateEndpoint.name}: the endpoint's A records in the ${ARC_ZONES.length} Arc zones`,
      kind: "privateDnsZoneGroup",
      resourceId: ids.zoneGroup,
      id: () => ids.zoneGroup,
      body: () => zoneGroupBody(ids),
    }),
  );
  return steps;
}
