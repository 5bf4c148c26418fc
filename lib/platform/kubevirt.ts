/** KubeVirt: the operator release manifest (vendored, rendered as objects) and the KubeVirt CR the VMs need. */
import * as YAML from "yaml";
import type { KubevirtConfig } from "../config/schema";
import { mirrored } from "./images";
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";
import { awaitCondition } from "./readiness";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { KINDS, typeMeta } from "../k8s/kinds";

export const KUBEVIRT_NAMESPACE = PLATFORM_NAMESPACES.kubevirt;
const VIRT_OPERATOR_DEPLOYMENT = "virt-operator";

/**
 * Releases whose `kubevirt-operator.yaml` the repository carries
 * (components/platform/manifests/kubevirt-operator-<version>.yaml, sources in schemas/SOURCES.md):
 * nothing is downloaded at deploy time, so `versions.kubevirt` can only name one of these.
 */
export const VENDORED_KUBEVIRT_VERSIONS = ["v1.9.0"] as const;

export function kubevirtOperatorManifestName(version: string): string {
  return `kubevirt-operator-${version}.yaml`;
}

type Container = { name: string; image?: string; env?: { name: string; value?: string }[] };

/**
 * The objects of a `kubevirt-operator.yaml`, in file order, labelled as ours, with virt-operator's
 * image under the mirror. virt-operator derives every other KubeVirt image from the registry of its
 * VIRT_OPERATOR_IMAGE (kubevirt v1.9.0 pkg/virt-operator/util/config.go), so the env var moves
 * with the container image.
 */
export function kubevirtOperatorObjects(manifest: string, registry: string): K8sObject[] {
  const objects = YAML.parseAllDocuments(manifest).map((document) => {
    if (document.errors.length > 0) throw new Error(`kubevirt-operator manifest: ${document.errors[0].message}`);
    return document.toJS() as K8sObject | null;
  });
  return objects
    .filter((object): object is K8sObject => object !== null)
    .map((object) => ({ ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...MANAGED_BY } } }))
    .map((object) =>
      object.kind === "Deployment" && object.metadata.name === VIRT_OPERATOR_DEPLOYMENT ? mirroredOperator(object, registry) : object,
    );
}

function mirroredOperator(deployment: K8sObject, registry: string): K8sObject {
  const spec = deployment.spec as { template: { spec: { containers: Container[] } } };
  const containers = spec.template.spec.containers.map((container) => ({
    ...container,
    ...(container.image ? { image: mirrored(container.image, registry) } : {}),
    ...(container.env
      ? {
          env: container.env.map((variable) =>
            variable.name === "VIRT_OPERATOR_IMAGE" && variable.value
              ? { ...variable, value: mirrored(variable.value, registry) }
              : variable,
          ),
        }
      : {}),
  }));
  return { ...deployment, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers } } } };
}

/**
 * The KubeVirt CR. evictionStrategy LiveMigrate: a node drain migrates VMs instead of restarting
 * them (KubeVirt's default is None, kubevirt v1.9.0 pkg/virt-config/configuration.go:186); a VM's
 * own strategy overrides it. An upgrade of KubeVirt migrates each VM to a new virt-launcher and
 * evicts only the VMs that cannot migrate (the least disruptive listed method wins,
 * v1.KubeVirtWorkloadUpdateStrategy).
 */
export function kubevirtCr(kubevirt: KubevirtConfig, registry: string, overrides: Record<string, unknown> | undefined): K8sObject {
  const migrations = kubevirt.migrations;
  const spec = deepMerge(
    {
      ...(registry ? { imageRegistry: `${registry}/kubevirt` } : {}),
      configuration: {
        evictionStrategy: "LiveMigrate",
        ...(Object.keys(migrations).length > 0 ? { migrations } : {}),
        // Concerns only `pod` networks (kubevirt v1.9.0 pkg/network/admitter/binding.go:104) and
        // true is the default (pkg/virt-config/virt-config.go:81). Tenant VMs have no pod network:
        // their bridge NICs are on Multus networks, which this setting never blocks.
        network: { permitBridgeInterfaceOnPodNetwork: true },
        developerConfiguration: { featureGates: kubevirt.featureGates },
      },
      workloadUpdateStrategy: { workloadUpdateMethods: ["LiveMigrate", "Evict"] },
    },
    overrides,
  );
  // virt-operator creates the VirtualMachine CRD and virt-api's webhooks only while reconciling
  // this CR, and reports Available once they serve (kubevirt v1.9.0
  // staging/src/kubevirt.io/api/core/v1/types.go:2743, KubeVirtConditionAvailable).
  return awaitCondition(
    {
      ...typeMeta(KINDS.kubevirt),
      metadata: { name: "kubevirt", namespace: KUBEVIRT_NAMESPACE, labels: { ...MANAGED_BY } },
      spec,
    },
    "Available",
  );
}
