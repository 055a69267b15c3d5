import type { ResourceGroup } from "@azure/arm-resources";
import { rgId } from "../naming.js";
import type { StepDef } from "../step.js";
import { putStep } from "./put-step.js";

export const RESOURCE_GROUP_STEP = "resourceGroup";

/** The resource group. An existing group is left as it is (its location and tags are the owner's). */
export function resourceGroupStep(sub: string, rg: string, location: string, tags?: Record<string, string>, name = RESOURCE_GROUP_STEP): StepDef {
  const id = rgId(sub, rg);
  return putStep({
    name,
    dependsOn: [],
    describe: `resource group ${rg} in ${location}`,
    kind: "resourceGroup",
    resourceId: id,
    id: () => id,
    body: (): ResourceGroup => ({ location, tags }),
    satisfied: () => true,
  });
}
