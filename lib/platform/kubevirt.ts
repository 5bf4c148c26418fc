/** KubeVirt: the operator release manifest and the KubeVirt CR the VMs need. */
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";

export const KUBEVIRT_NAMESPACE = "kubevirt";

export function kubevirtOperatorManifestUrl(version: string): string {
  return `https://github.com/kubevirt/kubevirt/releases/download/${version}/kubevirt-operator.yaml`;
}

export function kubevirtCr(featureGates: string[], registry: string, overrides: Record<string, unknown> | undefined): K8sObject {
  const spec = deepMerge(
    {
      ...(registry ? { imageRegistry: `${registry}/kubevirt` } : {}),
      configuration: {
        // VM underlay NICs use bridge binding on the Multus default network; KubeVirt rejects
        // that when this is false. Bridge on the default network blocks live migration (kubevirt#9440).
        network: { permitBridgeInterfaceOnPodNetwork: true },
        developerConfiguration: { featureGates },
      },
      workloadUpdateStrategy: { workloadUpdateMethods: ["Evict"] },
    },
    overrides,
  );
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: KUBEVIRT_NAMESPACE, labels: { ...MANAGED_BY } },
    spec,
  };
}
