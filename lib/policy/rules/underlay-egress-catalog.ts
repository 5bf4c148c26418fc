/**
 * What every underlay endpoint may send, computed over all policies of the stack
 * (lib/policy/reachability), stays inside the catalog services granted to it: their CIDRs,
 * protocols and ports (and ICMP to them). A set check, not a pattern: 0.0.0.0/1 + 128.0.0.0/1,
 * notNets, selectors, Pass chains, allow-all admin or global policies are all just flows outside
 * the grant. Each violation names the policy and rule that allows the flow and the flow itself.
 */
import { ruleBreaches } from "../reachability/findings";
import type { Rect } from "../reachability/flows";
import { grantRects } from "../reachability/targets";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

export const underlayEgressCatalogRule: StackRule = {
  name: "underlay-egress-catalog",
  description:
    "What each underlay endpoint may send, after every policy in the stack, stays inside the catalog services granted to it (their CIDRs, protocols, ports, and ICMP to them); every flow beyond is reported with the policy and rule that allows it.",
  level: "mandatory",
  config: ["services", "tenants"],
  check(stack): Finding[] {
    // Endpoints with the same grant share its rectangles.
    const rects = new Map<string, Rect[]>();
    return ruleBreaches(stack, (endpoint) => {
      const grant = stack.grantOf(endpoint.namespace, endpoint.grantName);
      const key = grant.names.join(",");
      if (!rects.has(key)) rects.set(key, grantRects(grant));
      return {
        direction: "egress",
        rects: rects.get(key)!,
        part: "outside",
        why: () => `outside the services granted to it (${grant.names.join(", ") || "none"}; ${grant.source})`,
      };
    });
  },
};
