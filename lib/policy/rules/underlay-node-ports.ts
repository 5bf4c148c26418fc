/**
 * No underlay endpoint may send to a node-control port on any address a node answers on (node
 * CIDRs, the Kube-OVN join CIDR, Calico's tunnel addresses in the pod CIDR), whatever the catalog
 * says: the VM's egress policy is the only control point for its own node (DESIGN.md). Only
 * addresses the platform declares are not nodes (network.nonNodeCidrs) are exempt.
 */
import { ruleBreaches } from "../reachability/findings";
import { nodeAddresses, nodeControlRects } from "../reachability/targets";
import { NODE_CONTROL_PORTS, rangeText } from "../ports";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

export const underlayNodePortsRule: StackRule = {
  name: "underlay-node-ports",
  description: `No underlay endpoint may send to node-control ports (${NODE_CONTROL_PORTS.map(({ range }) => rangeText(range)).join(", ")}) on any node address (node CIDRs, join CIDR, pod CIDR tunnel addresses), except on addresses the platform declares are not nodes.`,
  level: "mandatory",
  config: ["network", "tenants"],
  check(stack): Finding[] {
    const nodes = nodeAddresses(stack.facts, stack.config.network?.nonNodeCidrs ?? []);
    if (!nodes) {
      const opened = stack
        .reachability()
        .all()
        .some((r) => r.egress.some((a) => !("profile" in a.reason)));
      return opened
        ? [
            {
              message:
                "the node CIDRs are unknown (no policy config network.nodeCidrs, no route plugin routes in a Calico NAD), so the underlay's egress cannot be checked for node-control ports",
            },
          ]
        : [];
    }
    const rects = nodeControlRects(nodes);
    return ruleBreaches(stack, () => ({
      direction: "egress",
      rects,
      part: "inside",
      why: () => `node-control ports on node addresses (${nodes.source})`,
    }));
  },
};
