/**
 * Address pools never claim platform or tenant addresses. A Calico IPPool's CIDR is workload
 * space to every Felix and BIRD, disabled or not (a disabled pool still tags its CIDR as needing
 * no SNAT and is exported by BIRD: projectcalico/calico v3.32.1 felix/calc/l3_route_resolver.go,
 * the RouteTrie comment), so a pool inside the node network hijacks a catalog address for the
 * whole cluster; only the Installation's pod pool may hold the tenants' blocks. A Spiderpool pool
 * hands its `ips` to pods on the node network, so they must miss the pod, service, join, catalog
 * and tenant ranges. A Calico IPReservation over a tenant's block is the tenant's own
 * (`<namespace>-underlay`) or the platform's VM reservation; any other name claims the range.
 * One resource plus the policy config: a resource policy.
 */
import { addressRange, cidrProblem, intersection, overlaps, parseCidr, type Cidr, type Range } from "../../cidr";
import { KINDS } from "../../k8s/kinds";
import { ipReservationName, VM_RESERVATION_NAME } from "../../tenant/names";
import type { PolicyConfig } from "../config";
import { networkFacts, type NetworkFacts } from "../facts";
import { asArray, asObject, asString, describe, objectName, violationAt } from "../k8s";
import { netOf } from "../net-cache";
import { IP_RESERVATION_TYPES } from "../reservations";
import type { Finding, PolicyResource } from "../resource";
import type { ResourceRule } from "../types";

type Flag = (path: string, value: unknown, why: string) => void;

interface Claimed {
  range: Cidr;
  what: string;
  kind: "pod" | "node" | "platform" | "tenant";
}

interface Ranges {
  claimed: Claimed[];
  /** Network facts the policy config lacks, with the key that sets each. */
  missing: { name: string; key: string }[];
  tenantBlocks: { range: Cidr; tenant: string; namespace: string }[];
}

const FACTS: { fact: keyof NetworkFacts; name: string; key: string; kind: Claimed["kind"] }[] = [
  { fact: "pod", name: "pod CIDR", key: "network.podCidr", kind: "pod" },
  { fact: "service", name: "service CIDR", key: "network.serviceCidr", kind: "platform" },
  { fact: "join", name: "join CIDR", key: "network.joinCidr", kind: "platform" },
  { fact: "node", name: "node CIDR", key: "network.nodeCidrs", kind: "node" },
];

const rangesByConfig = new WeakMap<PolicyConfig, Ranges>();

/** Every range a pool must not claim, from the policy config alone (a resource policy sees no other resource). */
function rangesOf(config: PolicyConfig): Ranges {
  let ranges = rangesByConfig.get(config);
  if (ranges) return ranges;
  const facts = networkFacts(config.network, [], []);
  const claimed: Claimed[] = [];
  const missing: Ranges["missing"] = [];
  for (const { fact, name, key, kind } of FACTS) {
    const value = facts[fact];
    if (!value) missing.push({ name, key });
    for (const range of value?.ranges ?? []) claimed.push({ range, what: `the ${name} ${range.text} (${value!.source})`, kind });
  }
  const external = netOf(config.network?.externalCidr ?? "");
  if (external) claimed.push({ range: external, what: `the external network ${external.text}`, kind: "platform" });
  for (const [name, service] of Object.entries(config.services ?? {}))
    for (const range of service.cidrs.flatMap((text) => netOf(text) ?? []))
      claimed.push({ range, what: `catalog service ${name} ${range.text}`, kind: "platform" });
  const tenantBlocks: Ranges["tenantBlocks"] = [];
  for (const [tenant, { namespace, underlayBlock }] of Object.entries(config.tenants ?? {})) {
    const range = netOf(underlayBlock);
    if (!range) continue;
    tenantBlocks.push({ range, tenant, namespace });
    claimed.push({ range, what: `tenant ${tenant}'s underlayBlock ${range.text}`, kind: "tenant" });
  }
  ranges = { claimed, missing, tenantBlocks };
  rangesByConfig.set(config, ranges);
  return ranges;
}

function reportMissing(ranges: Ranges, findings: Finding[], resource: PolicyResource, who: string): void {
  if (ranges.missing.length === 0) return;
  findings.push({
    resource,
    message: `${who}: the ${ranges.missing.map((m) => m.name).join(", ")} are unknown (set ${ranges.missing.map((m) => m.key).join(", ")} in the policy config), so its addresses cannot be checked against them`,
  });
}

const POOL_OVERLAP: Record<Claimed["kind"], string> = {
  node: "every node routes pool addresses to workloads, so a pod given one captures the host's traffic cluster-wide",
  platform: "every node routes pool addresses to workloads, so a pod given one captures that range's traffic cluster-wide",
  pod: "a second pool over the pod pool's addresses, with its own routing, SNAT and BGP export settings",
  tenant: "only the pod pool holds tenant blocks; another pool over one changes how the tenant's addresses are routed, SNATed and exported",
};

/** An IPv6 entry meets none of these IPv4 ranges; anything else must parse. */
const isIpv6 = (text: string) => text.includes(":");

/** A Calico pool CIDR: refused where it overlaps a claimed range, except what `allowed` lets through. */
function checkPoolCidr(path: string, value: unknown, ranges: Ranges, allowed: (c: Claimed) => boolean, flag: Flag): void {
  const text = asString(value);
  if (text !== undefined && isIpv6(text)) return;
  if (text === undefined || cidrProblem(text) !== undefined) return flag(path, value, "not an IPv4 network CIDR");
  const pool = parseCidr(text);
  for (const claimed of ranges.claimed)
    if (!allowed(claimed) && overlaps(pool, claimed.range)) flag(path, value, `overlaps ${claimed.what}: ${POOL_OVERLAP[claimed.kind]}`);
}

