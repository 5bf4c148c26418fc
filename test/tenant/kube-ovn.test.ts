import { strict as assert } from "assert";
import { kubeOvnConfList, kubeOvnProvider } from "../../lib/cni-config";
import { kubeOvnAnnotation, kubeOvnAnnotationProvider } from "../../lib/tenant/names";
import { securityGroup, securityGroupRule, subnet, tenantNad, vpc } from "../../lib/tenant/kube-ovn";
import { acmeVm } from "../fixtures/tenant-config";

const rule = (fields: Record<string, unknown>) =>
  securityGroupRule({ protocol: "all", priority: 100, policy: "allow", ...fields } as Parameters<typeof securityGroupRule>[0]);

describe("Kube-OVN tenant objects", () => {
  const { tenant } = acmeVm();

  it("gives the tenant a VPC named after its namespace, for that namespace only", () => {
    assert.deepEqual(vpc(tenant), {
      apiVersion: "kubeovn.io/v1",
      kind: "Vpc",
      metadata: { name: "tenant-acme", labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" } },
      spec: { namespaces: ["tenant-acme"] },
    });
  });

  it("puts the subnet in that VPC with the attachment's provider", () => {
    assert.deepEqual(subnet(tenant), {
      apiVersion: "kubeovn.io/v1",
      kind: "Subnet",
      metadata: { name: "tenant-acme", labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" } },
      spec: {
        vpc: "tenant-acme",
        cidrBlock: "10.0.1.0/24",
        gateway: "10.0.1.1",
        protocol: "IPv4",
        provider: "kubeovn.tenant-acme.ovn",
        namespaces: ["tenant-acme"],
      },
    });
  });

  it("renders the tenant's own NAD with the provider the subnet uses", () => {
    const nad = tenantNad(tenant);
    assert.ok(nad);
    assert.deepEqual(nad.metadata, {
      name: "kubeovn",
      namespace: "tenant-acme",
      labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" },
    });
    const config = JSON.parse(nad.spec.config);
    assert.deepEqual(config, kubeOvnConfList("kubeovn", "tenant-acme"));
    assert.equal(config.plugins[0].provider, subnet(tenant).spec.provider);
  });

  it("renders no NAD and uses the platform provider with kubeOvnAttachment: platform", () => {
    const platform = acmeVm({}, (raw) => (raw.tenants.acme.kubeOvnAttachment = "platform")).tenant;
    assert.equal(tenantNad(platform), undefined);
    assert.equal(subnet(platform).spec.provider, "kubeovn.default.ovn");
  });

  it("maps the tenant security group; by default same-group traffic and egress are allowed", () => {
    const { tenant: withRules } = acmeVm({}, (raw) => {
      raw.tenants.acme.securityGroup = {
        ingressRules: [{ protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteAddress: "10.50.0.100/32", priority: 10 }],
        egressRules: [{ protocol: "all", remoteAddress: "0.0.0.0/0" }],
      };
    });
    assert.deepEqual(securityGroup(withRules), {
      apiVersion: "kubeovn.io/v1",
      kind: "SecurityGroup",
      metadata: { name: "tenant-acme", labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" } },
      spec: {
        allowSameGroupTraffic: true,
        ingressRules: [
          {
            ipVersion: "ipv4",
            protocol: "tcp",
            policy: "allow",
            priority: 10,
            remoteType: "address",
            remoteAddress: "10.50.0.100/32",
            portRangeMin: 22,
            portRangeMax: 22,
          },
        ],
        egressRules: [
          { ipVersion: "ipv4", protocol: "all", policy: "allow", priority: 100, remoteType: "address", remoteAddress: "0.0.0.0/0" },
        ],
      },
    });
    assert.deepEqual(securityGroup(tenant).spec, {
      allowSameGroupTraffic: true,
      ingressRules: [],
      egressRules: [
        { ipVersion: "ipv4", protocol: "all", policy: "allow", priority: 200, remoteType: "address", remoteAddress: "0.0.0.0/0" },
      ],
    });
  });

  describe("security group rules", () => {
    it("references another security group by remoteType securityGroup", () => {
      assert.deepEqual(rule({ remoteSecurityGroup: "tenant-globex", policy: "drop" }), {
        ipVersion: "ipv4",
        protocol: "all",
        policy: "drop",
        priority: 100,
        remoteType: "securityGroup",
        remoteSecurityGroup: "tenant-globex",
      });
    });

    it("treats a rule without a remote as any address", () => {
      assert.equal(rule({}).remoteAddress, "0.0.0.0/0");
      assert.equal(rule({}).remoteType, "address");
    });

    it("gives tcp/udp rules the port range Kube-OVN requires", () => {
      assert.deepEqual(ports(rule({ protocol: "tcp" })), [1, 65535]);
      assert.deepEqual(ports(rule({ protocol: "udp", portRangeMin: 53 })), [53, 53]);
      assert.deepEqual(ports(rule({ protocol: "tcp", portRangeMin: 8000, portRangeMax: 8100 })), [8000, 8100]);
      assert.deepEqual(ports(rule({ protocol: "tcp", portRangeMax: 1024 })), [1, 1024]);
    });

    it("gives all/icmp rules no ports", () => {
      assert.deepEqual(ports(rule({ protocol: "icmp", portRangeMin: 5 })), [undefined, undefined]);
      assert.deepEqual(ports(rule({ protocol: "all" })), [undefined, undefined]);
    });
  });
});

function ports(mapped: { portRangeMin?: number; portRangeMax?: number }): [number | undefined, number | undefined] {
  return [mapped.portRangeMin, mapped.portRangeMax];
}

describe("Kube-OVN annotation keys", () => {
  it("reads back the provider of a key it formats, and only of Kube-OVN providers", () => {
    const provider = kubeOvnProvider("kubeovn", "tenant-acme");
    assert.equal(kubeOvnAnnotationProvider(kubeOvnAnnotation(provider, "ip_address"), "ip_address"), provider);
    assert.equal(kubeOvnAnnotationProvider("ovn.kubernetes.io/ip_address", "ip_address"), "ovn");
    assert.equal(kubeOvnAnnotationProvider(kubeOvnAnnotation(provider, "mac_address"), "ip_address"), undefined);
    assert.equal(kubeOvnAnnotationProvider("example.com.kubernetes.io/ip_address", "ip_address"), undefined);
    assert.equal(kubeOvnAnnotationProvider("xovn.kubernetes.io/ip_address", "ip_address"), undefined);
  });
});
