/**
 * Closed world: every resource's type is known to the pack (lib/policy/resource-types.ts). Refused
 * unless the pack config's `allow.types` names the type: an unknown type, a refused type, a
 * `*Patch` (it changes a live object the pack never sees whole), an opaque bundle other than the
 * platform's own pinned parts, a Service that opens node ports or captures external addresses, a
 * CRD with a conversion webhook or redefining a kind the pack judges, a provider or object that
 * leaves an object's namespace to the cluster's defaults, and, in a tenant namespace, any kind the
 * program does not render there.
 */
import { asArray, asObject, asString, describe, metadataOf, violationAt } from "../k8s";
import { platformBundle, PLATFORM_CRDS } from "../platform-bundles";
import { tenantInNamespace, type PolicyConfig } from "../config";
import { classifyType, isGuardedType, KUBERNETES_PROVIDER_TYPE, NAMESPACE_READ_TYPES, TENANT_NAMESPACE_TYPES } from "../resource-types";
import type { Finding, PolicyResource } from "../resource";
import type { ResourceRule } from "../types";
import { KINDS, pulumiType } from "../../k8s/kinds";

const SERVICE_TYPE = pulumiType("v1", "Service");
const ALLOW_HINT = "or allow the type in the pack config (allow.types) with the reason";

/** Who a message names: the Kubernetes object where there is one, else the type token and Pulumi name. */
function who(resource: PolicyResource): string {
  const metadata = metadataOf(resource);
  if (asString(metadata.name) === undefined) return `${resource.type} ${resource.name}`;
  return describe(resource, asString(metadata.namespace) !== undefined);
}

function typeFindings(resource: PolicyResource, config: PolicyConfig): string[] {
  const found = classifyType(resource.type);
  const at = (why: string) => [violationAt(who(resource), "type", resource.type, `${why}; ${ALLOW_HINT}`)];
  switch (found.class) {
    case "unknown":
      return at("a type the pack does not know: it may change what a tenant reaches, unseen");
    case "refused":
      return at(`refused: ${found.reason}`);
    case "patch":
      return at(
        `a patch changes a live ${found.of} the pack never sees whole${found.target?.class === "judged" ? `, a kind the pack judges (${found.target.rules.join(", ")})` : ""}; declare the whole object`,
      );
    case "bundle": {
      const verdict = platformBundle(resource, config.platform);
      return verdict.own
        ? []
        : at(`an opaque bundle whose objects the pack cannot see, not the platform's own pinned part (${verdict.why})`);
    }
    default:
      return [];
  }
}

/**
 * NodePort and LoadBalancer publish the selected pods on every node address; externalIPs make
 * kube-proxy capture traffic to those addresses on every node, catalog services included
 * (CVE-2020-8554).
 */
function serviceFindings(resource: PolicyResource): string[] {
  const spec = asObject(resource.inputs.spec);
  const problems: string[] = [];
  const type = asString(spec.type);
  if (type === "NodePort" || type === "LoadBalancer") {
    problems.push(violationAt(who(resource), "spec.type", type, "publishes the selected pods on every node address; use ClusterIP"));
  }
  asArray(spec.externalIPs).forEach((ip, i) =>
    problems.push(
      violationAt(
        who(resource),
        `spec.externalIPs[${i}]`,
        ip,
        "kube-proxy captures traffic to this address on every node (CVE-2020-8554); remove it",
      ),
    ),
  );
  return problems;
}

/** The Pulumi types a CRD serves, one per version. */
function crdTypes(spec: Record<string, unknown>): string[] {
  const group = asString(spec.group) ?? "";
  const kind = asString(asObject(spec.names).kind) ?? "";
  return asArray(spec.versions)
    .flatMap((v) => asString(asObject(v).name) ?? [])
    .map((version) => pulumiType(`${group}/${version}`, kind));
}

