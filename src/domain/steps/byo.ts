// The BYO chain moved to byo-names.ts (step names, ids), byo-network.ts (VNet), byo-registry.ts
// (registry, endpoint, DNS), identities.ts and byo-roles.ts; the create plan wires them
// (plans/create.ts). This module keeps the names plans/existing.ts imports.
export { STEP } from "./byo-names.js";
export { registrySteps, type RegistryChain } from "./byo-registry.js";
