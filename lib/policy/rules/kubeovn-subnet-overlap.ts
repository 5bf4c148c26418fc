/**
 * Kube-OVN subnets never overlap the pod, service, join or node CIDRs: an overlapping VPC subnet
 * shadows platform addresses in the guest's routing (the VPC NIC carries the default route) and
 * breaks the underlay routes. A handful of platform ranges per subnet: linear in the subnets,
 * with no subnet-to-subnet comparison (tenants' VPCs may overlap each other by design).
 */
import { cidrProblem, overlaps, parseCidr } from "../../cidr";
import { asObject, asString, describe, violationAt } from "../k8s";
import type { Fact, NetworkFacts } from "../facts";
import type { Finding } from "../resource";
import type { StackRule } from "../types";
import { KINDS } from "../../k8s/kinds";

const SUBNET_TYPE = KINDS.subnet.type;

const PLATFORM_RANGES: { fact: keyof NetworkFacts; name: string; configKey: string }[] = [
  { fact: "pod", name: "pod CIDR", configKey: "network.podCidr" },
  { fact: "service", name: "service CIDR", configKey: "network.serviceCidr" },
  { fact: "join", name: "join CIDR", configKey: "network.joinCidr" },
  { fact: "node", name: "node CIDRs", configKey: "network.nodeCidrs" },
];

export const kubeOvnSubnetOverlapRule: StackRule = {
  name: "kubeovn-subnet-overlap",
  description: "Kube-OVN subnets do not overlap the pod, service, join or node CIDRs.",
  level: "mandatory",
  config: ["network"],
  check(stack): Finding[] {
    const subnets = stack.resources.filter((r) => r.type === SUBNET_TYPE);
    if (subnets.length === 0) return [];
    const known = PLATFORM_RANGES.flatMap(({ fact, name }) => {
      const value: Fact | undefined = stack.facts[fact];
      return value ? [{ name, value }] : [];
    });
    const findings: Finding[] = [];
    const missing = PLATFORM_RANGES.filter(({ fact }) => !stack.facts[fact]);
    if (missing.length > 0) {
      const names = missing.map((m) => m.name).join(", ");
      const keys = missing.map((m) => m.configKey).join(", ");
      findings.push({
        message: `the ${names} are unknown (set ${keys} in the policy config), so Kube-OVN subnets cannot be checked against them`,
      });
    }
    for (const subnet of subnets) {
      const who = describe(subnet, false);
      const text = asString(asObject(subnet.inputs.spec).cidrBlock);
      // Dual-stack subnets write "v4,v6"; only the IPv4 part can meet these IPv4 ranges.
      const v4 = text
        ?.split(",")
        .map((part) => part.trim())
        .find((part) => part.includes("."));
      if (v4 === undefined || cidrProblem(v4) !== undefined) {
        findings.push({ resource: subnet, message: violationAt(who, "spec.cidrBlock", text, "not an IPv4 network CIDR") });
        continue;
      }
      const range = parseCidr(v4);
      for (const { name, value } of known) {
        for (const platform of value.ranges.filter((r) => overlaps(r, range))) {
          findings.push({
            resource: subnet,
            message: violationAt(who, "spec.cidrBlock", text, `overlaps the ${name} ${platform.text} (${value.source})`),
          });
        }
      }
    }
    return findings;
  },
};
