/**
 * Bypasses found in review, each rebuilt from the real dev render: the violation names the rule,
 * the resource and the key path, and the compliant variant stays quiet.
 */
import * as assert from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import { readPolicyConfig, type PolicyConfig } from "../../lib/policy";
import { assertNone, assertOne, at, devStack, mandatory, named, stackRender, templateOf } from "../fixtures/policy";

describe("policy bypasses found in review", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
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
    assert.deepStrictEqual(mandatory(resources, config), []);
  });
});
