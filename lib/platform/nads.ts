/** The platform NetworkAttachmentDefinitions every tenant VM attaches through (seed 000). */
import type { NetworkConfig } from "../config/schema";
import { calicoConfList, kubeOvnConfList, type CniConfList } from "../cni-config";
import { MANAGED_BY, type K8sObject } from "./objects";

export const PLATFORM_NAD_NAMESPACE = "default";
export const CALICO_NAD_NAME = "calico";
export const KUBE_OVN_NAD_NAME = "kubeovn";

export function networkAttachment(name: string, namespace: string, config: CniConfList): K8sObject {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { name, namespace, labels: { ...MANAGED_BY } },
    spec: { config: JSON.stringify(config) },
  };
}

export function platformNads(network: NetworkConfig): { calico: K8sObject; kubeOvn: K8sObject } {
  return {
    calico: networkAttachment(CALICO_NAD_NAME, PLATFORM_NAD_NAMESPACE, calicoConfList(network)),
    kubeOvn: networkAttachment(KUBE_OVN_NAD_NAME, PLATFORM_NAD_NAMESPACE, kubeOvnConfList(KUBE_OVN_NAD_NAME, PLATFORM_NAD_NAMESPACE)),
  };
}
