/**
 * Platform values judged: the keys of the platform's chart values (a Helm release of a platform
 * chart, cert-manager's component) and of the KubeVirt and FelixConfiguration CRs that can weaken
 * tenant isolation (lib/policy/platform-values.ts) are refused unless the pack config's
 * `allow.platformValues` names them with a reason.
 */
import { KINDS, PULUMI_TYPES } from "../../k8s/kinds";
import { PLATFORM_RELEASES } from "../../pins";
import { asObject, asString, describe, violationAt, type Json } from "../k8s";
import { CERT_MANAGER_COMPONENT_TYPE } from "../platform-bundles";
import { chartValueChecks, felixConfigurationChecks, kubevirtChecks, type ValueFinding } from "../platform-values";
import type { Finding, PolicyResource } from "../resource";
import { RESOURCE_TYPES } from "../resource-types";
import type { ResourceRule } from "../types";

const FELIX_TYPES = [...RESOURCE_TYPES].filter(([type]) => type.endsWith(":FelixConfiguration")).map(([type]) => type);

/** A chart reference's name: an OCI reference ends in it (`oci://mirror/charts/kube-ovn-v2`). */
function chartName(chart: unknown): string {
  return (asString(chart) ?? "").split("/").pop() ?? "";
}

function findingsOf(resource: PolicyResource): { who: string; findings: ValueFinding[] } {
  if (resource.type === PULUMI_TYPES.helmRelease) {
    return {
      who: `Helm release ${asString(resource.inputs.namespace) ?? "default"}/${asString(resource.inputs.name) ?? resource.name}`,
      findings: chartValueChecks(chartName(resource.inputs.chart), asObject(resource.inputs.values), "values"),
    };
  }
  if (resource.type === CERT_MANAGER_COMPONENT_TYPE) {
    // The component's typed arguments and helmOptions.values both become chart values.
    const { helmOptions, ...typed } = resource.inputs;
    const values = asObject(asObject(helmOptions).values);
    const chart = PLATFORM_RELEASES.certManager.chart;
    return {
      who: `CertManager ${resource.name}`,
      findings: [...chartValueChecks(chart, typed as Json, "args"), ...chartValueChecks(chart, values, "helmOptions.values")],
    };
  }
  if (resource.type === KINDS.kubevirt.type)
    return { who: describe(resource, true), findings: kubevirtChecks(asObject(resource.inputs.spec)) };
  if (FELIX_TYPES.includes(resource.type))
    return { who: describe(resource, false), findings: felixConfigurationChecks(asObject(resource.inputs.spec)) };
  return { who: "", findings: [] };
}

export const platformValuesRule: ResourceRule = {
  name: "platform-values",
  description:
    "Platform chart values and the KubeVirt and FelixConfiguration CRs never weaken tenant isolation (host devices, source spoofing, u2o, extra objects...) unless the pack config allows the key.",
  level: "mandatory",
  config: ["allow"],
  checkResource(resource, config): Finding[] {
    const allowed = config.allow?.platformValues ?? {};
    const { who, findings } = findingsOf(resource);
    return findings
      .filter((f) => allowed[f.key] === undefined)
      .map((f) => ({
        resource,
        message: violationAt(
          who,
          f.path,
          f.value,
          `${f.why}; set it back, or allow ${JSON.stringify(f.key)} in the pack config (allow.platformValues) with the reason`,
        ),
      }));
  },
};
