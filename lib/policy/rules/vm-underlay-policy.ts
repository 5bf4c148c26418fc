/**
 * Every VM with an underlay NIC is selected by network policy for both Ingress and Egress, so
 * Calico drops whatever no rule allows: without an Egress policy the NIC reaches the whole node
 * network, kubelet on its own node included (DESIGN.md). Selectors are evaluated against the
 * launcher pod's labels; one that cannot be parsed selects nothing and is reported here. A policy
 * in a non-default tier counts only when the stack declares that Tier with `defaultAction: Deny`;
 * a doNotTrack/preDNAT GlobalNetworkPolicy applies to host endpoints only and never counts.
 */
import { violationAt } from "../k8s";
import type { NetworkPolicy, SelectorField } from "../network-policy";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

const DIRECTIONS = ["Ingress", "Egress"];

function selectorFindings(policy: NetworkPolicy): Finding[] {
  const fields = [policy.selector, policy.namespaceSelector, policy.serviceAccountSelector].filter(
    (f): f is SelectorField => f !== undefined,
  );
  return fields.flatMap((field) =>
    field.parsed.ok
      ? []
      : [
          {
            resource: policy.resource,
            message: violationAt(
              policy.who,
              field.path,
              field.text,
              `unparseable selector (${field.parsed.error}); it is treated as selecting nothing`,
            ),
          },
        ],
  );
}

export const vmUnderlayPolicyRule: StackRule = {
  name: "vm-underlay-policy",
  description:
    "Every VM with an underlay NIC is selected by network policy with both Ingress and Egress types (default deny; a non-default tier only if declared with defaultAction Deny); unparseable selectors select nothing and are reported.",
  level: "mandatory",
  config: [],
  check(stack): Finding[] {
    // A namespaced policy elsewhere cannot select a tenant VM, whatever its selector says.
    const findings = stack.policies.filter((policy) => stack.inTenantScope(policy)).flatMap(selectorFindings);
    for (const vm of stack.vms) {
      if (!stack.hasUnderlayNic(vm)) continue;
      const selecting = stack.policiesSelecting(vm);
      // A policy in a tier without a declared `defaultAction: Deny` may end in Pass: no default deny.
      const denying = selecting.filter((policy) => stack.denies(policy));
      const types = new Set(denying.flatMap((policy) => [...policy.types]));
      const missing = DIRECTIONS.filter((direction) => !types.has(direction));
      if (missing.length === 0) continue;
      const describePolicy = (p: NetworkPolicy) =>
        `${p.who} (${stack.denies(p) ? `types ${[...p.types].join(", ")}` : `tier ${p.tier} has no declared Tier with defaultAction Deny`})`;
      const by = selecting.length > 0 ? `selected only by ${selecting.map(describePolicy).join("; ")}` : "selected by no network policy";
      findings.push({
        resource: vm.resource,
        message: violationAt(
          vm.who,
          `${vm.base}metadata.labels`,
          vm.labels,
          `${by}: no ${missing.join(" or ")} policy, so that direction of the underlay NIC is open; select these labels with a policy of types [Ingress, Egress]`,
        ),
      });
    }
    return findings;
  },
};
