/** The tenant-nat rule over the real dev render: each mutation names the resource and key path; the render itself is clean. */
import { strict as assert } from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import type { PolicyConfig } from "../../lib/policy";
import { assertNone, assertOne, at, devStack, mandatory, named } from "../fixtures/policy";

const RULE = "tenant-nat";

describe("policy tenant-nat", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("passes the dev render, whose policy config carries the external network and the grants", () => {
    assertNone(mandatory(resources, config), RULE);
    assert.deepEqual([config.network?.externalSubnet, config.network?.externalCidr], ["tn-external", "203.0.113.0/24"]);
    assert.deepEqual(config.tenants?.acme.eips, ["203.0.113.64", "203.0.113.65"]);
  });

  it("refuses a DNAT rule to another tenant's VM", () => {
    // The dev VPCs overlap; give globex's worker an address no acme VM has, then aim acme's DNAT at it.
    at(named(resources, "globex/worker/vm"), "spec", "template", "metadata", "annotations")[
      "kubeovn.tenant-globex.ovn.kubernetes.io/ip_address"
    ] = "10.0.1.9";
    at(named(resources, "acme/iptablesdnatrule/tenant-acme-vm-db-tcp-8443"), "spec").internalIp = "10.0.1.9";
    assertOne(
      mandatory(resources, config, RULE),
      RULE,
      "acme/iptablesdnatrule/tenant-acme-vm-db-tcp-8443",
      "spec.internalIp",
      "not the VPC address of a VM in tenant-acme",
    );
  });

  it("refuses an EIP outside the tenant's grant", () => {
    at(named(resources, "acme/iptableseip/tenant-acme-vm-web"), "spec").v4ip = "203.0.113.70";
    assertOne(
      mandatory(resources, config, RULE),
      RULE,
      "acme/iptableseip/tenant-acme-vm-web",
      "spec.v4ip",
      "not one of the addresses granted",
    );
  });

  it("refuses an EIP on another subnet than the platform's external one", () => {
    at(named(resources, "acme/iptableseip/tenant-acme-snat"), "spec").externalSubnet = "ovn-vpc-external-network";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/iptableseip/tenant-acme-snat", "spec.externalSubnet", "tn-external");
  });

  it("refuses a tenant VPC static route to anything but its own gateway's lanIp (kubeovn-topology judges the route's shape)", () => {
    const spec = at(named(resources, "acme/vpc"), "spec");
    spec.staticRoutes = [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.9", policy: "policyDst" }];
    assertOne(mandatory(resources, config, RULE), RULE, "acme/vpc", "spec.staticRoutes[0].nextHopIP", "10.0.1.254");
    at(named(resources, "globex/vpc"), "spec").staticRoutes = [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.254", policy: "policyDst" }];
    assertOne(mandatory(resources, config, RULE), RULE, "globex/vpc", "spec.staticRoutes[0].nextHopIP", "none in this stack");
  });

  it("refuses a gateway without the tenant NAD annotation, or with a lanIp its subnet does not exclude", () => {
    const gateway = named(resources, "acme/vpcnatgateway/tenant-acme");
    at(gateway, "metadata").annotations = {};
    assertOne(
      mandatory(resources, config, RULE),
      RULE,
      "acme/vpcnatgateway/tenant-acme",
      "k8s.v1.cni.cncf.io/networks",
      "tenant-acme/kubeovn",
    );
    at(gateway, "metadata").annotations = { "k8s.v1.cni.cncf.io/networks": "tenant-acme/kubeovn" };
    at(gateway, "spec").lanIp = "10.0.1.200";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/vpcnatgateway/tenant-acme", "spec.lanIp", "does not exclude it");
  });

  it("refuses a gateway on another tenant's VPC", () => {
    at(named(resources, "acme/vpcnatgateway/tenant-acme"), "spec").vpc = "tenant-globex";
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "acme/vpcnatgateway/tenant-acme", "spec.subnet", "not a Subnet of Vpc tenant-globex");
  });

  it("refuses one EIP with both a FIP and a DNAT rule", () => {
    at(named(resources, "acme/iptablesdnatrule/tenant-acme-vm-db-tcp-8443"), "spec").eip = "tenant-acme-vm-web";
    assertOne(
      mandatory(resources, config, RULE),
      RULE,
      "acme/iptablesdnatrule/tenant-acme-vm-db-tcp-8443",
      "spec.eip",
      "takes no other FIP or DNAT rule",
    );
  });

  it("refuses an external network the underlay routes", () => {
    const overlapping = { ...config, network: { ...config.network, externalCidr: "10.50.0.0/24" } };
    const violations = mandatory(resources, overlapping, RULE).filter((v) => v.message.includes("the underlay NIC would reach it"));
    assert.ok(
      violations.some((v) => v.message.includes("the node CIDR 10.50.0.0/16")),
      JSON.stringify(violations),
    );
  });

  it("says so when the policy config lacks the external network", () => {
    const { externalSubnet: _s, externalCidr: _c, ...network } = config.network!;
    const violations = mandatory(resources, { ...config, network }, RULE);
    assert.ok(
      violations.some((v) => v.message.includes("set network.externalSubnet and network.externalCidr")),
      JSON.stringify(violations),
    );
  });
});
