/**
 * No egress Allow rule that can apply to a VM's underlay reaches a node-control port (SSH, BGP,
 * etcd, VXLAN, Geneve, API server, kubelet, kube-proxy) on the node network, whatever the catalog
 * grants: the VM's egress policy is the only control point for its own node (DESIGN.md).
 * Port ranges, missing ports, named ports and missing nets count as reaching; notNets/notPorts
 * and ipBlock.except that cover the node range or port take it out. Any protocol counts.
 */
import { contains, intersection, type Cidr, type Range } from "../../cidr";
import { violationAt } from "../k8s";
import type { EgressAllow, NetEntry, PortEntry } from "../network-policy";
import { NODE_CONTROL_PORTS, rangesOverlap, rangeText, type PortRange } from "../ports";
import type { Finding } from "../resource";
import type { StackRule } from "../types";

interface Reach {
  node: Cidr;
  /** The net that overlaps the node range, or undefined when the rule names no nets. */
  via?: NetEntry;
}

function covered(range: Range, carvedOut: Cidr[]): boolean {
  return carvedOut.some((c) => contains(c, range));
}

/** Node ranges the rule's destination reaches, minus what notNets/except carve out. */
function reachedNodes(rule: EgressAllow, nodes: Cidr[]): Reach[] {
  const notNets = rule.notNets.flatMap((n) => (n.cidr ? [n.cidr] : []));
  const nets = rule.nets ?? [];
  if (nets.length === 0) {
    // Selector-only destinations are endpoints, judged by underlay-egress-catalog.
    if (rule.endpointSelectors.length > 0) return [];
    return nodes.filter((node) => !covered(node, notNets)).map((node) => ({ node }));
  }
  const reached: Reach[] = [];
  for (const net of nets) {
    if (!net.cidr) continue;
    for (const node of nodes) {
      const overlap = intersection(net.cidr, node);
      if (!overlap || covered(overlap, [...notNets, ...net.except])) continue;
      reached.push({ node, via: net });
    }
  }
  return reached;
}

/** The port entries (undefined: all ports) that open `control`, unless notPorts closes it. */
function openingPorts(rule: EgressAllow, control: PortRange): (PortEntry | undefined)[] {
  const closed = rule.notPorts.some((p) => "range" in p.port && p.port.range.from <= control.from && control.to <= p.port.range.to);
  if (closed) return [];
  if (rule.ports === undefined) return [undefined];
  // A named port may resolve to anything on a host endpoint: it counts as reaching.
  return rule.ports.filter((p) => "named" in p.port || ("range" in p.port && rangesOverlap(p.port.range, control)));
}

export const underlayNodePortsRule: StackRule = {
  name: "underlay-node-ports",
  description: `No egress Allow rule on the underlay reaches node-control ports (${NODE_CONTROL_PORTS.map(({ range }) => rangeText(range)).join(", ")}) on the node CIDRs, whatever the catalog says.`,
  level: "mandatory",
  // tenants: policies in a tenant namespace count even before a VM is declared there.
  config: ["network", "tenants"],
  check(stack): Finding[] {
    const policies = stack.vmFacingPolicies().filter((p) => p.egressAllows.length > 0);
    const node = stack.facts.node;
    if (!node) {
      return policies.length === 0
        ? []
        : [
            {
              message:
                "the node CIDRs are unknown (no policy config network.nodeCidrs, no route plugin routes in a Calico NAD), so egress rules cannot be checked for node-control ports",
            },
          ];
    }
    const findings: Finding[] = [];
    for (const policy of policies) {
      for (const rule of policy.egressAllows) {
        const reached = reachedNodes(rule, node.ranges);
        if (reached.length === 0) continue;
        // Group by (port entry, net): one message per place in the rule that opens something.
        const hits = new Map<string, { port?: PortEntry; reach: Reach; controls: string[] }>();
        for (const control of NODE_CONTROL_PORTS) {
          for (const port of openingPorts(rule, control.range)) {
            for (const reach of reached) {
              const keyOf = `${port?.path ?? ""}|${reach.via?.path ?? ""}|${reach.node.text}`;
              const hit = hits.get(keyOf) ?? { port, reach, controls: [] };
              hit.controls.push(`${control.what} ${rangeText(control.range)}`);
              hits.set(keyOf, hit);
            }
          }
        }
        for (const { port, reach, controls } of hits.values()) {
          const via = reach.via ? `destination ${reach.via.path} = ${reach.via.text}` : "no destination nets (every address)";
          const why = `opens node-control ports ${controls.join(", ")} on node CIDR ${reach.node.text} (${node.source}) via ${via}`;
          findings.push({
            resource: policy.resource,
            message: port
              ? violationAt(policy.who, port.path, port.value, why)
              : violationAt(policy.who, rule.portsPath, rule.written.ports, why),
          });
        }
      }
    }
    return findings;
  },
};
