/**
 * A brute-force table built by asking the oracle one packet per cell, used only to test the
 * differential harness itself (that it passes on a right table and fails on a wrong one).
 *
 * Every rule condition the generator writes is a union of the nets and port ranges the policies
 * name, so the oracle's verdict is constant between consecutive edges: one probe per address
 * interval × protocol × port interval decides the whole cell.
 */
import { bigIntToIp, parseCidr } from "../../../lib/cidr";
import type { PolicyResource } from "../../../lib/policy/resource";
import type { Flow } from "./model";
import type { Decider, Direction, Endpoint, Packet } from "./oracle";
import { OTHER_PROTOCOL } from "./arbitraries";

const ADDRESS_END = 1n << 32n;
const PORT_END = 65536;
const PORTED = ["TCP", "UDP", "SCTP"] as const;

/** Cut points: where a net or a port range the policies name starts or stops. */
function cuts(policies: PolicyResource[]): { addresses: bigint[]; ports: number[] } {
  const addresses = new Set<bigint>([0n, ADDRESS_END]);
  const ports = new Set<number>([0, PORT_END]);
  const addRange = (lo: number, hi: number) => {
    ports.add(lo);
    ports.add(hi + 1);
  };
  const walk = (node: unknown): void => {
    if (typeof node === "string" && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(node)) {
      const { start, end } = parseCidr(node);
      addresses.add(start).add(end + 1n);
    } else if (typeof node === "string" && /^\d+:\d+$/.test(node)) {
      const [lo, hi] = node.split(":").map(Number);
      addRange(lo, hi);
    } else if (typeof node === "number" && Number.isInteger(node) && node >= 0 && node < PORT_END) {
      // Every integer in a spec may be a port, an endPort or a range bound: cutting at each is exact and harmless.
      addRange(node, node);
    } else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") Object.values(node).forEach(walk);
  };
  policies.forEach((policy) => walk(policy.inputs.spec));
  const sortedPorts = [...ports].filter((p) => p <= PORT_END).sort((a, b) => a - b);
  return { addresses: [...addresses].sort((a, b) => (a < b ? -1 : 1)), ports: sortedPorts };
}

/** The fewest CIDRs covering [start, end]. */
function rangeToCidrs(start: bigint, end: bigint): string[] {
  const out: string[] = [];
  let at = start;
  while (at <= end) {
    let size = 1n;
    while (at % (size * 2n) === 0n && at + size * 2n - 1n <= end) size *= 2n;
    out.push(`${bigIntToIp(at)}/${32 - (size.toString(2).length - 1)}`);
    at += size;
  }
  return out;
}

export function referenceFlows(decide: Decider, endpoint: Endpoint, direction: Direction, policies: PolicyResource[]): Flow[] {
  const { addresses, ports } = cuts(policies);
  const allowed = (packet: Packet) => decide(endpoint, direction, packet).verdict === "allow";
  const flows: Flow[] = [];
  for (let i = 0; i + 1 < addresses.length; i++) {
    const address = bigIntToIp(addresses[i]);
    const nets = rangeToCidrs(addresses[i], addresses[i + 1] - 1n);
    // A protocol without ports allowed here forces an "any" flow, which holds everything else too.
    if (allowed({ address, protocol: OTHER_PROTOCOL })) {
      flows.push({ nets, protocol: "any", ports: "any" });
      continue;
    }
    for (const protocol of PORTED) {
      const open: [number, number][] = [];
      for (let j = 0; j + 1 < ports.length; j++) {
        if (!allowed({ address, protocol, port: ports[j] })) continue;
        const last = open[open.length - 1];
        if (last && last[1] === ports[j] - 1) last[1] = ports[j + 1] - 1;
        else open.push([ports[j], ports[j + 1] - 1]);
      }
      if (open.length === 1 && open[0][0] === 0 && open[0][1] === PORT_END - 1) flows.push({ nets, protocol, ports: "any" });
      else if (open.length > 0) flows.push({ nets, protocol, ports: open });
    }
    if (allowed({ address, protocol: "ICMP" })) flows.push({ nets, protocol: "ICMP", ports: "any" });
  }
  return flows;
}
