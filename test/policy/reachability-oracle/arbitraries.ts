/**
 * fast-check arbitraries for the differential test: small random policy sets around the dev
 * plan's VMs, restricted to what the reachability table can state exactly (remote nets, the four
 * named protocols, destination ports; no rule selectors, ICMP types or named ports), and packets
 * biased to the edges of the nets and port ranges the policies name.
 */
import fc from "fast-check";
import { bigIntToIp, ipToBigInt, parseCidr } from "../../../lib/cidr";
import { pulumiType } from "../../../lib/k8s/kinds";
import type { PolicyResource } from "../../../lib/policy/resource";
import type { Packet } from "./oracle";

/** The VMs of the dev plan the scenarios sit around: Pulumi name, namespace, tenant. */
export const SCENARIO_VMS = [
  { resource: "acme/web/vm", namespace: "tenant-acme" },
  { resource: "globex/app/vm", namespace: "tenant-globex" },
];
const NAMESPACES = SCENARIO_VMS.map((vm) => vm.namespace);
/** A label the scenarios put on (or leave off) each VM's template, so selectors can tell the VMs apart. */
export const ROLE_LABEL = "role";
/** Stands for every protocol without ports the table can only state as "any". */
export const OTHER_PROTOCOL = 47;

function resource(apiVersion: string, kind: string, name: string, spec: Record<string, unknown>, namespace?: string): PolicyResource {
  return {
    type: pulumiType(apiVersion, kind),
    name: `scenario/${kind}/${namespace ?? ""}/${name}`,
    inputs: { apiVersion, kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, spec },
  };
}

/** `arb` in `percent` of the cases, else undefined (the field left out). */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 100 - percent, arbitrary: fc.constant(undefined) }, { weight: percent, arbitrary: arb });
/** Drops undefined values and empty objects so the objects read as a person would write them. */
function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(
    Object.entries(object).filter(
      ([, v]) => v !== undefined && !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0),
    ),
  ) as T;
}

function canonical(address: bigint, prefix: number): string {
  const size = 1n << BigInt(32 - prefix);
  return `${bigIntToIp((address / size) * size)}/${prefix}`;
}

/** Nets around the dev plan's service range 10.50.0.0/16, plus the wide ones attackers write. */
const cidr: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 32 }))
      .map(([third, fourth, prefix]) => canonical(ipToBigInt(`10.50.${third}.${fourth}`), prefix)),
  },
  { weight: 1, arbitrary: fc.constantFrom("0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8", "10.50.0.10/32") },
);
const nets = fc.array(cidr, { minLength: 1, maxLength: 2 });

const port = fc.oneof(fc.constantFrom(22, 53, 80, 443, 6443, 10250), fc.integer({ min: 1, max: 65535 }));
const portRange = fc.tuple(port, port).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
const calicoPorts = fc.array(
  fc.oneof(
    port,
    portRange.map(([lo, hi]) => `${lo}:${hi}`),
  ),
  { minLength: 1, maxLength: 3 },
);

const PORTED_PROTOCOLS = ["TCP", "UDP", "SCTP", 6, 17, 132];
const protocol = fc.constantFrom<string | number>("TCP", "UDP", "SCTP", "ICMP", 6, 17, 132, 1);

function calicoRule(direction: "ingress" | "egress"): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      action: fc.constantFrom("Allow", "Allow", "Deny", "Pass", "Log"),
      protocol: sometimes(protocol, 70),
      notProtocol: sometimes(fc.constantFrom<string | number>("TCP", "UDP", "ICMP", 17), 10),
      nets: sometimes(nets, 60),
      notNets: sometimes(nets, 25),
      ports: sometimes(calicoPorts, 60),
      notPorts: sometimes(calicoPorts, 20),
    })
    .map(({ action, protocol, notProtocol: written, nets, notNets, ports, notPorts }) => {
      // Calico takes ports only with a protocol that has them (RuleSpec.Ports doc).
      const ported = protocol !== undefined && PORTED_PROTOCOLS.includes(protocol);
      // notProtocol beside a protocol mostly writes a rule that never matches: keep it to rules without one.
      const notProtocol = protocol === undefined ? written : undefined;
      const remote = compact({ nets, notNets });
      const destinationPorts = ported ? compact({ ports, notPorts }) : {};
      return compact({
        action,
        protocol,
        notProtocol,
        ...(direction === "egress"
          ? { destination: compact({ ...remote, ...destinationPorts }) }
          : { source: remote, destination: destinationPorts }),
      });
    });
}

