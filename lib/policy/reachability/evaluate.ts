/**
 * Calico's verdict for every flow of one endpoint and direction, as Felix renders it
 * (projectcalico/calico@v3.32.1 felix/rules/endpoints.go): tiers in order, a tier only where one
 * of its policies applies to the endpoint in that direction; in a tier, policies by order and
 * name and their rules in order, the first matching Allow / Deny / Pass deciding (Log goes on);
 * a tier that no rule decides ends in its defaultAction (Pass goes to the next tier); past the
 * last tier, the endpoint's profiles, whose namespace profile allows everything.
 *
 * The flow space is cut at every edge the rules name, so each cell is decided as a whole. Where a
 * rule or a selection is only possible ("maybe"), both outcomes are followed and the flow counts
 * as allowed if either allows: the result is an upper bound of what Calico lets through.
 */
import type { Direction, NetworkPolicy, PolicyRule, Tier } from "../network-policy";
import type { Tri } from "../selector";
import { BASE_PROTOCOLS, MAX_ADDRESS, MAX_PORT, OTHER_PROTOCOL, PORT_PROTOCOLS, type Box } from "./flows";

/** A policy that applies to the endpoint, with how sure its selection is. */
export interface Applied {
  policy: NetworkPolicy;
  selected: Tri;
}

export interface TierRun {
  tier: Tier;
  /** The tier's policies that apply, in Calico's order. */
  applied: Applied[];
  /** A default deny is assumed to apply here (a registered tenant's own, for a stand-in endpoint). */
  assumedDeny?: boolean;
}

/** Why a flow is allowed: a rule, or the profile at the end (after no policy, or a Pass). */
export type Reason = { policy: NetworkPolicy; rule: PolicyRule } | { profile: string };

export interface AllowedBox {
  box: Box;
  reason: Reason;
}

interface Cell {
  protocol: number;
  address: bigint;
  port?: number;
}

function and(a: Tri, b: Tri): Tri {
  return a === "no" || b === "no" ? "no" : a === "yes" && b === "yes" ? "yes" : "maybe";
}

function inRanges(port: number, ranges: { from: number; to: number }[]): boolean {
  return ranges.some((r) => r.from <= port && port <= r.to);
}

function inNets(address: bigint, nets: { start: bigint; end: bigint }[]): boolean {
  return nets.some((n) => n.start <= address && address <= n.end);
}

/** A port that stands for "some port": port tests pass, so only address and protocol decide. */
const ANY_PORT = -1;

/** Whether a rule matches every packet of a cell ("yes"), none ("no"), or may. */
export function ruleMatches(rule: PolicyRule, cell: Cell): Tri {
  if (rule.never) return "no";
  if (rule.protocols && !rule.protocols.includes(cell.protocol)) return "no";
  if (rule.notProtocols.includes(cell.protocol)) return "no";
  let sure = rule.exact;
  if (rule.ports !== undefined || rule.unknownPorts) {
    if (cell.port === undefined) return "no";
    if (cell.port !== ANY_PORT && !inRanges(cell.port, rule.ports ?? [])) {
      if (!rule.unknownPorts) return "no";
      sure = false;
    }
  }
  if (rule.notPorts.length > 0 || rule.unknownNotPorts) {
    if (cell.port === undefined) return "no";
    if (cell.port !== ANY_PORT && inRanges(cell.port, rule.notPorts)) return "no";
    if (rule.unknownNotPorts) sure = false;
  }
  if (rule.nets && !inNets(cell.address, rule.nets)) return "no";
  if (inNets(cell.address, rule.notNets)) return "no";
  return sure ? "yes" : "maybe";
}

