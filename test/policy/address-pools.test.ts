/** address-pools over the real dev render: pools and reservations that claim platform or tenant ranges, each named by resource and key. */
import { strict as assert } from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import type { PolicyConfig } from "../../lib/policy";
import { addressPoolsRule } from "../../lib/policy/rules";
import { leftAfter } from "../../lib/policy/rules/address-pools";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { policyPackConfig } from "../../lib/policy";
import { policyNamed } from "../../policy/rules";
import { assertNone, assertOne, at, customResource, devStack, mandatory, named, stackRender } from "../fixtures/policy";

const RULE = "address-pools";

function ipPool(name: string, cidr: string, apiVersion = "projectcalico.org/v3"): CapturedResource {
  return customResource(name, { apiVersion, kind: "IPPool", metadata: { name }, spec: { cidr, disabled: true } });
}

function reservation(name: string, reservedCIDRs: string[], apiVersion = "projectcalico.org/v3"): CapturedResource {
  return customResource(name, { apiVersion, kind: "IPReservation", metadata: { name }, spec: { reservedCIDRs } });
}

describe("policy address-pools", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("passes the dev render (the pod pool holds the tenant blocks, the VM and tenant reservations are the program's) and acme's", async () => {
    assert.ok("checkResource" in addressPoolsRule);
    assertNone(mandatory(resources, config), RULE);
    const acme = await stackRender("acme");
    assertNone(mandatory(acme.resources, acme.config), RULE);
  });

  it("refuses an IPPool inside the node network, even disabled, in either API group", () => {
    resources.push(ipPool("hijack", "10.50.31.0/24"), ipPool("legacy", "10.50.31.21/32", "crd.projectcalico.org/v1"));
    const violations = mandatory(resources, config, RULE);
    const hijack = violations.filter((v) => v.resource === "hijack").map((v) => v.message);
    assert.equal(hijack.length, 2, hijack.join("\n"));
    assert.ok(hijack.some((m) => m.includes("spec.cidr") && m.includes("the node CIDR 10.50.0.0/16")));
    assert.ok(hijack.some((m) => m.includes("catalog service oss 10.50.31.21/32")));
    assert.equal(violations.filter((v) => v.resource === "legacy").length, 2);
  });

  it("refuses an IPPool over the service, join or external network, or a tenant's block, and accepts one clear of all", () => {
    resources.push(
      ipPool("svc", "10.96.0.0/24"),
      ipPool("join", "100.64.10.0/24"),
      ipPool("ext", "203.0.113.64/28"),
      ipPool("block", "10.199.3.32/28"),
    );
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "svc", "spec.cidr", "the service CIDR 10.96.0.0/12");
    assertOne(violations, RULE, "join", "spec.cidr", "the join CIDR 100.64.0.0/16");
    assertOne(violations, RULE, "ext", "spec.cidr", "the external network 203.0.113.0/24");
    const block = violations.filter((v) => v.resource === "block").map((v) => v.message);
    assert.ok(
      block.some((m) => m.includes("tenant globex's underlayBlock 10.199.3.32/27")),
      block.join("\n"),
    );
    assert.ok(
      block.some((m) => m.includes("the pod CIDR 10.199.0.0/16")),
      "a second pool over the pod pool",
    );
    resources.splice(resources.length - 4, 4, ipPool("clear", "10.200.0.0/24"));
    assertNone(mandatory(resources, config), RULE);
  });

  it("holds the Installation's pools: the pod pool may hold tenant blocks, no pool may hold node addresses", () => {
    const pools = at(named(resources, "platform-calico-installation"), "spec", "calicoNetwork", "ipPools");
    pools.push({ name: "extra", cidr: "10.199.3.0/26" });
    const extra = mandatory(resources, config, RULE).filter((v) => v.message.includes("tenant acme's underlayBlock"));
    assertOne(extra, RULE, "platform-calico-installation", "spec.calicoNetwork.ipPools[1].cidr", "only the pod pool holds tenant blocks");
    pools.pop();
    pools[0].cidr = "10.50.0.0/16";
    const messages = mandatory(resources, config, RULE).map((v) => v.message);
    assert.ok(
      messages.some((m) => m.includes("spec.calicoNetwork.ipPools[0].cidr") && m.includes("the node CIDR")),
      messages.join("\n"),
    );
  });

  it("refuses an IPReservation over a tenant's block under any name but the tenant's own or the platform's", () => {
    resources.push(
      reservation("tenant-evil-underlay", ["10.199.3.0/28"]),
      reservation("other", ["10.199.3.40"], "crd.projectcalico.org/v1"),
    );
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "tenant-evil-underlay", "spec.reservedCIDRs[0]", "tenant acme's underlayBlock", "tenant-acme-underlay");
    assertOne(violations, RULE, "other", "spec.reservedCIDRs[0]", "tenant globex's underlayBlock");
    at(named(resources, "acme/ip-reservation"), "metadata").name = "renamed";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/ip-reservation", "spec.reservedCIDRs[0]", "tenant acme's underlayBlock");
  });

  it("refuses Spiderpool pools whose addresses (minus excludeIPs) meet a catalog, pod or tenant range", () => {
    const spider = (name: string, kind: string, spec: Record<string, unknown>) =>
      customResource(name, {
        apiVersion: "spiderpool.spidernet.io/v2beta1",
        kind,
        metadata: { name },
        spec: { subnet: "10.50.0.0/16", ...spec },
      });
    resources.push(
      spider("node-a", "SpiderIPPool", { ips: ["10.50.31.20-10.50.31.22"] }),
      spider("node-b", "SpiderIPPool", { ips: ["10.50.31.20-10.50.31.22"], excludeIPs: ["10.50.31.21"] }),
      spider("wide", "SpiderSubnet", { ips: ["10.199.3.1"] }),
      spider("bad", "SpiderIPPool", { ips: ["10.50.31.30/28"] }),
    );
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "node-a", "spec.ips[0]", "catalog service oss");
    assert.equal(
      violations.filter((v) => v.resource === "node-b").length,
      0,
      "the catalog address is excluded; the node network is the pool's by design",
    );
    assert.equal(violations.filter((v) => v.resource === "wide").length, 2, "the pod CIDR and acme's block");
    assertOne(violations, RULE, "bad", "spec.ips[0]", "not an IPv4 address");
  });

  it("stops the pool under CrossGuard: the resource policy, given its own pack config entry, reports what the offline run does", async () => {
    const pool = ipPool("hijack", "10.50.31.0/24");
    resources.push(pool);
    const policy = policyNamed<ResourceValidationPolicy>(RULE);
    const reports: string[] = [];
    const args = {
      type: pool.type,
      props: pool.inputs,
      urn: pool.urn,
      name: pool.name,
      stackTags: new Map(),
      getConfig: () => policyPackConfig(config)[RULE],
      notApplicable: () => assert.fail("not applicable"),
    } as unknown as ResourceValidationArgs;
    const validate = policy.validateResource;
    assert.ok(validate && !Array.isArray(validate), "the adapter gives one validateResource");
    await validate(args, (message) => reports.push(message));
    const offline = mandatory(resources, config, RULE).filter((v) => v.resource === "hijack");
    assert.equal(reports.length, 2);
    assert.deepEqual(
      reports,
      offline.map((v) => v.message),
    );
  });

  it("fails closed when the policy config lacks a network fact", () => {
    resources.push(ipPool("clear", "10.200.0.0/24"));
    delete config.network!.joinCidr;
    assertOne(mandatory(resources, config, RULE), RULE, "clear", "join CIDR", "network.joinCidr");
  });

  it("leftAfter: whether excluded ranges leave any address of a range", () => {
    const r = (start: number, end: number) => ({ start: BigInt(start), end: BigInt(end) });
    assert.equal(leftAfter(r(10, 20), []), true);
    assert.equal(leftAfter(r(10, 20), [r(10, 20)]), false);
    assert.equal(leftAfter(r(10, 20), [r(15, 20), r(0, 14)]), false);
    assert.equal(leftAfter(r(10, 20), [r(10, 14), r(16, 20)]), true);
    assert.equal(leftAfter(r(10, 20), [r(0, 5), r(21, 30)]), true);
  });
});
