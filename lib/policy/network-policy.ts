/**
 * Calico (projectcalico.org/v3, crd.projectcalico.org/v1; namespaced and global) and Kubernetes
 * NetworkPolicies reduced to what the underlay rules judge: whom a policy selects, its effective
 * types, and each egress rule that opens something (Allow, or Pass: in the last tier it falls
 * through to the profile, which allows) with the key path of every field.
 */
import type { Cidr } from "../cidr";
import { asArray, asObject, asString, describe, isObject, objectName, objectNamespace } from "./k8s";
import { parseLabelSelector } from "./label-selector";
import { netOf } from "./net-cache";
import { normalizeProtocol, parseCalicoPort, parseKubernetesPort, type PolicyPort } from "./ports";
import { parseSelector, type ParsedSelector } from "./selector";
import type { PolicyResource } from "./resource";
import { CALICO_CRD_V1, KINDS } from "../k8s/kinds";

const CALICO_NAMESPACED = [KINDS.calicoNetworkPolicy.type, KINDS.calicoCrdNetworkPolicy.type];
const CALICO_GLOBAL = [KINDS.calicoGlobalNetworkPolicy.type, KINDS.calicoCrdGlobalNetworkPolicy.type];
const KUBERNETES_POLICY = KINDS.kubernetesNetworkPolicy.type;
/** Calico's storage group (crd.projectcalico.org/v1), whose enums libcalico reads case-insensitively. */
const isCrdGroup = (resource: PolicyResource) => resource.type.startsWith(`kubernetes:${CALICO_CRD_V1}:`);

export function isNetworkPolicy(resource: PolicyResource): boolean {
  return [...CALICO_NAMESPACED, ...CALICO_GLOBAL, KUBERNETES_POLICY].includes(resource.type);
}

export interface SelectorField {
  path: string;
  text: string | undefined;
  parsed: ParsedSelector;
}

export interface NetEntry {
  path: string;
  text: string;
  /** Undefined when the text is not an IPv4 net. */
  cidr?: Cidr;
  /** Kubernetes ipBlock.except: addresses carved out of this net. */
  except: Cidr[];
}

export interface PortEntry {
  path: string;
  value: unknown;
  port: PolicyPort;
  /** Undefined when the rule names no protocol. */
  protocol?: string;
}

/** A field that widens or sidesteps explicit nets/ports (notNets, selectors, notPorts, ...). */
export interface Widening {
  path: string;
  value: unknown;
}

export interface EgressAllow {
  path: string;
  /** The action as written (Allow or Pass, any case for crd.projectcalico.org/v1). */
  action: string;
  /** Undefined: no destination nets, i.e. every address (unless endpoint selectors narrow it). */
  nets?: NetEntry[];
  notNets: NetEntry[];
  /** Destination chosen by endpoint selectors/services instead of nets. */
  endpointSelectors: Widening[];
  /** Undefined: every port. */
  ports?: PortEntry[];
  notPorts: PortEntry[];
  notProtocol?: Widening;
  /** Where the destination nets, the ports and the protocol are (or would be) written. */
  netsPath: string;
  portsPath: string;
  protocolPath: string;
  /** Destination nets and ports as written, for messages. */
  written: { nets: unknown; ports: unknown };
}

export interface NetworkPolicy {
  resource: PolicyResource;
  who: string;
  /** Undefined for a GlobalNetworkPolicy. */
  namespace?: string;
  selector: SelectorField;
  /** GlobalNetworkPolicy only. */
  namespaceSelector?: SelectorField;
  serviceAccountSelector?: SelectorField;
  types: Set<string>;
  egressAllows: EgressAllow[];
  /** Calico `spec.tier` when not the default tier. */
  tier?: string;
  /**
   * A GlobalNetworkPolicy with `doNotTrack` or `preDNAT`: Calico applies it to host endpoints
   * only, so it neither selects nor denies for a VM's workload endpoint.
   */
  hostOnly: boolean;
}

/** Calico actions that let traffic on (Pass falls through to later tiers, finally the allowing profile). */
const OPENING_ACTIONS = ["Allow", "Pass"];

/** projectcalico.org/v3 validates actions exactly; crd.projectcalico.org/v1 (libcalico) lowercases them. */
function calicoOpens(resource: PolicyResource, action: unknown): action is string {
  if (typeof action !== "string") return false;
  if (isCrdGroup(resource)) return OPENING_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase());
  return OPENING_ACTIONS.includes(action);
}

function calicoSelector(spec: Record<string, unknown>, field: string): SelectorField | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  const text = asString(value);
  return { path: `spec.${field}`, text, parsed: text === undefined ? { ok: false, error: "not a string" } : parseSelector(text) };
}

