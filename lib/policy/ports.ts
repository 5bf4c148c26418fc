/**
 * Ports as network policies write them (Calico: 443, "443", "8000:8080", named "https";
 * Kubernetes: port + endPort) and as the catalog writes them ("443/TCP").
 */
import { portsByProtocol } from "../config/formats";

export interface PortRange {
  from: number;
  to: number;
}

export type PolicyPort = { range: PortRange } | { named: string } | { error: string };

/** Node services a VM's underlay must never reach, whatever the catalog grants. */
export const NODE_CONTROL_PORTS: readonly { range: PortRange; what: string }[] = [
  { range: { from: 22, to: 22 }, what: "SSH" },
  { range: { from: 179, to: 179 }, what: "BGP" },
  { range: { from: 2379, to: 2380 }, what: "etcd" },
  { range: { from: 4789, to: 4789 }, what: "VXLAN" },
  { range: { from: 6081, to: 6081 }, what: "Geneve" },
  { range: { from: 6443, to: 6443 }, what: "Kubernetes API server" },
  { range: { from: 10250, to: 10250 }, what: "kubelet" },
  { range: { from: 10255, to: 10255 }, what: "kubelet read-only" },
  { range: { from: 10256, to: 10256 }, what: "kube-proxy health" },
];

const PROTOCOL_NUMBERS: Record<string, string> = { "1": "ICMP", "6": "TCP", "17": "UDP", "132": "SCTP" };

/** Calico and Kubernetes accept names in any case and IANA numbers; compare them upper-case by name. */
export function normalizeProtocol(value: unknown): string | undefined {
  if (typeof value === "number") return PROTOCOL_NUMBERS[String(value)] ?? String(value);
  if (typeof value !== "string" || value === "") return undefined;
  return PROTOCOL_NUMBERS[value] ?? value.toUpperCase();
}

function validRange(from: number, to: number): PolicyPort {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 65535 || from > to) {
    return { error: `${from}:${to} is not a port range within 0-65535` };
  }
  return { range: { from, to } };
}

/** One entry of a Calico `ports` list. */
export function parseCalicoPort(value: unknown): PolicyPort {
  if (typeof value === "number") return validRange(value, value);
  if (typeof value !== "string") return { error: `${JSON.stringify(value)} is not a port` };
  const range = /^(\d+):(\d+)$/.exec(value);
  if (range) return validRange(Number(range[1]), Number(range[2]));
  if (/^\d+$/.test(value)) return validRange(Number(value), Number(value));
  return { named: value };
}

/** One Kubernetes NetworkPolicyPort `port` (+ optional `endPort`); undefined port means every port. */
export function parseKubernetesPort(port: unknown, endPort: unknown): PolicyPort {
  if (typeof port === "string" && !/^\d+$/.test(port)) return { named: port };
  const from = Number(port);
  return validRange(from, typeof endPort === "number" ? endPort : from);
}

export function rangeText(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}:${range.to}`;
}

export function rangesOverlap(a: PortRange, b: PortRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** Catalog ports ("443/TCP") grouped by protocol as sorted, de-duplicated port numbers. */
export function catalogPorts(ports: string[]): Map<string, number[]> {
  return new Map(portsByProtocol(ports).map(({ protocol, ports: numbers }) => [protocol, [...numbers].sort((a, b) => a - b)]));
}

/** Every port of `range` is among `sorted` (unique, ascending): count the ports inside the range. */
export function coversRange(sorted: number[], range: PortRange): boolean {
  let inside = 0;
  for (const port of sorted) if (port >= range.from && port <= range.to) inside++;
  return inside === range.to - range.from + 1;
}
