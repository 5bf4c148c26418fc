/**
 * Every VM's (VMI's, VMI replica set's, VM pool's) Multus default network is the platform's
 * Calico NAD, CALICO_NAD_REF, exactly as the platform renders it, and its one other network is
 * its tenant's Kube-OVN NAD as the program renders it: a `pod` network cannot coexist with
 * `multus.default` (KubeVirt), and any further attachment is a path around the underlay policy
 * and the tenant's VPC.
 */
import { CALICO_NAD_REF } from "../../tenant/names";
import { kubeOvnRenderedProblem, nadRef, tenantKubeOvnRefs } from "../cni";
import { violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { networkPath, type Vm, type VmNetwork } from "../vm";
import type { StackView } from "../stack";
import { MULTUS_NAMESPACE } from "../workload";

function checkVm(stack: StackView, vm: Vm, platformCalico: Set<string>): string[] {
  const messages: string[] = [];
  const report = (path: string, value: unknown, why: string) => messages.push(violationAt(vm.who, path, value, why));
  if (vm.implicitPodNetwork) {
    report(
      `${vm.base}spec.networks`,
      undefined,
      "no networks: KubeVirt attaches the pod network; declare the Multus default (the platform Calico NAD) and the tenant's Kube-OVN NAD",
    );
    return messages;
  }
  let sawDefault = false;
  let sawVpc = false;
  for (const network of vm.networks) {
    const path = networkPath(vm, network);
    if (network.source === "pod") {
      report(
        `${path}.pod`,
        network.value.pod,
        "a pod network cannot be combined with a Multus default network; the underlay NIC must be the Multus default (the platform Calico NAD)",
      );
    } else if (network.source !== "multus" || network.networkName === undefined) {
      report(path, network.value, "only two Multus networks are allowed: the platform Calico NAD (default) and the tenant's Kube-OVN NAD");
    } else if (network.multusDefault) {
      if (sawDefault)
        report(`${path}.multus.default`, true, "a second Multus default network; there is exactly one, the platform Calico NAD");
      else if (!platformCalico.has(defaultNetworkRef(network.networkName))) {
        const ref = defaultNetworkRef(network.networkName);
        const problem = ref === CALICO_NAD_REF ? stack.platformCalicoProblem() : stack.nads.get(ref)?.configError;
        report(
          `${path}.multus.networkName`,
          network.networkName,
          `the Multus default network must be the platform Calico NAD ${CALICO_NAD_REF}${problem ? `; ${ref}: ${problem}` : ""}`,
        );
      }
      sawDefault = true;
    } else if (sawVpc) {
      report(
        `${path}.multus.networkName`,
        network.networkName,
        "an extra attachment; besides the underlay only the tenant's Kube-OVN NAD is allowed",
      );
    } else {
      const problem = kubeOvnProblem(stack, vm, network);
      if (problem) report(`${path}.multus.networkName`, network.networkName, problem);
      sawVpc = true;
    }
  }
  if (!sawDefault)
    report(
      `${vm.base}spec.networks`,
      vm.networks.map((n) => n.name),
      "no Multus default network; the underlay NIC must be the Multus default (the platform Calico NAD)",
    );
  if (!sawVpc)
    report(
      `${vm.base}spec.networks`,
      vm.networks.map((n) => n.name),
      "no second network; the VM's VPC NIC must attach the tenant's Kube-OVN NAD",
    );
  return messages;
}

function defaultNetworkRef(networkName: string): string {
  return nadRef(networkName, MULTUS_NAMESPACE);
}

/** Why a secondary network is not the tenant's Kube-OVN NAD, or undefined when it is. */
function kubeOvnProblem(stack: StackView, vm: Vm, network: VmNetwork): string | undefined {
  const ref = nadRef(network.networkName!, vm.namespace);
  const allowed = tenantKubeOvnRefs(vm.namespace);
  if (!allowed.includes(ref)) return `the second network must be the tenant's Kube-OVN NAD, ${allowed.join(" or ")}`;
  const nad = stack.nads.get(ref);
  // A tenant-only stack refers to the platform's Kube-OVN NAD, which the platform stack declares
  // and judges; the platform's own stack declares every NAD its VMs use.
  if (!nad) return stack.nads.has(CALICO_NAD_REF) ? `${ref} is not declared in this stack` : undefined;
  const problem = kubeOvnRenderedProblem(nad);
  return problem === undefined ? undefined : `${ref} is not the Kube-OVN NAD the program renders: ${problem}`;
}

export const vmNetworksRule: StackRule = {
  name: "vm-networks",
  description:
    "Every VM's (VMI's, VMI replica set's, VM pool's) Multus default network is exactly the platform Calico NAD default/calico as rendered, and its second network its tenant's Kube-OVN NAD as rendered; no pod network, no other attachments.",
  level: "mandatory",
  config: ["tenants", "network"],
  check(stack): Finding[] {
    const platformCalico = stack.platformCalicoNads();
    return stack.vms.flatMap((vm) => checkVm(stack, vm, platformCalico).map((message) => ({ resource: vm.resource, message })));
  },
};
