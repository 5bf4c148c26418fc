/**
 * The oracle on hand-computed cases, so that a disagreement with the set model points at the
 * model (or at a documented reading) and not at the oracle.
 */
import * as assert from "assert";
import { pulumiType } from "../../../lib/k8s/kinds";
import type { PolicyResource } from "../../../lib/policy/resource";
import { decide, type AdminPolicySemantics, type Direction, type Endpoint, type Packet } from "./oracle";
import { flowsHolding, type Flow } from "./model";
import { matchesLabelSelector, parseCalicoSelector } from "./selector";

const WEB: Endpoint = {
  namespace: "tenant-acme",
  labels: {
    "tenantnet.io/tenant": "acme",
    "tenantnet.io/vm": "web",
    "projectcalico.org/namespace": "tenant-acme",
    "projectcalico.org/orchestrator": "k8s",
  },
  namespaceLabels: { "tenantnet.io/tenant": "acme", "kubernetes.io/metadata.name": "tenant-acme" },
  serviceAccount: "default",
};

function object(apiVersion: string, kind: string, name: string, spec: Record<string, unknown>, namespace?: string): PolicyResource {
  return {
    type: pulumiType(apiVersion, kind),
    name: `${kind}/${name}`,
    inputs: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec },
  };
}
const tier = (name: string, spec: Record<string, unknown>) => object("projectcalico.org/v3", "Tier", name, spec);
const policy = (name: string, spec: Record<string, unknown>) => object("projectcalico.org/v3", "NetworkPolicy", name, spec, "tenant-acme");
const globalPolicy = (name: string, spec: Record<string, unknown>) => object("projectcalico.org/v3", "GlobalNetworkPolicy", name, spec);
const kubernetesPolicy = (name: string, spec: Record<string, unknown>) =>
  object("networking.k8s.io/v1", "NetworkPolicy", name, spec, "tenant-acme");
const clusterPolicy = (name: string, spec: Record<string, unknown>) =>
  object("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy", name, spec);

const tcp = (address: string, port: number): Packet => ({ address, protocol: "TCP", port });
const udp = (address: string, port: number): Packet => ({ address, protocol: "UDP", port });

function verdict(
  resources: PolicyResource[],
  packet: Packet,
  direction: Direction = "egress",
  admin: AdminPolicySemantics = "not-enforced",
): string {
  return decide(resources, WEB, direction, packet, { adminPolicies: admin }).verdict;
}
function by(resources: PolicyResource[], packet: Packet, direction: Direction = "egress"): string {
  return decide(resources, WEB, direction, packet, { adminPolicies: "not-enforced" }).by;
}

const egress = (...rules: Record<string, unknown>[]) => ({ selector: "all()", types: ["Egress"], egress: rules });

