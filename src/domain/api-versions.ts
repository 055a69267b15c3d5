// Preview-only values and the Microsoft.ContainerService api-version each is sent with. Everything
// else goes with the stable api-version of @azure/arm-containerservice (2026-04-01), whose spec
// (specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-04-01/
// managedClusters.json) has neither value. A request that asks for one of them is sent, read and
// updated with the api-version below; so is every later write to a cluster that holds one (a PUT
// of the whole cluster at the stable version would carry a value that version does not know).

/** The newest preview api-version in the published specs, as checked for this build. */
export const AKS_PREVIEW_API_VERSION = "2026-03-02-preview";

export type PreviewValue = "KataMshvVmIsolation" | "block";

export const PREVIEW_VALUES: Record<PreviewValue, { apiVersion: string; warning: string }> = {
  // Listed in WorkloadRuntime of aks/preview/2026-03-02-preview/managedClusters.json
  // (Azure/azure-rest-api-specs @ 0930fec076e94c3baa8ced867b79e03b4abb4871) and of
  // 2026-02-02-preview, both with "will be deprecated … in favor of KataVmIsolation".
  KataMshvVmIsolation: {
    apiVersion: "2026-03-02-preview",
    warning: `workloadRuntime KataMshvVmIsolation exists only in preview api-versions (sent with 2026-03-02-preview), which mark it for deprecation: KataVmIsolation is its supported successor in the stable API`,
  },
  // Listed in no published api-version checked (2026-03-02-preview, 2026-02-02-preview, stable
  // 2026-04-01): outboundType is an extensible enum there (modelAsString), so AKS may accept or refuse it.
  block: {
    apiVersion: AKS_PREVIEW_API_VERSION,
    warning: `outboundType block is listed in no published api-version (checked: 2026-03-02-preview, 2026-02-02-preview, 2026-04-01); it is sent with the newest preview, ${AKS_PREVIEW_API_VERSION}, and AKS may refuse it: outboundType none is the documented GA value`,
  },
};

/** The preview-only values a request or a cluster asks for. */
export function previewValues(x: { networkIsolation?: { outboundType?: string }; networkProfile?: { outboundType?: string }; nodePools?: { workloadRuntime?: string }[]; agentPoolProfiles?: { workloadRuntime?: string }[] }): PreviewValue[] {
  const values: PreviewValue[] = [];
  if (x.networkIsolation?.outboundType === "block" || x.networkProfile?.outboundType === "block") values.push("block");
  if ([...(x.nodePools ?? []), ...(x.agentPoolProfiles ?? [])].some((p) => p.workloadRuntime === "KataMshvVmIsolation")) values.push("KataMshvVmIsolation");
  return values;
}

/** The api-version for those values (the newest any of them needs), or undefined for the SDK's stable one. */
export function aksApiVersionFor(values: PreviewValue[]): string | undefined {
  return values.map((v) => PREVIEW_VALUES[v].apiVersion).sort().at(-1);
}

export const previewWarnings = (values: PreviewValue[]): string[] => values.map((v) => PREVIEW_VALUES[v].warning);
