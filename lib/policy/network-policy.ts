/**
 * Every kind of network policy Calico v3.32.1 enforces on a workload endpoint, read into one
 * model: Calico NetworkPolicy / GlobalNetworkPolicy (projectcalico.org/v3 and the
 * crd.projectcalico.org/v1 storage group), Kubernetes NetworkPolicy, policy.networking.k8s.io
 * ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1);
 * and Calico Tiers. Each policy becomes: where it sits (tier, order), whom it selects, and its
 * rules per direction as tests on (peer address, protocol, destination port) plus whether the
 * rule's match is exact (can be credited with a Deny) or only possible (an Allow counts anyway).
 * Staged policies are not enforced by Calico and are not read.
 */
import type { Cidr } from "../cidr";
import { asArray, asObject, asString, describe, isObject, metadataOf, objectName } from "./k8s";
import { parseLabelSelector } from "./label-selector";
import { netOf } from "./net-cache";
import { parseCalicoPort, parseKubernetesPort, protocolNumber, type PortRange } from "./ports";
import { parseSelector, type ParsedSelector } from "./selector";
import type { PolicyResource } from "./resource";
import { CALICO_CRD_V1, KINDS } from "../k8s/kinds";

export type Direction = "Ingress" | "Egress";
export const DIRECTIONS: Direction[] = ["Ingress", "Egress"];
export type Action = "Allow" | "Deny" | "Pass" | "Log";

/** The namespace of a namespaced policy written without metadata.namespace: the provider's default, i.e. any. */
export const ANY_NAMESPACE = "*";

const CALICO_NAMESPACED = [KINDS.calicoNetworkPolicy.type, KINDS.calicoCrdNetworkPolicy.type];
const CALICO_GLOBAL = [KINDS.calicoGlobalNetworkPolicy.type, KINDS.calicoCrdGlobalNetworkPolicy.type];
const KUBERNETES_POLICY = KINDS.kubernetesNetworkPolicy.type;
const CALICO_TIER_TYPES = [KINDS.calicoTier.type, KINDS.calicoCrdTier.type];
/** Calico's storage group (crd.projectcalico.org/v1), whose enums libcalico reads case-insensitively. */
const isCrdGroup = (resource: PolicyResource) => resource.type.startsWith(`kubernetes:${CALICO_CRD_V1}:`);

/**
 * Built-in tiers (projectcalico/calico@v3.32.1 api/pkg/apis/projectcalico/v3/tier.go): kube-admin
 * 1,000 and kube-baseline 10,000,000 must default to Pass, default 1,000,000 to Deny. A Tier's
 * own `defaultAction` defaults to Deny (`+kubebuilder:default=Deny`); no `order` is "infinite".
 */
export const DEFAULT_TIER = "default";
export const KUBE_ADMIN_TIER = "kube-admin";
export const KUBE_BASELINE_TIER = "kube-baseline";
/**
 * Where Calico v3.31 put the v1alpha1 admin policies (api/pkg/apis/projectcalico/v3/tier.go@v3.31.7):
 * order 1,000 and 10,000,000, Pass; equal orders sort by name, so each runs just before its
 * v3.32 successor. v3.32.1 reads neither; kept there, their allows act before a ClusterNetworkPolicy
 * of the same level can deny or pass them, an upper bound on wherever an enforcer would put them.
 */
const ADMIN_V1ALPHA1_TIER = "adminnetworkpolicy";
const BASELINE_ADMIN_V1ALPHA1_TIER = "baselineadminnetworkpolicy";
export const BUILTIN_TIERS: Record<string, { order: number; defaultAction: "Deny" | "Pass" }> = {
  [ADMIN_V1ALPHA1_TIER]: { order: 1_000, defaultAction: "Pass" },
  [KUBE_ADMIN_TIER]: { order: 1_000, defaultAction: "Pass" },
  [DEFAULT_TIER]: { order: 1_000_000, defaultAction: "Deny" },
  [BASELINE_ADMIN_V1ALPHA1_TIER]: { order: 10_000_000, defaultAction: "Pass" },
  [KUBE_BASELINE_TIER]: { order: 10_000_000, defaultAction: "Pass" },
};
/** Calico puts a Kubernetes NetworkPolicy in the default tier at order 1000 (libcalico-go conversion). */
const KUBERNETES_POLICY_ORDER = 1000;

