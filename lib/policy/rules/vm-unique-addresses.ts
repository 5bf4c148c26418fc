/**
 * No two VMs share an underlay IP (stack-wide: one Calico pool) and no two share a VPC IP in one
 * Kube-OVN subnet (tenants' VPCs may overlap, so the subnet is part of the key). One Map from
 * address to its first user, VMs taken in namespace/name order so the report does not depend
 * on the order resources were registered in.
 */
import { CALICO_IP_ADDRS_ANNOTATION } from "../../tenant/names";
import { violationAt } from "../k8s";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { annotationPath, underlayIps, vpcAddresses, type Vm } from "../vm";

export const vmUniqueAddressesRule: StackRule = {
  name: "vm-unique-addresses",
  description: "No two VMs share an underlay IP; no two VMs share a VPC IP in one Kube-OVN subnet.",
  level: "mandatory",
  config: [],
  check(stack): Finding[] {
    const findings: Finding[] = [];
    const underlay = new Map<string, Vm>();
    const vpc = new Map<string, Vm>();
    const byName = [...stack.vms].sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0));
    for (const vm of byName) {
      const parsed = underlayIps(vm);
      for (const ip of "ips" in parsed ? new Set(parsed.ips) : []) {
        const first = underlay.get(ip);
        if (!first) underlay.set(ip, vm);
        else {
          const path = annotationPath(vm, CALICO_IP_ADDRS_ANNOTATION);
          findings.push({
            resource: vm.resource,
            message: violationAt(
              vm.who,
              path,
              vm.annotations[CALICO_IP_ADDRS_ANNOTATION],
              `underlay IP ${ip} is already used by ${first.who}`,
            ),
          });
        }
      }
      for (const address of vpcAddresses(vm)) {
        const keyOf = `${address.subnet}\u0000${address.ip}`;
        const first = vpc.get(keyOf);
        if (!first) vpc.set(keyOf, vm);
        else {
          const path = annotationPath(vm, address.annotation);
          findings.push({
            resource: vm.resource,
            message: violationAt(
              vm.who,
              path,
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
