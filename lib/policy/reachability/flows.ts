/**
 * The flow space of an underlay NIC: IPv4 peer address × IP protocol × port, and the canonical
 * printed form of a set in it (Flow lists). Sets are built as boxes (one address range × one
 * protocol × one port range) and always printed through `canonicalFlows`, which depends only on
 * the set, never on how it was cut: equal reachability prints equal.
 */
import { bigIntToIp } from "../../cidr";
import { IANA_PROTOCOLS } from "../ports";

export type FlowProtocol = "TCP" | "UDP" | "SCTP" | "ICMP" | "any";

/**
 * nets: peer ranges as minimal CIDR lists (destinations for egress, sources for ingress);
 * ports: inclusive destination port ranges, or "any" (every port, and always for ICMP/any).
 * Protocols other than the four named (GRE, ICMPv6, UDPLite, a number, ...) print as "any":
 * the table is an upper bound and no catalog grant covers them.
 */
export interface Flow {
  nets: string[];
  protocol: FlowProtocol;
  ports: [number, number][] | "any";
}

/** Stands for every protocol number no rule in the evaluation names. */
export const OTHER_PROTOCOL = -1;
/** Calico matches `ports` only for these (libcalico-go rule validation: TCP, UDP, SCTP, UDPLite). */
export const PORT_PROTOCOLS = new Set([IANA_PROTOCOLS.TCP, IANA_PROTOCOLS.UDP, IANA_PROTOCOLS.SCTP, IANA_PROTOCOLS.UDPLITE]);
const NAMED_PROTOCOLS: FlowProtocol[] = ["ICMP", "TCP", "UDP", "SCTP"];
const NAMED: Record<number, FlowProtocol> = Object.fromEntries(NAMED_PROTOCOLS.map((name) => [IANA_PROTOCOLS[name], name]));
/** Protocols always partitioned, so the four named ones print by name whatever the rules say. */
export const BASE_PROTOCOLS = NAMED_PROTOCOLS.map((name) => IANA_PROTOCOLS[name]);

export const MAX_ADDRESS = (1n << 32n) - 1n;
export const MAX_PORT = 65535;

export interface Box {
  protocol: number;
  start: bigint;
  end: bigint;
  /** Inclusive port range; undefined for a protocol without ports. */
  ports?: [number, number];
}

/** The minimal CIDR list covering [start, end] exactly. */
export function rangeToCidrs(start: bigint, end: bigint): string[] {
  const out: string[] = [];
  let at = start;
  while (at <= end) {
    let size = 32;
    while (size > 0) {
      const block = 1n << BigInt(33 - size);
      if (at % block !== 0n || at + block - 1n > end) break;
      size--;
    }
    out.push(`${bigIntToIp(at)}/${size}`);
    at += 1n << BigInt(32 - size);
  }
  return out;
}

