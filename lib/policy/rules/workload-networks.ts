/**
 * Every workload's Multus annotations, read as Multus v4.3.0 reads them (workload.ts
 * parseNetworkSelections): a pod's default network is the cluster's (Calico, the primary CNI,
 * which gives it an underlay NIC) or, named by `v1.multus-cni.io/default-network`, exactly the
 * platform Calico NAD; `k8s.v1.cni.cncf.io/networks` may attach only the tenant's own Kube-OVN NAD
 * (in a tenant namespace), once, by name alone (no `ips`, `mac`, `cni-args`, `default-route`...).
 * A VM's launcher pod gets both annotations from KubeVirt, generated from spec.networks (kubevirt
 * v1.9.0 pkg/network/pod/annotations/generator.go): on a VM template any is refused.
 */
import { tenantInNamespace } from "../config";
import { CALICO_NAD_REF, MULTUS_DEFAULT_NETWORK_ANNOTATION, MULTUS_NETWORKS_ANNOTATION } from "../../tenant/names";
import { tenantKubeOvnRefs } from "../cni";
import { violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { ResourceRule } from "../types";
import { MULTUS_NAMESPACE, parseNetworkSelections, parseWorkload, workloadAnnotationPath } from "../workload";

export const workloadNetworksRule: ResourceRule = {
  name: "workload-networks",
  description:
    "Every workload's Multus annotations (comma and JSON forms, as Multus reads them): the default network only the platform Calico NAD, extra networks only the tenant's own Kube-OVN NAD, once, by name; none on a VM template (KubeVirt writes them from spec.networks).",
  level: "mandatory",
  config: ["tenants"],
  checkResource(resource, config): Finding[] {
    const workload = parseWorkload(resource);
    if (!workload) return [];
    const inTenant = tenantInNamespace(config, workload.namespace) !== undefined;
    const messages: string[] = [];
    for (const annotation of [MULTUS_DEFAULT_NETWORK_ANNOTATION, MULTUS_NETWORKS_ANNOTATION]) {
      const value = workload.annotations[annotation];
      if (value === undefined) continue;
      const report = (why: string) => messages.push(violationAt(workload.who, workloadAnnotationPath(workload, annotation), value, why));
      if (workload.vm) {
        report(
          "KubeVirt writes the launcher pod's Multus annotations from spec.networks; a hand-written one adds or replaces attachments behind them: declare networks in spec.networks only",
        );
        continue;
      }
      const isDefault = annotation === MULTUS_DEFAULT_NETWORK_ANNOTATION;
      const parsed = parseNetworkSelections(value, isDefault ? MULTUS_NAMESPACE : workload.namespace);
      if ("problem" in parsed) {
        report(`not a network selection this pack reads as Multus does (${parsed.problem}); remove it or write namespace/name`);
        continue;
      }
      for (const selection of parsed.selections) {
        if (selection.extraKeys.length > 0)
          report(
            `entry ${selection.index} sets ${selection.extraKeys.join(", ")}: the program sets none; they change the attachment's addresses, routes or plugin config`,
          );
      }
      if (isDefault) {
        const refs = parsed.selections.map((s) => s.ref);
        if (refs.length !== 1 || refs[0] !== CALICO_NAD_REF)
          report(
            `the default network may only be the platform Calico NAD ${CALICO_NAD_REF} (a name without namespace is in Multus's namespace ${MULTUS_NAMESPACE}); got ${refs.join(", ")}`,
          );
        continue;
      }
      if (!inTenant) {
        report("outside a tenant namespace a workload attaches no network besides the cluster's default; remove the annotation");
        continue;
      }
      const allowed = tenantKubeOvnRefs(workload.namespace);
      parsed.selections.forEach((selection, i) => {
        if (!allowed.includes(selection.ref))
          report(
            `entry ${selection.index} attaches ${selection.ref}: only the tenant's Kube-OVN NAD (${allowed.join(" or ")}) may be attached`,
          );
        else if (i > 0) report(`entry ${selection.index} attaches a second network; only one Kube-OVN attachment is allowed`);
      });
    }
    return messages.map((message) => ({ resource, message }));
  },
};
