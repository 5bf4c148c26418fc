/**
 * Every VM's Multus default network is the platform's Calico NAD and its one other network is
 * its tenant's Kube-OVN NAD: a `pod` network cannot coexist with `multus.default` (KubeVirt), and
 * any further attachment is a path around the underlay policy and the tenant's VPC.
 */
import { KUBE_OVN_NAD_NAME, PLATFORM_NAD_NAMESPACE } from "../../tenant/names";
import { isKubeOvnNad, nadRef, pluginTypes } from "../cni";
import { violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { networkPath, type Vm, type VmNetwork } from "../vm";
import type { StackView } from "../stack";

function checkVm(stack: StackView, vm: Vm, platformCalico: Set<string>, platformNamespaces: Set<string>): string[] {
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
      else if (!platformCalico.has(nadRef(network.networkName, vm.namespace))) {
        const broken = stack.nadOf(vm, network)?.configError;
        const expected = platformCalico.size > 0 ? [...platformCalico].join(", ") : "this stack declares none";
        report(
          `${path}.multus.networkName`,
          network.networkName,
          `the Multus default network must be the platform Calico NAD (${expected})${broken ? `; ${network.networkName}: ${broken}` : ""}`,
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
      const problem = kubeOvnProblem(stack, vm, network, platformNamespaces);
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

/** Why a secondary network is not the tenant's Kube-OVN NAD, or undefined when it is. */
function kubeOvnProblem(stack: StackView, vm: Vm, network: VmNetwork, platformNamespaces: Set<string>): string | undefined {
  const ref = nadRef(network.networkName!, vm.namespace);
  const namespace = ref.split("/")[0];
  const allowed = `a Kube-OVN NAD in ${vm.namespace} (the tenant's) or in ${[...platformNamespaces].join(", ")} (the platform's)`;
  if (namespace !== vm.namespace && !platformNamespaces.has(namespace))
    return `the second network must be ${allowed}; ${namespace} belongs to someone else`;
  const nad = stack.nadOf(vm, network);
  if (nad)
    return isKubeOvnNad(nad)
      ? undefined
      : `${ref} is not a Kube-OVN NAD (its plugins: ${pluginTypes(nad).join(", ") || "none"}); the second network must be ${allowed}`;
  // A tenant-only stack refers to the platform's Kube-OVN NAD (or its own), which another stack
  // declares and checks: only those exact names, never any other NAD of the platform namespace.
  const known = [`${PLATFORM_NAD_NAMESPACE}/${KUBE_OVN_NAD_NAME}`, `${vm.namespace}/${KUBE_OVN_NAD_NAME}`];
  if (stack.calicoNads.length === 0 && known.includes(ref)) return undefined;
  if (stack.calicoNads.length === 0)
    return `${ref} is not declared in this stack; undeclared, the second network may only be ${known.join(" or ")}`;
  return `${ref} is not declared in this stack; the second network must be ${allowed}`;
}

export const vmNetworksRule: StackRule = {
  name: "vm-networks",
  description:
    "Every VM's Multus default network is the platform Calico NAD and its second network its tenant's Kube-OVN NAD; no pod network, no other attachments.",
  level: "mandatory",
  config: ["tenants"],
  check(stack): Finding[] {
    const platformCalico = stack.platformCalicoNads();
    const platformNamespaces = new Set([...platformCalico].map((ref) => ref.split("/")[0]));
    return stack.vms.flatMap((vm) =>
      checkVm(stack, vm, platformCalico, platformNamespaces).map((message) => ({ resource: vm.resource, message })),
    );
  },
};