/** Selectors over labels the model knows exactly: the template's and those KubeVirt and Calico add. */
const selectorAtom = fc.constantFrom(
  "all()",
  "tenantnet.io/tenant == 'acme'",
  "tenantnet.io/tenant != 'acme'",
  "tenantnet.io/vm == 'web'",
  "tenantnet.io/vm in {'app', 'db'}",
  `has(${ROLE_LABEL})`,
  `!has(${ROLE_LABEL})`,
  `${ROLE_LABEL} == 'a'`,
  `${ROLE_LABEL} != 'b'`,
  `${ROLE_LABEL} not in {'a'}`,
  "vm.kubevirt.io/name == 'app'",
  "projectcalico.org/namespace == 'tenant-globex'",
  "kubevirt.io == 'virt-launcher'",
);
const selector = fc.oneof(
  { weight: 3, arbitrary: selectorAtom },
  { weight: 2, arbitrary: fc.tuple(selectorAtom, selectorAtom).map(([a, b]) => `${a} && ${b}`) },
  { weight: 1, arbitrary: selectorAtom.map((a) => `!(${a})`) },
);
const namespaceSelector = fc.constantFrom(
  "all()",
  "tenantnet.io/tenant == 'acme'",
  "projectcalico.org/name == 'tenant-globex'",
  "has(tenantnet.io/tenant)",
  "kubernetes.io/metadata.name == 'tenant-acme'",
);
const types = sometimes(fc.constantFrom(["Ingress"], ["Egress"], ["Ingress", "Egress"]), 50);
const TIER_NAMES = ["security", "platform"];
const tierRef = fc.constantFrom(undefined, undefined, ...TIER_NAMES);
const order = sometimes(fc.constantFrom(10, 100, 100, 1000, 1000.5), 70);

const calicoSpec = fc.record({
  tier: tierRef,
  order,
  selector: sometimes(selector, 75),
  types,
  ingress: fc.array(calicoRule("ingress"), { maxLength: 3 }),
  egress: fc.array(calicoRule("egress"), { maxLength: 3 }),
});

const tier = fc.record({
  order: sometimes(fc.constantFrom(100, 100, 2000, 5_000_000), 75),
  defaultAction: sometimes(fc.constantFrom("Deny", "Pass"), 60),
});

/** An ipBlock, its `except` (if any) inside its cidr as the Kubernetes API requires. */
const ipBlock = fc
  .tuple(cidr, sometimes(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 15 })), 40))
  .map(([block, except]) => {
    const { start, prefix } = parseCidr(block);
    if (except === undefined || prefix >= 31) return { cidr: block };
    const inner = Math.min(32, prefix + except[0]);
    const offset = (BigInt(except[1]) % (1n << BigInt(inner - prefix))) << BigInt(32 - inner);
    return { cidr: block, except: [canonical(start + offset, inner)] };
  });
const kubernetesPort = fc
  .record({
    protocol: sometimes(fc.constantFrom("TCP", "UDP", "SCTP"), 60),
    port: sometimes(port, 80),
    span: sometimes(fc.integer({ min: 0, max: 20 }), 30),
  })
  .map(({ protocol, port, span }) =>
    compact({ protocol, port, endPort: port !== undefined && span !== undefined ? Math.min(65535, port + span) : undefined }),
  );
