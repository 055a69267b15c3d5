// Preflight: resource providers registered, and preview feature flags only where the request asks
// for a preview-only value (network-isolated procedure: "Before you begin"; Pod Sandboxing: register
// KataVMIsolationPreview). After a feature is registered the provider must be registered again so
// the feature propagates, so provider steps depend on the feature steps.
import { defineStep, post, type Decision, type StepDef } from "../step.js";

export const providerStepName = (ns: string) => `provider:${ns}`;
export const featureStepName = (name: string) => `feature:${name}`;

export function featureStep(sub: string, namespace: string, feature: string): StepDef {
  const id = `/subscriptions/${sub}/providers/Microsoft.Features/providers/${namespace}/features/${feature}`;
  return defineStep({
    name: featureStepName(feature),
    dependsOn: [],
    describe: `register preview feature ${namespace}/${feature} (only because the request asks for a preview-only value)`,
    resourceId: id,
    maxWaitMs: 60 * 60_000,
    reads: () => [{ kind: "feature", id }],
    decide(ctx, [feat]): Decision {
      const state = feat?.properties?.state ?? "NotRegistered";
      if (state === "Registered") return { do: "done", resourceId: id };
      if (state === "Registering" || ctx.posts > 0) return { do: "wait", reason: `feature ${feature} is ${state}`, resourceId: id };
      return post({ kind: "feature", id }, "register");
    },
  });
}

export function providerStep(sub: string, namespace: string, afterFeatures: string[]): StepDef {
  const id = `/subscriptions/${sub}/providers/${namespace}`;
  return defineStep({
    name: providerStepName(namespace),
    dependsOn: afterFeatures.map(featureStepName),
    describe: afterFeatures.length
      ? `register resource provider ${namespace} again so that ${afterFeatures.join(", ")} take effect`
      : `check resource provider ${namespace} is registered (register it if not)`,
    resourceId: id,
    maxWaitMs: 30 * 60_000,
    reads: () => [{ kind: "provider", id }],
    decide(ctx, [provider]): Decision {
      const state = provider?.registrationState ?? "NotRegistered";
      const mustRefresh = afterFeatures.length > 0 && ctx.posts === 0;
      if (state === "Registered" && !mustRefresh) return { do: "done", resourceId: id };
      if (state === "Registering" || (ctx.posts > 0 && state !== "Registered")) return { do: "wait", reason: `provider ${namespace} is ${state}`, resourceId: id };
      return post({ kind: "provider", id }, "register");
    },
  });
}
