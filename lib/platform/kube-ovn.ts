/** Kube-OVN (kube-ovn-v2 chart) as a secondary CNI beside Calico. */
import type { NetworkConfig } from "../config/schema";
import { deepMerge } from "./merge";

export const KUBE_OVN_NAMESPACE = "kube-ovn";
export const KUBE_OVN_CHART_REPO = "https://kubeovn.github.io/kube-ovn/";
export const KUBE_OVN_CHART = "kube-ovn-v2";

export function kubeOvnValues(network: NetworkConfig, registry: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  return deepMerge(
    {
      namespace: KUBE_OVN_NAMESPACE,
      // Calico is the primary CNI: Kube-OVN only serves NetworkAttachmentDefinitions (v1.15+).
      cni: { nonPrimaryCNI: true },
      networking: {
        stack: "IPv4",
        join: { cidr: { v4: network.joinCidr } },
        services: { cidr: { v4: network.serviceCidr } },
      },
      ...(registry ? { global: { registry: { address: `${registry}/kubeovn` } } } : {}),
    },
    overrides,
  );
}
