// The NSG rules of the Arc private link procedure ("Network configuration" table): TCP 443 from
// VirtualNetwork, any source port, to four service tags, Allow, at priorities 150-153, each "lower
// than any rule that blocks internet access".
//
// AzureFrontDoor.FirstParty is "Allow (both inbound and outbound)". An NSG rule has one direction,
// and rule names are unique within an NSG (a rule is the child resource securityRules/{name}), so
// one name cannot carry both directions. The outbound rule keeps the table's name and priority
// exactly; the inbound half is a second rule, AllowAzureFrontDoorFirstPartyAccessInbound, at the
// same priority 152 (priorities are unique per direction, so 152 is free on the inbound side), with
// source and destination mirrored: from the AzureFrontDoor.FirstParty tag to VirtualNetwork, TCP 443.
import type { NetworkSecurityGroup, SecurityRule } from "@azure/arm-network";
import type { StepDef } from "../step.js";
import { ARC_STEP, type ArcIds } from "./arc-names.js";
import { putStep } from "./put-step.js";

export interface ArcNsgRule {
  name: string;
  tag: string;
  priority: number;
  direction: "Inbound" | "Outbound";
}

export const ARC_NSG_RULES: readonly ArcNsgRule[] = [
  { name: "AllowAADOutboundAccess", tag: "AzureActiveDirectory", priority: 150, direction: "Outbound" },
  { name: "AllowAzOutboundAccess", tag: "AzureResourceManager", priority: 151, direction: "Outbound" },
  { name: "AllowAzureFrontDoorFirstPartyAccess", tag: "AzureFrontDoor.FirstParty", priority: 152, direction: "Outbound" },
  { name: "AllowAzureFrontDoorFirstPartyAccessInbound", tag: "AzureFrontDoor.FirstParty", priority: 152, direction: "Inbound" },
  { name: "AllowMCROutboundAccess", tag: "MicrosoftContainerRegistry", priority: 153, direction: "Outbound" },
];

/** The securityRules body (SDK model, flattened). */
export function ruleBody(r: ArcNsgRule): SecurityRule {
  const outbound = r.direction === "Outbound";
  return {
    protocol: "Tcp",
    sourceAddressPrefix: outbound ? "VirtualNetwork" : r.tag,
    sourcePortRange: "*",
    destinationAddressPrefix: outbound ? r.tag : "VirtualNetwork",
    destinationPortRange: "443",
    access: "Allow",
    priority: r.priority,
    direction: r.direction,
  };
}

/**
 * One step per rule, one after the other: the network resource provider serialises writes under one
 * NSG (a rule written while another is being written answers 409 AnotherOperationInProgress), so
 * parallel steps would only spend their retry budget. They still run beside the scope, endpoint and
 * DNS steps, which take longer.
 */
export function ruleSteps(ids: ArcIds, nsgName: string): StepDef[] {
  return ARC_NSG_RULES.map((r, i) =>
    putStep({
      name: ARC_STEP.rule(r.name),
      dependsOn: [i === 0 ? ARC_STEP.check : ARC_STEP.rule(ARC_NSG_RULES[i - 1].name)],
      describe: `NSG ${nsgName} rule ${r.name}: ${r.direction} TCP 443 ${r.direction === "Outbound" ? `VirtualNetwork → ${r.tag}` : `${r.tag} → VirtualNetwork`}, Allow, priority ${r.priority}`,
      kind: "securityRule",
      resourceId: ids.rule(r.name),
      id: () => ids.rule(r.name),
      body: () => ruleBody(r),
    }),
  );
}

const lower = (s: unknown) => String(s ?? "").toLowerCase();
const prefixes = (one: unknown, many: unknown): string[] => [one, ...(Array.isArray(many) ? many : [])].filter((p) => p !== undefined && p !== null && p !== "").map(lower);
const INTERNET = ["internet", "*", "0.0.0.0/0"];

/** Whether a port range list ("*", "443", "400-500", or lists of those) contains 443. */
function covers443(one: unknown, many: unknown): boolean {
  const ranges = prefixes(one, many);
  if (!ranges.length) return false;
  return ranges.some((r) => {
    if (r === "*") return true;
    const [lo, hi = lo] = r.split("-").map((x) => Number(x.trim()));
    return lo <= 443 && 443 <= hi;
  });
}

/**
 * Whether an existing rule denies the traffic an Arc rule allows: a Deny in the same direction, for
 * TCP (or any protocol), port 443, to (outbound) or from (inbound) the internet or the rule's tag.
 */
function denies(rule: SecurityRule, arc: ArcNsgRule): boolean {
  if (lower(rule.access) !== "deny" || lower(rule.direction) !== arc.direction.toLowerCase()) return false;
  if (!["*", "tcp"].includes(lower(rule.protocol ?? "*"))) return false;
  if (!covers443(rule.destinationPortRange, rule.destinationPortRanges)) return false;
  const remote = arc.direction === "Outbound" ? prefixes(rule.destinationAddressPrefix, rule.destinationAddressPrefixes) : prefixes(rule.sourceAddressPrefix, rule.sourceAddressPrefixes);
  return remote.some((p) => INTERNET.includes(p) || p === arc.tag.toLowerCase());
}

/**
 * What stops the procedure's rules from being written or from working, as field-path messages:
 * another rule at one of their priorities in the same direction (ARM refuses two rules at one
 * priority), and a deny-internet rule at a priority that comes before (or at) an Arc rule's.
 * Rules with the Arc names are ours: they are overwritten, so they are not obstacles.
 */
export function nsgProblems(nsg: NetworkSecurityGroup, nsgName: string): string[] {
  const problems: string[] = [];
  const ours = new Set(ARC_NSG_RULES.map((r) => r.name.toLowerCase()));
  for (const rule of nsg.securityRules ?? []) {
    const name = String(rule.name);
    for (const arc of ARC_NSG_RULES)
      if (rule.priority === arc.priority && lower(rule.direction) === arc.direction.toLowerCase() && name.toLowerCase() !== arc.name.toLowerCase())
        problems.push(`network.nsgName: rule ${name} of ${nsgName} already has priority ${rule.priority} (${arc.direction}), which the procedure gives to ${arc.name} (move that rule or free the priority)`);
    if (ours.has(name.toLowerCase())) continue;
    const blocked = ARC_NSG_RULES.filter((arc) => denies(rule, arc) && (rule.priority ?? Infinity) < arc.priority);
    if (blocked.length)
      problems.push(
        `network.nsgName: rule ${name} of ${nsgName} denies internet traffic (${rule.direction}, priority ${rule.priority}) before ${blocked.map((b) => `${b.name} (${b.priority})`).join(", ")} (the Arc rules must have lower priority numbers than any rule that blocks internet access)`,
      );
  }
  return problems;
}
