/**
 * No two workloads pin one underlay IP (stack-wide: one Calico pool; a pod that pins a stopped
 * VM's address takes its identity in every policy that names it) and no two VMs share a VPC IP in
 * one Kube-OVN subnet (tenants' VPCs may overlap, so the subnet is part of the key). One Map from
 * address to its first user: VMs first, then other workloads, each in kind namespace/name order,
 * so the report names the intruder and does not depend on registration order.
 */
import { CALICO_IP_ADDRS_ANNOTATION } from "../../tenant/names";
import { violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { annotationPath, calicoIpAddrs, vpcAddresses, type Vm } from "../vm";
import { workloadAnnotationPath, type Workload } from "../workload";

export const vmUniqueAddressesRule: StackRule = {
  name: "vm-unique-addresses",
  description:
    "No two workloads (VMs, pods, any pod-template owner) pin one underlay IP; no two VMs share a VPC IP in one Kube-OVN subnet.",
  level: "mandatory",
  config: [],
  check(stack): Finding[] {
    const findings: Finding[] = [];
    const underlay = new Map<string, Workload>();
    const vpc = new Map<string, Vm>();
    const order = (a: { who: string }, b: { who: string }) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0);
    const workloads = [...stack.workloads.filter((w) => w.vm).sort(order), ...stack.workloads.filter((w) => !w.vm).sort(order)];
    for (const workload of workloads) {
      const parsed = calicoIpAddrs(workload.annotations);
      for (const ip of "ips" in parsed ? new Set(parsed.ips) : []) {
        const first = underlay.get(ip);
        if (!first) underlay.set(ip, workload);
        else {
          findings.push({
            resource: workload.resource,
            message: violationAt(
              workload.who,
              workloadAnnotationPath(workload, CALICO_IP_ADDRS_ANNOTATION),
              workload.annotations[CALICO_IP_ADDRS_ANNOTATION],
              `underlay IP ${ip} is already used by ${first.who}`,
            ),
          });
        }
      }
    }
    for (const vm of [...stack.vms].sort(order)) {
      for (const address of vpcAddresses(vm)) {
        const keyOf = `${address.subnet}\u0000${address.ip}`;
        const first = vpc.get(keyOf);
        if (!first) vpc.set(keyOf, vm);
        else {
          findings.push({
            resource: vm.resource,
            message: violationAt(
              vm.who,
              annotationPath(vm, address.annotation),
              vm.annotations[address.annotation],
              `VPC IP ${address.ip} in subnet ${address.subnet} is already used by ${first.who}`,
            ),
          });
        }
      }
    }
    return findings;
  },
};
