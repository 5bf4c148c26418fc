import type { K8sObject } from "../k8s/object";

export type { K8sObject } from "../k8s/object";

/** Labels every object we create carries, so `kubectl get -l` finds what tenantnet owns. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "tenantnet" };

export function namespaceObject(name: string): K8sObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { ...MANAGED_BY } } };
}
