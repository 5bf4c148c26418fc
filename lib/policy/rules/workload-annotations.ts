/**
 * A workload's Calico and Kube-OVN annotations are only those the program writes, with its
 * tenant's values (lib/tenant/vm-spec.ts templateAnnotations): of Calico's only `ipAddrs` (its
 * addresses are judged by vm-underlay-ip and workload-underlay-ip); of Kube-OVN's only the keys of
 * the workload's own Kube-OVN attachment's provider, with `logical_switch` its tenant's subnet,
 * `security_groups` its tenant's security group and `port_security` "true", all three present
 * when it has that attachment. Any other `cni.projectcalico.org/*`, `ovn.kubernetes.io/*` or
 * `<provider>.kubernetes.io/<Kube-OVN key>` moves the pod to another pool, switch, VPC, route or
 * group, or turns its port security off.
 */
import { tenantInNamespace } from "../config";
import { kubeOvnProvider } from "../../cni-config";
import {
  CALICO_IP_ADDRS_ANNOTATION,
  kubeOvnAnnotation,
  securityGroupName,
  subnetName,
  type KubeOvnAnnotationKey,
} from "../../tenant/names";
import { nadRef, tenantKubeOvnRefs } from "../cni";
import { violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { ResourceRule } from "../types";
import { MULTUS_NETWORKS_ANNOTATION } from "../../tenant/names";
import { parseNetworkSelections, parseWorkload, workloadAnnotationPath, type Workload } from "../workload";

const CALICO_ANNOTATION_PREFIX = "cni.projectcalico.org/";

/** Kube-OVN's per-provider pod annotation keys (kubeovn/kube-ovn v1.16.2 pkg/util/const.go `%s.kubernetes.io/...`). */
const KUBE_OVN_POD_KEYS = new Set([
  "allocated",
  "routed",
  "routes",
  "mac_address",
  "ip_address",
  "cidr",
  "gateway",
  "ip_pool",
  "logical_switch",
  "logical_router",
  "vlan_id",
  "ingress_rate",
  "egress_rate",
  "security_groups",
  "default_route",
  "vf_representor",
  "vf",
  "activation_strategy",
  "dhcp-v4-options",
  "dhcp-v6-options",
  "provider_network",
  "mirror",
  "pod_nic_type",
  "virtualmachine",
  "layer2_forward",
  "port_security",
  "port_vips",
  "vpc_cidrs",
]);

/** The Kube-OVN keys the program writes (templateAnnotations). */
const PROGRAM_KEYS: readonly KubeOvnAnnotationKey[] = [
  "ip_address",
  "mac_address",
  "logical_switch",
  "ingress_rate",
  "egress_rate",
  "security_groups",
  "port_security",
];

/** `{provider, key}` of a Kube-OVN pod annotation: the default provider `ovn`, a `*.ovn` provider, or any provider with a Kube-OVN key. */
function kubeOvnKey(annotation: string): { provider: string; key: string } | undefined {
  const slash = annotation.indexOf("/");
  const domain = annotation.slice(0, slash);
  const key = annotation.slice(slash + 1);
  if (slash < 0 || !domain.endsWith(".kubernetes.io")) return undefined;
  const provider = domain.slice(0, -".kubernetes.io".length);
  return provider === "ovn" || provider.endsWith(".ovn") || KUBE_OVN_POD_KEYS.has(key) ? { provider, key } : undefined;
}

/** `namespace/name` of every secondary network the workload attaches (a VM's spec.networks, a pod's Multus annotation). */
function attachedRefs(workload: Workload): string[] {
  if (workload.vm)
    return workload.vm.networks.flatMap((n) =>
      n.source === "multus" && !n.multusDefault && n.networkName ? [nadRef(n.networkName, workload.namespace)] : [],
    );
  const text = workload.annotations[MULTUS_NETWORKS_ANNOTATION];
  const parsed = text === undefined ? undefined : parseNetworkSelections(text, workload.namespace);
  return parsed && "selections" in parsed ? parsed.selections.map((s) => s.ref) : [];
}

/** The provider of the workload's own Kube-OVN attachment (its tenant's NAD), if it has one. */
function ownProvider(workload: Workload): string | undefined {
  const allowed = tenantKubeOvnRefs(workload.namespace);
  const ref = attachedRefs(workload).find((r) => allowed.includes(r));
  if (ref === undefined) return undefined;
  const [namespace, name] = ref.split("/");
  return kubeOvnProvider(name, namespace);
}

export const workloadAnnotationsRule: ResourceRule = {
  name: "workload-annotations",
  description:
    "A workload's Calico and Kube-OVN annotations are only those the program writes: Calico's ipAddrs; Kube-OVN keys of its own attachment's provider, logical_switch and security_groups naming its tenant's subnet and security group, port_security \"true\".",
  level: "mandatory",
  config: ["tenants"],
  checkResource(resource, config): Finding[] {
    const workload = parseWorkload(resource);
    if (!workload) return [];
    const inTenant = tenantInNamespace(config, workload.namespace) !== undefined;
    const provider = inTenant ? ownProvider(workload) : undefined;
    const messages: string[] = [];
    const report = (annotation: string, why: string) =>
      messages.push(violationAt(workload.who, workloadAnnotationPath(workload, annotation), workload.annotations[annotation], why));
    const required: Partial<Record<KubeOvnAnnotationKey, string>> = {
      logical_switch: subnetName(workload.namespace),
      security_groups: securityGroupName(workload.namespace),
      port_security: "true",
    };
    for (const annotation of Object.keys(workload.annotations)) {
      if (annotation.startsWith(CALICO_ANNOTATION_PREFIX) && annotation !== CALICO_IP_ADDRS_ANNOTATION)
        report(
          annotation,
          `the program writes only ${CALICO_IP_ADDRS_ANNOTATION} of Calico's annotations; this one changes the pod's pool, addresses or IPAM`,
        );
      const kube = kubeOvnKey(annotation);
      if (!kube) continue;
      if (provider === undefined)
        report(annotation, "a Kube-OVN annotation on a workload without its tenant's Kube-OVN attachment; remove it");
      else if (kube.provider !== provider || !(PROGRAM_KEYS as readonly string[]).includes(kube.key))
        report(
          annotation,
          `only ${PROGRAM_KEYS.map((k) => kubeOvnAnnotation(provider, k)).join(", ")} may be set (the workload's own Kube-OVN attachment)`,
        );
      else {
        const expected = required[kube.key as KubeOvnAnnotationKey];
        if (expected !== undefined && workload.annotations[annotation] !== expected)
          report(
            annotation,
            `must be ${JSON.stringify(expected)}: the tenant's own ${kube.key === "port_security" ? "port security, on" : kube.key === "logical_switch" ? "subnet" : "security group"}`,
          );
      }
    }
    if (provider !== undefined) {
      for (const [key, expected] of Object.entries(required)) {
        const annotation = kubeOvnAnnotation(provider, key as KubeOvnAnnotationKey);
        if (workload.annotations[annotation] === undefined)
          report(
            annotation,
            `missing: the Kube-OVN attachment must name ${JSON.stringify(expected)} (without it Kube-OVN picks the provider's defaults, port security off)`,
          );
      }
    }
    return messages.map((message) => ({ resource, message }));
  },
};
