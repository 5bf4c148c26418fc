/**
 * Every VM's underlay NIC asks Calico for one fixed IPv4 that an IPReservation of the stack keeps
 * out of ordinary pod IPAM and that lies in its tenant's block: otherwise Calico may hand the
 * address to a pod, or the VM lands in another tenant's range and matches its policies. The
 * configured underlayBlock wins over the stack's own `<namespace>-underlay` reservation, which
 * must lie inside it.
 */
import { contains, isIpv4, type Cidr } from "../../cidr";
import { CALICO_IP_ADDRS_ANNOTATION, ipReservationName } from "../../tenant/names";
import { asArray, asObject, describe, objectName, violationAt } from "../k8s";
import { netOf } from "../net-cache";
import { IP_RESERVATION_TYPES, reservationsOf } from "../reservations";
import type { StackView } from "../stack";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { annotationPath, underlayIps, type Vm } from "../vm";

/**
 * The tenant's block: the configured underlayBlock when the policy config knows the tenant (a
 * stack-declared reservation cannot widen it), else its `<namespace>-underlay` IPReservation.
 */
function tenantBlock(stack: StackView, vm: Vm, byName: Map<string, Cidr[]>): { ranges: Cidr[]; source: string } | undefined {
  const tenant = stack.tenantOf(vm.namespace);
  if (tenant) {
    const range = netOf(tenant.underlayBlock);
    return range ? { ranges: [range], source: "policy config underlayBlock" } : undefined;
  }
  const name = ipReservationName(vm.namespace);
  const reserved = byName.get(name);
  return reserved ? { ranges: reserved, source: `IPReservation ${name}` } : undefined;
}

/** Each configured tenant's `<namespace>-underlay` reservation lies inside its underlayBlock. */
function reservationFindings(stack: StackView): Finding[] {
  const findings: Finding[] = [];
  for (const resource of stack.resources) {
    if (!IP_RESERVATION_TYPES.includes(resource.type)) continue;
    const name = objectName(resource);
    for (const namespace of stack.tenantNamespaces) {
      const tenant = stack.tenantOf(namespace);
      if (!tenant || ipReservationName(namespace) !== name) continue;
      const block = netOf(tenant.underlayBlock);
      if (!block) continue;
      asArray(asObject(resource.inputs.spec).reservedCIDRs).forEach((raw, i) => {
        const cidr = netOf(String(raw));
        if (cidr && contains(block, cidr)) return;
        findings.push({
          resource,
          message: violationAt(
            describe(resource, false),
            `spec.reservedCIDRs[${i}]`,
            raw,
            `outside tenant ${namespace}'s underlayBlock ${block.text} (policy config): the reservation would let its VMs take addresses of another range`,
          ),
        });
      });
    }
  }
  return findings;
}

export const vmUnderlayIpRule: StackRule = {
  name: "vm-underlay-ip",
  description:
    "Every VM's underlay IP (cni.projectcalico.org/ipAddrs) is a single IPv4 inside an IPReservation of the stack and inside its tenant's underlay block.",
  level: "mandatory",
  config: ["tenants"],
  check(stack): Finding[] {
    const reservations = reservationsOf(stack.resources);
    const findings = reservationFindings(stack);
    for (const vm of stack.vms) {
      if (!stack.hasUnderlayNic(vm)) continue;
      const value = vm.annotations[CALICO_IP_ADDRS_ANNOTATION];
      const report = (why: string) =>
        findings.push({ resource: vm.resource, message: violationAt(vm.who, annotationPath(vm, CALICO_IP_ADDRS_ANNOTATION), value, why) });
      const parsed = underlayIps(vm);
      if ("problem" in parsed) {
        report(
          `${parsed.problem}; the underlay NIC needs exactly one pinned IPv4 (e.g. '["10.199.3.4"]') or Calico picks one from the pod pool`,
        );
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
        report(
          `namespace ${vm.namespace} has no tenant underlay block (no tenant with this namespace in the policy config, no IPReservation ${ipReservationName(vm.namespace)})`,
        );
      } else if (!block.ranges.some((range) => contains(range, host))) {
        report(`${ip} is outside the tenant's block ${block.ranges.map((r) => r.text).join(", ")} (${block.source})`);
      }
    }
    return findings;
  },
};
