/**
 * The underlay reachability model and the rules on it, on the real dev render mutated the way a
 * user, a hostile tenant or a platform team would: every bypass class of issue 12 is refused with
 * the flow and the policy that opens it, and the safe stacks the old pattern rules refused pass.
 */
import * as assert from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import { StackView, explainText, reachabilityTable, type Flow, type PolicyConfig, type Violation } from "../../lib/policy";
import { explainReachability } from "../../lib/policy/reachability";
import { assertNone, assertOne, at, customResource, devStack, mandatory, named } from "../fixtures/policy";

const UNDERLAY_RULES = ["vm-underlay-policy", "underlay-egress-catalog", "underlay-node-ports", "underlay-ingress"];

function underlay(resources: CapturedResource[], config: PolicyConfig): Violation[] {
  return mandatory(resources, config).filter((v) => UNDERLAY_RULES.includes(v.policy));
}

/** No violation of any underlay rule. */
function assertClean(violations: Violation[]): void {
  for (const rule of UNDERLAY_RULES) assertNone(violations, rule);
}

/** At least one violation of `rule` on `resource` whose message has every fragment. */
function assertFlow(violations: Violation[], rule: string, resource: string, ...fragments: string[]): void {
  const found = violations.filter((v) => v.policy === rule && v.resource === resource && fragments.every((f) => v.message.includes(f)));
  assert.ok(
    found.length > 0,
    `no ${rule} violation on ${resource} with ${fragments.join(" / ")}; got:\n${violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`).join("\n")}`,
  );
}

function calico(
  kind: string,
  name: string,
  namespace: string | undefined,
  spec: Record<string, unknown>,
  apiVersion = "projectcalico.org/v3",
) {
  return customResource(name, { apiVersion, kind, metadata: namespace === undefined ? { name } : { name, namespace }, spec });
}

const ALLOW_ALL_EGRESS = { types: ["Egress"], egress: [{ action: "Allow" }] };

/** Every (protocol, port, net) a flow list names, for comparison with the catalog written out by hand. */
function expand(flows: Flow[]): string[] {
  return flows
    .flatMap((f) =>
      f.nets.flatMap((net) =>
        f.ports === "any"
          ? [`${f.protocol} any ${net}`]
          : f.ports.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => `${f.protocol} ${lo + i} ${net}`)),
      ),
    )
    .sort();
}

function catalogFlows(config: PolicyConfig, services: string[]): string[] {
  return services
    .flatMap((name) => {
      const service = config.services![name];
      return service.cidrs.flatMap((cidr) => service.ports.map((p) => `${p.split("/")[1]} ${p.split("/")[0]} ${cidr}`));
    })
    .sort();
}

describe("underlay reachability", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  describe("the dev plan's table", () => {
    it("lists for each VM exactly its granted catalog flows and its tenant's ingress sources", () => {
      const table = reachabilityTable(new StackView(resources, config));
      assert.deepStrictEqual(Object.keys(table), ["tenant-acme/db", "tenant-acme/web", "tenant-globex/app", "tenant-globex/worker"]);
      const grants: Record<string, [string, string]> = {
        "tenant-acme/web": ["acme", "web"],
        "tenant-acme/db": ["acme", "db"],
        "tenant-globex/app": ["globex", "app"],
        "tenant-globex/worker": ["globex", "worker"],
      };
      for (const [key, [tenant, vm]] of Object.entries(grants)) {
        const registration = config.tenants![tenant];
        const granted = registration.vms[vm] ?? registration.services;
        assert.deepStrictEqual(expand(table[key].egress), catalogFlows(config, granted), key);
        const ingress = (registration.underlayIngress ?? []).flatMap((s) =>
          s.cidrs.flatMap((c) => s.ports.map((p) => `${p.split("/")[1]} ${p.split("/")[0]} ${c}`)),
        );
        assert.deepStrictEqual(expand(table[key].ingress), ingress.sort(), key);
      }
      // globex is granted no DNS: its VMs cannot reach the resolver.
      assert.ok(!JSON.stringify(table["tenant-globex/app"]).includes("10.50.0.10"));
    });

    it("explains every flow by the VM's underlay policy and the tenant's default deny", () => {
      const explained = explainReachability(new StackView(resources, config), "tenant-acme/web")!;
      assert.ok(explained.egress.length > 0);
      for (const { allowedBy } of explained.egress)
        assert.match(allowedBy.join(), /^NetworkPolicy tenant-acme\/underlay-web spec\.egress\[\d\]$/);
      assert.deepStrictEqual(
        explained.ingress.map((e) => e.allowedBy.join()),
        ["NetworkPolicy tenant-acme/default-deny-underlay spec.ingress[0]"],
      );
      const text = explainText(resources, config, "tenant-acme/web")!;
      assert.match(text, /TCP 80,443 to 10\.50\.31\.21\/32 {2}<- NetworkPolicy tenant-acme\/underlay-web spec\.egress\[0\]/);
      assert.strictEqual(explainText(resources, config, "tenant-acme/nope"), undefined);
    });
  });

  describe("bypass: selection through labels the platform adds", () => {
    const selectors = [
      "projectcalico.org/serviceaccount == 'default'",
      "pcns.kubernetes.io/metadata.name == 'tenant-acme'",
      "pcns.projectcalico.org/name == 'tenant-acme'",
      "kubevirt.io/created-by == '5e0c7a4e-uid'",
      "kubevirt.io/domain == 'web'",
      "vm.kubevirt.io/name == 'web'",
      "kubevirt.io == 'virt-launcher'",
      "projectcalico.org/namespace == 'tenant-acme'",
    ];
    for (const selector of selectors) {
      it(`refuses an allow-all GlobalNetworkPolicy selecting ${selector}`, () => {
        resources.push(calico("GlobalNetworkPolicy", "sneaky", undefined, { selector, ...ALLOW_ALL_EGRESS }));
        assertOne(
          underlay(resources, config),
          "underlay-egress-catalog",
          "sneaky",
          "GlobalNetworkPolicy sneaky: spec.egress[0]",
          "allows any protocol to 0.0.0.0/0",
        );
      });
    }

    it("refuses a GlobalNetworkPolicy namespaceSelector on kubernetes.io/metadata.name and an AdminNetworkPolicy on it", () => {
      resources.push(
        calico("GlobalNetworkPolicy", "ns-sel", undefined, {
          namespaceSelector: "kubernetes.io/metadata.name == 'tenant-globex'",
          ...ALLOW_ALL_EGRESS,
        }),
      );
      resources.push(
        customResource("anp", {
          apiVersion: "policy.networking.k8s.io/v1alpha1",
          kind: "AdminNetworkPolicy",
          metadata: { name: "anp" },
          spec: {
            priority: 10,
            subject: { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } } },
            egress: [{ name: "all", action: "Allow", to: [{ networks: ["0.0.0.0/0"] }] }],
          },
        }),
      );
      const violations = underlay(resources, config);
      assertOne(violations, "underlay-egress-catalog", "ns-sel", "any protocol to 0.0.0.0/0", "VirtualMachine tenant-globex/app");
      assertOne(
        violations,
        "underlay-egress-catalog",
        "anp",
        "AdminNetworkPolicy anp: spec.egress[0].to[0]",
        "any protocol to 0.0.0.0/0",
        "VirtualMachine tenant-acme/web",
      );
    });

    it("refuses a DNS allow written for one VM that another tenant's VM also matches", () => {
      resources.push(
        calico("GlobalNetworkPolicy", "dns-for-web", undefined, {
          selector: "vm.kubevirt.io/name in {'web', 'app'}",
          types: ["Egress"],
          egress: [{ action: "Allow", protocol: "UDP", destination: { nets: ["10.50.0.10/32"], ports: [53] } }],
        }),
      );
      assertOne(
        underlay(resources, config),
        "underlay-egress-catalog",
        "dns-for-web",
        "allows UDP 53 to 10.50.0.10/32",
        "VirtualMachine tenant-globex/app",
        "outside the services granted to it (mirror, oss",
      );
    });
  });

  describe("bypass: policies no stack of the tenant owns", () => {
    function platformOnly(): CapturedResource[] {
      return resources.filter((r) => !r.name.startsWith("acme/") && !r.name.startsWith("globex/"));
    }

    it("judges a platform-only stack's global, admin and tenant-namespace policies against every registered tenant", () => {
      const platform = platformOnly();
      assertClean(underlay(platform, config));
      platform.push(calico("GlobalNetworkPolicy", "allow-all", undefined, { selector: "all()", ...ALLOW_ALL_EGRESS }));
      assertOne(
        underlay(platform, config),
        "underlay-egress-catalog",
        "allow-all",
        "any workload of registered tenant acme",
        "any workload of registered tenant globex",
      );
      platform.push(
        calico("NetworkPolicy", "in-acme", "tenant-acme", { selector: "app == 'x'", types: ["Ingress"], ingress: [{ action: "Allow" }] }),
      );
      platform.push(
        customResource("cnp", {
          apiVersion: "policy.networking.k8s.io/v1alpha2",
          kind: "ClusterNetworkPolicy",
          metadata: { name: "cnp" },
          spec: {
            tier: "Admin",
            priority: 5,
            subject: { namespaces: {} },
            egress: [{ name: "all", action: "Accept", to: [{ networks: ["0.0.0.0/0"] }] }],
          },
        }),
      );
      const violations = underlay(platform, config);
      // The admin tier comes first: its Accept is what opens the flows now.
      assertNone(
        violations.filter((v) => v.resource === "allow-all"),
        "underlay-egress-catalog",
      );
      assertOne(violations, "underlay-egress-catalog", "cnp", "ClusterNetworkPolicy cnp: spec.egress[0].to[0]", "registered tenant globex");
      assertOne(
        violations,
        "underlay-ingress",
        "in-acme",
        "allows any protocol from 0.0.0.0/0",
        "registered tenant acme",
        "tenants.acme.underlayIngress",
      );
    });

    it("treats a namespaced policy without metadata.namespace as possibly in a tenant's namespace", () => {
      resources.push(calico("NetworkPolicy", "no-namespace", undefined, { selector: "all()", ...ALLOW_ALL_EGRESS }));
      assertOne(
        underlay(resources, config),
        "underlay-egress-catalog",
        "no-namespace",
        "NetworkPolicy default/no-namespace",
        "VirtualMachine tenant-acme/web",
      );
    });
  });

  describe("bypass: default deny that need not apply", () => {
    it("does not credit a serviceAccountSelector default deny to a VM under another service account", () => {
      at(named(resources, "acme/underlay-default-deny"), "spec").serviceAccountSelector = "projectcalico.org/name == 'vm-runner'";
      const violations = underlay(resources, config);
      assertOne(violations, "vm-underlay-policy", "acme/web/vm", "not default-deny", "ingress any protocol from 0.0.0.0/0");
      // KubeVirt's serviceAccount volume makes the launcher pod run as that account: then it counts.
      const template = at(named(resources, "acme/web/vm"), "spec", "template");
      template.spec.volumes = [...(template.spec.volumes ?? []), { name: "sa", serviceAccount: { serviceAccountName: "vm-runner" } }];
      const after = underlay(resources, config);
      assertNone(
        after.filter((v) => v.resource === "acme/web/vm"),
        "vm-underlay-policy",
      );
      assertOne(after, "vm-underlay-policy", "acme/db/vm", "not default-deny");
    });

    it("does not credit a default deny in an undeclared tier, an AdminNetworkPolicy deny or a doNotTrack policy", () => {
      at(named(resources, "globex/underlay-default-deny"), "spec").tier = "security";
      assertOne(underlay(resources, config), "vm-underlay-policy", "globex/app/vm", "may select", "ingress any protocol");
      resources = resources.filter((r) => r.name !== "globex/underlay-default-deny");
      resources.push(
        customResource("anp-deny", {
          apiVersion: "policy.networking.k8s.io/v1alpha1",
          kind: "AdminNetworkPolicy",
          metadata: { name: "anp-deny" },
          spec: { priority: 1, subject: { namespaces: {} }, ingress: [{ name: "deny", action: "Deny", from: [{ namespaces: {} }] }] },
        }),
        calico("GlobalNetworkPolicy", "untracked", undefined, {
          selector: "all()",
          doNotTrack: true,
          applyOnForward: true,
          types: ["Ingress"],
          ingress: [{ action: "Deny" }],
        }),
      );
      assertOne(underlay(resources, config), "vm-underlay-policy", "globex/worker/vm", "ingress any protocol from 0.0.0.0/0");
    });

    it("credits a Kubernetes NetworkPolicy default deny and a Calico Tier ending in Deny", () => {
      resources = resources.filter((r) => r.name !== "acme/underlay-default-deny");
      resources.push(
        customResource("k8s-deny", {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "deny", namespace: "tenant-acme" },
          spec: {
            podSelector: { matchLabels: { "tenantnet.io/tenant": "acme" } },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ ipBlock: { cidr: "10.50.0.100/32" } }], ports: [{ port: 22 }] }],
          },
        }),
      );
      assertClean(underlay(resources, config));
    });
  });

  describe("bypass: ingress", () => {
    it("refuses an ingress allow-all and sources wider than the registration", () => {
      const spec = at(named(resources, "acme/underlay-default-deny"), "spec");
      spec.ingress[0].source.nets = ["0.0.0.0/0"];
      spec.ingress.push({ action: "Allow", protocol: "TCP", destination: { ports: [3389] } });
      const violations = underlay(resources, config);
      assertFlow(
        violations,
        "underlay-ingress",
        "acme/underlay-default-deny",
        "spec.ingress[0]",
        "allows TCP 22 from 0.0.0.0/5",
        "VirtualMachine tenant-acme/web",
      );
      assertFlow(violations, "underlay-ingress", "acme/underlay-default-deny", "spec.ingress[1]", "TCP 3389 from 0.0.0.0/0");
    });
  });

  describe("bypass: egress beyond the catalog as a set", () => {
    it("refuses 0.0.0.0/1 + 128.0.0.0/1 and notNets", () => {
      at(named(resources, "acme/web/underlay-policy"), "spec", "egress").push(
        { action: "Allow", protocol: "TCP", destination: { nets: ["0.0.0.0/1", "128.0.0.0/1"], ports: [443] } },
        { action: "Allow", protocol: "UDP", destination: { notNets: ["10.0.0.0/8"], ports: [443] } },
      );
      const violations = underlay(resources, config).filter((v) => v.policy === "underlay-egress-catalog");
      assert.ok(
        violations.some((v) => v.message.includes("spec.egress[3]") && v.message.includes("TCP 443 to 0.0.0.0/5")),
        violations.map((v) => v.message).join("\n"),
      );
      assert.ok(
        violations.some((v) => v.message.includes("spec.egress[4]") && v.message.includes("UDP 443 to 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8")),
      );
    });

    it("refuses a Pass that falls through to the profile and a crd.projectcalico.org lower-case allow", () => {
      at(named(resources, "acme/web/underlay-policy"), "spec", "egress").push({ action: "Pass" });
      resources.push(
        calico(
          "NetworkPolicy",
          "legacy",
          "tenant-globex",
          { selector: "all()", egress: [{ action: "allow", protocol: "TCP", destination: { ports: [25] } }] },
          "crd.projectcalico.org/v1",
        ),
      );
      const violations = underlay(resources, config);
      assertOne(violations, "vm-underlay-policy", "acme/web/vm", "egress any protocol to 0.0.0.0/0", "no rule or tier end denies it");
      assertOne(violations, "underlay-egress-catalog", "legacy", "allows TCP 25 to 0.0.0.0/0");
    });
  });

  describe("bypass: node-control ports on every node address", () => {
    const cases: [string, string, number, string][] = [
      ["join CIDR", "100.64.0.1/32", 10250, "kubelet"],
      ["pod CIDR tunnel address", "10.199.0.1/32", 179, "BGP"],
      ["node CIDR", "10.50.0.7/32", 6641, "OVN"],
      ["node CIDR", "10.50.0.7/32", 5473, "Typha"],
      ["node CIDR", "10.50.0.7/32", 30080, "NodePort"],
    ];
    for (const [where, net, port, what] of cases) {
      it(`refuses ${what} ${port} on the ${where} even when the catalog grants it`, () => {
        config.services!.control = { cidrs: [net], ports: [`${port}/TCP`] };
        config.tenants!.acme.services.push("control");
        config.tenants!.acme.vms.web.push("control");
        at(named(resources, "acme/web/underlay-policy"), "spec", "egress").push({
          action: "Allow",
          protocol: "TCP",
          destination: { nets: [net], ports: [port] },
        });
        const violations = underlay(resources, config);
        assertNone(violations, "underlay-egress-catalog");
        assertOne(
          violations,
          "underlay-node-ports",
          "acme/web/underlay-policy",
          `allows TCP ${port} to ${net}`,
          "node-control ports on node addresses",
        );
      });
    }

    it("fails closed when the node CIDRs are unknown", () => {
      delete config.network!.nodeCidrs;
      resources = resources.filter((r) => r.type !== "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition");
      assertOne(mandatory(resources, config), "underlay-node-ports", "stack", "node CIDRs are unknown");
    });
  });

  describe("safe stacks pass", () => {
    it("a Tier without defaultAction (Calico defaults it to Deny)", () => {
      resources.push(
        customResource("tier", { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "security" }, spec: { order: 100 } }),
      );
      at(named(resources, "acme/underlay-default-deny"), "spec").tier = "security";
      at(named(resources, "acme/underlay-default-deny"), "metadata").name = "security.default-deny-underlay";
      assertClean(underlay(resources, config));
    });

    it("a security tier that denies a few addresses and Passes to the default tier's deny", () => {
      resources.push(
        customResource("tier", {
          apiVersion: "projectcalico.org/v3",
          kind: "Tier",
          metadata: { name: "security" },
          spec: { order: 100, defaultAction: "Pass" },
        }),
        calico("GlobalNetworkPolicy", "security.block", undefined, {
          tier: "security",
          selector: "all()",
          types: ["Ingress", "Egress"],
          egress: [{ action: "Deny", destination: { nets: ["192.0.2.0/24"] } }, { action: "Pass" }],
          ingress: [{ action: "Deny", source: { nets: ["192.0.2.0/24"] } }, { action: "Pass" }],
        }),
      );
      assertClean(underlay(resources, config));
    });

    it("a BaselineAdminNetworkPolicy allow, which runs after the default tier's deny", () => {
      resources.push(
        customResource("banp", {
          apiVersion: "policy.networking.k8s.io/v1alpha1",
          kind: "BaselineAdminNetworkPolicy",
          metadata: { name: "default" },
          spec: { subject: { namespaces: {} }, egress: [{ name: "all", action: "Allow", to: [{ networks: ["0.0.0.0/0"] }] }] },
        }),
      );
      assertClean(underlay(resources, config));
    });

    it("ICMP to a granted host", () => {
      at(named(resources, "acme/web/underlay-policy"), "spec", "egress").push({
        action: "Allow",
        protocol: "ICMP",
        destination: { nets: ["10.50.31.21/32"] },
      });
      assertClean(underlay(resources, config));
      const table = reachabilityTable(new StackView(resources, config));
      assert.ok(
        table["tenant-acme/web"].egress.some((f) => f.protocol === "ICMP" && f.nets.join() === "10.50.31.21/32" && f.ports === "any"),
      );
    });

    it("a catalog service on port 22 inside the node CIDR that the platform declares is not a node", () => {
      config.services!.git = { cidrs: ["10.50.50.5/32"], ports: ["22/TCP"] };
      config.tenants!.acme.services.push("git");
      config.tenants!.acme.vms.web.push("git");
      at(named(resources, "acme/web/underlay-policy"), "spec", "egress").push({
        action: "Allow",
        protocol: "TCP",
        destination: { nets: ["10.50.50.5/32"], ports: [22] },
      });
      assertOne(underlay(resources, config), "underlay-node-ports", "acme/web/underlay-policy", "allows TCP 22 to 10.50.50.5/32");
      config.network!.nonNodeCidrs = ["10.50.50.5/32"];
      assertClean(underlay(resources, config));
    });

    it("a staged policy, which Calico does not enforce", () => {
      resources.push(calico("StagedGlobalNetworkPolicy", "staged", undefined, { selector: "all()", ...ALLOW_ALL_EGRESS }));
      assertClean(underlay(resources, config));
    });
  });

  it("reports an unparseable selector, which may select anything", () => {
    at(named(resources, "acme/underlay-default-deny"), "spec").selector = "tenantnet.io/tenant = 'acme'";
    const violations = underlay(resources, config);
    assertOne(violations, "vm-underlay-policy", "acme/underlay-default-deny", "spec.selector", "unparseable selector");
    assertOne(violations, "vm-underlay-policy", "acme/web/vm", "ingress any protocol from 0.0.0.0/0", "may select");
  });

  it("judges other pod-template owners in a tenant namespace as endpoints too", () => {
    const deployment = (name: string, labels: Record<string, string>) =>
      customResource(name, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: "tenant-acme" },
        spec: {
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "busybox" }] } },
        },
      });
    resources.push(deployment("loose", { app: "loose" }), deployment("held", { "tenantnet.io/tenant": "acme" }));
    const violations = underlay(resources, config);
    assertOne(
      violations,
      "vm-underlay-policy",
      "loose",
      "Deployment tenant-acme/loose: spec.template.metadata.labels",
      "selected by no network policy",
    );
    assertNone(
      violations.filter((v) => v.resource === "held"),
      "vm-underlay-policy",
    );
    const table = reachabilityTable(new StackView(resources, config));
    // Held by acme's default deny: nothing out, only the bastion in.
    assert.deepStrictEqual(table["tenant-acme/held"], { egress: [], ingress: table["tenant-acme/web"].ingress });
    assert.strictEqual(table["tenant-acme/held"].ingress.length, 1);
  });

  it("rejects a hand-written VM no policy selects, naming its labels", () => {
    const vm = structuredClone(named(resources, "acme/web/vm"));
    vm.name = "rogue";
    at(vm, "metadata").name = "rogue";
    at(vm, "spec", "template", "metadata").labels = { app: "rogue" };
    resources.push(vm);
    assertOne(
      underlay(resources, config),
      "vm-underlay-policy",
      "rogue",
      "VirtualMachine tenant-acme/rogue: spec.template.metadata.labels",
      "selected by no network policy",
    );
  });
});
