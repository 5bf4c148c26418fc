/**
 * The oracle's reading of a stack's policy objects: each one turned into the Calico v3 policy
 * Felix would program (tier, order, selection, types, rules), the way libcalico-go converts
 * Kubernetes and cluster policies (projectcalico/calico@v3.32.1
 * libcalico-go/lib/backend/k8s/conversion/conversion.go and clusternetworkpolicy.go).
 *
 * Deliberately narrow: a field the oracle cannot decide from one packet's remote address,
 * protocol and destination port (rule selectors, service accounts, ICMP types, named ports,
 * local-side nets, source ports) throws instead of guessing.
 */
import { parseNet, type Cidr } from "../../../lib/cidr";
import { KINDS, pulumiType } from "../../../lib/k8s/kinds";
import type { PolicyResource } from "../../../lib/policy/resource";
import { matchesLabelSelector, parseCalicoSelector, type Labels } from "./selector";

export type Direction = "ingress" | "egress";
export type RuleAction = "Allow" | "Deny" | "Pass" | "Log";

/** One workload endpoint whose labels are all known. */
export interface Endpoint {
  namespace: string;
  /** Labels Calico sees on the endpoint (pod labels plus projectcalico.org/namespace, .../orchestrator). */
  labels: Labels;
  /** The namespace's labels as Kubernetes holds them (kubernetes.io/metadata.name included). */
  namespaceLabels: Labels;
  serviceAccount: string;
}

export interface PortRange {
  lo: number;
  hi: number;
}

/** A rule reduced to what one packet is matched on: the remote side's nets and the destination port. */
export interface OracleRule {
  action: RuleAction;
  protocol?: number;
  notProtocol?: number;
  nets?: Cidr[];
  notNets?: Cidr[];
  ports?: PortRange[];
  notPorts?: PortRange[];
}

export interface OraclePolicy {
  /** Felix's policy key parts, which also break order ties (felix/calc/policy_sorter.go PolKVLess). */
  kind: string;
  name: string;
  namespace: string;
  tier: string;
  /** Unset order sorts last: Felix maps it to +Inf (policy_sorter.go polMetaDefaultOrder). */
  order: number;
  types: Set<Direction>;
  rules: Record<Direction, OracleRule[]>;
  selects(endpoint: Endpoint): boolean;
}

export interface OracleTier {
  name: string;
  order?: number;
  defaultAction: "Deny" | "Pass";
}

/** How to treat policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
export type AdminPolicySemantics =
  /** Calico v3.32 no longer enforces them (release-notes/v3.32.0-release-notes.md, calico#11144). */
  | "not-enforced"
  /** As Calico v3.31 did: tiers adminnetworkpolicy (order 1000) and baselineadminnetworkpolicy (10,000,000), both Pass. */
  | "v3.31-tiers";

export const DEFAULT_TIER = "default";
/** api/pkg/apis/projectcalico/v3/tier.go@v3.32.1: KubeAdminTierOrder, DefaultTierOrder, KubeBaselineTierOrder. */
const BUILT_IN_TIERS: OracleTier[] = [
  { name: "kube-admin", order: 1_000, defaultAction: "Pass" },
  { name: DEFAULT_TIER, order: 1_000_000, defaultAction: "Deny" },
  { name: "kube-baseline", order: 10_000_000, defaultAction: "Pass" },
];
/** api/pkg/apis/projectcalico/v3/tier.go@v3.31.7 AdminNetworkPolicyTierOrder / BaselineAdminNetworkPolicyTierOrder. */
const V3_31_ADMIN_TIERS: OracleTier[] = [
  { name: "adminnetworkpolicy", order: 1_000, defaultAction: "Pass" },
  { name: "baselineadminnetworkpolicy", order: 10_000_000, defaultAction: "Pass" },
];

const TYPES = {
  calicoPolicy: KINDS.calicoNetworkPolicy.type,
  calicoGlobalPolicy: KINDS.calicoGlobalNetworkPolicy.type,
  tier: KINDS.calicoTier.type,
  kubernetesPolicy: KINDS.kubernetesNetworkPolicy.type,
  clusterPolicy: pulumiType("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"),
  adminPolicy: pulumiType("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy"),
  baselineAdminPolicy: pulumiType("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy"),
};
/** Staged policies are recorded, never enforced (felix/rules/endpoints.go@v3.32.1 skips model.KindIsStaged kinds). */
const STAGED_TYPES = ["StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy"].map((kind) =>
  pulumiType("projectcalico.org/v3", kind),
);