export interface SelectorField {
  path: string;
  text: string | undefined;
  parsed: ParsedSelector;
}

export interface PolicyRule {
  /** Where the rule is written: `spec.egress[0]`, `spec.ingress[1].from[0]`. */
  path: string;
  action: Action;
  /** IANA protocol numbers; undefined: every protocol. */
  protocols?: number[];
  notProtocols: number[];
  /** Peer ranges (destination for egress, source for ingress); undefined: every address. */
  nets?: Cidr[];
  notNets: Cidr[];
  /** Destination port ranges; undefined: every port (and every protocol, ports or not). */
  ports?: PortRange[];
  notPorts: PortRange[];
  /** A named or unreadable entry in ports / notPorts: which numbers it means is unknown. */
  unknownPorts: boolean;
  unknownNotPorts: boolean;
  /**
   * False when the rule also tests what this model cannot decide (peer selectors, the endpoint's
   * own side, ICMP types, unknown fields, a policy Calico may not enforce): it may match, never must.
   */
  exact: boolean;
  /** Matches no IPv4 packet (ipVersion 6, IPv6 nets only). */
  never: boolean;
}

export type PolicyFamily = "calico" | "kubernetes" | "cluster" | "admin";

export interface NetworkPolicy {
  resource: PolicyResource;
  who: string;
  family: PolicyFamily;
  /**
   * Felix's tie-break between policies of equal order in a tier: `name/namespace/kind`, compared
   * as strings (projectcalico/calico@v3.32.1 felix/calc/policy_sorter.go PolKVLess; the kinds are
   * the syncer's, libcalico-go/lib/backend/syncersv1/felixsyncer/felixsyncerv1.go).
   */
  sortKey: string;
  /** Undefined: cluster-wide (GlobalNetworkPolicy, admin policies); ANY_NAMESPACE: namespaced but unset. */
  namespace?: string;
  tier: string;
  order: number;
  selector: SelectorField;
  namespaceSelector?: SelectorField;
  serviceAccountSelector?: SelectorField;
  types: Set<Direction>;
  rules: Record<Direction, PolicyRule[]>;
  /** A doNotTrack/preDNAT/applyOnForward-only GlobalNetworkPolicy: host endpoints only. */
  hostOnly: boolean;
}

export interface Tier {
  name: string;
  order: number;
  defaultAction: "Deny" | "Pass";
  who: string;
}

export function isNetworkPolicy(resource: PolicyResource): boolean {
  return [...CALICO_NAMESPACED, ...CALICO_GLOBAL, KUBERNETES_POLICY].includes(resource.type) || isAdminNetworkPolicy(resource);
}

export function isTier(resource: PolicyResource): boolean {
  return CALICO_TIER_TYPES.includes(resource.type);
}

const ADMIN_KINDS = ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"];

export function isAdminNetworkPolicy(resource: PolicyResource): boolean {
  const [provider, group, kind] = resource.type.split(":");
  return provider === "kubernetes" && group !== undefined && group.startsWith("policy.networking.k8s.io/") && ADMIN_KINDS.includes(kind);
}

function numberOrInfinity(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : Infinity;
}

export function parseTier(resource: PolicyResource): Tier {
  const spec = asObject(resource.inputs.spec);
  const action = asString(spec.defaultAction);
  const pass = action !== undefined && (isCrdGroup(resource) ? action.toLowerCase() === "pass" : action === "Pass");
  const name = objectName(resource);
  const builtin = BUILTIN_TIERS[name];
  return {
    name,
    order: spec.order === undefined && builtin ? builtin.order : numberOrInfinity(spec.order),
    // An unset or unreadable defaultAction is Deny; Calico validation admits only Deny and Pass.
    defaultAction: pass ? "Pass" : "Deny",
    who: describe(resource, false),
  };
}

// ---------------------------------------------------------------- rule parts

function emptyRule(path: string, action: Action): PolicyRule {
  return {
    path,
    action,
    notProtocols: [],
    notNets: [],
    notPorts: [],
    unknownPorts: false,
    unknownNotPorts: false,
    exact: true,
    never: false,
  };
}