/** Sorted, merged ranges (adjacent ones join). */
export function mergeRanges<T extends number | bigint>(ranges: [T, T][]): [T, T][] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [T, T][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    const next = (typeof last?.[1] === "bigint" ? (last[1] as bigint) + 1n : (last?.[1] as number) + 1) as T;
    if (last && lo <= next) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

function netsOf(ranges: [bigint, bigint][]): string[] {
  return mergeRanges(ranges).flatMap(([lo, hi]) => rangeToCidrs(lo, hi));
}

const PROTOCOL_ORDER: FlowProtocol[] = ["any", "TCP", "UDP", "SCTP", "ICMP"];

/** Address breakpoints of a box list: every start, and every end + 1. */
function addressCuts(boxes: Box[]): bigint[] {
  const cuts = new Set<bigint>();
  for (const b of boxes) {
    cuts.add(b.start);
    if (b.end < MAX_ADDRESS) cuts.add(b.end + 1n);
  }
  return [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The canonical flows of a set of boxes. Addresses where every protocol and port is in the set
 * (or a protocol outside the four named) print as protocol "any"; elsewhere each named protocol
 * groups its addresses by their exact port set.
 */
export function canonicalFlows(boxes: Box[]): Flow[] {
  const cuts = addressCuts(boxes);
  const segments: [bigint, bigint][] = cuts.map((start, i) => [start, i + 1 < cuts.length ? cuts[i + 1] - 1n : MAX_ADDRESS]);
  const flows = new Map<string, Flow & { ranges: [bigint, bigint][] }>();
  const add = (protocol: FlowProtocol, ports: Flow["ports"], range: [bigint, bigint]) => {
    const key = `${protocol}|${JSON.stringify(ports)}`;
    const flow = flows.get(key) ?? { nets: [], protocol, ports, ranges: [] };
    flow.ranges.push(range);
    flows.set(key, flow);
  };
  // Boxes sorted by start let each segment find its boxes with one forward scan.
  const sorted = [...boxes].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let active: Box[] = [];
  let next = 0;
  for (const segment of segments) {
    while (next < sorted.length && sorted[next].start <= segment[0]) active.push(sorted[next++]);
    active = active.filter((b) => b.end >= segment[0]);
    const here = active.filter((b) => b.start <= segment[0]);
    if (here.length === 0) continue;
    const portsOf = new Map<number, [number, number][]>();
    for (const b of here) {
      const list = portsOf.get(b.protocol) ?? [];
      list.push(b.ports ?? [0, MAX_PORT]);
      portsOf.set(b.protocol, list);
    }
    const merged = new Map([...portsOf].map(([p, list]) => [p, mergeRanges(list)]));
    const full = (p: number) => {
      const m = merged.get(p);
      return m !== undefined && m.length === 1 && m[0][0] === 0 && m[0][1] === MAX_PORT;
    };
    const everything = [...BASE_PROTOCOLS, OTHER_PROTOCOL].every(full) && [...merged.keys()].every(full);
    const widened = [...merged.keys()].some((p) => NAMED[p] === undefined);
    if (everything || widened) {
      add("any", "any", segment);
      continue;
    }
    for (const [p, ranges] of merged) {
      const protocol = NAMED[p];
      const ports = protocol === "ICMP" || full(p) ? "any" : ranges;
      add(protocol, ports, segment);
    }
  }
  const out = [...flows.values()].map(({ protocol, ports, ranges }) => ({ nets: netsOf(ranges), protocol, ports }));
  return out.sort(
    (a, b) =>
      PROTOCOL_ORDER.indexOf(a.protocol) - PROTOCOL_ORDER.indexOf(b.protocol) ||
      compareText(JSON.stringify(a.ports), JSON.stringify(b.ports)) ||
      compareText(a.nets.join(","), b.nets.join(",")),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A rectangle of address × port for one protocol (ports undefined: the whole port range). */
export interface Rect {
  protocol: number;
  start: bigint;
  end: bigint;
  ports?: [number, number];
}

/**
 * Splits a box by a union of rectangles into the parts inside and outside it, cutting only at
 * the rectangles' edges within the box.
 */
export function splitBox(box: Box, rects: Rect[]): { inside: Box[]; outside: Box[] } {
  const relevant = rects.filter((r) => r.protocol === box.protocol && r.start <= box.end && r.end >= box.start);
  const boxPorts = box.ports ?? [0, MAX_PORT];
  const addressCutSet = new Set<bigint>([box.start]);
  const portCutSet = new Set<number>([boxPorts[0]]);
  for (const r of relevant) {
    if (r.start > box.start) addressCutSet.add(r.start);
    if (r.end < box.end) addressCutSet.add(r.end + 1n);
    if (box.ports && r.ports) {
      if (r.ports[0] > boxPorts[0] && r.ports[0] <= boxPorts[1]) portCutSet.add(r.ports[0]);
      if (r.ports[1] < boxPorts[1] && r.ports[1] >= boxPorts[0]) portCutSet.add(r.ports[1] + 1);
    }
  }
  const aCuts = [...addressCutSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pCuts = [...portCutSet].sort((a, b) => a - b);
  const inside: Box[] = [];
  const outside: Box[] = [];
  aCuts.forEach((start, i) => {
    const end = i + 1 < aCuts.length ? aCuts[i + 1] - 1n : box.end;
    pCuts.forEach((lo, j) => {
      const hi = j + 1 < pCuts.length ? pCuts[j + 1] - 1 : boxPorts[1];
      const covered = relevant.some(
        (r) => r.start <= start && end <= r.end && (!r.ports || !box.ports || (r.ports[0] <= lo && hi <= r.ports[1])),
      );
      (covered ? inside : outside).push({
        protocol: box.protocol,
        start,
        end,
        ...(box.ports ? { ports: [lo, hi] as [number, number] } : {}),
      });
    });
  });
  return { inside, outside };
}