/** numorstring protocol names (api/pkg/lib/numorstring/protocol.go) and their IANA numbers. */
const PROTOCOL_NUMBERS: Record<string, number> = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58, SCTP: 132, UDPLite: 136 };

export function protocolNumber(protocol: string | number): number {
  if (typeof protocol === "number") return protocol;
  const number = PROTOCOL_NUMBERS[protocol];
  if (number === undefined) throw new Error(`oracle: unknown protocol ${protocol}`);
  return number;
}

interface Spec {
  [key: string]: any;
}

function unsupported(where: string, what: string): never {
  throw new Error(`oracle: ${where} uses ${what}, which one packet's address, protocol and port cannot decide`);
}

/** Calico ports: numbers, "80" or "lo:hi" ranges (numorstring.Port); named ports are unsupported. */
function portRanges(ports: unknown[] | undefined, where: string): PortRange[] | undefined {
  if (ports === undefined || ports.length === 0) return undefined;
  return ports.map((port) => {
    if (typeof port === "number") return { lo: port, hi: port };
    const match = /^(\d+)(?::(\d+))?$/.exec(String(port));
    if (!match) unsupported(where, `the named port ${JSON.stringify(port)}`);
    return { lo: Number(match[1]), hi: Number(match[2] ?? match[1]) };
  });
}

function nets(list: string[] | undefined): Cidr[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list.map(parseNet);
}

const REMOTE_ONLY = ["selector", "notSelector", "namespaceSelector", "serviceAccounts", "services"];

/** A Calico v3 rule: the remote side is the destination for egress and the source for ingress. */
function calicoRule(rule: Spec, direction: Direction, where: string): OracleRule {
  const remote: Spec = (direction === "egress" ? rule.destination : rule.source) ?? {};
  const local: Spec = (direction === "egress" ? rule.source : rule.destination) ?? {};
  const destination: Spec = rule.destination ?? {};
  for (const key of REMOTE_ONLY) if (remote[key] !== undefined || local[key] !== undefined) unsupported(where, `a rule ${key}`);
  for (const key of ["nets", "notNets"]) if (local[key] !== undefined) unsupported(where, `the endpoint's own ${key}`);
  for (const key of ["ports", "notPorts"]) if (rule.source?.[key] !== undefined) unsupported(where, `source ${key}`);
  for (const key of ["icmp", "notICMP", "http", "ipVersion"]) if (rule[key] !== undefined) unsupported(where, key);
  const action = rule.action as RuleAction;
  if (!["Allow", "Deny", "Pass", "Log"].includes(action)) throw new Error(`oracle: ${where} has action ${rule.action}`);
  return {
    action,
    protocol: rule.protocol === undefined ? undefined : protocolNumber(rule.protocol),
    notProtocol: rule.notProtocol === undefined ? undefined : protocolNumber(rule.notProtocol),
    nets: nets(remote.nets),
    notNets: nets(remote.notNets),
    ports: portRanges(destination.ports, where),
    notPorts: portRanges(destination.notPorts, where),
  };
}

/**
 * Calico's default for an empty `types` (api/pkg/defaults/networkpolicy.go@v3.32.1, documented on
 * NetworkPolicySpec.Types): Egress alone when there are egress rules and no ingress rules, both
 * when there are both, Ingress otherwise.
 */
function calicoTypes(spec: Spec): Set<Direction> {
  if (Array.isArray(spec.types) && spec.types.length > 0) return new Set(spec.types.map((t: string) => t.toLowerCase() as Direction));
  const ingress = (spec.ingress ?? []).length > 0;
  const egress = (spec.egress ?? []).length > 0;
  if (egress && !ingress) return new Set(["egress"]);
  if (egress && ingress) return new Set(["ingress", "egress"]);
  return new Set(["ingress"]);
}

function calicoRules(spec: Spec, where: string): Record<Direction, OracleRule[]> {
  return {
    ingress: (spec.ingress ?? []).map((rule: Spec, i: number) => calicoRule(rule, "ingress", `${where} spec.ingress[${i}]`)),
    egress: (spec.egress ?? []).map((rule: Spec, i: number) => calicoRule(rule, "egress", `${where} spec.egress[${i}]`)),
  };
}