/** IPv4 nets of a list; IPv6 ones match no IPv4 packet; unreadable ones make the match inexact. */
function readNets(values: unknown, rule: PolicyRule): { v4: Cidr[]; written: number; unreadable: boolean } {
  const list = asArray(values);
  const v4: Cidr[] = [];
  let unreadable = false;
  for (const value of list) {
    const text = String(value);
    const cidr = netOf(text);
    if (cidr) v4.push(cidr);
    else if (!text.includes(":")) unreadable = true;
  }
  if (unreadable) rule.exact = false;
  return { v4, written: list.length, unreadable };
}

function setPeerNets(rule: PolicyRule, values: unknown): void {
  if (values === undefined) return;
  const { v4, written, unreadable } = readNets(values, rule);
  if (written === 0 || unreadable) return;
  if (v4.length === 0) rule.never = true;
  rule.nets = [...(rule.nets ?? []), ...v4];
}

function setPorts(rule: PolicyRule, values: unknown, which: "ports" | "notPorts"): void {
  const list = asArray(values);
  if (list.length === 0) return;
  const ranges: PortRange[] = [];
  let unknown = false;
  for (const value of list) {
    const port = parseCalicoPort(value);
    if ("range" in port) ranges.push(port.range);
    else unknown = true;
  }
  if (which === "ports") {
    rule.ports = ranges;
    rule.unknownPorts = unknown;
  } else {
    rule.notPorts = ranges;
    rule.unknownNotPorts = unknown;
  }
}

function readProtocol(value: unknown, rule: PolicyRule): number | undefined {
  if (value === undefined) return undefined;
  const number = protocolNumber(value);
  if (number === undefined) rule.exact = false;
  return number;
}

// ---------------------------------------------------------------- Calico

const CALICO_ACTIONS: Action[] = ["Allow", "Deny", "Pass", "Log"];
const CALICO_RULE_KEYS = new Set([
  "action",
  "protocol",
  "notProtocol",
  "icmp",
  "notICMP",
  "ipVersion",
  "source",
  "destination",
  "metadata",
]);
const ENTITY_SELECTORS = ["selector", "notSelector", "namespaceSelector", "serviceAccounts", "services"];

function calicoAction(resource: PolicyResource, value: unknown): Action | undefined {
  if (typeof value !== "string") return undefined;
  // projectcalico.org/v3 validates actions exactly; crd.projectcalico.org/v1 (libcalico) lowercases them.
  return isCrdGroup(resource)
    ? CALICO_ACTIONS.find((a) => a.toLowerCase() === value.toLowerCase())
    : CALICO_ACTIONS.find((a) => a === value);
}

function calicoRule(resource: PolicyResource, raw: unknown, path: string, direction: Direction): PolicyRule {
  const spec = asObject(raw);
  const action = calicoAction(resource, spec.action);
  // An action Calico would not accept is judged as the widest: it may allow.
  const rule = emptyRule(path, action ?? "Allow");
  if (action === undefined) rule.exact = false;
  if (Object.keys(spec).some((key) => !CALICO_RULE_KEYS.has(key))) rule.exact = false;
  if (spec.ipVersion === 6) rule.never = true;
  const protocol = readProtocol(spec.protocol, rule);
  if (protocol !== undefined) rule.protocols = [protocol];
  const notProtocol = readProtocol(spec.notProtocol, rule);
  if (notProtocol !== undefined) rule.notProtocols = [notProtocol];
  // ICMP type/code tests match part of ICMP only.
  if (spec.icmp !== undefined || spec.notICMP !== undefined) rule.exact = false;
  const source = asObject(spec.source);
  const destination = asObject(spec.destination);
  const peer = direction === "Egress" ? destination : source;
  const own = direction === "Egress" ? source : destination;
  setPeerNets(rule, peer.nets);
  rule.notNets = readNets(peer.notNets, rule).v4;
  if (ENTITY_SELECTORS.some((field) => peer[field] !== undefined)) rule.exact = false;
  setPorts(rule, destination.ports, "ports");
  setPorts(rule, destination.notPorts, "notPorts");
  // The endpoint's own side (and source ports) are not modelled: such a rule may match, never must.
  const ownKeys = Object.keys(own).filter((key) => direction === "Egress" || (key !== "ports" && key !== "notPorts"));
  if (ownKeys.length > 0 || source.ports !== undefined || source.notPorts !== undefined) rule.exact = false;
  return rule;
}