describe("reachability oracle: Calico's walk, hand-computed", () => {
  it("allows everything through the namespace profile when no policy selects the endpoint", () => {
    const other = policy("other", { ...egress({ action: "Deny" }), selector: "tenantnet.io/vm == 'db'" });
    assert.strictEqual(verdict([other], tcp("10.50.0.1", 22)), "allow");
    assert.strictEqual(by([other], tcp("10.50.0.1", 22)), "profile kns.tenant-acme");
  });

  it("denies at the end of the default tier what no rule of a selecting policy allowed", () => {
    const allow443 = policy("web", egress({ action: "Allow", protocol: "TCP", destination: { nets: ["10.50.0.0/24"], ports: [443] } }));
    assert.strictEqual(verdict([allow443], tcp("10.50.0.9", 443)), "allow");
    assert.strictEqual(verdict([allow443], tcp("10.50.0.9", 444)), "deny");
    assert.strictEqual(verdict([allow443], tcp("10.50.1.0", 443)), "deny");
    assert.strictEqual(by([allow443], tcp("10.50.1.0", 443)), "end of tier default");
  });

  it("applies a policy only in its types: an ingress-only policy leaves egress to the profile", () => {
    const ingressOnly = policy("in", { selector: "all()", ingress: [{ action: "Deny" }] });
    assert.strictEqual(verdict([ingressOnly], tcp("10.50.0.1", 22), "egress"), "allow");
    assert.strictEqual(verdict([ingressOnly], tcp("10.50.0.1", 22), "ingress"), "deny");
    // Egress rules alone default types to [Egress].
    const egressOnly = policy("out", { selector: "all()", egress: [{ action: "Deny" }] });
    assert.strictEqual(verdict([egressOnly], tcp("10.50.0.1", 22), "ingress"), "allow");
  });

  it("passes to the next tier, and a tier without defaultAction denies (Calico's default)", () => {
    const security = tier("security", { order: 100 });
    const pass443 = globalPolicy("pass-443", {
      tier: "security",
      selector: "all()",
      types: ["Egress"],
      egress: [{ action: "Pass", protocol: "TCP", destination: { ports: [443] } }],
    });
    const allowAll = policy("allow-all", egress({ action: "Allow" }));
    const resources = [security, pass443, allowAll];
    assert.strictEqual(verdict(resources, tcp("192.0.2.1", 443)), "allow");
    assert.strictEqual(by(resources, tcp("192.0.2.1", 443)), "default/allow-all/tenant-acme/NetworkPolicy egress[0]");
    assert.strictEqual(verdict(resources, tcp("192.0.2.1", 80)), "deny");
    assert.strictEqual(by(resources, tcp("192.0.2.1", 80)), "end of tier security");
  });

  it("goes on to the next tier when a Pass tier ends without a match", () => {
    const resources = [
      tier("security", { order: 100, defaultAction: "Pass" }),
      globalPolicy("deny-ssh", { tier: "security", ...egress({ action: "Deny", protocol: "TCP", destination: { ports: [22] } }) }),
      policy("web", egress({ action: "Allow", protocol: "TCP", destination: { ports: ["80:443"] } })),
    ];
    assert.strictEqual(verdict(resources, tcp("10.0.0.1", 22)), "deny");
    assert.strictEqual(verdict(resources, tcp("10.0.0.1", 80)), "allow");
    assert.strictEqual(verdict(resources, tcp("10.0.0.1", 443)), "allow");
    assert.strictEqual(verdict(resources, tcp("10.0.0.1", 444)), "deny");
  });

  it("reaches the profile after a Pass in the last tier that applies", () => {
    const resources = [tier("late", { order: 20_000_000 }), globalPolicy("pass", { tier: "late", ...egress({ action: "Pass" }) })];
    assert.strictEqual(verdict(resources, udp("203.0.113.7", 53)), "allow");
  });

  it("orders tiers by order with unset last, so an unordered tier never overrides the default tier", () => {
    const resources = [
      tier("unordered", {}),
      globalPolicy("allow-all", { tier: "unordered", ...egress({ action: "Allow" }) }),
      policy("web", egress({ action: "Allow", protocol: "UDP", destination: { ports: [53] } })),
    ];
    assert.strictEqual(verdict(resources, tcp("10.0.0.1", 22)), "deny");
    assert.strictEqual(verdict(resources, udp("10.0.0.1", 53)), "allow");
  });

  it("orders policies by order (unset last) and breaks ties by name", () => {
    const deny = (name: string, order?: number) =>
      policy(name, { ...egress({ action: "Deny" }), ...(order === undefined ? {} : { order }) });
    const allow = (name: string, order?: number) =>
      policy(name, { ...egress({ action: "Allow" }), ...(order === undefined ? {} : { order }) });
    assert.strictEqual(verdict([allow("b", 100), deny("a", 100)], tcp("10.0.0.1", 1)), "deny");
    assert.strictEqual(verdict([allow("a", 100), deny("b", 100)], tcp("10.0.0.1", 1)), "allow");
    assert.strictEqual(verdict([allow("a"), deny("z", 5000)], tcp("10.0.0.1", 1)), "deny");
    // The Kubernetes policy sits at order 1000 in the default tier.
    assert.strictEqual(
      verdict([deny("late", 1001), kubernetesPolicy("k", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] })], tcp("10.0.0.1", 1)),
      "allow",
    );
    assert.strictEqual(
      verdict([deny("early", 999), kubernetesPolicy("k", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] })], tcp("10.0.0.1", 1)),
      "deny",
    );
  });

  it("lets a Log rule go on to the next rule", () => {
    const logThenDeny = policy(
      "p",
      egress({ action: "Log" }, { action: "Deny", destination: { nets: ["10.0.0.0/8"] } }, { action: "Allow" }),
    );
    assert.strictEqual(verdict([logThenDeny], tcp("10.1.2.3", 80)), "deny");
    assert.strictEqual(verdict([logThenDeny], tcp("11.1.2.3", 80)), "allow");
    assert.strictEqual(verdict([policy("log-only", egress({ action: "Log" }))], tcp("11.1.2.3", 80)), "deny");
  });

  it("matches nets, notNets, ports, notPorts, protocol numbers and notProtocol", () => {
    const allow = (rule: Record<string, unknown>) => [policy("p", egress({ action: "Allow", ...rule }))];
    const notNets = allow({ destination: { notNets: ["10.50.0.0/24"] } });
    assert.strictEqual(verdict(notNets, tcp("10.50.0.255", 80)), "deny");
    assert.strictEqual(verdict(notNets, tcp("10.50.1.0", 80)), "allow");
    assert.strictEqual(verdict(notNets, tcp("10.49.255.255", 80)), "allow");
    const bareAddress = allow({ destination: { nets: ["10.50.0.7"] } });
    assert.strictEqual(verdict(bareAddress, tcp("10.50.0.7", 80)), "allow");
    assert.strictEqual(verdict(bareAddress, tcp("10.50.0.8", 80)), "deny");
    const notPorts = allow({ protocol: 6, destination: { notPorts: ["20:23", 80] } });
    assert.deepStrictEqual(
      [19, 20, 23, 24, 80, 81].map((port) => verdict(notPorts, tcp("1.1.1.1", port))),
      ["allow", "deny", "deny", "allow", "deny", "allow"],
    );
    assert.strictEqual(verdict(notPorts, udp("1.1.1.1", 19)), "deny");
    const notTcp = allow({ notProtocol: "TCP" });
    assert.strictEqual(verdict(notTcp, tcp("1.1.1.1", 1)), "deny");
    assert.strictEqual(verdict(notTcp, udp("1.1.1.1", 1)), "allow");
    assert.strictEqual(verdict(notTcp, { address: "1.1.1.1", protocol: "ICMP" }), "allow");
    const icmp = allow({ protocol: "ICMP", destination: { nets: ["10.50.0.10/32"] } });
    assert.strictEqual(verdict(icmp, { address: "10.50.0.10", protocol: "ICMP" }), "allow");
    assert.strictEqual(verdict(icmp, { address: "10.50.0.10", protocol: 1 }), "allow");
    assert.strictEqual(verdict(icmp, tcp("10.50.0.10", 0)), "deny");
  });

  it("reads ingress rules by source nets and destination ports", () => {
    const ssh = policy("ssh", {
      selector: "all()",
      types: ["Ingress"],
      ingress: [{ action: "Allow", protocol: "TCP", source: { nets: ["10.50.0.100/32"] }, destination: { ports: [22] } }],
    });
    assert.strictEqual(verdict([ssh], tcp("10.50.0.100", 22), "ingress"), "allow");
    assert.strictEqual(verdict([ssh], tcp("10.50.0.101", 22), "ingress"), "deny");
    assert.strictEqual(verdict([ssh], tcp("10.50.0.100", 23), "ingress"), "deny");
  });

  it("selects by namespace, selector and namespaceSelector", () => {
    const elsewhere = object("projectcalico.org/v3", "NetworkPolicy", "deny", egress({ action: "Deny" }), "tenant-globex");
    assert.strictEqual(verdict([elsewhere], tcp("1.1.1.1", 1)), "allow");
    const byNamespace = (namespaceSelector: string) => [globalPolicy("deny", { ...egress({ action: "Deny" }), namespaceSelector })];
    assert.strictEqual(verdict(byNamespace("tenantnet.io/tenant == 'acme'"), tcp("1.1.1.1", 1)), "deny");
    assert.strictEqual(verdict(byNamespace("projectcalico.org/name == 'tenant-acme'"), tcp("1.1.1.1", 1)), "deny");
    assert.strictEqual(verdict(byNamespace("tenantnet.io/tenant == 'globex'"), tcp("1.1.1.1", 1)), "allow");
    const bySelector = (selector: string) => [globalPolicy("deny", { ...egress({ action: "Deny" }), selector })];
    assert.strictEqual(verdict(bySelector("tenantnet.io/vm == 'web' && !has(role)"), tcp("1.1.1.1", 1)), "deny");
    assert.strictEqual(verdict(bySelector("role == 'a'"), tcp("1.1.1.1", 1)), "allow");
  });

  it("converts Kubernetes NetworkPolicy: TCP default, endPort, ipBlock except, empty peers", () => {
    const k8s = kubernetesPolicy("k", {
      podSelector: { matchLabels: { "tenantnet.io/vm": "web" } },
      policyTypes: ["Egress", "Ingress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "10.50.0.0/16", except: ["10.50.9.0/24"] } }],
          ports: [
            { port: 8000, endPort: 8010 },
            { protocol: "UDP", port: 53 },
          ],
        },
      ],
      ingress: [{ ports: [{ protocol: "TCP", port: 22 }] }],
    });
    assert.strictEqual(verdict([k8s], tcp("10.50.8.1", 8010)), "allow");
    assert.strictEqual(verdict([k8s], tcp("10.50.8.1", 8011)), "deny");
    assert.strictEqual(verdict([k8s], udp("10.50.8.1", 8000)), "deny");
    assert.strictEqual(verdict([k8s], udp("10.50.8.1", 53)), "allow");
    assert.strictEqual(verdict([k8s], udp("10.50.9.1", 53)), "deny");
    assert.strictEqual(verdict([k8s], tcp("198.51.100.1", 22), "ingress"), "allow");
    assert.strictEqual(verdict([k8s], udp("198.51.100.1", 22), "ingress"), "deny");
    // Without policyTypes the API server gives Ingress (plus Egress only with egress rules).
    const ingressDefault = kubernetesPolicy("d", { podSelector: {} });
    assert.strictEqual(verdict([ingressDefault], tcp("1.1.1.1", 1), "ingress"), "deny");
    assert.strictEqual(verdict([ingressDefault], tcp("1.1.1.1", 1), "egress"), "allow");
  });

  it("runs a Baseline ClusterNetworkPolicy after the default tier, an Admin one before it", () => {
    const only443 = policy("web", egress({ action: "Allow", protocol: "TCP", destination: { ports: [443] } }));
    const cnp = (name: string, tierName: string, action: string) =>
      clusterPolicy(name, {
        tier: tierName,
        priority: 10,
        subject: { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } } },
        egress: [{ action, to: [{ networks: ["0.0.0.0/0"] }] }],
      });
    assert.strictEqual(verdict([only443, cnp("base", "Baseline", "Accept")], udp("10.0.0.1", 53)), "deny");
    assert.strictEqual(verdict([cnp("base", "Baseline", "Deny")], udp("10.0.0.1", 53)), "deny");
    assert.strictEqual(verdict([cnp("admin", "Admin", "Deny"), only443], tcp("10.0.0.1", 443)), "deny");
    assert.strictEqual(verdict([cnp("admin", "Admin", "Pass"), only443], tcp("10.0.0.1", 443)), "allow");
    // Pass out of the admin tier with nothing after it reaches the profile.
    assert.strictEqual(verdict([cnp("admin", "Admin", "Pass")], udp("10.0.0.1", 53)), "allow");
  });

  it("ignores staged policies, and admin policies v1alpha1 unless read as Calico v3.31 did", () => {
    const staged = object("projectcalico.org/v3", "StagedNetworkPolicy", "s", egress({ action: "Deny" }), "tenant-acme");
    assert.strictEqual(verdict([staged], tcp("1.1.1.1", 1)), "allow");
    const anp = object("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", "deny-dns", {
      priority: 5,
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { "tenantnet.io/vm": "web" } } } },
      egress: [{ action: "Deny", to: [{ networks: ["10.50.0.10/32"] }], ports: [{ portNumber: { protocol: "UDP", port: 53 } }] }],
    });
    const banp = object("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy", "default", {
      subject: { namespaces: {} },
      egress: [{ action: "Allow", to: [{ networks: ["10.50.0.0/16"] }] }],
    });
    const allowAll = policy("all", egress({ action: "Allow" }));
    assert.strictEqual(verdict([anp, allowAll], udp("10.50.0.10", 53), "egress", "not-enforced"), "allow");
    assert.strictEqual(verdict([anp, allowAll], udp("10.50.0.10", 53), "egress", "v3.31-tiers"), "deny");
    assert.strictEqual(verdict([anp, allowAll], udp("10.50.0.11", 53), "egress", "v3.31-tiers"), "allow");
    assert.strictEqual(verdict([banp], tcp("10.51.0.1", 1), "egress", "v3.31-tiers"), "allow");
    assert.strictEqual(verdict([banp, policy("none", egress())], tcp("10.50.0.1", 1), "egress", "v3.31-tiers"), "deny");
  });

  it("refuses what one packet cannot decide instead of guessing", () => {
    const bySelector = policy("p", egress({ action: "Allow", destination: { selector: "app == 'db'" } }));
    assert.throws(() => verdict([bySelector], tcp("1.1.1.1", 1)), /rule selector/);
    assert.throws(() => verdict([policy("p", { ...egress(), tier: "missing" })], tcp("1.1.1.1", 1)), /undeclared tier missing/);
  });
});

