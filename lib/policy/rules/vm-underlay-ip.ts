/**
 * Every VM's underlay NIC asks Calico for one fixed IPv4 that an IPReservation of the stack keeps
 * out of ordinary pod IPAM and that lies in its tenant's block: otherwise Calico may hand the
 * address to a pod, or the VM lands in another tenant's range and matches its policies.
 */
import { contains, isIpv4, type Cidr } from "../../cidr";
import { CALICO_IP_ADDRS_ANNOTATION, ipReservationName } from "../../tenant/names";
import { violationAt } from "../k8s";
import { netOf } from "../net-cache";
import { reservationsOf } from "../reservations";
import type { StackView } from "../stack";
import type { Finding, StackRule } from "../types";
import { annotationPath, underlayIps, type Vm } from "../vm";

/** The tenant's block: its `<namespace>-underlay` IPReservation, else the configured underlayBlock. */
function tenantBlock(stack: StackView, vm: Vm, byName: Map<string, Cidr[]>): { ranges: Cidr[]; source: string } | undefined {
  const name = ipReservationName(vm.namespace);
  const reserved = byName.get(name);
  if (reserved) return { ranges: reserved, source: `IPReservation ${name}` };
  const configured = stack.tenantOf(vm.namespace)?.underlayBlock;
  const range = configured === undefined ? undefined : netOf(configured);
  return range ? { ranges: [range], source: "policy config underlayBlock" } : undefined;
}

export const vmUnderlayIpRule: StackRule = {
  name: "vm-underlay-ip",
  description:
    "Every VM's underlay IP (cni.projectcalico.org/ipAddrs) is a single IPv4 inside an IPReservation of the stack and inside its tenant's underlay block.",
  level: "mandatory",
  config: ["tenants"],
  check(stack): Finding[] {
    const reservations = reservationsOf(stack.resources);
    const findings: Finding[] = [];
    for (const vm of stack.vms) {
      if (!stack.hasUnderlayNic(vm)) continue;
      const value = vm.annotations[CALICO_IP_ADDRS_ANNOTATION];
      const report = (why: string) =>
        findings.push({ resource: vm.resource, message: violationAt(vm.who, annotationPath(vm, CALICO_IP_ADDRS_ANNOTATION), value, why) });
      const parsed = underlayIps(vm);
      if ("problem" in parsed) {
        report(`${parsed.problem}; the underlay NIC needs exactly one pinned IPv4 (e.g. '["10.199.3.4"]') or Calico picks one from the pod pool`);
        continue;
      }
      if (parsed.ips.length !== 1 || !isIpv4(parsed.ips[0])) {
        report("must list exactly one IPv4 address");
        continue;
      }
      const ip = parsed.ips[0];
      const host = netOf(ip)!;
      if (!reservations.all.covers(host)) report(`${ip} is inside no IPReservation of this stack; Calico IPAM may give it to a pod`);
      const block = tenantBlock(stack, vm, reservations.byName);
      if (!block) {
        report(`namespace ${vm.namespace} has no tenant underlay block (no IPReservation ${ipReservationName(vm.namespace)}, no tenant with this namespace in the policy config)`);
      } else if (!block.ranges.some((range) => contains(range, host))) {
        report(`${ip} is outside the tenant's block ${block.ranges.map((r) => r.text).join(", ")} (${block.source})`);
      }
    }
    return findings;
  },
};
