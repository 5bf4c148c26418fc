/** A Kubernetes object as we render it: what `kubectl apply` would receive. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Labels every object we create carries, so `kubectl get -l` finds what tenantnet owns. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "tenantnet" };

/**
 * A namespace of ours. `privileged`: it runs privileged or host-network pods (CNI agents, OVS,
 * the Tigera operator), which a cluster-wide baseline or restricted PodSecurity default rejects.
 */
export function namespaceObject(name: string, options: { privileged?: boolean } = {}): K8sObject {
  const podSecurity: Record<string, string> = options.privileged ? { "pod-security.kubernetes.io/enforce": "privileged" } : {};
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...MANAGED_BY, ...podSecurity } } };
}