const kubernetesRule = (peers: "from" | "to") =>
  fc
    .record({
      peers: sometimes(
        fc.array(
          ipBlock.map((block) => ({ ipBlock: block })),
          { minLength: 1, maxLength: 2 },
        ),
        60,
      ),
      ports: sometimes(fc.array(kubernetesPort, { minLength: 1, maxLength: 2 }), 60),
    })
    .map(({ peers: list, ports }) => compact({ [peers]: list, ports }));
const kubernetesSpec = fc.record({
  podSelector: fc.constantFrom<Record<string, unknown>>(
    {},
    { matchLabels: { "tenantnet.io/vm": "web" } },
    { matchLabels: { "tenantnet.io/tenant": "globex" } },
    { matchExpressions: [{ key: ROLE_LABEL, operator: "In", values: ["a"] }] },
    { matchExpressions: [{ key: ROLE_LABEL, operator: "DoesNotExist" }] },
  ),
  policyTypes: types,
  ingress: fc.array(kubernetesRule("from"), { maxLength: 2 }),
  egress: fc.array(kubernetesRule("to"), { maxLength: 2 }),
});

const subject = fc.constantFrom<Record<string, unknown>>(
  { namespaces: {} },
  { namespaces: { matchLabels: { "tenantnet.io/tenant": "acme" } } },
  { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "tenant-globex" } } },
  { pods: { namespaceSelector: {}, podSelector: { matchLabels: { "tenantnet.io/vm": "app" } } } },
);
const clusterProtocols = sometimes(
  fc.array(
    fc
      .tuple(
        fc.constantFrom("tcp", "udp", "sctp"),
        sometimes(
          fc.oneof(
            port.map((number) => ({ number })),
            portRange.map(([start, end]) => ({ range: { start, end } })),
          ),
          70,
        ),
      )
      .map(([name, destinationPort]) => ({
        [name]: compact({ destinationPort }),
      })),
    { minLength: 1, maxLength: 2 },
  ),
  60,
);
const clusterSpec = fc.constantFrom("Admin", "Baseline").chain((tierName) =>
  fc.record({
    tier: fc.constant(tierName),
    priority: fc.integer({ min: 0, max: 3 }),
    subject,
    egress: fc.array(
      fc
        .record({
          // Baseline keeps to Accept and Deny: a Pass there could only reach the profile (not checked against the v1alpha2 validation).
          action: tierName === "Admin" ? fc.constantFrom("Accept", "Deny", "Pass") : fc.constantFrom("Accept", "Deny"),
          to: nets.map((list) => [{ networks: list }]),
          protocols: clusterProtocols,
        })
        .map(compact),
      { minLength: 1, maxLength: 2 },
    ),
  }),
);
const adminPorts = sometimes(
  fc.array(
    fc.oneof(
      fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP"), port }).map((portNumber) => ({ portNumber })),
      fc
        .tuple(fc.constantFrom("TCP", "UDP", "SCTP"), portRange)
        .map(([protocol, [start, end]]) => ({ portRange: { protocol, start, end } })),
    ),
    { minLength: 1, maxLength: 2 },
  ),
  60,
);
const adminEgress = (actions: string[]) =>
  fc.array(
    fc.record({ action: fc.constantFrom(...actions), to: nets.map((list) => [{ networks: list }]), ports: adminPorts }).map(compact),
    { minLength: 1, maxLength: 2 },
  );

export interface Scenario {
  /** The role label on each SCENARIO_VMS entry's template (undefined: none). */
  roles: (string | undefined)[];
  policies: PolicyResource[];
}

