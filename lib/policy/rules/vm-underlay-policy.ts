/**
 * Every underlay endpoint is default-deny in both directions: no flow of its NIC reaches the end
 * of Calico's tiers, where the namespace profile would allow it. Computed over all policies
 * (lib/policy/reachability): a default deny counts only where it must apply (its selector surely
 * matches, its tier's place is known and ends in Deny, the VM surely runs under the service
 * account it names), so a Tier without defaultAction counts (Calico defaults it to Deny) and a
 * security tier that Passes to a denying default tier counts. Unparseable selectors are reported.
 */
import { violationAt } from "../k8s";
import type { SelectorField } from "../network-policy";
import { flowsText } from "../reachability";
import { canonicalFlows } from "../reachability/flows";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

export const vmUnderlayPolicyRule: StackRule = {
  name: "vm-underlay-policy",
  description:
    "Every underlay endpoint is default-deny for Ingress and Egress: no flow falls through Calico's tiers to the allowing namespace profile (a deny counts only where it must apply); unparseable selectors are reported.",
  level: "mandatory",
  config: [],
  check(stack): Finding[] {
    const findings: Finding[] = [];
    // A namespaced policy elsewhere cannot select a tenant endpoint, whatever its selector says.
    for (const policy of stack.policies.filter((p) => stack.inTenantScope(p))) {
      for (const field of [policy.selector, policy.namespaceSelector, policy.serviceAccountSelector].filter(
        (f): f is SelectorField => f !== undefined,
      )) {
        if (!field.parsed.ok)
          findings.push({
            resource: policy.resource,
            message: violationAt(
              policy.who,
              field.path,
              field.text,
              `unparseable selector (${field.parsed.error}); it may select anything: its allows count, its default deny does not`,
            ),
          });
      }
    }
    for (const reach of stack.reachability().all()) {
      const endpoint = reach.endpoint;
      if (endpoint.hypothetical || !endpoint.resource) continue;
      const open = (["egress", "ingress"] as const).flatMap((direction) => {
        const boxes = reach[direction].filter((a) => "profile" in a.reason);
        if (boxes.length === 0) return [];
        const why = boxes.map((a) => ("profile" in a.reason ? a.reason.profile : ""))[0];
        return [`${direction} ${flowsText(canonicalFlows(boxes.map((a) => a.box)), direction)} (${why})`];
      });
      if (open.length === 0) continue;
      findings.push({
        resource: endpoint.resource,
        message: violationAt(
          endpoint.who,
          endpoint.labelsPath,
          endpoint.labels,
          `not default-deny: ${open.join("; ")}; select these labels with a policy of types [Ingress, Egress] in a tier that ends in Deny`,
        ),
      });
    }
    return findings;
  },
};