function sortedUnique<T extends number | bigint>(values: Iterable<T>): T[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The cells of the flow space cut at the rules' edges. */
function cuts(rules: PolicyRule[]): { addresses: bigint[]; ports: number[]; protocols: number[] } {
  const addresses = [0n];
  const ports = [0];
  const protocols = [...BASE_PROTOCOLS, OTHER_PROTOCOL];
  for (const rule of rules) {
    for (const net of [...(rule.nets ?? []), ...rule.notNets]) {
      addresses.push(net.start);
      if (net.end < MAX_ADDRESS) addresses.push(net.end + 1n);
    }
    for (const range of [...(rule.ports ?? []), ...rule.notPorts]) {
      ports.push(Math.max(0, range.from));
      if (range.to < MAX_PORT) ports.push(range.to + 1);
    }
    protocols.push(...(rule.protocols ?? []), ...rule.notProtocols);
  }
  return { addresses: sortedUnique(addresses), ports: sortedUnique(ports), protocols: sortedUnique(protocols) };
}

type Outcome = { allow: false } | { allow: true; reason: Reason };
const DENY: Outcome = { allow: false };

/**
 * The allowed part of the flow space for one endpoint and direction. `end` is what happens past
 * the last tier: the namespace profile's allow, or (for a hypothetical endpoint, whose own
 * stack's default deny is judged there) a deny.
 */
export function evaluateDirection(tiers: TierRun[], direction: Direction, end: "profile" | "deny"): AllowedBox[] {
  const flat = tiers.map((run) => ({
    // Each rule's Allow outcome is made once, so equal outcomes are the same object.
    rules: run.applied.flatMap((applied) =>
      applied.policy.rules[direction].map((rule) => ({
        applied,
        rule,
        allow: { allow: true, reason: { policy: applied.policy, rule } } as Outcome,
      })),
    ),
    // A tier ends in its defaultAction only where one of its policies surely applies.
    ends: run.assumedDeny || run.applied.some((a) => a.selected === "yes") ? run.tier.defaultAction : "Pass",
  }));
  const profile: Outcome = end === "deny" ? DENY : { allow: true, reason: { profile: profileWhy(tiers) } };
  const { addresses, ports, protocols } = cuts(flat.flatMap((t) => t.rules.map((r) => r.rule)));
  const portCells = ports.map((lo, j): [number, number] => [lo, j + 1 < ports.length ? ports[j + 1] - 1 : MAX_PORT]);
  const out: AllowedBox[] = [];
  const memo: (Outcome | undefined)[] = new Array(flat.length + 1);
  const cell: Cell = { protocol: 0, address: 0n };
  let live: (typeof flat)[number]["rules"][] = [];
  const from = (t: number): Outcome => {
    const known = memo[t];
    if (known) return known;
    let result: Outcome | undefined;
    if (t === flat.length) result = profile;
    else {
      for (const { applied, rule, allow } of live[t]) {
        const match = and(ruleMatches(rule, cell), applied.selected);
        if (match === "no" || rule.action === "Log") continue;
        const outcome = rule.action === "Allow" ? allow : rule.action === "Pass" ? from(t + 1) : DENY;
        if (match === "yes" || outcome.allow) {
          result = outcome;
          break;
        }
      }
      result ??= flat[t].ends === "Deny" ? DENY : from(t + 1);
    }
    memo[t] = result;
    return result;
  };
  addresses.forEach((start, i) => {
    const endAddress = i + 1 < addresses.length ? addresses[i + 1] - 1n : MAX_ADDRESS;
    cell.address = start;
    for (const protocol of protocols) {
      const hasPorts = PORT_PROTOCOLS.has(protocol);
      cell.protocol = protocol;
      // Rules that can match this address and protocol at all; only their ports remain to test.
      cell.port = hasPorts ? ANY_PORT : undefined;
      live = flat.map((t) => t.rules.filter(({ rule }) => ruleMatches(rule, cell) !== "no"));
      let open: { outcome: Outcome & { allow: true }; ports?: [number, number] } | undefined;
      const flush = () => {
        if (open)
          out.push({
            box: { protocol, start, end: endAddress, ...(open.ports ? { ports: open.ports } : {}) },
            reason: open.outcome.reason,
          });
        open = undefined;
      };
      for (const range of hasPorts ? portCells : [undefined]) {
        memo.fill(undefined);
        cell.port = range?.[0];
        const outcome = from(0);
        // Adjacent port cells allowed by the same rule make one box.
        if (open && outcome === open.outcome && range && open.ports) open.ports = [open.ports[0], range[1]];
        else {
          flush();
          if (outcome.allow) open = { outcome, ports: range && [range[0], range[1]] };
        }
      }
      flush();
    }
  });
  return out;
}

function profileWhy(tiers: TierRun[]): string {
  if (tiers.length === 0) return "selected by no network policy in this direction, so the namespace profile allows it";
  const tiersText = tiers.map(
    (t) => `${t.tier.name}: ${t.applied.map((a) => `${a.policy.who}${a.selected === "yes" ? "" : " (may select)"}`).join(", ")}`,
  );
  return `no rule or tier end denies it (${tiersText.join("; ")}), so the namespace profile allows it`;
}
