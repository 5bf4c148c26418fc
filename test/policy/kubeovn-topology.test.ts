/** kubeovn-topology over the real dev render: each escape from a tenant's VPC names the resource and key path; dev itself is clean. */
import { strict as assert } from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import type { PolicyConfig } from "../../lib/policy";
import { kubeOvnTopologyRule } from "../../lib/policy/rules";
import { selectorMayMatchNamespace } from "../../lib/policy/kube-ovn";
import { kubeOvnAttachment } from "../../lib/tenant/names";
import { assertNone, assertOne, at, customResource, devStack, mandatory, named, stackRender } from "../fixtures/policy";

const RULE = "kubeovn-topology";

describe("policy kubeovn-topology", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("passes the dev and acme renders (acme's VPC with its NAT default route) and runs as a resource policy", async () => {
    assert.ok("checkResource" in kubeOvnTopologyRule);
    assertNone(mandatory(resources, config), RULE);
    const acme = await stackRender("acme");
    assertNone(mandatory(acme.resources, acme.config), RULE);
  });

  it("refuses a tenant Subnet without vpc or in ovn-cluster: the default VPC reaches every node", () => {
    const spec = at(named(resources, "acme/subnet"), "spec");
    delete spec.vpc;
    assertOne(mandatory(resources, config, RULE), RULE, "acme/subnet", "spec.vpc = (unset)", "tenant-acme", "lands in ovn-cluster");
    spec.vpc = "ovn-cluster";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/subnet", 'spec.vpc = "ovn-cluster"', "its own Vpc tenant-acme");
  });

  it("refuses a Subnet named for a tenant, or carrying its provider, outside the tenant's VPC", () => {
    at(named(resources, "globex/subnet"), "spec").vpc = "tenant-acme";
    assertOne(mandatory(resources, config, RULE), RULE, "globex/subnet", "spec.vpc", "its own Vpc tenant-globex");
    resources.push(
      customResource("capture", {
        apiVersion: "kubeovn.io/v1",
        kind: "Subnet",
        metadata: { name: "capture" },
        spec: { cidrBlock: "10.0.9.0/24", provider: "kubeovn.tenant-acme.ovn" },
      }),
    );
    assertOne(mandatory(resources, config, RULE), RULE, "capture", "spec.vpc = (unset)", "tenant acme's Subnet", "lands in ovn-cluster");
  });

  it("keeps a tenant NAD's Subnet in its namespace's VPC even when the policy config registers no tenant (a tenant-only stack)", () => {
    const subnet = named(resources, "globex/subnet");
    delete at(subnet, "spec").vpc;
    const unregistered: PolicyConfig = { ...config, tenants: {} };
    assertOne(
      mandatory(resources, unregistered, RULE),
      RULE,
      "globex/subnet",
      "spec.vpc = (unset)",
      "own Vpc tenant-globex",
      "ovn-cluster",
    );
    at(subnet, "spec").vpc = "tenant-globex";
    assertNone(mandatory(resources, unregistered), RULE);
  });

  it("refuses another provider, another namespace, and the underlay and egress fields on a tenant Subnet", () => {
    const spec = at(named(resources, "acme/subnet"), "spec");
    spec.provider = "ovn";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/subnet", "spec.provider", "kubeovn.tenant-acme.ovn");
    spec.provider = "kubeovn.tenant-globex.ovn";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/subnet", "spec.provider", "tenant acme's Subnet");
    spec.provider = kubeOvnAttachment({ namespace: "tenant-acme", kubeOvnAttachment: "platform" }).provider;
    assertNone(mandatory(resources, config), RULE);
    spec.namespaces.push("tenant-globex");
    assertOne(mandatory(resources, config, RULE), RULE, "acme/subnet", "spec.namespaces[1]", "only its namespace tenant-acme");
    spec.namespaces = ["tenant-acme"];
    for (const [key, value, why] of [
      ["vlan", "tn-external", "underlay subnet"],
      ["u2oInterconnection", true, "underlay-to-overlay"],
      ["natOutgoing", true, "SNATs"],
      ["default", true, "default subnet"],
      ["namespaceSelectors", [{}], "binds every namespace"],
      ["acls", [{ action: "allow-related", direction: "to-lport", match: "ip4", priority: 3000 }], "does not judge"],
    ] as const) {
      spec[key] = value;
      assertOne(mandatory(resources, config, RULE), RULE, "acme/subnet", `spec.${key}`, why);
      delete spec[key];
    }
    spec.natOutgoing = false;
    spec.mtu = 1400;
    assertNone(mandatory(resources, config), RULE);
  });

  it("refuses a non-tenant Subnet or Vpc that binds a tenant namespace, by name or by a selector that may match it", () => {
    resources.push(
      customResource("shared", {
        apiVersion: "kubeovn.io/v1",
        kind: "Subnet",
        metadata: { name: "shared" },
        spec: { cidrBlock: "10.0.9.0/24", namespaces: ["kube-system", "tenant-globex"] },
      }),
      customResource("labelled", {
        apiVersion: "kubeovn.io/v1",
        kind: "Subnet",
        metadata: { name: "labelled" },
        spec: { cidrBlock: "10.0.8.0/24", namespaceSelectors: [{ matchLabels: { team: "ops" } }] },
      }),
      customResource("platform-vpc", {
        apiVersion: "kubeovn.io/v1",
        kind: "Vpc",
        metadata: { name: "platform-vpc" },
        spec: { namespaces: ["tenant-acme"] },
      }),
    );
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "shared", "spec.namespaces[1]", "tenant globex's namespace");
    assertOne(violations, RULE, "labelled", "spec.namespaceSelectors[0]", "tenant-acme, tenant-globex");
    assertOne(violations, RULE, "platform-vpc", "spec.namespaces[0]", "tenant acme's namespace", "a Vpc");
    at(named(resources, "labelled"), "spec").namespaceSelectors = [{ matchLabels: { "kubernetes.io/metadata.name": "ops" } }];
    assert.equal(
      mandatory(resources, config, RULE).filter((v) => v.resource === "labelled").length,
      0,
      "a selector pinned to another namespace by name reaches no tenant",
    );
  });

  it("refuses enableExternal, policy routes, peering and any static route but the NAT default on a tenant Vpc", () => {
    const spec = at(named(resources, "globex/vpc"), "spec");
    spec.enableExternal = true;
    spec.policyRoutes = [{ priority: 10, match: "ip4.dst == 10.50.0.0/16", action: "allow" }];
    spec.vpcPeerings = [{ remoteVpc: "ovn-cluster", localConnectIP: "169.254.0.1/30" }];
    const violations = mandatory(resources, config, RULE);
    const keyed = (key: string) => violations.filter((v) => v.message.includes(`: ${key} = `));
    assert.equal(violations.length, 3);
    assertOne(keyed("spec.enableExternal"), RULE, "globex/vpc", "external network");
    assertOne(keyed("spec.policyRoutes"), RULE, "globex/vpc", "renders none");
    assertOne(keyed("spec.vpcPeerings"), RULE, "globex/vpc", "peering");
    const acme = at(named(resources, "acme/vpc"), "spec");
    acme.staticRoutes.push({ cidr: "10.50.0.0/16", nextHopIP: "10.0.1.254", policy: "policyDst" });
    const routes = mandatory(resources, config, RULE).filter((v) => v.resource === "acme/vpc");
    assert.ok(
      routes.some((v) => v.message.includes("one static route at most")),
      JSON.stringify(routes),
    );
    assert.ok(
      routes.some((v) => v.message.includes("spec.staticRoutes[1]")),
      JSON.stringify(routes),
    );
    acme.staticRoutes = [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.254", policy: "policyDst", routeTable: "other" }];
    assertOne(mandatory(resources, config, RULE), RULE, "acme/vpc", "spec.staticRoutes[0]", "no ecmpMode, bfdId or routeTable");
  });

  it("refuses a static route or a NAT gateway on the Vpc of a tenant granted no public address: the program renders it none", () => {
    at(named(resources, "globex/vpc"), "spec").staticRoutes = [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.254", policy: "policyDst" }];
    assertOne(mandatory(resources, config, RULE), RULE, "globex/vpc", "spec.staticRoutes", "tenants.globex.eips");
    at(named(resources, "acme/vpcnatgateway/tenant-acme"), "spec").vpc = "tenant-globex";
    assertOne(mandatory(resources, config, RULE), RULE, "acme/vpcnatgateway/tenant-acme", "spec.vpc", "no NAT gateway");
  });

  it("refuses a foreign Vpc peering with a tenant's, and a Vpc defaultSubnet of another tenant", () => {
    resources.push(
      customResource("peer", {
        apiVersion: "kubeovn.io/v1",
        kind: "Vpc",
        metadata: { name: "peer" },
        spec: { vpcPeerings: [{ remoteVpc: "tenant-acme", localConnectIP: "169.254.0.2/30" }] },
      }),
    );
    at(named(resources, "globex/vpc"), "spec").defaultSubnet = "tenant-acme";
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "peer", "spec.vpcPeerings[0].remoteVpc", "tenant acme's VPC");
    assertOne(violations, RULE, "globex/vpc", "spec.defaultSubnet", "tenant-globex");
  });

  it("refuses Kube-OVN objects the program never renders for a tenant when they point into one", () => {
    resources.push(
      customResource("egress", {
        apiVersion: "kubeovn.io/v1",
        kind: "VpcEgressGateway",
        metadata: { name: "egress", namespace: "kube-system" },
        spec: { vpc: "tenant-acme", externalSubnet: "tn-external" },
      }),
      customResource("dns", {
        apiVersion: "kubeovn.io/v1",
        kind: "VpcDns",
        metadata: { name: "dns" },
        spec: { vpc: "tenant-globex", subnet: "tenant-globex" },
      }),
      customResource("pool", {
        apiVersion: "kubeovn.io/v1",
        kind: "IPPool",
        metadata: { name: "pool" },
        spec: { subnet: "ovn-default", namespaces: ["tenant-acme"], ips: ["10.16.0.10"] },
      }),
    );
    const violations = mandatory(resources, config, RULE);
    assertOne(violations, RULE, "egress", "VpcEgressGateway kube-system/egress", "spec.vpc", "tenant acme's vpc");
    assert.equal(violations.filter((v) => v.resource === "dns").length, 2, "vpc and subnet");
    assertOne(violations, RULE, "pool", "spec.namespaces[0]", "tenant acme's namespace");
    at(named(resources, "egress"), "spec").vpc = "ovn-cluster";
    assert.equal(mandatory(resources, config, RULE).filter((v) => v.resource === "egress").length, 0);
  });

  it("reads namespace selectors soundly: only a metadata.name requirement excludes a namespace", () => {
    assert.equal(selectorMayMatchNamespace({}, "tenant-acme"), true);
    assert.equal(selectorMayMatchNamespace("garbage", "tenant-acme"), true);
    assert.equal(selectorMayMatchNamespace({ matchLabels: { "kubernetes.io/metadata.name": "tenant-acme" } }, "tenant-acme"), true);
    assert.equal(selectorMayMatchNamespace({ matchLabels: { "kubernetes.io/metadata.name": "ops" } }, "tenant-acme"), false);
    const expression = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator, values }],
    });
    assert.equal(selectorMayMatchNamespace(expression("In", ["ops"]), "tenant-acme"), false);
    assert.equal(selectorMayMatchNamespace(expression("In", ["tenant-acme"]), "tenant-acme"), true);
    assert.equal(selectorMayMatchNamespace(expression("NotIn", ["tenant-acme"]), "tenant-acme"), false);
    assert.equal(selectorMayMatchNamespace(expression("NotIn", ["ops"]), "tenant-acme"), true);
    assert.equal(selectorMayMatchNamespace(expression("DoesNotExist"), "tenant-acme"), false);
    assert.equal(selectorMayMatchNamespace(expression("Exists"), "tenant-acme"), true);
  });
});