function nets(values: unknown, path: string): NetEntry[] {
  return asArray(values).map((value, i) => {
    const text = String(value);
    return { path: `${path}[${i}]`, text, cidr: netOf(text), except: [] };
  });
}

function calicoEgress(rule: Record<string, unknown>, path: string, action: string): EgressAllow {
  const destination = asObject(rule.destination);
  const protocol = normalizeProtocol(rule.protocol);
  const ports = (field: string) =>
    asArray(destination[field]).map((value, i): PortEntry => ({
      path: `${path}.destination.${field}[${i}]`,
      value,
      port: parseCalicoPort(value),
      protocol,
    }));
  const endpointSelectors = ["selector", "notSelector", "namespaceSelector", "serviceAccounts", "services"]
    .filter((field) => destination[field] !== undefined)
    .map((field) => ({ path: `${path}.destination.${field}`, value: destination[field] }));
  return {
    path,
    action,
    nets: destination.nets === undefined ? undefined : nets(destination.nets, `${path}.destination.nets`),
    notNets: nets(destination.notNets, `${path}.destination.notNets`),
    endpointSelectors,
    // An empty `ports` list matches every port, like a missing one.
    ports: asArray(destination.ports).length === 0 ? undefined : ports("ports"),
    notPorts: ports("notPorts"),
    notProtocol: rule.notProtocol === undefined ? undefined : { path: `${path}.notProtocol`, value: rule.notProtocol },
    netsPath: `${path}.destination.nets`,
    portsPath: `${path}.destination.ports`,
    protocolPath: `${path}.protocol`,
    written: { nets: destination.nets, ports: destination.ports },
  };
}

/** Calico: no `types` means Ingress, plus Egress when there are egress rules (Egress alone if only egress rules). */
function calicoTypes(spec: Record<string, unknown>): Set<string> {
  if (Array.isArray(spec.types)) return new Set(spec.types.filter((t): t is string => typeof t === "string"));
  const ingress = asArray(spec.ingress).length > 0;
  const egress = asArray(spec.egress).length > 0;
  return new Set(egress ? (ingress ? ["Ingress", "Egress"] : ["Egress"]) : ["Ingress"]);
}

function parseCalico(resource: PolicyResource, global: boolean): NetworkPolicy {
  const spec = asObject(resource.inputs.spec);
  const egressAllows = asArray(spec.egress)
    .map((raw, i) => ({ rule: asObject(raw), path: `spec.egress[${i}]` }))
    .filter(({ rule }) => calicoOpens(resource, rule.action))
    .map(({ rule, path }) => calicoEgress(rule, path, rule.action as string));
  const tier = asString(spec.tier);
  return {
    resource,
    who: describe(resource, !global),
    namespace: global ? undefined : objectNamespace(resource),
    selector: calicoSelector(spec, "selector") ?? { path: "spec.selector", text: undefined, parsed: parseSelector(undefined) },
    namespaceSelector: global ? calicoSelector(spec, "namespaceSelector") : undefined,
    serviceAccountSelector: calicoSelector(spec, "serviceAccountSelector"),
    types: calicoTypes(spec),
    egressAllows,
    tier: tier === undefined || tier === "" || tier === "default" ? undefined : tier,
    hostOnly: global && (spec.doNotTrack === true || spec.preDNAT === true),
  };
}

function kubernetesEgress(rule: Record<string, unknown>, path: string): EgressAllow {
  const entries: NetEntry[] = [];
  const endpointSelectors: Widening[] = [];
  const peers = asArray(rule.to);
  peers.forEach((raw, i) => {
    const peer = asObject(raw);
    const peerPath = `${path}.to[${i}]`;
    if (isObject(peer.ipBlock)) {
      const [entry] = nets([peer.ipBlock.cidr], `${peerPath}.ipBlock.cidr`);
      entry.path = `${peerPath}.ipBlock.cidr`;
      entry.except = nets(peer.ipBlock.except, `${peerPath}.ipBlock.except`).flatMap((e) => (e.cidr ? [e.cidr] : []));
      entries.push(entry);
    }
    for (const field of ["podSelector", "namespaceSelector"]) {
      if (peer[field] !== undefined) endpointSelectors.push({ path: `${peerPath}.${field}`, value: peer[field] });
    }
  });
  const ports =
    rule.ports === undefined || asArray(rule.ports).length === 0
      ? undefined
      : asArray(rule.ports).map((raw, i): PortEntry => {
          const port = asObject(raw);
          return {
            path: `${path}.ports[${i}]`,
            value: raw,
            // A NetworkPolicyPort without `port` matches every port of its protocol.
            port: port.port === undefined ? { range: { from: 1, to: 65535 } } : parseKubernetesPort(port.port, port.endPort),
            protocol: normalizeProtocol(port.protocol) ?? "TCP",
          };
        });
  return {
    path,
    action: "Allow",
    // An empty or missing `to` allows every destination.
    nets: peers.length === 0 ? undefined : entries,
    notNets: [],
    endpointSelectors,
    ports,
    notPorts: [],
    netsPath: `${path}.to`,
    portsPath: `${path}.ports`,
    protocolPath: `${path}.ports`,
    written: { nets: rule.to, ports: rule.ports },
  };
}