describe("reachability oracle: selectors", () => {
  const labels = { a: "1", b: "2" };
  const cases: [string, boolean][] = [
    ["", true],
    ["all()", true],
    ["a == '1'", true],
    ['a == "2"', false],
    ["c != '1'", true],
    ["a != '1'", false],
    ["has(b)", true],
    ["!has(b)", false],
    ["! has(c)", true],
    ["a in {'1', '3'}", true],
    ["c in {'1'}", false],
    ["c not in {'1'}", true],
    ["a not in {'1'}", false],
    ["a == '1' && b == '3'", false],
    ["a == '1' && (b == '3' || has(b))", true],
    ["!(a == '1')", false],
  ];
  for (const [selector, expected] of cases)
    it(`${JSON.stringify(selector)} is ${expected}`, () => assert.strictEqual(parseCalicoSelector(selector)(labels), expected));

  it("reads Kubernetes label selectors, NotIn and DoesNotExist holding for absent keys", () => {
    assert.ok(matchesLabelSelector({}, labels));
    assert.ok(
      matchesLabelSelector({ matchLabels: { a: "1" }, matchExpressions: [{ key: "c", operator: "NotIn", values: ["1"] }] }, labels),
    );
    assert.ok(!matchesLabelSelector({ matchExpressions: [{ key: "b", operator: "DoesNotExist" }] }, labels));
    assert.ok(matchesLabelSelector({ matchExpressions: [{ key: "b", operator: "In", values: ["2", "3"] }] }, labels));
    assert.ok(!matchesLabelSelector({ matchExpressions: [{ key: "c", operator: "Exists" }] }, labels));
  });
});

