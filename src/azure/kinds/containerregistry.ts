// Microsoft.ContainerRegistry: registries and cache rules (modular SDK: restorePoller).
import type { ContainerRegistryManagementClient } from "@azure/arm-containerregistry";
import type { ArmClients } from "../clients.js";
import { modularKind, type KindAdapter } from "./kind.js";
import { lazy } from "../../lazy.js";

const acr = (c: ArmClients, sub: string) => c.sdk<ContainerRegistryManagementClient>("acr", sub, async () => (await import("@azure/arm-containerregistry")).ContainerRegistryManagementClient);
const restore = lazy(async () => (await import("@azure/arm-containerregistry")).restorePoller as never);

export const registry: KindAdapter<"registry"> = modularKind({ client: acr, group: (a) => a.registries, write: "create", restore });
export const cacheRule: KindAdapter<"cacheRule"> = modularKind({ client: acr, group: (a) => a.cacheRules, write: "create", restore });