/** Calico's namespace selector sees the namespace's labels plus projectcalico.org/name (the kns.<ns> profile's). */
function calicoNamespaceLabels(endpoint: Endpoint): Labels {
  return { ...endpoint.namespaceLabels, "projectcalico.org/name": endpoint.namespace };
}

function serviceAccountMatcher(spec: Spec): (endpoint: Endpoint) => boolean {
  const matcher = parseCalicoSelector(spec.serviceAccountSelector ?? "");
  return (endpoint) => matcher({ "projectcalico.org/name": endpoint.serviceAccount });
}

function calicoPolicy(resource: PolicyResource, global: boolean): OraclePolicy {
  const metadata = resource.inputs.metadata as Spec;
  const spec = (resource.inputs.spec ?? {}) as Spec;
  const where = `${resource.name}`;
  const namespace: string = global ? "" : metadata.namespace;
  if (!global && namespace === undefined) throw new Error(`oracle: ${where} has no metadata.namespace (the fixture must set it)`);
  for (const key of ["doNotTrack", "preDNAT", "applyOnForward"]) if (spec[key]) unsupported(where, key);
  const selector = parseCalicoSelector(spec.selector ?? "");
  const namespaceSelector = parseCalicoSelector(spec.namespaceSelector ?? "");
  const serviceAccount = serviceAccountMatcher(spec);
  return {
    kind: global ? "GlobalNetworkPolicy" : "NetworkPolicy",
    name: metadata.name,
    namespace,
    tier: spec.tier ?? DEFAULT_TIER,
    order: spec.order ?? Infinity,
    types: calicoTypes(spec),
    rules: calicoRules(spec, where),
    selects: (endpoint) =>
      (global ? namespaceSelector(calicoNamespaceLabels(endpoint)) : endpoint.namespace === namespace) &&
      selector(endpoint.labels) &&
      serviceAccount(endpoint),
  };
}

/** An ipBlock (or no) peer of a Kubernetes or admin rule: pod and namespace peers are unsupported. */
function kubernetesPeer(peer: Spec | undefined, where: string): Pick<OracleRule, "nets" | "notNets"> {
  if (peer === undefined) return {};
  if (peer.ipBlock === undefined) unsupported(where, "a pod or namespace peer");
  return { nets: nets([peer.ipBlock.cidr]), notNets: nets(peer.ipBlock.except) };
}

/**
 * Kubernetes NetworkPolicy, as libcalico-go's K8sNetworkPolicyToCalico: default tier, order
 * 1000, one Allow per (protocol, peer); a port without protocol is TCP; `endPort` makes a range;
 * no ports = every protocol; no peers = every address.
 */
function kubernetesPolicy(resource: PolicyResource): OraclePolicy {
  const metadata = resource.inputs.metadata as Spec;
  const spec = (resource.inputs.spec ?? {}) as Spec;
  const where = resource.name;
  const convert = (rules: Spec[] | undefined, peersKey: "from" | "to", direction: string): OracleRule[] =>
    (rules ?? []).flatMap((rule, i) => {
      const at = `${where} spec.${direction}[${i}]`;
      const peers: (Spec | undefined)[] = rule[peersKey]?.length ? rule[peersKey] : [undefined];
      const ports: Spec[] = rule.ports ?? [];
      const byProtocol = new Map<number | undefined, PortRange[] | undefined>();
      if (ports.length === 0) byProtocol.set(undefined, undefined);
      for (const port of ports) {
        const protocol = protocolNumber(port.protocol ?? "TCP");
        if (typeof port.port === "string" && !/^\d+$/.test(port.port)) unsupported(at, "a named port");
        const range = port.port === undefined ? undefined : { lo: Number(port.port), hi: Number(port.endPort ?? port.port) };
        const known = byProtocol.get(protocol);
        // A port entry without a port opens the whole protocol, whatever the other entries say.
        if (byProtocol.has(protocol) && known === undefined) continue;
        byProtocol.set(protocol, range === undefined ? undefined : [...(known ?? []), range]);
      }
      return [...byProtocol].flatMap(([protocol, range]) =>
        peers.map((peer): OracleRule => ({ action: "Allow", protocol, ports: range, ...kubernetesPeer(peer, at) })),
      );
    });
  // The API server defaults policyTypes to Ingress, plus Egress when there are egress rules
  // (kubernetes pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy).
  const types: string[] = spec.policyTypes?.length ? spec.policyTypes : ["Ingress", ...((spec.egress ?? []).length > 0 ? ["Egress"] : [])];
  return {
    kind: "KubernetesNetworkPolicy",
    name: metadata.name,
    namespace: metadata.namespace,
    tier: DEFAULT_TIER,
    order: 1000,
    types: new Set(types.map((t) => t.toLowerCase() as Direction)),
    rules: { ingress: convert(spec.ingress, "from", "ingress"), egress: convert(spec.egress, "to", "egress") },
    // The converted selector also carries projectcalico.org/orchestrator == 'k8s' (k8sSelectorToCalico).
    selects: (endpoint) =>
      endpoint.namespace === metadata.namespace &&
      endpoint.labels["projectcalico.org/orchestrator"] === "k8s" &&
      matchesLabelSelector(spec.podSelector ?? {}, endpoint.labels),
  };
}

