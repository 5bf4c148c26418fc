/**
 * Bypasses found in review, each rebuilt from the real dev render: the violation names the rule,
 * the resource and the key path, and the compliant variant stays quiet.
 */
import * as assert from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import { StackView, evaluatePolicies, readPolicyConfig, type PolicyConfig } from "../../lib/policy";
import { assertNone, assertOne, at, customResource, devStack, mandatory, named, stackRender, templateOf } from "../fixtures/policy";

describe("policy bypasses found in review", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  describe("Calico Pass rules open like Allow", () => {
    it("underlay-egress-catalog and underlay-node-ports judge a Pass egress rule", () => {
      at(named(resources, "acme/web/underlay-policy"), "spec", "egress").push({ action: "Pass" });
      const violations = mandatory(resources, config);
      assertOne(
        violations.filter((v) => v.message.includes("destination.nets")),
        "underlay-egress-catalog",
        "acme/web/underlay-policy",
        "spec.egress[",
        "destination.nets = (unset)",
        "no destination nets",
      );
      assertOne(violations, "underlay-node-ports", "acme/web/underlay-policy", "kubelet 10250", "no destination nets (every address)");
    });

    it("compares crd.projectcalico.org/v1 actions case-insensitively", () => {
      resources.push(
        customResource("crd-pass", {
          apiVersion: "crd.projectcalico.org/v1",
          kind: "NetworkPolicy",
          metadata: { name: "legacy", namespace: "tenant-globex" },
          spec: { selector: "all()", egress: [{ action: "pass" }, { action: "allow" }, { action: "deny" }] },
        }),
      );
      const violations = mandatory(resources, config, "underlay-egress-catalog").filter((v) => v.resource === "crd-pass");
      assert.deepStrictEqual(
        violations.map((v) => v.message.split(" = ")[0]),
        [
          "NetworkPolicy tenant-globex/legacy: spec.egress[0].destination.nets",
          "NetworkPolicy tenant-globex/legacy: spec.egress[0].destination.ports",
          "NetworkPolicy tenant-globex/legacy: spec.egress[1].destination.nets",
          "NetworkPolicy tenant-globex/legacy: spec.egress[1].destination.ports",
        ],
      );
    });
  });

  describe("vm-underlay-policy and Calico tiers", () => {
    function tierDefaultDeny(): void {
      const spec = at(named(resources, "acme/underlay-default-deny"), "spec");
      spec.tier = "tenants";
      at(named(resources, "acme/underlay-default-deny"), "metadata").name = "tenants.default-deny-underlay";
    }

    it("does not count a default deny in an undeclared tier", () => {
      tierDefaultDeny();
      const violations = mandatory(resources, config, "vm-underlay-policy");
      assertOne(
        violations,
        "vm-underlay-policy",
        "acme/web/vm",
        "spec.template.metadata.labels",
        "tier tenants has no declared Tier with defaultAction Deny",
        "no Ingress policy",
      );
      assertOne(violations, "vm-underlay-policy", "acme/db/vm", "no Ingress policy");
    });

    it("does not count it in a tier whose defaultAction is Pass, counts it with Deny", () => {
      tierDefaultDeny();
      const tier = customResource("tier", {
        apiVersion: "projectcalico.org/v3",
        kind: "Tier",
        metadata: { name: "tenants" },
        spec: { order: 100, defaultAction: "Pass" },
      });
      resources.push(tier);
      assertOne(mandatory(resources, config, "vm-underlay-policy"), "vm-underlay-policy", "acme/web/vm", "tier tenants");
      at(tier, "spec").defaultAction = "Deny";
      assertNone(mandatory(resources, config), "vm-underlay-policy");
    });
  });

  describe("admin network policies", () => {
    function anp(
      name: string,
      subject: unknown,
      action = "Allow",
      apiVersion = "policy.networking.k8s.io/v1alpha1",
      kind = "AdminNetworkPolicy",
    ): CapturedResource {
      return customResource(name, {
        apiVersion,
        kind,
        metadata: { name },
        spec: { priority: 10, subject, egress: [{ name: "out", action, to: [{ networks: ["0.0.0.0/0"] }] }] },
      });
    }

    it("flags an egress Allow or Pass in an AdminNetworkPolicy that can select a tenant namespace", () => {
      resources.push(anp("anp-all", { namespaces: {} }));
      resources.push(
        anp("anp-pass", { pods: { namespaceSelector: { matchLabels: { "tenantnet.io/tenant": "acme" } }, podSelector: {} } }, "Pass"),
      );
      resources.push(
        anp(
          "cnp-accept",
          { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "tenant-globex" } } },
          "Accept",
          "policy.networking.k8s.io/v1alpha2",
          "ClusterNetworkPolicy",
        ),
      );
      const violations = mandatory(resources, config, "underlay-egress-catalog");
      assertOne(
        violations,
        "underlay-egress-catalog",
        "anp-all",
        'AdminNetworkPolicy anp-all: spec.egress[0].action = "Allow"',
        "tenant-acme, tenant-globex",
      );
      assertOne(violations, "underlay-egress-catalog", "anp-pass", 'spec.egress[0].action = "Pass"', "(tenant-acme)");
      assertOne(
        violations,
        "underlay-egress-catalog",
        "cnp-accept",
        'ClusterNetworkPolicy cnp-accept: spec.egress[0].action = "Accept"',
        "(tenant-globex)",
      );
    });

    it("leaves alone one whose subject selects no tenant namespace, and Deny rules", () => {
      resources.push(anp("anp-system", { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }));
      resources.push(anp("anp-deny", { namespaces: {} }, "Deny"));
      assertNone(mandatory(resources, config), "underlay-egress-catalog");
    });
  });

  describe("host-endpoint-only GlobalNetworkPolicies", () => {
    for (const flag of ["doNotTrack", "preDNAT"]) {
      it(`does not count a ${flag} GlobalNetworkPolicy as a VM's default deny`, () => {
        resources = resources.filter((r) => r.name !== "acme/underlay-default-deny");
        resources.push(
          customResource(`gnp-${flag}`, {
            apiVersion: "projectcalico.org/v3",
            kind: "GlobalNetworkPolicy",
            metadata: { name: `host-${flag}` },
            spec: { selector: "has(tenantnet.io/tenant)", types: ["Ingress", "Egress"], [flag]: true, applyOnForward: true },
          }),
        );
        assertOne(
          mandatory(resources, config, "vm-underlay-policy"),
          "vm-underlay-policy",
          "acme/web/vm",
          "spec.template.metadata.labels",
          "selected only by NetworkPolicy tenant-acme/underlay-web",
          "no Ingress policy",
        );
        const stack = new StackView(resources, config);
        const gnp = stack.policies.find((p) => p.resource.name === `gnp-${flag}`)!;
        assert.deepStrictEqual(stack.vmsSelectedBy(gnp), []);
      });
    }
  });

  describe("calico-nad-routes checks the whole chain after calico", () => {
    function editConfig(edit: (conf: { plugins: { type: string; routes?: { dst: string }[] }[] }) => void): void {
      const nad = named(resources, "platform-nad-calico");
      const conf = JSON.parse(at(nad, "spec").config);
      edit(conf);
      at(nad, "spec").config = JSON.stringify(conf);
    }

    it("checks a second x-calico-route entry", () => {
      editConfig((conf) => conf.plugins.push({ type: "x-calico-route", routes: [{ dst: "0.0.0.0/0" }] }));
      assertOne(
        mandatory(resources, config, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        'NetworkAttachmentDefinition default/calico: spec.config.plugins[3].routes[0].dst = "0.0.0.0/0"',
        "default route",
      );
    });

    it("rejects any later plugin not on the allowlist", () => {
      editConfig((conf) => conf.plugins.push({ type: "route-override" }));
      assertOne(
        mandatory(resources, config, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        'spec.config.plugins[3].type = "route-override"',
        "only x-calico-route, tuning may be chained after calico",
      );
    });
  });

  describe("vm-networks in a tenant-only stack", () => {
    it("accepts only the platform's kubeovn (or the tenant's own) when the NAD is not declared", async () => {
      const acme = await stackRender("acme");
      const networks = templateOf(named(acme.resources, "acme/web/vm")).spec.networks;
      networks[1].multus.networkName = "default/open-net";
      assertOne(
        mandatory(acme.resources, acme.config),
        "vm-networks",
        "acme/web/vm",
        'spec.template.spec.networks[1].multus.networkName = "default/open-net"',
        "must be the tenant's Kube-OVN NAD, tenant-acme/kubeovn or default/kubeovn",
      );
      networks[1].multus.networkName = "default/kubeovn";
      assertNone(mandatory(acme.resources, acme.config), "vm-networks");
    });
  });

  describe("vm-underlay-ip holds the configured underlayBlock over the stack's reservation", () => {
    it("rejects a widened tenant reservation and an IP outside the configured block", () => {
      at(named(resources, "acme/ip-reservation"), "spec").reservedCIDRs = ["10.199.3.0/24"];
      templateOf(named(resources, "acme/db/vm")).metadata.annotations["cni.projectcalico.org/ipAddrs"] = '["10.199.3.200"]';
      const violations = mandatory(resources, config, "vm-underlay-ip");
      assertOne(
        violations,
        "vm-underlay-ip",
        "acme/ip-reservation",
        'IPReservation tenant-acme-underlay: spec.reservedCIDRs[0] = "10.199.3.0/24"',
        "underlayBlock 10.199.3.0/27",
      );
      assertOne(
        violations,
        "vm-underlay-ip",
        "acme/db/vm",
        "10.199.3.200 is outside the tenant's block 10.199.3.0/27 (policy config underlayBlock)",
      );
    });

    it("falls back to the reservation when the config does not know the tenant", () => {
      const unknown: PolicyConfig = structuredClone(config);
      delete unknown.tenants!.acme;
      templateOf(named(resources, "acme/db/vm")).metadata.annotations["cni.projectcalico.org/ipAddrs"] = '["10.199.3.40"]';
      assertOne(
        mandatory(resources, unknown, "vm-underlay-ip"),
        "vm-underlay-ip",
        "acme/db/vm",
        "outside the tenant's block 10.199.3.0/27 (IPReservation tenant-acme-underlay)",
      );
    });
  });

  describe("pack-config keys", () => {
    it("rejects a typo'd top-level key instead of reading the file as an empty pack config", () => {
      assert.throws(() => readPolicyConfig({ ...config, netwrok: config.network }), /unknown keys "netwrok"/);
      assert.throws(() => readPolicyConfig({ all: "mandatory", "vm-netwroks": {} }), /unknown keys "vm-netwroks"/);
      assert.throws(() => readPolicyConfig({ network: config.network, all: "advisory" }), /mixes plain sections "network"/);
      assert.doesNotThrow(() => readPolicyConfig({ all: "advisory", "vm-networks": { tenants: config.tenants } }));
    });
  });

  it("the dev stack stays free of mandatory violations", () => {
    assert.deepStrictEqual(
      evaluatePolicies(resources, config).filter((v) => v.level === "mandatory"),
      [],
    );
  });
});
