/**
 * The reachability of every underlay endpoint of a stack. Policies are indexed by scope (their
 * namespace, "any namespace", cluster-wide) and, within a scope, by one `key == 'value'` their
 * selector requires, so an endpoint only ever meets the policies that can select it: no pass
 * over (endpoint × policy). Endpoints that meet the same policies with the same certainty share
 * one evaluation.
 */
import { ANY_NAMESPACE, BUILTIN_TIERS, DEFAULT_TIER, DIRECTIONS, type Direction, type NetworkPolicy, type Tier } from "../network-policy";
import { UNKNOWN, type Tri } from "../selector";
import { endpointLookups, type EndpointLookups, type LabelFacts, type UnderlayEndpoint } from "./endpoint";
import { evaluateDirection, type Applied, type AllowedBox, type TierRun } from "./evaluate";

export interface EndpointReach {
  endpoint: UnderlayEndpoint;
  egress: AllowedBox[];
  ingress: AllowedBox[];
}

const GLOBAL_SCOPE = "\0global";

interface Bucket {
  byKey: Map<string, Map<string, NetworkPolicy[]>>;
  rest: NetworkPolicy[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function and(a: Tri, b: Tri): Tri {
  return a === "no" || b === "no" ? "no" : a === "yes" && b === "yes" ? "yes" : "maybe";
}

export class ReachabilityModel {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ids = new Map<NetworkPolicy, number>();
  private readonly shared = new Map<string, AllowedBox[]>();
  private readonly reaches = new Map<UnderlayEndpoint, EndpointReach>();

  constructor(
    policies: NetworkPolicy[],
    private readonly tiers: Map<string, Tier>,
    readonly endpoints: UnderlayEndpoint[],
    private readonly labels: LabelFacts,
  ) {
    const enforced = policies.filter((p) => !p.hostOnly);
    enforced.forEach((p, i) => this.ids.set(p, i));
    // Index each policy under the required key with the most distinct values in its scope.
    const scopeOf = (p: NetworkPolicy) => p.namespace ?? GLOBAL_SCOPE;
    const distinct = new Map<string, Map<string, Set<string>>>();
    for (const p of enforced) {
      if (!p.selector.parsed.ok) continue;
      const keys = distinct.get(scopeOf(p)) ?? new Map<string, Set<string>>();
      for (const [key, value] of p.selector.parsed.requires) keys.set(key, (keys.get(key) ?? new Set()).add(value));
      distinct.set(scopeOf(p), keys);
    }
    for (const p of enforced) {
      const scope = scopeOf(p);
      const bucket: Bucket = this.buckets.get(scope) ?? { byKey: new Map(), rest: [] };
      this.buckets.set(scope, bucket);
      const requires = p.selector.parsed.ok ? p.selector.parsed.requires : [];
      const counts = distinct.get(scope)!;
      const best = requires.reduce<[string, string] | undefined>(
        (a, r) => (a === undefined || counts.get(r[0])!.size > counts.get(a[0])!.size ? r : a),
        undefined,
      );
      if (!best) bucket.rest.push(p);
      else {
        const values = bucket.byKey.get(best[0]) ?? new Map<string, NetworkPolicy[]>();
        push(values, best[1], p);
        bucket.byKey.set(best[0], values);
      }
    }
  }

  /** Policies that may select the endpoint, from the index. */
  private candidates(endpoint: UnderlayEndpoint, lookups: EndpointLookups): NetworkPolicy[] {
    const out: NetworkPolicy[] = [];
    for (const scope of [endpoint.namespace, ANY_NAMESPACE, GLOBAL_SCOPE]) {
      const bucket = this.buckets.get(scope);
      if (!bucket) continue;
      out.push(...bucket.rest);
      for (const [key, values] of bucket.byKey) {
        const value = lookups.pod(key);
        if (value === UNKNOWN) for (const list of values.values()) out.push(...list);
        else if (value !== undefined) out.push(...(values.get(value) ?? []));
      }
    }
    return out;
  }

  /** How surely a policy selects the endpoint. */
  private selection(policy: NetworkPolicy, endpoint: UnderlayEndpoint, lookups: EndpointLookups): Tri {
    let tri: Tri =
      policy.namespace === undefined || policy.namespace === endpoint.namespace
        ? "yes"
        : policy.namespace === ANY_NAMESPACE
          ? "maybe"
          : "no";
    // An unreadable selector may select anything (its allows count, its default deny does not).
    const fields: [typeof policy.selector | undefined, keyof EndpointLookups][] = [
      [policy.selector, "pod"],
      [policy.namespaceSelector, "namespace"],
      [policy.serviceAccountSelector, "serviceAccount"],
    ];
    for (const [field, lookup] of fields) {
      if (tri === "no" || !field) continue;
      tri = and(tri, field.parsed.ok ? field.parsed.evaluate(lookups[lookup]) : "maybe");
    }
    // A policy Calico may not enforce (v1alpha1 admin policies) or in a tier whose place is unknown.
    if (policy.family === "admin" || !this.tierOf(policy)) tri = and(tri, "maybe");
    return tri;
  }

  /** The declared or built-in tier; undefined when the stack does not say where it is. */
  private tierOf(policy: Pick<NetworkPolicy, "tier">): Tier | undefined {
    const declared = this.tiers.get(policy.tier);
    if (declared) return declared;
    const builtin = BUILTIN_TIERS[policy.tier];
    return builtin ? { name: policy.tier, ...builtin, who: `built-in tier ${policy.tier}` } : undefined;
  }

  /** The tiers Calico runs for the endpoint in a direction. */
  tierRuns(endpoint: UnderlayEndpoint, direction: Direction): TierRun[] {
    const lookups = endpointLookups(endpoint, this.labels);
    const byTier = new Map<string, { tier: Tier; applied: Applied[] }>();
    for (const policy of this.candidates(endpoint, lookups)) {
      if (!policy.types.has(direction)) continue;
      const selected = this.selection(policy, endpoint, lookups);
      if (selected === "no") continue;
      // A tier the stack does not declare may sit anywhere: put it first, where its allows count most.
      const tier = this.tierOf(policy) ?? {
        name: policy.tier,
        order: -Infinity,
        defaultAction: "Pass" as const,
        who: `undeclared tier ${policy.tier}`,
      };
      const run = byTier.get(tier.name) ?? { tier, applied: [] };
      run.applied.push({ policy, selected });
      byTier.set(tier.name, run);
    }
    const byOrder = (a: { order: number }, b: { order: number }, aKey: string, bKey: string) =>
      a.order - b.order || (aKey < bKey ? -1 : aKey > bKey ? 1 : 0);
    const runs = [...byTier.values()].sort((a, b) => byOrder(a.tier, b.tier, a.tier.name, b.tier.name));
    for (const run of runs)
      run.applied.sort(
        (a, b) => byOrder(a.policy, b.policy, a.policy.sortKey, b.policy.sortKey) || this.ids.get(a.policy)! - this.ids.get(b.policy)!,
      );
    return runs;
  }

  private direction(endpoint: UnderlayEndpoint, direction: Direction): AllowedBox[] {
    const runs = this.tierRuns(endpoint, direction);
    // A stand-in for a registered tenant's workloads carries that tenant's own default deny
    // (its stack is judged for it): in the default tier, as tenantnet writes it.
    if (endpoint.hypothetical) {
      const existing = runs.find((r) => r.tier.name === DEFAULT_TIER);
      if (existing) existing.assumedDeny = true;
      else {
        const tier = this.tierOf({ tier: DEFAULT_TIER })!;
        const at = runs.findIndex((r) => r.tier.order > tier.order);
        runs.splice(at < 0 ? runs.length : at, 0, { tier, applied: [], assumedDeny: true });
      }
    }
    const end = endpoint.hypothetical ? "deny" : "profile";
    const key = `${direction}|${end}|${runs.map((r) => (r.assumedDeny ? "!" : "")).join("")}|${runs.map((r) => r.applied.map((a) => `${this.ids.get(a.policy)}${a.selected[0]}`).join(",")).join(";")}`;
    let boxes = this.shared.get(key);
    if (!boxes) {
      boxes = evaluateDirection(runs, direction, end);
      this.shared.set(key, boxes);
    }
    return boxes;
  }

  of(endpoint: UnderlayEndpoint): EndpointReach {
    let reach = this.reaches.get(endpoint);
    if (!reach) {
      const [ingress, egress] = DIRECTIONS.map((d) => this.direction(endpoint, d));
      reach = { endpoint, egress, ingress };
      this.reaches.set(endpoint, reach);
    }
    return reach;
  }

  all(): EndpointReach[] {
    return this.endpoints.map((e) => this.of(e));
  }
}
