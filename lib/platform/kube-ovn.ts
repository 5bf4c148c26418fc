/** Kube-OVN (kube-ovn-v2 chart) as a secondary CNI beside Calico. */
import type { KubeOvnConfig, NetworkConfig } from "../config/schema";
import { mirrored } from "./images";
import { deepMerge } from "./merge";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { PLATFORM_RELEASES } from "../pins";

export const KUBE_OVN_NAMESPACE = PLATFORM_NAMESPACES.kubeOvn;
export const KUBE_OVN_CHART = PLATFORM_RELEASES.kubeOvn.chart;
/**
 * Kube-OVN writes `<configPriority>-kube-ovn.conflist` in non-primary mode too (chart default
 * "01", kube-ovn v1.16.2 charts/kube-ovn-v2/values.yaml). "90" sorts it after Calico's
 * 10-calico.conflist, so nothing that picks the first conflist (Multus `auto`, the runtime
 * without Multus) takes Kube-OVN for the cluster network; upstream's non-primary e2e does the
 * same (makefiles/kind.mk, CNI_CONFIG_PRIORITY=10).
 */
const KUBE_OVN_CNI_CONFIG_PRIORITY = "90";

/** Images the chart names with their registry host, outside `global.registry.address`. */
const NAT_GATEWAY_IMAGE = "docker.io/kubeovn/vpc-nat-gateway";
const BGP_SPEAKER_IMAGE = "docker.io/kubeovn/kube-ovn";

export function kubeOvnValues(
  network: NetworkConfig,
  masters: KubeOvnConfig,
  registry: string,
  overrides: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return deepMerge(
    {
      namespace: KUBE_OVN_NAMESPACE,
      // The chart fails to render when no node matches masterNodesLabels and masterNodes is
      // empty; the labels are ORed and an empty value means "exists" (charts/kube-ovn-v2
      // templates/_helpers.tpl:61-100 at v1.16.2). Central and controller pods also need one of
      // these labels on their node, masterNodes or not.
      masterNodes: masters.masterNodes,
      masterNodesLabels: masters.masterNodesLabels,
      // Calico is the primary CNI: Kube-OVN only serves NetworkAttachmentDefinitions (v1.15+).
      cni: { nonPrimaryCNI: true, configPriority: KUBE_OVN_CNI_CONFIG_PRIORITY },
      networking: {
        stack: "IPv4",
        join: { cidr: { v4: network.joinCidr } },
        services: { cidr: { v4: network.serviceCidr } },
      },
      ...(registry
        ? {
            global: { registry: { address: `${registry}/kubeovn` } },
            natGw: {
              image: { repository: mirrored(NAT_GATEWAY_IMAGE, registry) },
              bgpSpeaker: { image: { repository: mirrored(BGP_SPEAKER_IMAGE, registry) } },
            },
          }
        : {}),
    },
    overrides,
  );
}