/** Calico: no `types` means Ingress, plus Egress when there are egress rules (Egress alone if only egress rules). */
function calicoTypes(spec: Record<string, unknown>): Set<Direction> {
  if (Array.isArray(spec.types)) return new Set(spec.types.filter((t): t is Direction => t === "Ingress" || t === "Egress"));
  const ingress = asArray(spec.ingress).length > 0;
  const egress = asArray(spec.egress).length > 0;
  return new Set<Direction>(egress ? (ingress ? ["Ingress", "Egress"] : ["Egress"]) : ["Ingress"]);
}

function calicoSelector(spec: Record<string, unknown>, field: string): SelectorField | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  const text = asString(value);
  return { path: `spec.${field}`, text, parsed: text === undefined ? { ok: false, error: "not a string" } : parseSelector(text) };
}

function policyNamespace(resource: PolicyResource): string {
  return asString(metadataOf(resource).namespace) ?? ANY_NAMESPACE;
}

function parseCalico(resource: PolicyResource, global: boolean): NetworkPolicy {
  const spec = asObject(resource.inputs.spec);
  const tier = asString(spec.tier);
  const rules = (direction: Direction) =>
    asArray(spec[direction.toLowerCase()]).map((raw, i) => calicoRule(resource, raw, `spec.${direction.toLowerCase()}[${i}]`, direction));
  return {
    resource,
    who: describe(resource, !global),
    family: "calico",
    sortKey: `${objectName(resource)}/${global ? "" : policyNamespace(resource)}/${global ? "GlobalNetworkPolicy" : "NetworkPolicy"}`,
    namespace: global ? undefined : policyNamespace(resource),
    tier: tier === undefined || tier === "" ? DEFAULT_TIER : tier,
    order: numberOrInfinity(spec.order),
    selector: calicoSelector(spec, "selector") ?? { path: "spec.selector", text: undefined, parsed: parseSelector(undefined) },
    namespaceSelector: global ? calicoSelector(spec, "namespaceSelector") : undefined,
    serviceAccountSelector: calicoSelector(spec, "serviceAccountSelector"),
    types: calicoTypes(spec),
    rules: { Ingress: rules("Ingress"), Egress: rules("Egress") },
    hostOnly: global && (spec.doNotTrack === true || spec.preDNAT === true),
  };
}

// ---------------------------------------------------------------- Kubernetes

function kubernetesRules(spec: Record<string, unknown>, direction: Direction): PolicyRule[] {
  const field = direction === "Egress" ? "to" : "from";
  return asArray(spec[direction.toLowerCase()]).flatMap((raw, i) => {
    const rule = asObject(raw);
    const base = `spec.${direction.toLowerCase()}[${i}]`;
    const peers = asArray(rule[field]);
    // An empty or missing peer list matches every peer; an empty ports list every port.
    const peerRules: PolicyRule[] =
      peers.length === 0
        ? [emptyRule(base, "Allow")]
        : peers.map((rawPeer, j) => {
            const peer = asObject(rawPeer);
            const out = emptyRule(`${base}.${field}[${j}]`, "Allow");
            if (isObject(peer.ipBlock)) {
              setPeerNets(out, [peer.ipBlock.cidr]);
              out.notNets = readNets(peer.ipBlock.except, out).v4;
            }
            if (peer.podSelector !== undefined || peer.namespaceSelector !== undefined || !isObject(peer.ipBlock)) out.exact = false;
            return out;
          });
    const ports = asArray(rule.ports);
    if (ports.length === 0) return peerRules;
    return peerRules.flatMap((peerRule) =>
      ports.map((rawPort, k) => {
        const port = asObject(rawPort);
        const out: PolicyRule = { ...peerRule, path: `${peerRule.path} ports[${k}]` };
        const protocol = readProtocol(port.protocol ?? "TCP", out);
        if (protocol !== undefined) out.protocols = [protocol];
        if (port.port === undefined) out.ports = [{ from: 0, to: 65535 }];
        else {
          const parsed = parseKubernetesPort(port.port, port.endPort);
          if ("range" in parsed) out.ports = [parsed.range];
          else {
            out.ports = [];
            out.unknownPorts = true;
          }
        }
        return out;
      }),
    );
  });
}