function subjectMatcher(subject: Spec, where: string): (endpoint: Endpoint) => boolean {
  const namespaceLabels = (endpoint: Endpoint): Labels => ({
    ...endpoint.namespaceLabels,
    "kubernetes.io/metadata.name": endpoint.namespace,
  });
  if (subject.namespaces !== undefined) return (endpoint) => matchesLabelSelector(subject.namespaces, namespaceLabels(endpoint));
  if (subject.pods !== undefined)
    return (endpoint) =>
      matchesLabelSelector(subject.pods.namespaceSelector ?? {}, namespaceLabels(endpoint)) &&
      matchesLabelSelector(subject.pods.podSelector ?? {}, endpoint.labels);
  return unsupported(where, "a subject without namespaces or pods");
}

interface AdminPort {
  protocol: number;
  range?: PortRange;
}

/** Groups admin-policy ports by protocol as unpackCNPProtocols / unpackANPPorts do; undefined: every protocol. */
function byProtocol(ports: AdminPort[] | undefined): Map<number | undefined, PortRange[] | undefined> {
  const grouped = new Map<number | undefined, PortRange[] | undefined>();
  if (ports === undefined || ports.length === 0) return grouped.set(undefined, undefined);
  for (const { protocol, range } of ports) {
    if (grouped.has(protocol) && grouped.get(protocol) === undefined) continue;
    grouped.set(protocol, range === undefined ? undefined : [...(grouped.get(protocol) ?? []), range]);
  }
  return grouped;
}

/** ClusterNetworkPolicy `protocols`: {tcp|udp|sctp: {destinationPort: {number} | {range: {start, end}}}}. */
function clusterPorts(protocols: Spec[] | undefined, where: string): AdminPort[] | undefined {
  return protocols?.map((entry) => {
    if (entry.destinationNamedPort !== undefined) unsupported(where, "a named port");
    const name = (["tcp", "udp", "sctp"] as const).find((key) => entry[key] !== undefined);
    if (name === undefined) return unsupported(where, `the protocol entry ${JSON.stringify(entry)}`);
    const port: Spec | undefined = entry[name].destinationPort;
    const range = port?.number
      ? { lo: port.number, hi: port.number }
      : port?.range
        ? { lo: port.range.start, hi: port.range.end }
        : undefined;
    return { protocol: protocolNumber(name.toUpperCase()), range };
  });
}

/** AdminNetworkPolicy `ports`: portNumber {protocol, port} or portRange {protocol, start, end}; protocol defaults to TCP. */
function adminPorts(ports: Spec[] | undefined, where: string): AdminPort[] | undefined {
  return ports?.map((entry) => {
    if (entry.portNumber)
      return {
        protocol: protocolNumber(entry.portNumber.protocol ?? "TCP"),
        range: { lo: entry.portNumber.port, hi: entry.portNumber.port },
      };
    if (entry.portRange)
      return { protocol: protocolNumber(entry.portRange.protocol ?? "TCP"), range: { lo: entry.portRange.start, hi: entry.portRange.end } };
    return unsupported(where, `the port entry ${JSON.stringify(entry)}`);
  });
}

const ADMIN_ACTIONS: Record<string, RuleAction> = { Accept: "Allow", Allow: "Allow", Deny: "Deny", Pass: "Pass" };

