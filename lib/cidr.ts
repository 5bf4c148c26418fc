/**
 * IPv4 address and CIDR arithmetic on top of `ip-address`, shared by config validation,
 * allocation and the policy pack. Ranges are [start, end] as bigint so comparisons stay cheap.
 */
import { Address4 } from "ip-address";

/** An inclusive address range. */
export interface Range {
  start: bigint;
  end: bigint;
}

export interface Cidr extends Range {
  /** Canonical text, e.g. "10.199.3.0/24". */
  text: string;
  prefix: number;
}

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A plain dotted-quad IPv4 address (no prefix, no leading zeros). */
export function isIpv4(text: string): boolean {
  return DOTTED_QUAD.test(text);
}

export function ipToBigInt(ip: string): bigint {
  if (!isIpv4(ip)) throw new Error(`${JSON.stringify(ip)} is not an IPv4 address`);
  return new Address4(ip).bigInt();
}

export function bigIntToIp(value: bigint): string {
  return Address4.fromBigInt(value).correctForm();
}

/** Why `text` is not a valid IPv4 network CIDR, or undefined when it is. */
export function cidrProblem(text: string): string | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match || !isIpv4(match[1]) || Number(match[2]) > 32) {
    return `${JSON.stringify(text)} is not an IPv4 CIDR (expected a.b.c.d/N with N from 0 to 32)`;
  }
  const address = new Address4(text);
  const network = address.startAddress().correctForm();
  if (network !== match[1]) {
    return `${text} has host bits set (the network is ${network}/${match[2]})`;
  }
  return undefined;
}

export function parseCidr(text: string): Cidr {
  const problem = cidrProblem(text);
  if (problem) throw new Error(problem);
  const address = new Address4(text);
  return {
    text,
    prefix: address.subnetMask,
    start: address.startAddress().bigInt(),
    end: address.endAddress().bigInt(),
  };
}

/** A single address as a /32 range. */
export function hostRange(ip: string): Cidr {
  const value = ipToBigInt(ip);
  return { text: `${ip}/32`, prefix: 32, start: value, end: value };
}

/** CIDR or bare address, as Calico `nets` accept both. */
export function parseNet(text: string): Cidr {
  return isIpv4(text) ? hostRange(text) : parseCidr(text);
}

export function contains(outer: Range, inner: Range): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

export function containsIp(outer: Cidr, ip: string): boolean {
  const value = ipToBigInt(ip);
  return outer.start <= value && value <= outer.end;
}

export function overlaps(a: Range, b: Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The addresses two ranges share, or undefined when they are disjoint. */
export function intersection(a: Range, b: Range): Range | undefined {
  const start = a.start > b.start ? a.start : b.start;
  const end = a.end < b.end ? a.end : b.end;
  return start <= end ? { start, end } : undefined;
}

export interface Labelled<T> {
  label: T;
  range: Cidr;
}

/**
 * Every overlapping pair among `items`, found by sorting on start address: O(n log n + k)
 * instead of comparing all pairs, so policy checks stay fast on stacks with thousands of ranges.
 */
export function overlappingPairs<T>(items: Labelled<T>[]): [Labelled<T>, Labelled<T>][] {
  const sorted = [...items].sort((a, b) => (a.range.start < b.range.start ? -1 : a.range.start > b.range.start ? 1 : 0));
  const pairs: [Labelled<T>, Labelled<T>][] = [];
  const open: Labelled<T>[] = [];
  for (const item of sorted) {
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i].range.end < item.range.start) open.splice(i, 1);
    }
    for (const earlier of open) pairs.push([earlier, item]);
    open.push(item);
  }
  return pairs;
}

/** First usable host address of a network (network address + 1); the default VPC gateway. */
export function firstHost(cidr: Cidr): string {
  return bigIntToIp(cidr.start + 1n);
}

/** Network and broadcast addresses, which no VM may take (for prefixes below /31). */
export function reservedEdges(cidr: Cidr): bigint[] {
  return cidr.prefix >= 31 ? [] : [cidr.start, cidr.end];
}

/**
 * An address range written `<start><separator><end>` or as one address (Kube-OVN `excludeIps`
 * use "..", Spiderpool `ips` "-"); undefined when it is neither or its start is after its end.
 */
export function addressRange(text: string, separator: string): Range | undefined {
  const bounds = text.split(separator);
  if (bounds.length > 2 || !bounds.every(isIpv4)) return undefined;
  const [start, end = start] = bounds.map(ipToBigInt);
  return start <= end ? { start, end } : undefined;
}

/**
 * Why `text` is not a Kube-OVN address range (`excludeIps` syntax: one address, or
 * `a.b.c.d..a.b.c.e` with the start not after the end), or undefined when it is.
 */
export function ipRangeProblem(text: string): string | undefined {
  if (addressRange(text, "..") !== undefined) return undefined;
  const bounds = text.split("..");
  return bounds.length === 2 && bounds.every(isIpv4)
    ? `${text} is a range whose start is after its end`
    : `${JSON.stringify(text)} is not an address or an "a.b.c.d..a.b.c.e" range`;
}

/** A Kube-OVN address range (`ipRangeProblem` returned nothing for it). */
export function parseIpRange(text: string): Range {
  const range = addressRange(text, "..");
  if (!range) throw new Error(ipRangeProblem(text));
  return range;
}
