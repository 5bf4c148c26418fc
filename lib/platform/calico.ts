/**
 * Calico through the Tigera operator: the operator chart with its own Installation/APIServer
 * turned off (we declare them, so the pod CIDR comes from config and the objects are
 * schema-checked), the API server that serves projectcalico.org/v3, and the VM IPReservation.
 */
import type { NetworkConfig } from "../config/schema";
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";

export const TIGERA_NAMESPACE = "tigera-operator";
export const TIGERA_CHART_REPO = "https://docs.tigera.io/calico/charts";
export const VM_RESERVATION_NAME = "tenantnet-vm-reservation";

export function tigeraOperatorValues(registry: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  return deepMerge(
    {
      installation: { enabled: false },
      apiServer: { enabled: false },
      ...(registry ? { tigeraOperator: { registry } } : {}),
    },
    overrides,
  );
}

export function installation(network: NetworkConfig, registry: string): K8sObject {
  return {
    apiVersion: "operator.tigera.io/v1",
    kind: "Installation",
    metadata: { name: "default", labels: { ...MANAGED_BY } },
    spec: {
      ...(registry ? { registry: `${registry}/` } : {}),
      calicoNetwork: {
        ipPools: [
          {
            name: "default-ipv4-ippool",
            cidr: network.podCidr,
            blockSize: 26,
            encapsulation: "VXLANCrossSubnet",
            natOutgoing: "Enabled",
            nodeSelector: "all()",
          },
        ],
      },
    },
  };
}

export function apiServer(): K8sObject {
  return { apiVersion: "operator.tigera.io/v1", kind: "APIServer", metadata: { name: "default", labels: { ...MANAGED_BY } }, spec: {} };
}

/**
 * Keeps the VM range out of ordinary pod IPAM; the `cni.projectcalico.org/ipAddrs` annotation
 * still takes addresses from it. Keep it small: Calico IPAM slows past ~10% of a pool reserved.
 */
export function vmReservation(network: NetworkConfig): K8sObject {
  return {
    apiVersion: "projectcalico.org/v3",
    kind: "IPReservation",
    metadata: { name: VM_RESERVATION_NAME, labels: { ...MANAGED_BY } },
    spec: { reservedCIDRs: [network.vmReservation] },
  };
}
