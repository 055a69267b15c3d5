// Microsoft.Resources: resource groups (synchronous; a location that cannot change) and the list
// of the resources in a group.
import { ArmError, badRequest } from "../errors.js";
import { norm, parseId } from "../ids.js";
import type { Behaviour } from "./types.js";
import { LATENCIES, standInMs } from "../latencies.js";

export const resourceGroups: Behaviour = {
  // Creating a group is synchronous, deleting it (and everything in it) is long-running.
  deleteMs: standInMs(LATENCIES.resourceGroupDelete),
  write(_ctx, { resource, existing }) {
    if (!resource.location) throw badRequest("LocationRequired", "The location property is required for this definition.");
    if (existing && existing.location !== resource.location)
      throw new ArmError(
        409,
        "InvalidResourceGroupLocation",
        `Invalid resource group location '${resource.location}'. The Resource group already exists in location '${existing.location}'.`,
      );
    // A resource group's properties are ARM's alone.
    resource.properties = {};
    resource.managedBy ??= existing?.managedBy;
  },
  /** GET /subscriptions/{s}/resourceGroups */
  list(ctx, collection) {
    return ctx.store.ofType("Microsoft.Resources/resourceGroups").filter((g) => norm(parseId(g.id)!.parent) === norm(collection.parent));
  },
};

/** GET /subscriptions/{s}/resourceGroups/{rg}/resources: the group's top-level resources. */
export const groupResources: Behaviour = {
  list(ctx, collection) {
    return ctx.store.under(collection.parent).filter((r) => {
      const id = parseId(r.id);
      return !!id && !id.extension && norm(id.parent) === norm(collection.parent);
    });
  },
};
