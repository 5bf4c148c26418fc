/**
 * A workload endpoint on the Calico underlay as Calico's selectors see it: the pod's labels, the
 * labels the platform adds to it (some with values nobody can know in advance), its namespace's
 * and service account's labels (`pcns.*`, `pcsa.*`). Unknown values make selectors "maybe".
 */
import { asObject, asString, objectName } from "../k8s";
import type { PolicyResource } from "../resource";
import { UNKNOWN, type LabelLookup } from "../selector";
import type { Vm } from "../vm";

export interface UnderlayEndpoint {
  /** `<namespace>/<workload>` (the owner's metadata.name); `<namespace>/*` for a hypothetical one. */
  key: string;
  namespace: string;
  name: string;
  /** Labels Calico reads on the pod that are known now (the pod template's, and the owner's fixed ones). */
  labels: Readonly<Record<string, string>>;
  /** Labels the platform sets with values unknown in advance (a uid, a node name). */
  unknownLabels: readonly string[];
  /** Key prefixes under which the platform may add any label. */
  openLabelPrefixes: readonly string[];
  /** The pod's service account; undefined when it cannot be known. */
  serviceAccountName?: string;
  resource?: PolicyResource;
  who: string;
  /** Where the labels are written, for messages. */
  labelsPath: string;
  /** The name grants are looked up under (a VM's stack-config name). */
  grantName?: string;
  /** A stand-in for any workload of a registered tenant: every label unknown. */
  hypothetical: boolean;
}

/**
 * KubeVirt's launcher pod carries the VMI's labels plus kubevirt.io=virt-launcher,
 * kubevirt.io/created-by=<VMI uid>, vm.kubevirt.io/name=<hostname> and vmi.kubevirt.io/id
 * (kubevirt/kubevirt@v1.9.0 pkg/virt-controller/services/template.go podLabels), and KubeVirt's
 * controllers add more under its prefixes: any such label may be there, with any value.
 */
const KUBEVIRT_UNKNOWN_LABELS = ["kubevirt.io/created-by", "vmi.kubevirt.io/id"];
const KUBEVIRT_PREFIXES = ["kubevirt.io/", "vm.kubevirt.io/", "vmi.kubevirt.io/"];
const DEFAULT_SERVICE_ACCOUNT = "default";

function templateSpec(vm: Vm): Record<string, unknown> {
  const template = vm.base === "" ? vm.resource.inputs : asObject(asObject(vm.resource.inputs.spec).template);
  return asObject(template.spec);
}

export function vmEndpoint(vm: Vm): UnderlayEndpoint {
  const name = objectName(vm.resource);
  return {
    key: `${vm.namespace}/${name}`,
    namespace: vm.namespace,
    name,
    // vm.kubevirt.io/name is the guest's hostname, which spec.hostname may set.
    labels: {
      ...vm.labels,
      ...(asString(templateSpec(vm).hostname) ? { "vm.kubevirt.io/name": asString(templateSpec(vm).hostname)! } : {}),
    },
    unknownLabels: KUBEVIRT_UNKNOWN_LABELS,
    openLabelPrefixes: KUBEVIRT_PREFIXES,
    serviceAccountName: vm.serviceAccountName,
    resource: vm.resource,
    who: vm.who,
    labelsPath: `${vm.base}metadata.labels`,
    grantName: vm.vmName,
    hypothetical: false,
  };
}

/**
 * Any other pod-template owner (Pod, Deployment, ...): its template labels, its service account
 * (unset: `default`), and the labels controllers add with unknown values.
 */
export function podEndpoint(owner: {
  resource: PolicyResource;
  who: string;
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  serviceAccountName?: string;
  base: string;
}): UnderlayEndpoint {
  return {
    key: `${owner.namespace}/${owner.name}`,
    namespace: owner.namespace,
    name: owner.name,
    labels: owner.labels,
    unknownLabels: ["pod-template-hash", "controller-revision-hash", "pod-template-generation", "statefulset.kubernetes.io/pod-name"],
    openLabelPrefixes: ["batch.kubernetes.io/", "apps.kubernetes.io/", ...KUBEVIRT_PREFIXES],
    serviceAccountName: owner.serviceAccountName ?? DEFAULT_SERVICE_ACCOUNT,
    resource: owner.resource,
    who: owner.who,
    labelsPath: `${owner.base}metadata.labels`,
    hypothetical: false,
  };
}

/** Whatever a registered tenant may run in its namespace: every label and the service account unknown. */
export function hypotheticalEndpoint(namespace: string, tenant: string): UnderlayEndpoint {
  return {
    key: `${namespace}/*`,
    namespace,
    name: "*",
    labels: {},
    unknownLabels: [],
    openLabelPrefixes: [""],
    who: `any workload of registered tenant ${tenant} in namespace ${namespace}`,
    labelsPath: "metadata.labels",
    hypothetical: true,
  };
}

/** Labels of namespaces and service accounts the stack declares; undeclared ones are unknown. */
export interface LabelFacts {
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
  serviceAccountLabels(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
}

function own(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

export interface EndpointLookups {
  pod: LabelLookup;
  namespace: LabelLookup;
  serviceAccount: LabelLookup;
}

/**
 * What selectors read on an endpoint. Calico adds projectcalico.org/namespace, /orchestrator and
 * /serviceaccount, and the namespace's and service account's labels as `pcns.<key>` / `pcsa.<key>`
 * (with projectcalico.org/name); Kubernetes adds kubernetes.io/metadata.name to every namespace.
 */
export function endpointLookups(endpoint: UnderlayEndpoint, facts: LabelFacts): EndpointLookups {
  const declaredNamespace = facts.namespaceLabels(endpoint.namespace);
  const namespace: LabelLookup = (key) => {
    if (key === "kubernetes.io/metadata.name" || key === "projectcalico.org/name") return endpoint.namespace;
    if (!declaredNamespace) return UNKNOWN;
    return own(declaredNamespace, key);
  };
  const sa = endpoint.serviceAccountName;
  const declaredSa = sa === undefined ? undefined : facts.serviceAccountLabels(endpoint.namespace, sa);
  const serviceAccount: LabelLookup = (key) => {
    if (sa === undefined) return UNKNOWN;
    if (key === "projectcalico.org/name") return sa;
    if (declaredSa) return own(declaredSa, key);
    // The namespace's `default` account is created without labels; any other undeclared one is unknown.
    return sa === DEFAULT_SERVICE_ACCOUNT ? undefined : UNKNOWN;
  };
  const unknown = new Set(endpoint.unknownLabels);
  const pod: LabelLookup = (key) => {
    if (key === "projectcalico.org/namespace") return endpoint.namespace;
    if (key === "projectcalico.org/orchestrator") return "k8s";
    if (key === "projectcalico.org/serviceaccount") return sa ?? UNKNOWN;
    if (key.startsWith("pcns.")) return namespace(key.slice(5));
    if (key.startsWith("pcsa.")) return serviceAccount(key.slice(5));
    const value = own(endpoint.labels, key);
    if (value !== undefined) return value;
    if (unknown.has(key) || endpoint.openLabelPrefixes.some((prefix) => key.startsWith(prefix))) return UNKNOWN;
    return undefined;
  };
  return { pod, namespace, serviceAccount };
}