describe("reachability oracle: what a table flow holds", () => {
  const flows: Flow[] = [
    { nets: ["10.50.0.0/24"], protocol: "TCP", ports: [[80, 443]] },
    { nets: ["10.50.1.7/32"], protocol: "ICMP", ports: "any" },
    { nets: ["192.0.2.0/25"], protocol: "any", ports: "any" },
  ];
  const held = (packet: Packet) => flowsHolding(flows, packet).length;
  it("holds a packet by net, protocol and port range, edges included", () => {
    assert.deepStrictEqual(
      [tcp("10.50.0.0", 80), tcp("10.50.0.255", 443), tcp("10.50.0.5", 79), tcp("10.50.0.5", 444), tcp("10.50.1.0", 80)].map(held),
      [1, 1, 0, 0, 0],
    );
    assert.strictEqual(held(udp("10.50.0.5", 80)), 0);
  });
  it("holds ICMP and portless protocols only in flows with ports any", () => {
    assert.strictEqual(held({ address: "10.50.1.7", protocol: "ICMP" }), 1);
    assert.strictEqual(held({ address: "10.50.0.7", protocol: "ICMP" }), 0);
    assert.strictEqual(held({ address: "192.0.2.127", protocol: 47 }), 1);
    assert.strictEqual(held({ address: "192.0.2.128", protocol: 47 }), 0);
    assert.strictEqual(held({ address: "10.50.1.7", protocol: 47 }), 0);
    assert.strictEqual(held(udp("192.0.2.1", 9)), 1);
  });
});