/** Admin rules: one Calico rule per (protocol, peer); only `networks` peers (egress) are supported. */
function adminRules(rules: Spec[] | undefined, direction: Direction, where: string, ports: typeof clusterPorts): OracleRule[] {
  return (rules ?? []).flatMap((rule, i) => {
    const at = `${where} spec.${direction}[${i}]`;
    const action = ADMIN_ACTIONS[rule.action];
    if (action === undefined) throw new Error(`oracle: ${at} has action ${rule.action}`);
    const peers: Spec[] = (direction === "egress" ? rule.to : rule.from) ?? [];
    const grouped = byProtocol(ports(rule.protocols ?? rule.ports, at));
    return [...grouped].flatMap(([protocol, range]) =>
      peers.map((peer): OracleRule => {
        if (peer.networks === undefined) unsupported(at, "a peer other than networks");
        return { action, protocol, ports: range, nets: nets(peer.networks) };
      }),
    );
  });
}

function adminPolicy(resource: PolicyResource, tier: string, order: number, ports: typeof clusterPorts): OraclePolicy {
  const spec = (resource.inputs.spec ?? {}) as Spec;
  const where = resource.name;
  const rules = { ingress: adminRules(spec.ingress, "ingress", where, ports), egress: adminRules(spec.egress, "egress", where, ports) };
  // Types are the directions that have rules: the admin tiers default to Pass (clusterNetPolicyTypes).
  const types = new Set((["ingress", "egress"] as const).filter((direction) => rules[direction].length > 0));
  return {
    kind: "GlobalNetworkPolicy",
    name: (resource.inputs.metadata as Spec).name,
    namespace: "",
    tier,
    order,
    types,
    rules,
    selects: subjectMatcher(spec.subject ?? {}, where),
  };
}

export interface PolicySet {
  tiers: Map<string, OracleTier>;
  policies: OraclePolicy[];
}

export function readPolicies(resources: PolicyResource[], adminSemantics: AdminPolicySemantics): PolicySet {
  const tiers = new Map(BUILT_IN_TIERS.map((tier) => [tier.name, tier]));
  if (adminSemantics === "v3.31-tiers") for (const tier of V3_31_ADMIN_TIERS) tiers.set(tier.name, tier);
  const policies: OraclePolicy[] = [];
  for (const resource of resources) {
    const spec = (resource.inputs.spec ?? {}) as Spec;
    switch (resource.type) {
      case TYPES.tier: {
        const name = (resource.inputs.metadata as Spec).name;
        // Tier.spec.defaultAction: "[Default: Deny]" (api/pkg/apis/projectcalico/v3/tier.go@v3.32.1).
        tiers.set(name, { name, order: spec.order, defaultAction: spec.defaultAction ?? "Deny" });
        break;
      }
      case TYPES.calicoPolicy:
        policies.push(calicoPolicy(resource, false));
        break;
      case TYPES.calicoGlobalPolicy:
        policies.push(calicoPolicy(resource, true));
        break;
      case TYPES.kubernetesPolicy:
        policies.push(kubernetesPolicy(resource));
        break;
      case TYPES.clusterPolicy: {
        // ClusterNetworkPolicy: tier Admin -> kube-admin, Baseline -> kube-baseline, order = priority.
        const tier = spec.tier === "Admin" ? "kube-admin" : spec.tier === "Baseline" ? "kube-baseline" : undefined;
        if (tier === undefined) throw new Error(`oracle: ${resource.name} has tier ${spec.tier}`);
        policies.push(adminPolicy(resource, tier, spec.priority, clusterPorts));
        break;
      }
      case TYPES.adminPolicy:
        if (adminSemantics === "v3.31-tiers") policies.push(adminPolicy(resource, "adminnetworkpolicy", spec.priority, adminPorts));
        break;
      case TYPES.baselineAdminPolicy:
        // v3.31 K8sBaselineAdminNetworkPolicyToCalico gives the single BANP order 1000.
        if (adminSemantics === "v3.31-tiers") policies.push(adminPolicy(resource, "baselineadminnetworkpolicy", 1000, adminPorts));
        break;
      default:
        if (STAGED_TYPES.includes(resource.type)) break;
        if (/NetworkPolicy|:Tier$/.test(resource.type)) throw new Error(`oracle: no reading of ${resource.type} (${resource.name})`);
    }
  }
  for (const policy of policies)
    if (!tiers.has(policy.tier)) throw new Error(`oracle: policy ${policy.name} is in the undeclared tier ${policy.tier}`);
  return { tiers, policies };
}
