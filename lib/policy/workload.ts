/**
 * Every object that makes pods, as the rules (and the reachability model) see it: its pod (or
 * VMI) template's labels, annotations, service account and host access, whatever kind carries it.
 * KubeVirt kinds are parsed by vm.ts and carried along as `vm`.
 *
 * The Workload fields are a contract for the other modules: `base` is the key prefix of the
 * template (`spec.template.`, `spec.jobTemplate.spec.template.`, `` for a Pod or VMI,
 * `spec.virtualMachineTemplate.spec.template.` for a VM pool), `labels` and `annotations` are the
 * template's as written (labels the platform adds on its own are the endpoint model's business),
 * `serviceAccountName` is the one the pod runs as.
 */
import { parseGoJson } from "./cni-json";
import { asArray, asObject, asString, describe, isObject, objectName, objectNamespace, stringMap } from "./k8s";
import type { PolicyResource } from "./resource";
import type { Labels } from "./selector";
import { isVm, parseVm, type Vm } from "./vm";
import { KINDS } from "../k8s/kinds";

/** Multus reads these pod annotations (multus-cni v4.3.0 pkg/k8sclient/k8sclient.go). */
/**
 * Multus resolves a default-network annotation without a namespace in its own namespace, not
 * the pod's (tryLoadK8sPodDefaultNetwork parses it with conf.MultusNamespace, default
 * `kube-system`, pkg/types/conf.go defaultMultusNamespace, v4.3.0; the platform's daemon config
 * does not change it).
 */
export const MULTUS_NAMESPACE = "kube-system";

/** Where each pod-template owner keeps its pod template (Kubernetes core/v1, apps/v1, batch/v1). */
const POD_TEMPLATES = new Map<string, { kind: string; template: string[] }>([
  [KINDS.pod.type, { kind: KINDS.pod.kind, template: [] }],
  ...[KINDS.replicationController, KINDS.deployment, KINDS.statefulSet, KINDS.daemonSet, KINDS.replicaSet, KINDS.job].map(
    (k): [string, { kind: string; template: string[] }] => [k.type, { kind: k.kind, template: ["spec", "template"] }],
  ),
  [KINDS.cronJob.type, { kind: KINDS.cronJob.kind, template: ["spec", "jobTemplate", "spec", "template"] }],
]);

export interface Workload {
  resource: PolicyResource;
  /** How messages name it: `Deployment tenant-acme/web`. */
  who: string;
  /** Pod, ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, or a KubeVirt kind. */
  kind: string;
  namespace: string;
  /** metadata.name. */
  name: string;
  /** Key prefix of the pod (or VMI) template. */
  base: string;
  /** The template's labels as written. */
  labels: Labels;
  /** The template's annotations as written. */
  annotations: Record<string, string>;
  /** The pod's service account: spec.serviceAccountName (or its deprecated alias), else `default`; a VM's from vm.ts. */
  serviceAccountName: string;
  /** `spec.hostNetwork: true`: the pod runs in the node's network namespace, with no CNI at all. */
  hostNetwork: boolean;
  /** `spec.hostPID: true`. */
  hostPid: boolean;
  /** Key paths of containers with `securityContext.privileged: true`. */
  privileged: string[];
  /** Key paths of `hostPath` volumes, with the node path each mounts. */
  hostPaths: { path: string; hostPath: unknown }[];
  /** The VMI template of a KubeVirt kind. */
  vm?: Vm;
}

function dig(node: unknown, path: string[]): Record<string, unknown> {
  return path.reduce<Record<string, unknown>>((at, key) => asObject(at[key]), asObject(node));
}

function vmWorkload(resource: PolicyResource): Workload {
  const vm = parseVm(resource);
  return {
    resource,
    who: vm.who,
    kind: vm.kind,
    namespace: vm.namespace,
    name: objectName(resource),
    base: vm.base,
    labels: stringMap(asObject(dig(resource.inputs, vm.base.split(".").filter(Boolean)).metadata).labels),
    annotations: vm.annotations,
    serviceAccountName: vm.serviceAccountName,
    hostNetwork: false,
    hostPid: false,
    privileged: [],
    hostPaths: [],
    vm,
  };
}