/**
 * The Installation's pools: the one whose CIDR is the configured pod CIDR is the platform's pod
 * pool and holds the tenants' blocks by design; every other pool is held to all the ranges.
 */
function checkInstallation(resource: PolicyResource, ranges: Ranges, flag: Flag): void {
  const podCidrs = new Set(ranges.claimed.filter((c) => c.kind === "pod").map((c) => c.range.text));
  asArray(asObject(asObject(resource.inputs.spec).calicoNetwork).ipPools).forEach((raw, i) => {
    const cidr = asObject(raw).cidr;
    const podPool = podCidrs.has(netOf(asString(cidr) ?? "")?.text ?? "");
    checkPoolCidr(`spec.calicoNetwork.ipPools[${i}].cidr`, cidr, ranges, (c) => podPool && (c.kind === "pod" || c.kind === "tenant"), flag);
  });
}

/** Spiderpool `ips` entries: "a.b.c.d" or "a.b.c.d-a.b.c.e" (spidernet-io/spiderpool v1.2.2 pkg/ip/iprange.go ParseIPRange). */
const spiderRange = (text: string): Range | undefined => addressRange(text, "-");

/** Whether any address of `range` is left after removing `excluded`. */
export function leftAfter(range: Range, excluded: Range[]): boolean {
  let next = range.start;
  for (const cut of [...excluded].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    if (cut.end < next) continue;
    // Cuts are sorted by start: nothing later covers `next` either.
    if (cut.start > next) return true;
    next = cut.end + 1n;
    if (next > range.end) return false;
  }
  return true;
}

/** A Spiderpool pool's addresses (minus excludeIPs) miss every claimed range but the node network, which they live on by design. */
function checkSpiderpool(resource: PolicyResource, ranges: Ranges, flag: Flag): void {
  const spec = asObject(resource.inputs.spec);
  const excluded = asArray(spec.excludeIPs).flatMap((e) => spiderRange(asString(e) ?? "") ?? []);
  asArray(spec.ips).forEach((raw, i) => {
    const text = asString(raw);
    if (text !== undefined && isIpv6(text)) return;
    const range = spiderRange(text ?? "");
    if (!range) return flag(`spec.ips[${i}]`, raw, 'not an IPv4 address or "a.b.c.d-a.b.c.e" range');
    for (const claimed of ranges.claimed) {
      const shared = claimed.kind === "node" ? undefined : intersection(range, claimed.range);
      if (shared && leftAfter(shared, excluded))
        flag(`spec.ips[${i}]`, raw, `overlaps ${claimed.what}: Spiderpool would hand those addresses to pods`);
    }
  });
}

/** A reservation over a tenant's block is that tenant's own or the platform's VM reservation. */
function checkReservation(resource: PolicyResource, ranges: Ranges, flag: Flag): void {
  const name = objectName(resource);
  if (name === VM_RESERVATION_NAME) return;
  asArray(asObject(resource.inputs.spec).reservedCIDRs).forEach((raw, i) => {
    const range = netOf(asString(raw) ?? "");
    if (!range) return;
    for (const block of ranges.tenantBlocks) {
      if (overlaps(range, block.range) && name !== ipReservationName(block.namespace))
        flag(
          `spec.reservedCIDRs[${i}]`,
          raw,
          `overlaps tenant ${block.tenant}'s underlayBlock ${block.range.text}, which only its own IPReservation ${ipReservationName(block.namespace)} and the platform's ${VM_RESERVATION_NAME} may reserve`,
        );
    }
  });
}

const IP_POOL_TYPES = [KINDS.calicoIpPool.type, KINDS.calicoCrdIpPool.type];
const SPIDERPOOL_TYPES = [KINDS.spiderIpPool.type, KINDS.spiderSubnet.type];

export const addressPoolsRule: ResourceRule = {
  name: "address-pools",
  description:
    "Calico IPPools and Spiderpool pools overlap no node, service, join, catalog, external or tenant range (only the Installation's pod pool holds the tenant blocks); an IPReservation over a tenant's block is the tenant's own or the platform's VM reservation.",
  level: "mandatory",
  config: ["network", "services", "tenants"],
  checkResource(resource: PolicyResource, config: PolicyConfig): Finding[] {
    const type = resource.type;
    const isPool = IP_POOL_TYPES.includes(type);
    const isInstallation = type === KINDS.installation.type;
    const isSpiderpool = SPIDERPOOL_TYPES.includes(type);
    const isReservation = IP_RESERVATION_TYPES.includes(type);
    if (!isPool && !isInstallation && !isSpiderpool && !isReservation) return [];
    const findings: Finding[] = [];
    const who = describe(resource, false);
    const flag: Flag = (path, value, why) => findings.push({ resource, message: violationAt(who, path, value, why) });
    const ranges = rangesOf(config);
    if (isReservation) checkReservation(resource, ranges, flag);
    else {
      reportMissing(ranges, findings, resource, who);
      if (isPool) checkPoolCidr("spec.cidr", asObject(resource.inputs.spec).cidr, ranges, () => false, flag);
      else if (isInstallation) checkInstallation(resource, ranges, flag);
      else checkSpiderpool(resource, ranges, flag);
    }
    return findings;
  },
};