export const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    roles: fc.tuple(...SCENARIO_VMS.map(() => sometimes(fc.constantFrom("a", "b"), 60))),
    tiers: fc.tuple(...TIER_NAMES.map(() => tier)),
    calico: fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), calicoSpec), { maxLength: 3 }),
    global: fc.array(fc.tuple(sometimes(namespaceSelector, 50), calicoSpec), { maxLength: 2 }),
    kubernetes: fc.array(fc.tuple(fc.constantFrom(...NAMESPACES), kubernetesSpec), { maxLength: 1 }),
    cluster: fc.array(clusterSpec, { maxLength: 1 }),
    admin: sometimes(fc.record({ priority: fc.integer({ min: 0, max: 3 }), subject, egress: adminEgress(["Allow", "Deny", "Pass"]) }), 30),
    baseline: sometimes(fc.record({ subject, egress: adminEgress(["Allow", "Deny"]) }), 30),
    staged: sometimes(fc.tuple(fc.constantFrom(...NAMESPACES), calicoSpec), 25),
  })
  .map(({ roles, tiers, calico, global, kubernetes, cluster, admin, baseline, staged }) => {
    const calicoV3 = "projectcalico.org/v3";
    // Names repeat across kinds and namespaces on purpose: order ties break on name, then namespace, then kind.
    const name = (i: number) => ["a", "b", "c"][i % 3];
    const policies: PolicyResource[] = [
      ...TIER_NAMES.map((tierName, i) => resource(calicoV3, "Tier", tierName, compact(tiers[i]))),
      ...calico.map(([namespace, spec], i) => resource(calicoV3, "NetworkPolicy", name(i), compact(spec), namespace)),
      ...global.map(([nsSelector, spec], i) =>
        resource(calicoV3, "GlobalNetworkPolicy", name(i), compact({ ...spec, namespaceSelector: nsSelector })),
      ),
      ...kubernetes.map(([namespace, spec], i) => resource("networking.k8s.io/v1", "NetworkPolicy", name(i), compact(spec), namespace)),
      ...cluster.map((spec, i) => resource("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy", name(i), spec)),
      ...(admin ? [resource("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", "a", admin)] : []),
      ...(baseline ? [resource("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy", "default", baseline)] : []),
      ...(staged ? [resource(calicoV3, "StagedNetworkPolicy", "a", compact(staged[1]), staged[0])] : []),
    ];
    return { roles, policies };
  });

/** Every net and port the policies name, found by walking their specs. */
function edges(policies: PolicyResource[]): { addresses: string[]; ports: number[] } {
  const addresses = new Set<bigint>();
  const ports = new Set<number>();
  const addPort = (p: number) => [p - 1, p, p + 1].filter((q) => q >= 1 && q <= 65535).forEach((q) => ports.add(q));
  const walk = (node: unknown): void => {
    if (typeof node === "string" && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(node)) {
      const { start, end } = parseCidr(node);
      for (const a of [start - 1n, start, end, end + 1n]) if (a >= 0n && a <= 0xffffffffn) addresses.add(a);
    } else if (typeof node === "string" && /^\d+:\d+$/.test(node)) node.split(":").map(Number).forEach(addPort);
    else if (typeof node === "number" && Number.isInteger(node) && node >= 1 && node <= 65535) addPort(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") Object.values(node).forEach(walk);
  };
  // Tiers and priorities are numbers too; as ports they only add harmless probes.
  policies.forEach((p) => walk(p.inputs.spec));
  return { addresses: [...addresses].map(bigIntToIp), ports: [...ports] };
}

const anyAddress = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 255 })).map(([third, fourth]) => `10.50.${third}.${fourth}`),
  fc.integer({ min: 0, max: 0xffffffff }).map((n) => bigIntToIp(BigInt(n))),
);

/** Packets at the policies' edges (and some anywhere), of the four named protocols and one other. */
export function packets(policies: PolicyResource[], count: number): fc.Arbitrary<Packet[]> {
  const { addresses, ports } = edges(policies);
  const address =
    addresses.length > 0
      ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...addresses) }, { weight: 1, arbitrary: anyAddress })
      : anyAddress;
  const destinationPort =
    ports.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ports) }, { weight: 1, arbitrary: port }) : port;
  const packet = fc
    .record({
      address,
      protocol: fc.constantFrom<Packet["protocol"]>("TCP", "TCP", "UDP", "SCTP", "ICMP", OTHER_PROTOCOL),
      port: destinationPort,
    })
    .map((p): Packet => (typeof p.protocol === "string" && p.protocol !== "ICMP" ? p : { address: p.address, protocol: p.protocol }));
  return fc.array(packet, { minLength: count, maxLength: count });
}
