/**
 * What `pulumi up` waits for, and for how long. pulumi-kubernetes counts a custom resource as
 * ready as soon as the API accepts it, unless it carries `pulumi.com/waitFor`; creation retries a
 * kind the API does not serve yet for about 31 s only (pulumi/pulumi-kubernetes v4.32.0
 * provider/pkg/metadata/overrides.go:85-114, provider/pkg/await/await.go:267-274). Objects whose
 * API an operator or API server brings up later therefore depend on a resource that waits for it.
 */
import type { K8sObject } from "./objects";

/**
 * A cold cluster pulls every image first: OVS/OVN, calico-node, typha and the Calico API server,
 * virt-operator and the KubeVirt components each take minutes on a slow link. 20 minutes, for
 * the awaited custom resources and for every Helm release (whose default is 300 s:
 * provider/pkg/provider/helm_release.go:64).
 */
export const COLD_START_TIMEOUT_SECONDS = 1200;

const WAIT_FOR_ANNOTATION = "pulumi.com/waitFor";
const TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds";

/**
 * `object` annotated so that its creation completes only once its status has condition
 * `condition` True (`kubectl wait --for=condition=...` syntax), within the cold-start timeout.
 */
export function awaitCondition(object: K8sObject, condition: string): K8sObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: {
        ...object.metadata.annotations,
        [WAIT_FOR_ANNOTATION]: `condition=${condition}`,
        [TIMEOUT_ANNOTATION]: String(COLD_START_TIMEOUT_SECONDS),
      },
    },
  };
}
