/** The platform NetworkAttachmentDefinitions every tenant VM attaches through (seed 000). */
import type { NetworkConfig } from "../config/schema";
import { calicoConfList, kubeOvnConfList, type CniConfList } from "../cni-config";
import { MANAGED_BY, type K8sObject } from "./objects";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { KINDS, typeMeta } from "../k8s/kinds";
import { PLATFORM_NAD_NAMES } from "../pins";

export interface NadObject extends K8sObject {
  apiVersion: typeof KINDS.networkAttachmentDefinition.apiVersion;
  kind: typeof KINDS.networkAttachmentDefinition.kind;
  spec: { config: string };
}

/** A NetworkAttachmentDefinition carrying `config` (a conflist), the platform's or a tenant's. */
export function networkAttachment(
  name: string,
  namespace: string,
  config: CniConfList,
  labels: Record<string, string> = { ...MANAGED_BY },
): NadObject {
  return {
    ...typeMeta(KINDS.networkAttachmentDefinition),
    metadata: { name, namespace, labels },
    spec: { config: JSON.stringify(config) },
  };
}

export function platformNads(network: NetworkConfig): { calico: NadObject; kubeOvn: NadObject } {
  return {
    calico: networkAttachment(PLATFORM_NAD_NAMES.calico, PLATFORM_NAMESPACES.nads, calicoConfList(network)),
    kubeOvn: networkAttachment(
      PLATFORM_NAD_NAMES.kubeOvn,
      PLATFORM_NAMESPACES.nads,
      kubeOvnConfList(PLATFORM_NAD_NAMES.kubeOvn, PLATFORM_NAMESPACES.nads),
    ),
  };
}
