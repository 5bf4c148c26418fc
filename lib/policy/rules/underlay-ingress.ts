/**
 * What every underlay endpoint may accept, computed over all policies of the stack, comes only
 * from the ingress sources its tenant's registration declares (`underlayIngress`: CIDRs × ports).
 * Each violation names the policy and rule that accepts the flow and the flow itself.
 */
import { ruleBreaches } from "../reachability/findings";
import { ingressRects } from "../reachability/targets";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

export const underlayIngressRule: StackRule = {
  name: "underlay-ingress",
  description:
    "What each underlay endpoint may accept, after every policy in the stack, comes only from its tenant's registered underlayIngress sources and ports; every flow beyond is reported with the policy and rule that allows it.",
  level: "mandatory",
  config: ["tenants"],
  check(stack): Finding[] {
    return ruleBreaches(stack, (endpoint) => {
      const entry = stack.tenantEntry(endpoint.namespace);
      const sources = entry?.tenant.underlayIngress ?? [];
      const declared = sources.map((s) => `${s.cidrs.join(", ")} on ${s.ports.join(", ")}`).join("; ");
      return {
        direction: "ingress",
        rects: ingressRects(sources),
        part: "outside",
        why: () =>
          entry
            ? `outside the ingress sources tenant ${entry.name} registers (policy config tenants.${entry.name}.underlayIngress: ${declared || "none"})`
            : `no tenant in the policy config has namespace ${endpoint.namespace}, so it has no declared ingress sources`,
      };
    });
  },
};