function parseKubernetes(resource: PolicyResource): NetworkPolicy {
  const spec = asObject(resource.inputs.spec);
  const egress = asArray(spec.egress);
  const types = Array.isArray(spec.policyTypes)
    ? new Set(spec.policyTypes.filter((t): t is Direction => t === "Ingress" || t === "Egress"))
    : new Set<Direction>(egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]);
  const name = objectName(resource);
  return {
    resource,
    who: describe(resource, true),
    family: "kubernetes",
    // v3.32 keeps the Kubernetes name (no knp.default. prefix): libcalico-go conversion.go K8sNetworkPolicyToCalico.
    sortKey: `${name}/${policyNamespace(resource)}/KubernetesNetworkPolicy`,
    namespace: policyNamespace(resource),
    tier: DEFAULT_TIER,
    order: KUBERNETES_POLICY_ORDER,
    selector: { path: "spec.podSelector", text: JSON.stringify(spec.podSelector ?? {}), parsed: parseLabelSelector(spec.podSelector) },
    types,
    rules: { Ingress: kubernetesRules(spec, "Ingress"), Egress: kubernetesRules(spec, "Egress") },
    hostOnly: false,
  };
}

// ---------------------------------------------------------------- policy.networking.k8s.io

const ADMIN_ACTIONS: Record<string, Action> = { allow: "Allow", accept: "Allow", deny: "Deny", pass: "Pass" };

/** ClusterNetworkPolicy `protocols` (v1alpha2) or AdminNetworkPolicy `ports` (v1alpha1) as (protocol, ports) pairs. */
function adminPorts(rule: Record<string, unknown>, template: PolicyRule): PolicyRule[] {
  const entries = [...asArray(rule.protocols), ...asArray(rule.ports)];
  if (entries.length === 0) return [template];
  return entries.map((raw, k) => {
    const entry = asObject(raw);
    const out: PolicyRule = { ...template, path: `${template.path} ports[${k}]` };
    const set = (protocol: unknown, range: PortRange | undefined) => {
      const number = readProtocol(protocol, out);
      if (number !== undefined) out.protocols = [number];
      if (range) out.ports = [range];
    };
    const portOf = (value: unknown): PortRange | undefined => {
      const port = asObject(value);
      if (typeof port.number === "number") return { from: port.number, to: port.number };
      const range = asObject(port.range);
      if (typeof range.start === "number" && typeof range.end === "number") return { from: range.start, to: range.end };
      return undefined;
    };
    const cnp = ["tcp", "udp", "sctp"].find((p) => isObject(entry[p]));
    if (cnp) set(cnp.toUpperCase(), portOf(asObject(entry[cnp]).destinationPort));
    else if (isObject(entry.portNumber)) {
      const port = asObject(entry.portNumber);
      set(port.protocol ?? "TCP", typeof port.port === "number" ? { from: port.port, to: port.port } : undefined);
    } else if (isObject(entry.portRange)) {
      const range = asObject(entry.portRange);
      set(
        range.protocol ?? "TCP",
        typeof range.start === "number" && typeof range.end === "number" ? { from: range.start, to: range.end } : undefined,
      );
    } else {
      // A named port (destinationNamedPort / namedPort) or an entry this model cannot read.
      out.ports = [];
      out.unknownPorts = true;
    }
    return out;
  });
}