function crdFindings(resource: PolicyResource): string[] {
  const spec = asObject(resource.inputs.spec);
  const problems: string[] = [];
  const strategy = asString(asObject(spec.conversion).strategy);
  if (strategy !== undefined && strategy !== "None") {
    problems.push(
      violationAt(
        who(resource),
        "spec.conversion.strategy",
        strategy,
        "a conversion webhook rewrites every stored object of the kind when served; use None",
      ),
    );
  }
  const name = asString(metadataOf(resource).name) ?? "";
  const guarded = crdTypes(spec).filter(isGuardedType);
  if (guarded.length > 0 && !PLATFORM_CRDS.includes(name)) {
    problems.push(
      violationAt(
        who(resource),
        "spec.names.kind",
        asObject(spec.names).kind,
        `redefines ${guarded.join(", ")}, a kind the pack judges; only the platform declares those CRDs`,
      ),
    );
  }
  return problems;
}

/**
 * A provider's `namespace` is where every object without one goes (the rules would read them as
 * `default`). `upsertExistingObjects` turns a create of an existing object into an update of it, a
 * patch in all but name: off by default since pulumi-kubernetes 4.34 (provider.d.ts), so a stack
 * cannot take over the platform's own objects by declaring their names. The provider's
 * PULUMI_K8S_UPSERT_EXISTING_OBJECTS environment variable is not visible to the pack.
 */
function providerFindings(resource: PolicyResource): string[] {
  const { namespace, upsertExistingObjects: upsert } = resource.inputs;
  const problems: string[] = [];
  if (namespace !== undefined) {
    problems.push(
      violationAt(
        who(resource),
        "namespace",
        namespace,
        "objects without metadata.namespace would land there unseen; set each object's namespace instead",
      ),
    );
  }
  if (upsert !== undefined && upsert !== false && upsert !== "false") {
    problems.push(
      violationAt(
        who(resource),
        "upsertExistingObjects",
        upsert,
        "a create would silently update an existing object, the platform's own included, as a patch does",
      ),
    );
  }
  return problems;
}

function namespaceFindings(resource: PolicyResource): string[] {
  if (!NAMESPACE_READ_TYPES.includes(resource.type) || asString(metadataOf(resource).namespace) !== undefined) return [];
  return [
    violationAt(
      who(resource),
      "metadata.namespace",
      undefined,
      "the object lands in the provider's or kubeconfig's default namespace, which the pack cannot see, while the rules read it as default; set it",
    ),
  ];
}

function tenantNamespaceFindings(resource: PolicyResource, config: PolicyConfig): string[] {
  const namespace = asString(metadataOf(resource).namespace);
  if (namespace === undefined || TENANT_NAMESPACE_TYPES.includes(resource.type)) return [];
  const tenant = tenantInNamespace(config, namespace);
  if (!tenant) return [];
  return [
    violationAt(
      who(resource),
      "metadata.namespace",
      namespace,
      `tenant ${tenant.name}'s namespace holds only what the program renders for it (${TENANT_NAMESPACE_TYPES.join(", ")}); ${ALLOW_HINT}`,
    ),
  ];
}

export const closedWorldRule: ResourceRule = {
  name: "closed-world",
  description:
    "Every resource type is judged or inert: unknown types, patches, bundles other than the platform's pinned parts, node-exposing Services, CRDs redefining judged kinds and foreign kinds in tenant namespaces are refused unless allowed.",
  level: "mandatory",
  config: ["tenants", "platform", "allow"],
  checkResource(resource, config): Finding[] {
    if (config.allow?.types?.[resource.type] !== undefined) return [];
    const messages = [
      ...typeFindings(resource, config),
      ...(resource.type === SERVICE_TYPE ? serviceFindings(resource) : []),
      ...(resource.type === KINDS.customResourceDefinition.type ? crdFindings(resource) : []),
      ...(resource.type === KUBERNETES_PROVIDER_TYPE ? providerFindings(resource) : []),
      ...namespaceFindings(resource),
      ...tenantNamespaceFindings(resource, config),
    ];
    return messages.map((message) => ({ resource, message }));
  },
};