function parseKubernetes(resource: PolicyResource): NetworkPolicy {
  const spec = asObject(resource.inputs.spec);
  const egress = asArray(spec.egress);
  const types = Array.isArray(spec.policyTypes)
    ? new Set(spec.policyTypes.filter((t): t is string => typeof t === "string"))
    : new Set(egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"]);
  return {
    resource,
    who: describe(resource, true),
    namespace: objectNamespace(resource),
    selector: { path: "spec.podSelector", text: JSON.stringify(spec.podSelector ?? {}), parsed: parseLabelSelector(spec.podSelector) },
    types,
    egressAllows: egress.map((raw, i) => kubernetesEgress(asObject(raw), `spec.egress[${i}]`)),
    hostOnly: false,
  };
}

export function parseNetworkPolicy(resource: PolicyResource): NetworkPolicy {
  if (resource.type === KUBERNETES_POLICY) return parseKubernetes(resource);
  return parseCalico(resource, CALICO_GLOBAL.includes(resource.type));
}

const CALICO_TIER_TYPES = [KINDS.calicoTier.type, KINDS.calicoCrdTier.type];

/** A Calico Tier's name and whether its end-of-tier action is Deny (unknown or Pass: not). */
export function denyTierOf(resource: PolicyResource): string | undefined {
  if (!CALICO_TIER_TYPES.includes(resource.type)) return undefined;
  const action = asObject(resource.inputs.spec).defaultAction;
  const crd = isCrdGroup(resource);
  const deny = typeof action === "string" && (crd ? action.toLowerCase() === "deny" : action === "Deny");
  return deny ? objectName(resource) : undefined;
}

/**
 * policy.networking.k8s.io AdminNetworkPolicy, BaselineAdminNetworkPolicy and
 * ClusterNetworkPolicy: cluster-scoped, judged before (or, baseline, after) namespaced policy.
 */
const ADMIN_POLICY_KINDS = ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"];
/** Actions that let traffic on or hand it past the admin tier (ClusterNetworkPolicy says Accept). */
const ADMIN_OPENING_ACTIONS = ["allow", "accept", "pass"];

export function isAdminNetworkPolicy(resource: PolicyResource): boolean {
  const [provider, group, kind] = resource.type.split(":");
  return (
    provider === "kubernetes" && group !== undefined && group.startsWith("policy.networking.k8s.io/") && ADMIN_POLICY_KINDS.includes(kind)
  );
}

export interface AdminPolicy {
  resource: PolicyResource;
  who: string;
  /** Namespace selectors of the subject (LabelSelector objects); undefined: every namespace or unreadable. */
  namespaceSelectors?: { path: string; value: unknown }[];
  /** Egress rules whose action opens (Allow/Accept/Pass), with where the action is written. */
  openingEgress: { path: string; action: string }[];
}

export function parseAdminPolicy(resource: PolicyResource): AdminPolicy {
  const spec = asObject(resource.inputs.spec);
  const subject = asObject(spec.subject);
  let namespaceSelectors: { path: string; value: unknown }[] | undefined;
  if (isObject(subject.namespaces)) namespaceSelectors = [{ path: "spec.subject.namespaces", value: subject.namespaces }];
  else if (isObject(subject.pods)) {
    const pods = asObject(subject.pods);
    // A pods subject without a namespaceSelector is unreadable here: count it as every namespace.
    namespaceSelectors = isObject(pods.namespaceSelector)
      ? [{ path: "spec.subject.pods.namespaceSelector", value: pods.namespaceSelector }]
      : undefined;
  }
  const openingEgress = asArray(spec.egress).flatMap((raw, i) => {
    const action = asObject(raw).action;
    return typeof action === "string" && ADMIN_OPENING_ACTIONS.includes(action.toLowerCase())
      ? [{ path: `spec.egress[${i}].action`, action }]
      : [];
  });
  return { resource, who: describe(resource, false), namespaceSelectors, openingEgress };
}