export function parseWorkload(resource: PolicyResource): Workload | undefined {
  if (isVm(resource)) return vmWorkload(resource);
  const shape = POD_TEMPLATES.get(resource.type);
  if (!shape) return undefined;
  const template = dig(resource.inputs, shape.template);
  const metadata = asObject(template.metadata);
  const spec = asObject(template.spec);
  const base = shape.template.map((key) => `${key}.`).join("");
  const privileged = (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((list) =>
    asArray(spec[list]).flatMap((raw, i) =>
      asObject(asObject(raw).securityContext).privileged === true ? [`${base}spec.${list}[${i}].securityContext.privileged`] : [],
    ),
  );
  const hostPaths = asArray(spec.volumes).flatMap((raw, i) => {
    const volume = asObject(raw);
    return volume.hostPath === undefined ? [] : [{ path: `${base}spec.volumes[${i}].hostPath`, hostPath: volume.hostPath }];
  });
  return {
    resource,
    who: describe(resource, true),
    kind: shape.kind,
    namespace: objectNamespace(resource),
    name: objectName(resource),
    base,
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    // `serviceAccount` is the deprecated alias Kubernetes still honours when the name is unset.
    serviceAccountName: asString(spec.serviceAccountName) || asString(spec.serviceAccount) || "default",
    hostNetwork: spec.hostNetwork === true,
    hostPid: spec.hostPID === true,
    privileged,
    hostPaths,
  };
}

export function workloadAnnotationPath(workload: { base: string }, annotation: string): string {
  return `${workload.base}metadata.annotations[${JSON.stringify(annotation)}]`;
}

/** One entry of a Multus network selection annotation. */
export interface NetworkSelection {
  /** Position in the annotation. */
  index: number;
  namespace: string;
  name: string;
  /** `namespace/name`. */
  ref: string;
  interface?: string;
  /** Keys of a JSON entry besides name/namespace/interface (ips, mac, cni-args, default-route, ...). */
  extraKeys: string[];
}

/** Multus's attachment name check (DNS-1123 label), parsePodNetworkObjectName, v4.3.0. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A network selection annotation as Multus v4.3.0 parses it (pkg/k8sclient/k8sclient.go
 * parsePodNetworkAnnotation): JSON when the text has any of `[`, `{`, `"` (a list of
 * NetworkSelectionElement, Go-decoded), else comma-separated `[namespace/]name[@interface]`;
 * an entry without namespace is in `defaultNamespace`.
 */
export function parseNetworkSelections(text: string, defaultNamespace: string): { selections: NetworkSelection[] } | { problem: string } {
  if (text === "") return { problem: "empty" };
  const selections: NetworkSelection[] = [];
  if (/[[{"]/.test(text)) {
    const parsed = parseGoJson(text);
    if (!parsed.ok) return { problem: parsed.problems.map((p) => `${p.path || "(text)"}: ${p.why}`).join("; ") };
    if (!Array.isArray(parsed.value)) return { problem: "the JSON form must be a list of network selections" };
    for (const [index, raw] of parsed.value.entries()) {
      if (!isObject(raw)) return { problem: `[${index}] is not an object` };
      const name = raw.name;
      const namespace = raw.namespace ?? defaultNamespace;
      const iface = raw.interface;
      if (typeof name !== "string" || name === "") return { problem: `[${index}].name is not a network name` };
      if (typeof namespace !== "string" || (iface !== undefined && typeof iface !== "string"))
        return { problem: `[${index}]: namespace and interface must be strings` };
      const ns = namespace === "" ? defaultNamespace : namespace;
      const extraKeys = Object.keys(raw).filter((k) => !["name", "namespace", "interface"].includes(k));
      selections.push({ index, namespace: ns, name, ref: `${ns}/${name}`, ...(iface ? { interface: iface } : {}), extraKeys });
    }
    return { selections };
  }
  for (const [index, raw] of text.split(",").entries()) {
    const item = raw.trim();
    const slash = item.split("/");
    if (slash.length > 2) return { problem: `${JSON.stringify(item)}: more than one "/"` };
    const [nsPart, rest] = slash.length === 2 ? [slash[0].trim(), slash[1]] : ["", slash[0]];
    const at = rest.split("@");
    if (at.length > 2) return { problem: `${JSON.stringify(item)}: more than one "@"` };
    const name = at[0].trim();
    const iface = at.length === 2 ? at[1].trim() : undefined;
    if (!DNS_LABEL.test(name) || (nsPart !== "" && !DNS_LABEL.test(nsPart)))
      return { problem: `${JSON.stringify(item)} is not [namespace/]name[@interface] of DNS labels` };
    const namespace = nsPart || defaultNamespace;
    selections.push({ index, namespace, name, ref: `${namespace}/${name}`, ...(iface ? { interface: iface } : {}), extraKeys: [] });
  }
  return { selections };
}
