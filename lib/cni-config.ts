/**
 * CNI configuration lists carried by the platform NetworkAttachmentDefinitions (seed 000).
 * Pure: the Platform component, the route-plugin netns tests and the policy pack all read these.
 */

export const ROUTE_PLUGIN_TYPE = "x-calico-route";
/** Calico's point-to-point gateway inside every workload netns. */
export const CALICO_GATEWAY = "169.254.1.1";
export const NAD_CNI_VERSION = "0.3.1";
export const KUBE_OVN_SOCKET = "/run/openvswitch/kube-ovn-daemon.sock";
/**
 * The Calico NAD conflist's network name. Calico keys a KubeVirt VM's IPAM handle by it
 * (`<network>.vmi.<ns>.<vm>`), and Felix's owner swap at the end of a live migration builds the
 * handle with the default network name, `k8s-pod-network` (projectcalico/calico v3.32.1
 * felix/dataplane/linux/live_migration.go:497 passes "", libcalico-go/lib/ipam/vmipam/ipam_kubevirt.go:60-63
 * makes it k8s-pod-network): under any other name the swap misses the VM's handle.
 */
export const CALICO_NETWORK_NAME = "k8s-pod-network";
/**
 * Seconds the Calico CNI waits for Felix to program a new pod's policy before the pod runs
 * (`policy_setup_timeout_seconds`, projectcalico/calico v3.32.1 cni-plugin/pkg/types/types.go:141):
 * a live-migration target is policed from its first packet.
 */
export const CALICO_POLICY_SETUP_TIMEOUT_SECONDS = 10;

export interface CniPlugin {
  type: string;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: CniPlugin[];
}

export interface RoutePluginConfig extends CniPlugin {
  type: typeof ROUTE_PLUGIN_TYPE;
  routes: { dst: string }[];
  gateway: string;
}

/** The underlay routes the Calico NIC carries instead of a default route: pod CIDR + node CIDRs. */
export function underlayRoutes(network: { podCidr: string; nodeCidrs: string[] }): { dst: string }[] {
  return [network.podCidr, ...network.nodeCidrs].map((dst) => ({ dst }));
}

export function routePluginConfig(network: { podCidr: string; nodeCidrs: string[] }): RoutePluginConfig {
  return { type: ROUTE_PLUGIN_TYPE, routes: underlayRoutes(network), gateway: CALICO_GATEWAY };
}

/**
 * calico -> x-calico-route -> tuning. Calico refuses a netns that already has a default route
 * (projectcalico/calico#5199), so it runs as the Multus default network and the route plugin
 * then takes its default route away; tuning lets KubeVirt/the user pin the MAC.
 */
export function calicoConfList(network: { podCidr: string; nodeCidrs: string[] }): CniConfList {
  return {
    cniVersion: NAD_CNI_VERSION,
    name: CALICO_NETWORK_NAME,
    plugins: [
      {
        type: "calico",
        datastore_type: "kubernetes",
        log_level: "info",
        log_file_path: "/var/log/calico/cni/cni.log",
        nodename_file_optional: false,
        ipam: { type: "calico-ipam" },
        policy_setup_timeout_seconds: CALICO_POLICY_SETUP_TIMEOUT_SECONDS,
        policy: { type: "k8s" },
        kubernetes: { kubeconfig: "/etc/cni/net.d/calico-kubeconfig" },
      },
      routePluginConfig(network),
      { type: "tuning" },
    ],
  };
}

/** Kube-OVN attachment: `provider` must be `<nad>.<namespace>.ovn` for the fixed-IP annotations to match. */
export function kubeOvnProvider(nadName: string, namespace: string): string {
  return `${nadName}.${namespace}.ovn`;
}

export function kubeOvnConfList(nadName: string, namespace: string): CniConfList {
  return {
    cniVersion: NAD_CNI_VERSION,
    name: "kube-ovn",
    plugins: [{ type: "kube-ovn", server_socket: KUBE_OVN_SOCKET, provider: kubeOvnProvider(nadName, namespace) }],
  };
}