function adminRules(spec: Record<string, unknown>, direction: Direction, enforced: boolean): PolicyRule[] {
  const field = direction === "Egress" ? "to" : "from";
  return asArray(spec[direction.toLowerCase()]).flatMap((raw, i) => {
    const rule = asObject(raw);
    const base = `spec.${direction.toLowerCase()}[${i}]`;
    const action = ADMIN_ACTIONS[(asString(rule.action) ?? "").toLowerCase()];
    const peers = asArray(rule[field]);
    const peerRules = (peers.length === 0 ? [{}] : peers).map((rawPeer, j) => {
      const peer = asObject(rawPeer);
      const out = emptyRule(peers.length === 0 ? base : `${base}.${field}[${j}]`, action ?? "Allow");
      if (action === undefined || !enforced) out.exact = false;
      if (peer.networks !== undefined) setPeerNets(out, peer.networks);
      // Namespaces, pods, nodes and domain names are peers whose addresses this model does not know.
      if (Object.keys(peer).some((key) => key !== "networks") || peer.networks === undefined) out.exact = false;
      return out;
    });
    return peerRules.flatMap((template) => adminPorts(rule, template));
  });
}

function parseAdmin(resource: PolicyResource): NetworkPolicy {
  const spec = asObject(resource.inputs.spec);
  const kind = resource.type.split(":").pop();
  const subject = asObject(spec.subject);
  // Calico v3.32.1 converts ClusterNetworkPolicy (v1alpha2) into the kube-admin / kube-baseline
  // tiers with order = priority (libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go).
  // It no longer reads the v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy: they are
  // placed where they would act, their allows count, their denies never do.
  const enforced = kind === "ClusterNetworkPolicy";
  const baseline = kind === "BaselineAdminNetworkPolicy" || (enforced && spec.tier === "Baseline");
  let namespaceSelector: SelectorField | undefined;
  let selector: SelectorField = { path: "spec.subject", text: undefined, parsed: parseSelector(undefined) };
  if (isObject(subject.namespaces)) {
    namespaceSelector = {
      path: "spec.subject.namespaces",
      text: JSON.stringify(subject.namespaces),
      parsed: parseLabelSelector(subject.namespaces),
    };
  } else if (isObject(subject.pods)) {
    const pods = asObject(subject.pods);
    namespaceSelector = {
      path: "spec.subject.pods.namespaceSelector",
      text: JSON.stringify(pods.namespaceSelector ?? {}),
      parsed: parseLabelSelector(pods.namespaceSelector),
    };
    selector = {
      path: "spec.subject.pods.podSelector",
      text: JSON.stringify(pods.podSelector ?? {}),
      parsed: parseLabelSelector(pods.podSelector),
    };
  } else {
    selector = {
      path: "spec.subject",
      text: JSON.stringify(spec.subject),
      parsed: { ok: false, error: "the subject names neither namespaces nor pods" },
    };
  }
  const rules = { Ingress: adminRules(spec, "Ingress", enforced), Egress: adminRules(spec, "Egress", enforced) };
  return {
    resource,
    who: describe(resource, false),
    family: enforced ? "cluster" : "admin",
    sortKey: `${objectName(resource)}//${enforced ? "KubernetesClusterNetworkPolicy" : resource.type.split(":").pop()}`,
    tier: enforced ? (baseline ? KUBE_BASELINE_TIER : KUBE_ADMIN_TIER) : baseline ? BASELINE_ADMIN_V1ALPHA1_TIER : ADMIN_V1ALPHA1_TIER,
    order: typeof spec.priority === "number" ? spec.priority : baseline ? 0 : Infinity,
    selector,
    namespaceSelector,
    // The admin tiers default to Pass, so a direction is only governed where it has rules.
    types: new Set(DIRECTIONS.filter((d) => rules[d].length > 0)),
    rules,
    hostOnly: false,
  };
}

export function parseNetworkPolicy(resource: PolicyResource): NetworkPolicy {
  if (resource.type === KUBERNETES_POLICY) return parseKubernetes(resource);
  if (isAdminNetworkPolicy(resource)) return parseAdmin(resource);
  return parseCalico(resource, CALICO_GLOBAL.includes(resource.type));
}

/** The rule as written (the `spec.<direction>[i]` entry a compiled rule comes from), for messages. */
export function writtenRule(policy: NetworkPolicy, rule: PolicyRule): unknown {
  const match = /^spec\.(ingress|egress)\[(\d+)\]/.exec(rule.path);
  return match ? asArray(asObject(policy.resource.inputs.spec)[match[1]])[Number(match[2])] : undefined;
}
