// Preview-only values (outboundType "block", workloadRuntime "KataMshvVmIsolation") exist only in
// preview api-versions of Microsoft.ContainerService; the stable SDK's default api-version is used
// for everything else. The docs digest ("Since these documents were written") explains why.
export const AKS_PREVIEW_API_VERSION = "2026-03-02-preview";
