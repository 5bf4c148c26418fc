/**
 * Calico through the Tigera operator: Calico's CRD chart, then the operator chart with its own
 * Installation/APIServer turned off (we declare them, so the pod CIDR comes from config and the
 * objects are schema-checked), the API server that serves projectcalico.org/v3, the VM
 * IPReservation and the IPAM configuration that keeps VM addresses across live migration.
 */
import { CALICO_POLICY_SETUP_TIMEOUT_SECONDS } from "../cni-config";
import type { NetworkConfig } from "../config/schema";
import { KINDS, typeMeta } from "../k8s/kinds";
import { VM_RESERVATION_NAME } from "../tenant/names";
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";
import { awaitCondition } from "./readiness";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { PLATFORM_RELEASES } from "../pins";

export const TIGERA_NAMESPACE = PLATFORM_NAMESPACES.tigeraOperator;
export const TIGERA_OPERATOR_CHART = PLATFORM_RELEASES.tigeraOperator.chart;
/**
 * Since v3.32 the operator chart bundles no CRDs; this chart carries the operator.tigera.io and
 * crd.projectcalico.org ones (projectcalico/calico v3.32.1 charts/tigera-operator/README.md,
 * charts/crd.projectcalico.org.v1/). Same repository and version as the operator chart. Its
 * README applies it with `kubectl apply --server-side` because client-side apply's annotation
 * cannot hold the largest CRDs; a Helm release creates them without that annotation, and the
 * ~3 MB of CRDs gzip to ~0.3 MB, well inside the release Secret's 1 MiB.
 */
export const CALICO_CRD_CHART = PLATFORM_RELEASES.calicoCrds.chart;
/** The conflist calico-node writes (tigera/operator v1.42.3 pkg/render/node.go:1321, CNI_CONF_NAME). */
export const CALICO_CNI_CONF_FILE = "10-calico.conflist";

/**
 * Goldmane and Whisker default to on (charts/tigera-operator/values.yaml at v3.32.1) and are
 * plain CRs of the release; off unless `values.calico` turns them on. `manageCRDs: false`: the
 * CRD chart owns the CRDs, so the operator does not rewrite them under it.
 */
export function tigeraOperatorValues(registry: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  return deepMerge(
    {
      installation: { enabled: false },
      apiServer: { enabled: false },
      goldmane: { enabled: false },
      whisker: { enabled: false },
      manageCRDs: false,
      ...(registry ? { tigeraOperator: { registry } } : {}),
    },
    overrides,
  );
}

/**
 * The pod pool per dataplane. `overlay`: VXLAN between subnets, pod traffic leaving the pool
 * SNATed to the node. `bgp`: routed, not encapsulated and not SNATed, which is what Calico
 * supports for KubeVirt live migration ("requires BGP networking without overlay"; natOutgoing
 * breaks the VM's established sessions when its node changes: tigera/docs
 * calico_versioned_docs/version-3.32/networking/kubevirt/kubevirt-networking.mdx).
 */
function podPool(network: NetworkConfig): Record<string, unknown> {
  const routed = network.dataplane === "bgp";
  return {
    name: "default-ipv4-ippool",
    cidr: network.podCidr,
    blockSize: 26,
    encapsulation: routed ? "None" : "VXLANCrossSubnet",
    natOutgoing: routed ? "Disabled" : "Enabled",
    nodeSelector: "all()",
  };
}

export function installation(network: NetworkConfig, registry: string): K8sObject {
  return {
    ...typeMeta(KINDS.installation),
    metadata: { name: "default", labels: { ...MANAGED_BY } },
    spec: {
      ...(registry ? { registry: `${registry}/` } : {}),
      calicoNetwork: {
        ...(network.dataplane === "bgp" ? { bgp: "Enabled" } : {}),
        // The kubelet's InternalIP, never the first interface found: Kube-OVN adds `ovn0` (join
        // CIDR) to every node even as a secondary CNI, and firstFound does not exclude it.
        nodeAddressAutodetectionV4: { kubernetes: "NodeInternalIP" },
        // The node conflist's policy_setup_timeout_seconds, as the Calico NAD sets it (tigera/operator
        // v1.42.3 api/v1/installation_types.go:690).
        linuxPolicySetupTimeoutSeconds: CALICO_POLICY_SETUP_TIMEOUT_SECONDS,
        ipPools: [podPool(network)],
      },
    },
  };
}

/**
 * On a fresh cluster only calico-apiserver serves projectcalico.org/v3, so creating the APIServer
 * completes once the operator reports it Ready: the operator copies the component's TigeraStatus
 * conditions (type `Ready`) into its status (tigera/operator v1.42.3
 * pkg/controller/apiserver/apiserver_controller.go:286, api/v1/tigerastatus_types.go:80).
 */
export function apiServer(): K8sObject {
  return awaitCondition({ ...typeMeta(KINDS.apiServer), metadata: { name: "default", labels: { ...MANAGED_BY } }, spec: {} }, "Ready");
}

/**
 * Keeps the VM range out of ordinary pod IPAM; the `cni.projectcalico.org/ipAddrs` annotation
 * still takes addresses from it. Keep it small: Calico IPAM slows past ~10% of a pool reserved.
 */
export function vmReservation(network: NetworkConfig): IpReservationObject {
  return ipReservationObject(VM_RESERVATION_NAME, [network.vmReservation]);
}

export interface IpReservationObject extends K8sObject {
  apiVersion: typeof KINDS.ipReservation.apiVersion;
  kind: typeof KINDS.ipReservation.kind;
  spec: { reservedCIDRs: string[] };
}

/** A Calico IPReservation of `cidrs`: the platform's VM range, or a tenant's block. */
export function ipReservationObject(
  name: string,
  cidrs: string[],
  labels: Record<string, string> = { ...MANAGED_BY },
): IpReservationObject {
  return { ...typeMeta(KINDS.ipReservation), metadata: { name, labels }, spec: { reservedCIDRs: cidrs } };
}

/**
 * Calico's cluster IPAM settings (one object, `default`). kubeVirtVMAddressPersistence keeps a
 * KubeVirt VM's address on its VM-keyed handle across restarts, evictions and live migration,
 * the migration target sharing the source's address; Calico defaults it to Enabled
 * (projectcalico/calico v3.32.1 api/pkg/apis/projectcalico/v3/ipamconfig.go:82-93), stated here
 * so the plan shows it. strictAffinity and autoAllocateBlocks are required, at Calico's defaults.
 */
export function ipamConfiguration(): K8sObject {
  return {
    ...typeMeta(KINDS.ipamConfiguration),
    metadata: { name: "default", labels: { ...MANAGED_BY } },
    spec: { strictAffinity: false, autoAllocateBlocks: true, kubeVirtVMAddressPersistence: "Enabled" },
  };
}
