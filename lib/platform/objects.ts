import type { K8sObject } from "../k8s/object";
import { KINDS, typeMeta } from "../k8s/kinds";

export type { K8sObject } from "../k8s/object";

/** Labels every object we create carries, so `kubectl get -l` finds what tenantnet owns. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "tenantnet" };

/**
 * A namespace of ours. `privileged`: it runs privileged or host-network pods (CNI agents, OVS,
 * the Tigera operator), which a cluster-wide baseline or restricted PodSecurity default rejects.
 */
export function namespaceObject(name: string, options: { privileged?: boolean } = {}): K8sObject {
  const podSecurity: Record<string, string> = options.privileged ? { "pod-security.kubernetes.io/enforce": "privileged" } : {};
  return { ...typeMeta(KINDS.namespace), metadata: { name, labels: { ...MANAGED_BY, ...podSecurity } } };
}
