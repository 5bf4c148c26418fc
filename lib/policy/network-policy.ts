/**
 * Calico (projectcalico.org/v3, crd.projectcalico.org/v1; namespaced and global) and Kubernetes
 * NetworkPolicies reduced to what the underlay rules judge: whom a policy selects, its effective
 * types, and each egress Allow rule with the key path of every field.
 */
import type { Cidr } from "../cidr";
import { asArray, asObject, asString, describe, isObject, objectNamespace } from "./k8s";
import { parseLabelSelector } from "./label-selector";
import { netOf } from "./net-cache";
import { normalizeProtocol, parseCalicoPort, parseKubernetesPort, type PolicyPort } from "./ports";
import { parseSelector, type ParsedSelector } from "./selector";
import type { PolicyResource } from "./types";

const CALICO_GROUPS = ["projectcalico.org/v3", "crd.projectcalico.org/v1"];
const CALICO_NAMESPACED = CALICO_GROUPS.map((g) => `kubernetes:${g}:NetworkPolicy`);
const CALICO_GLOBAL = CALICO_GROUPS.map((g) => `kubernetes:${g}:GlobalNetworkPolicy`);
const KUBERNETES_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

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

function calicoEgress(rule: Record<string, unknown>, path: string): EgressAllow {
  const destination = asObject(rule.destination);
  const protocol = normalizeProtocol(rule.protocol);
  const ports = (field: string) =>
    asArray(destination[field]).map((value, i): PortEntry => ({ path: `${path}.destination.${field}[${i}]`, value, port: parseCalicoPort(value), protocol }));
  const endpointSelectors = ["selector", "notSelector", "namespaceSelector", "serviceAccounts", "services"]
    .filter((field) => destination[field] !== undefined)
    .map((field) => ({ path: `${path}.destination.${field}`, value: destination[field] }));
  return {
    path,
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
    .filter(({ rule }) => rule.action === "Allow")
    .map(({ rule, path }) => calicoEgress(rule, path));
  return {
    resource,
    who: describe(resource, !global),
    namespace: global ? undefined : objectNamespace(resource),
    selector: calicoSelector(spec, "selector") ?? { path: "spec.selector", text: undefined, parsed: parseSelector(undefined) },
    namespaceSelector: global ? calicoSelector(spec, "namespaceSelector") : undefined,
    serviceAccountSelector: calicoSelector(spec, "serviceAccountSelector"),
    types: calicoTypes(spec),
    egressAllows,
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
  const ports = rule.ports === undefined || asArray(rule.ports).length === 0
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
  };
}

export function parseNetworkPolicy(resource: PolicyResource): NetworkPolicy {
  if (resource.type === KUBERNETES_POLICY) return parseKubernetes(resource);
  return parseCalico(resource, CALICO_GLOBAL.includes(resource.type));
}
