/**
 * A deliberately simple second evaluator of underlay policy: it decides ONE packet of ONE
 * endpoint by walking the policies the way Felix programs them, so the set model
 * (lib/policy/reachability) can be checked against it packet by packet.
 *
 * The walk (projectcalico/calico@v3.32.1 felix/rules/endpoints.go, the tier loop of the
 * endpoint chain):
 * - tiers in order (felix/calc/policy_sorter.go TierLess: by `order`, unset last, ties by name);
 *   a tier counts only when one of its non-staged policies selects the endpoint for this direction;
 * - its policies by `order` (unset = +Inf), ties by "name/namespace/kind" (PolKVLess);
 * - each policy's rules in order: Allow and Deny decide, Pass skips the rest of the tier, Log
 *   goes on to the next rule;
 * - when no rule decided or passed, the tier's defaultAction: Deny drops, Pass goes on;
 * - after the last tier (or with no tier at all) the profiles run: a pod's kns.<namespace>
 *   profile allows everything (libcalico-go conversion NamespaceToProfile), so what passes every
 *   tier, or meets none, is allowed.
 */
import type { Cidr } from "../../../lib/cidr";
import { ipToBigInt } from "../../../lib/cidr";
import type { PolicyResource } from "../../../lib/policy/resource";
import {
  protocolNumber,
  readPolicies,
  type AdminPolicySemantics,
  type Direction,
  type Endpoint,
  type OraclePolicy,
  type OracleRule,
  type OracleTier,
  type PortRange,
} from "./policies";

export type { AdminPolicySemantics, Direction, Endpoint } from "./policies";

/** One packet as the endpoint sends (egress) or receives (ingress) it. */
export interface Packet {
  /** The remote address: destination for egress, source for ingress. */
  address: string;
  /** A name or an IANA number (47 = GRE stands for "a protocol with no ports"). */
  protocol: "TCP" | "UDP" | "SCTP" | "ICMP" | number;
  /** The destination port, for TCP, UDP and SCTP. */
  port?: number;
}

export interface Decision {
  verdict: "allow" | "deny";
  /** What decided it, for counterexamples: `tier/policy rule N`, `tier end`, or `profile`. */
  by: string;
}

const inNets = (list: Cidr[], address: bigint): boolean => list.some((net) => net.start <= address && address <= net.end);
const inPorts = (list: PortRange[], port: number | undefined): boolean =>
  port !== undefined && list.some(({ lo, hi }) => lo <= port && port <= hi);

function ruleMatches(rule: OracleRule, packet: Packet, address: bigint): boolean {
  const protocol = protocolNumber(packet.protocol);
  if (rule.protocol !== undefined && rule.protocol !== protocol) return false;
  if (rule.notProtocol !== undefined && rule.notProtocol === protocol) return false;
  if (rule.nets && !inNets(rule.nets, address)) return false;
  if (rule.notNets && inNets(rule.notNets, address)) return false;
  if (rule.ports && !inPorts(rule.ports, packet.port)) return false;
  if (rule.notPorts && inPorts(rule.notPorts, packet.port)) return false;
  return true;
}

function tierLess(a: OracleTier, b: OracleTier): number {
  if (a.order === undefined && b.order !== undefined) return 1;
  if (a.order !== undefined && b.order === undefined) return -1;
  if (a.order === b.order) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return a.order! - b.order!;
}

const policyKey = (policy: OraclePolicy): string => `${policy.name}/${policy.namespace}/${policy.kind}`;

function policyLess(a: OraclePolicy, b: OraclePolicy): number {
  if (a.order === b.order) return policyKey(a) < policyKey(b) ? -1 : policyKey(a) > policyKey(b) ? 1 : 0;
  return a.order < b.order ? -1 : 1;
}

export interface DecideOptions {
  adminPolicies: AdminPolicySemantics;
}

export type Decider = (endpoint: Endpoint, direction: Direction, packet: Packet) => Decision;

/** Reads every policy object in `resources` once; the result decides packets of any endpoint. */
export function decider(resources: PolicyResource[], options: DecideOptions): Decider {
  const { tiers, policies } = readPolicies(resources, options.adminPolicies);
  const orderedTiers = [...tiers.values()].sort(tierLess);
  const sorted = [...policies].sort(policyLess);
  // Selection does not depend on the packet: computed once per endpoint and direction.
  const selected = new WeakMap<Endpoint, Partial<Record<Direction, OraclePolicy[]>>>();
  const applyingTo = (endpoint: Endpoint, direction: Direction): OraclePolicy[] => {
    const byDirection = selected.get(endpoint) ?? {};
    selected.set(endpoint, byDirection);
    return (byDirection[direction] ??= sorted.filter((policy) => policy.types.has(direction) && policy.selects(endpoint)));
  };
  const addresses = new Map<string, bigint>();
  return (endpoint, direction, packet) => {
    const applying = applyingTo(endpoint, direction);
    let address = addresses.get(packet.address);
    if (address === undefined) addresses.set(packet.address, (address = ipToBigInt(packet.address)));
    for (const tier of orderedTiers) {
      const inTier = applying.filter((policy) => policy.tier === tier.name);
      if (inTier.length === 0) continue;
      let passed = false;
      for (const policy of inTier) {
        const index = policy.rules[direction].findIndex((rule) => rule.action !== "Log" && ruleMatches(rule, packet, address));
        if (index < 0) continue;
        const { action } = policy.rules[direction][index];
        const by = `${tier.name}/${policyKey(policy)} ${direction}[${index}]`;
        if (action === "Allow") return { verdict: "allow", by };
        if (action === "Deny") return { verdict: "deny", by };
        passed = true;
        break;
      }
      if (!passed && tier.defaultAction === "Deny") return { verdict: "deny", by: `end of tier ${tier.name}` };
    }
    return { verdict: "allow", by: `profile kns.${endpoint.namespace}` };
  };
}

/** Allow or deny one packet of `endpoint` in `direction`, given every policy object in `resources`. */
export function decide(
  resources: PolicyResource[],
  endpoint: Endpoint,
  direction: Direction,
  packet: Packet,
  options: DecideOptions,
): Decision {
  return decider(resources, options)(endpoint, direction, packet);
}
