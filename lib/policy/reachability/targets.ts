/**
 * What an endpoint's computed flows are held to, as rectangles of the flow space: the catalog
 * services granted to it (their CIDRs × their ports, and ICMP to them), the sources its tenant's
 * registration declares for ingress, and the node-control ports on every node address.
 */
import type { Range } from "../../cidr";
import type { PolicyIngressConfig } from "../config";
import type { NetworkFacts } from "../facts";
import { netOf } from "../net-cache";
import { catalogPorts, IANA_PROTOCOLS, NODE_CONTROL_PORTS, protocolNumber } from "../ports";
import type { Grant } from "../stack";
import { canonicalFlows, PORT_PROTOCOLS, splitBox, type Box, type Flow, type Rect } from "./flows";
import type { AllowedBox, Reason } from "./evaluate";

function rectsOf(cidrs: string[], ports: string[], withIcmp: boolean): Rect[] {
  const out: Rect[] = [];
  const ranges = cidrs.flatMap((text) => netOf(text) ?? []);
  for (const [protocol, numbers] of catalogPorts(ports)) {
    const number = protocolNumber(protocol);
    if (number === undefined) continue;
    for (const port of numbers) for (const r of ranges) out.push({ protocol: number, start: r.start, end: r.end, ports: [port, port] });
  }
  if (withIcmp) for (const r of ranges) out.push({ protocol: IANA_PROTOCOLS.ICMP, start: r.start, end: r.end });
  return out;
}

/** The granted services' flows; ICMP to a granted service is part of reaching it. */
export function grantRects(grant: Grant): Rect[] {
  return grant.services.flatMap(({ service }) => rectsOf(service.cidrs, service.ports, true));
}

export function ingressRects(sources: PolicyIngressConfig[]): Rect[] {
  return sources.flatMap((source) => rectsOf(source.cidrs, source.ports, false));
}

/** `ranges` minus `holes`, as disjoint ranges. */
function subtract(ranges: Range[], holes: Range[]): Range[] {
  let out = ranges.map((r) => ({ ...r }));
  for (const hole of holes) {
    out = out.flatMap((r) => {
      if (hole.end < r.start || hole.start > r.end) return [r];
      const parts: Range[] = [];
      if (hole.start > r.start) parts.push({ start: r.start, end: hole.start - 1n });
      if (hole.end < r.end) parts.push({ start: hole.end + 1n, end: r.end });
      return parts;
    });
  }
  return out;
}

export interface NodeAddresses {
  ranges: Range[];
  /** Where they come from, for messages. */
  source: string;
}

/**
 * Every address a node answers on: node CIDRs, the Kube-OVN join CIDR (each node's ovn0) and the
 * pod CIDR (Calico's tunnel addresses), minus what the platform declares is not a node.
 */
export function nodeAddresses(facts: NetworkFacts, nonNodeCidrs: string[]): NodeAddresses | undefined {
  if (!facts.node) return undefined;
  const parts = [facts.node, facts.join, facts.pod].filter((f) => f !== undefined);
  const holes = nonNodeCidrs.flatMap((text) => netOf(text) ?? []);
  return {
    ranges: subtract(
      parts.flatMap((f) => f.ranges),
      holes,
    ),
    source: parts.map((f) => f.source).join(", ") + (holes.length > 0 ? ` minus network.nonNodeCidrs ${nonNodeCidrs.join(", ")}` : ""),
  };
}

export function nodeControlRects(nodes: NodeAddresses): Rect[] {
  return [...PORT_PROTOCOLS].flatMap((protocol) =>
    NODE_CONTROL_PORTS.flatMap(({ range }) =>
      nodes.ranges.map((r): Rect => ({ protocol, start: r.start, end: r.end, ports: [range.from, range.to] })),
    ),
  );
}

export interface Breach {
  reason: Reason;
  flows: Flow[];
}

/** The allowed flows (those a `keep` reason opened) inside or outside the rectangles, grouped by reason. */
export function breaches(allowed: AllowedBox[], rects: Rect[], part: "inside" | "outside", keep: (reason: Reason) => boolean): Breach[] {
  const byReason = new Map<Reason, Box[]>();
  for (const { box, reason } of allowed) {
    if (!keep(reason)) continue;
    const found = splitBox(box, rects)[part];
    if (found.length === 0) continue;
    const key = [...byReason.keys()].find((r) => sameReason(r, reason)) ?? reason;
    byReason.set(key, [...(byReason.get(key) ?? []), ...found]);
  }
  return [...byReason].map(([reason, boxes]) => ({ reason, flows: canonicalFlows(boxes) }));
}

export function sameReason(a: Reason, b: Reason): boolean {
  if ("profile" in a || "profile" in b) return "profile" in a && "profile" in b;
  return a.policy === b.policy && a.rule.path === b.rule.path;
}
