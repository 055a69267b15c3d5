// The one generic caller of the kind adapters: reads, starts writes, polls writes once. Every SDK
// error leaves here classified (errors.ts); every answer carries ARM's Retry-After when it sent one.
import { ArmError, type Arm, type WriteProgress } from "../app/arm.js";
import type { PendingWrite } from "../domain/records.js";
import type { ActionKind, ArmActions, ArmReadModels, ArmWriteModels, ResourceKind, WritableKind } from "../domain/arm-models.js";
import type { ResourceRef } from "../domain/step.js";
import type { ArmClients } from "./clients.js";
import { classifyArmError, retryAfterMs } from "./errors.js";
import type { KindAdapter, Started } from "./kinds/kind.js";
import { pollOnce, submitted, type Progress } from "./lro.js";
import { withCapture } from "./response-capture.js";
import { lazy } from "../lazy.js";

const arcKinds = lazy(() => import("./kinds/arc.js"));
const containerregistryKinds = lazy(() => import("./kinds/containerregistry.js"));
const containerserviceKinds = lazy(() => import("./kinds/containerservice.js"));
const identityKinds = lazy(() => import("./kinds/identity.js"));
const networkKinds = lazy(() => import("./kinds/network.js"));
const privatednsKinds = lazy(() => import("./kinds/privatedns.js"));
const resourcesKinds = lazy(() => import("./kinds/resources.js"));

type Adapters = { [K in ResourceKind]: () => Promise<KindAdapter<K>> };

// Lazy: a kind's SDK is loaded only when a step first touches that kind (cold start, DESIGN rule 6).
// Typed by kind: a kind of arm-models.ts without an adapter here does not compile.
const KINDS: Adapters = {
  provider: async () => (await resourcesKinds()).provider,
  feature: async () => (await resourcesKinds()).feature,
  resourceGroup: async () => (await resourcesKinds()).resourceGroup,
  managedCluster: async () => (await containerserviceKinds()).managedCluster,
  agentPool: async () => (await containerserviceKinds()).agentPool,
  virtualNetwork: async () => (await networkKinds()).virtualNetwork,
  subnet: async () => (await networkKinds()).subnet,
  networkSecurityGroup: async () => (await networkKinds()).networkSecurityGroup,
  securityRule: async () => (await networkKinds()).securityRule,
  networkInterface: async () => (await networkKinds()).networkInterface,
  privateEndpoint: async () => (await networkKinds()).privateEndpoint,
  privateDnsZoneGroup: async () => (await networkKinds()).privateDnsZoneGroup,
  privateDnsZone: async () => (await privatednsKinds()).privateDnsZone,
  virtualNetworkLink: async () => (await privatednsKinds()).virtualNetworkLink,
  aRecordSet: async () => (await privatednsKinds()).aRecordSet,
  registry: async () => (await containerregistryKinds()).registry,
  cacheRule: async () => (await containerregistryKinds()).cacheRule,
  userAssignedIdentity: async () => (await identityKinds()).userAssignedIdentity,
  roleAssignment: async () => (await identityKinds()).roleAssignment,
  privateLinkScope: async () => (await arcKinds()).privateLinkScope,
  connectedCluster: async () => (await arcKinds()).connectedCluster,
  virtualNetworkLinkList: async () => (await privatednsKinds()).virtualNetworkLinkList,
  aRecordSetList: async () => (await privatednsKinds()).aRecordSetList,
  resourceGroupContents: async () => (await resourcesKinds()).resourceGroupContents,
};

export class ArmGateway implements Arm {
  constructor(private readonly clients: ArmClients) {}

  private async adapter<K extends ResourceKind>(kind: K): Promise<KindAdapter<K>> {
    // A kind from a stored row is a string: refuse one this build does not know.
    const load = KINDS[kind] as (() => Promise<KindAdapter<K>>) | undefined;
    if (!load) throw new Error(`no ARM adapter for resource kind '${kind}'`);
    return load();
  }

  async read<K extends ResourceKind>(ref: ResourceRef<K>): Promise<ArmReadModels[K] | undefined> {
    const a = await this.adapter(ref.kind);
    return this.call(() => a.read(this.clients, ref.id, ref.apiVersion));
  }

  async put<K extends WritableKind>(ref: ResourceRef<K>, body: ArmWriteModels[K]): Promise<WriteProgress> {
    const a = await this.adapter<WritableKind>(ref.kind);
    if (!a.put) throw new Error(`resource kind '${ref.kind}' cannot be written`);
    return this.progress(() => a.put!(this.clients, ref.id, body as never, ref.apiVersion));
  }

  async post<K extends ActionKind>(ref: ResourceRef<K>, action: ArmActions[K]): Promise<WriteProgress> {
    const a = await this.adapter(ref.kind);
    if (!a.post) throw new Error(`resource kind '${ref.kind}' has no actions`);
    return this.progress(() => a.post!(this.clients, ref.id, action, ref.apiVersion));
  }

  async delete(ref: ResourceRef): Promise<WriteProgress> {
    const a = await this.adapter(ref.kind);
    if (!a.delete) throw new Error(`resource kind '${ref.kind}' cannot be deleted`);
    try {
      return await this.progress(() => a.delete!(this.clients, ref.id, ref.apiVersion));
    } catch (e) {
      // Modular pollers send the DELETE lazily, so a 404 may surface only when it is submitted.
      if (e instanceof ArmError && e.status === 404) return { done: true };
      throw e;
    }
  }

  async poll(w: PendingWrite): Promise<WriteProgress> {
    const a = await this.adapter(w.kind);
    if (!w.pollerState || !a.resume) throw new Error(`no poller to resume for ${w.kind} ${w.id}`);
    return this.call(async () => {
      const { value, headers } = await withCapture(async () => {
        const { poller } = await a.resume!(this.clients, w.id, w.pollerState!, w.method, w.action, w.apiVersion);
        return pollOnce(poller);
      });
      return value.done ? value : { ...value, retryAfterMs: retryAfterMs(headers) };
    });
  }

  private progress(start: () => Promise<Started>): Promise<WriteProgress> {
    return this.call(async () => {
      const { value, headers } = await withCapture(async () => {
        const s = await start();
        return "poller" in s ? submitted(s.poller) : ({ done: true, result: s.result } as Progress);
      });
      return value.done ? value : { ...value, retryAfterMs: retryAfterMs(headers) };
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      // Only what ARM or the network answered is classified; a bug in this code stays a bug.
      const err = e as { name?: string; statusCode?: number; code?: unknown };
      if (err.name !== "RestError" && err.statusCode === undefined && typeof err.code !== "string" && !(e instanceof ArmError)) throw e;
      throw classifyArmError(e);
    }
  }
}
