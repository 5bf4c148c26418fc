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

/**
 * Node services a VM's underlay must never reach, whatever the catalog grants: on every node
 * address, these are ports the nodes of this platform listen on (host-network daemons).
 * Sources: Kubernetes well-known ports; Calico projectcalico/calico@v3.32.1
 * felix/config/config_params.go (HealthPort 9099, PrometheusMetricsPort 9091) and
 * typha/pkg/syncproto/sync_proto.go (DefaultPort 5473); Kube-OVN kubeovn/kube-ovn@v1.16.2
 * dist/images/start-db.sh (NB 6641, SB 6642, raft 6643/6644) and charts/kube-ovn-v2/values.yaml
 * (controller 10660, monitor 10661, CNI agent 10665 metrics; all hostNetwork); Spiderpool
 * spidernet-io/spiderpool@v1.2.2 charts/spiderpool/values.yaml (agent 5710-5712, controller
 * 5720-5724, hostNetwork).
 */
export const NODE_CONTROL_PORTS: readonly { range: PortRange; what: string }[] = [
  { range: { from: 22, to: 22 }, what: "SSH" },
  { range: { from: 179, to: 179 }, what: "BGP" },
  { range: { from: 2379, to: 2380 }, what: "etcd" },
  { range: { from: 2381, to: 2381 }, what: "etcd metrics" },
  { range: { from: 4789, to: 4789 }, what: "VXLAN" },
  { range: { from: 5473, to: 5473 }, what: "Calico Typha" },
  { range: { from: 5710, to: 5712 }, what: "Spiderpool agent" },
  { range: { from: 5720, to: 5724 }, what: "Spiderpool controller" },
  { range: { from: 6081, to: 6081 }, what: "Geneve" },
  { range: { from: 6443, to: 6443 }, what: "Kubernetes API server" },
  { range: { from: 6641, to: 6644 }, what: "OVN northbound/southbound databases" },
  { range: { from: 9091, to: 9091 }, what: "Felix metrics" },
  { range: { from: 9099, to: 9099 }, what: "Felix health" },
  { range: { from: 10250, to: 10250 }, what: "kubelet" },
  { range: { from: 10255, to: 10255 }, what: "kubelet read-only" },
  { range: { from: 10256, to: 10256 }, what: "kube-proxy health" },
  { range: { from: 10257, to: 10257 }, what: "kube-controller-manager" },
  { range: { from: 10259, to: 10259 }, what: "kube-scheduler" },
  { range: { from: 10660, to: 10661 }, what: "Kube-OVN controller/monitor metrics" },
  { range: { from: 10665, to: 10665 }, what: "Kube-OVN CNI agent" },
  { range: { from: 30000, to: 32767 }, what: "NodePort services" },
];

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

/** Catalog ports ("443/TCP") grouped by protocol as sorted, de-duplicated port numbers. */
export function catalogPorts(ports: string[]): Map<string, number[]> {
  return new Map(portsByProtocol(ports).map(({ protocol, ports: numbers }) => [protocol, [...numbers].sort((a, b) => a - b)]));
}

/** IANA numbers of the protocols Calico and Kubernetes name. */
export const IANA_PROTOCOLS: Record<string, number> = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, SCTP: 132, UDPLITE: 136 };

/** A protocol as Calico and Kubernetes write it (name in any case, or an IANA number 0-255), as its number. */
export function protocolNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
  if (typeof value !== "string") return undefined;
  if (/^\d+$/.test(value)) return protocolNumber(Number(value));
  return IANA_PROTOCOLS[value.toUpperCase()];
}
