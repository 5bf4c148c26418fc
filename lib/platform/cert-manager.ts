/** cert-manager: chart arguments and the self-signed ClusterIssuer the platform webhooks use. */
import { deepMerge } from "./merge";
import { MANAGED_BY, type K8sObject } from "./objects";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const SELF_SIGNED_ISSUER = "tenantnet-selfsigned";

/** Arguments of `@pulumi/kubernetes-cert-manager`'s CertManager (they mirror the chart values). */
export function certManagerArgs(version: string, registry: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  const image = registry ? { image: { registry } } : {};
  return deepMerge(
    {
      installCRDs: true,
      ...image,
      ...(registry ? { webhook: image, cainjector: image, startupapicheck: image } : {}),
      helmOptions: { namespace: CERT_MANAGER_NAMESPACE, version },
    },
    overrides,
  );
}

export function selfSignedIssuer(): K8sObject {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: SELF_SIGNED_ISSUER, labels: { ...MANAGED_BY } },
    spec: { selfSigned: {} },
  };
}
