import { strict as assert } from "assert";
import { externalExcludeIps, externalNetworkObjects } from "../../lib/platform/external-network";
import { externalNetworkSchema } from "../../lib/config/schema";
import { kubeOvnValues } from "../../lib/platform/kube-ovn";
import { subnet, vpc } from "../../lib/tenant/kube-ovn";
import { natObjects } from "../../lib/tenant/nat";
import * as path from "path";
import { loadStackConfig, readStackFile } from "../../lib/config/load";
import { REPO_ROOT } from "../../lib/stack-file";
import { validNetwork } from "../fixtures/stack-config";

const ext = (uplink: Record<string, unknown>) =>
  externalNetworkSchema.parse({
    uplink,
    cidr: "203.0.113.0/24",
    gateway: "203.0.113.1",
    excludeIps: ["203.0.113.2..203.0.113.9"],
    eipRange: "203.0.113.64..203.0.113.95",
  });

describe("external network objects", () => {
  it("macvlan: a NAD with kube-ovn IPAM on the named NIC and an IPAM-only Subnet of the same provider", () => {
    const [nad, sub, ...rest] = externalNetworkObjects(ext({ type: "macvlan", nic: "eth1" }));
    assert.equal(rest.length, 0, "no ProviderNetwork or Vlan for macvlan");
    assert.deepEqual(nad.metadata, { name: "tn-external", namespace: "kube-ovn", labels: { "app.kubernetes.io/managed-by": "tenantnet" } });
    const config = JSON.parse((nad.spec as { config: string }).config);
    assert.deepEqual(
      [config.type, config.master, config.ipam.type, config.ipam.provider],
      ["macvlan", "eth1", "kube-ovn", "tn-external.kube-ovn"],
    );
    assert.deepEqual(sub.spec, {
      protocol: "IPv4",
      provider: "tn-external.kube-ovn",
      cidrBlock: "203.0.113.0/24",
      gateway: "203.0.113.1",
      excludeIps: ["203.0.113.1", "203.0.113.2..203.0.113.9", "203.0.113.64..203.0.113.95"],
    });
  });

  it("vlan: ProviderNetwork on the NIC, Vlan, a Kube-OVN NAD and a Subnet on the Vlan", () => {
    const objects = externalNetworkObjects(ext({ type: "vlan", nic: "eth2", vlanId: 2017 }));
    assert.deepEqual(
      objects.map((o) => o.kind),
      ["ProviderNetwork", "Vlan", "NetworkAttachmentDefinition", "Subnet"],
    );
    assert.deepEqual(objects[0].spec, { defaultInterface: "eth2" });
    assert.deepEqual(objects[1].spec, { id: 2017, provider: "tn-external" });
    assert.equal(JSON.parse((objects[2].spec as { config: string }).config).provider, "tn-external.kube-ovn.ovn");
    assert.equal((objects[3].spec as { vlan: string }).vlan, "tn-external");
  });

  it("excludes the router once when excludeIps already covers it", () => {
    const net = ext({ type: "macvlan", nic: "eth1" });
    net.excludeIps = ["203.0.113.1..203.0.113.9"];
    assert.deepEqual(externalExcludeIps(net), ["203.0.113.1..203.0.113.9", "203.0.113.64..203.0.113.95"]);
  });

  it("refuses a vlanId on a macvlan uplink", () => {
    const parsed = externalNetworkSchema.safeParse({
      uplink: { type: "macvlan", nic: "eth1", vlanId: 3 },
      cidr: "203.0.113.0/24",
      gateway: "203.0.113.1",
      eipRange: "203.0.113.64",
    });
    assert.equal(parsed.success, false);
  });

  it("the chart's NAT gateway image follows imageRegistry; no ConfigMap of the chart's is rendered", () => {
    const values = kubeOvnValues(validNetwork(), { masterNodes: [], masterNodesLabels: {} }, "mirror.example:5000", undefined) as any;
    assert.equal(values.natGw.image.repository, "mirror.example:5000/kubeovn/vpc-nat-gateway");
    assert.ok(!externalNetworkObjects(ext({ type: "macvlan", nic: "eth1" })).some((o) => o.kind === "ConfigMap"));
  });
});

describe("tenant NAT objects (dev stack's acme)", () => {
  const result = { config: loadStackConfig(readStackFile(path.join(REPO_ROOT, "Pulumi.dev.yaml")), "dev") };
  const acme = result.config.tenants.find((t) => t.name === "acme")!;
  const objects = natObjects(acme, result.config.platform.externalNetwork);
  const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  it("a VpcNatGateway with the non-primary annotation, tenant NAD first, on the external subnet and gateway nodes", () => {
    const gw = byName("VpcNatGateway", "tenant-acme");
    assert.deepEqual(gw.metadata.annotations, { "k8s.v1.cni.cncf.io/networks": "tenant-acme/kubeovn" });
    assert.deepEqual(gw.spec, {
      vpc: "tenant-acme",
      subnet: "tenant-acme",
      lanIp: "10.0.1.254",
      externalSubnets: ["tn-external"],
      selector: ["tenantnet.io/nat-gateway: true"],
    });
  });

  it("the VPC's default route to lanIp, lanIp excluded from the subnet", () => {
    assert.deepEqual(vpc(acme).spec.staticRoutes, [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.254", policy: "policyDst" }]);
    assert.deepEqual(subnet(acme).spec.excludeIps, ["10.0.1.254"]);
  });

  it("EIPs with externalSubnet and static v4ip; SNAT of the VPC CIDR; FIP and DNAT to the VMs' VPC addresses", () => {
    assert.deepEqual(byName("IptablesEIP", "tenant-acme-snat").spec, {
      natGwDp: "tenant-acme",
      externalSubnet: "tn-external",
      v4ip: "203.0.113.64",
    });
    assert.deepEqual(byName("IptablesSnatRule", "tenant-acme-snat").spec, { eip: "tenant-acme-snat", internalCIDR: "10.0.1.0/24" });
    assert.deepEqual(byName("IptablesEIP", "tenant-acme-vm-web").spec, {
      natGwDp: "tenant-acme",
      externalSubnet: "tn-external",
      v4ip: "203.0.113.65",
    });
    assert.deepEqual(byName("IptablesFIPRule", "tenant-acme-vm-web").spec, { eip: "tenant-acme-vm-web", internalIp: "10.0.1.2" });
    assert.deepEqual(byName("IptablesDnatRule", "tenant-acme-vm-db-tcp-8443").spec, {
      eip: "tenant-acme-snat",
      externalPort: "8443",
      internalIp: "10.0.1.3",
      internalPort: "443",
      protocol: "tcp",
    });
  });

  it("nothing for a tenant without a NAT gateway", () => {
    const globex = result.config.tenants.find((t) => t.name === "globex")!;
    assert.deepEqual(natObjects(globex, result.config.platform.externalNetwork), []);
    assert.equal(vpc(globex).spec.staticRoutes, undefined);
    assert.equal(subnet(globex).spec.excludeIps, undefined);
  });
});
