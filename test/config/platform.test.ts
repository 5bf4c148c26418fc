import { strict as assert } from "assert";
import { rawConfigFromFlat } from "../../lib/config/load";
import { validateStackConfig } from "../../lib/config/validate";
import { flatConfig, validRawConfig } from "../fixtures/stack-config";
import { TIGERA_NAMESPACE } from "../../lib/platform/calico";
import { CERT_MANAGER_NAMESPACE } from "../../lib/platform/cert-manager";
import { KUBE_OVN_NAMESPACE } from "../../lib/platform/kube-ovn";
import { KUBEVIRT_NAMESPACE } from "../../lib/platform/kubevirt";
import { SPIDERPOOL_NAMESPACE } from "../../lib/platform/spiderpool";

type Raw = ReturnType<typeof validRawConfig>;

function problemsOf(mutate: (raw: Raw) => void): Map<string, string> {
  const raw = validRawConfig();
  mutate(raw);
  const result = validateStackConfig(raw, "dev");
  assert.equal(result.ok, false, "expected the config to be rejected");
  return new Map(result.problems.map((p) => [p.path, p.message]));
}

function assertProblem(mutate: (raw: Raw) => void, path: string, pattern: RegExp): void {
  const problems = problemsOf(mutate);
  const message = problems.get(path);
  assert.ok(message, `no problem at ${path}; got: ${JSON.stringify([...problems])}`);
  assert.match(message, pattern);
}

describe("stack config validation: platform, services and shapes", () => {
  it("accepts the design's example and fills defaults", () => {
    const result = validateStackConfig(validRawConfig(), "dev");
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    const { platform, tenants } = result.config;
    assert.equal(platform.imageRegistry, "");
    assert.deepEqual(platform.versions, {});
    assert.equal(tenants[0].namespace, "tenant-acme");
    assert.equal(tenants[0].vpc.gateway, "10.0.1.1");
    assert.deepEqual(tenants[0].vms[0].services, ["oss"], "a VM defaults to its tenant's grants");
    assert.equal(tenants[0].vms[0].runStrategy, "Always");
  });

  it("rejects a malformed CIDR", () => {
    assertProblem((r) => (r.platform.network.podCidr = "10.199.0.0/33"), "platform.network.podCidr", /not an IPv4 CIDR/);
    assertProblem((r) => (r.platform.network.nodeCidrs = ["10.50.0/16"]), "platform.network.nodeCidrs[0]", /not an IPv4 CIDR/);
  });

  it("rejects IPv4 host bits set in a CIDR and names the network", () => {
    assertProblem(
      (r) => (r.platform.network.vmReservation = "10.199.3.7/24"),
      "platform.network.vmReservation",
      /host bits set \(the network is 10\.199\.3\.0\/24\)/,
    );
  });

  it("rejects a malformed IP", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.underlayIp = "10.199.3.256"),
      "tenants.acme.vms.testvm.underlayIp",
      /not an IPv4 address/,
    );
  });

  it("rejects vmReservation outside podCidr", () => {
    assertProblem(
      (r) => (r.platform.network.vmReservation = "10.200.3.0/24"),
      "platform.network.vmReservation",
      /outside podCidr 10\.199\.0\.0\/16/,
    );
  });

  it("rejects overlapping platform networks", () => {
    assertProblem(
      (r) => (r.platform.network.joinCidr = "10.199.128.0/17"),
      "platform.network.joinCidr",
      /10\.199\.128\.0\/17 overlaps platform\.network\.podCidr 10\.199\.0\.0\/16/,
    );
  });

  it("defaults the Kube-OVN masters to the chart's label or kubeadm's control-plane label", () => {
    const result = validateStackConfig(validRawConfig(), "dev");
    assert.ok(result.ok);
    assert.deepEqual(result.config.platform.kubeOvn, {
      masterNodes: [],
      masterNodesLabels: { "kube-ovn/role": "master", "node-role.kubernetes.io/control-plane": "" },
    });
    assert.deepEqual(result.config.platform.chartRepositories, {});
  });

  it("rejects Kube-OVN master nodes that are not node addresses, and label maps that select nothing", () => {
    assertProblem((r) => (r.platform.kubeOvn = { masterNodes: ["10.50.0.300"] }), "platform.kubeOvn.masterNodes[0]", /not an IPv4 address/);
    assertProblem(
      (r) => (r.platform.kubeOvn = { masterNodes: ["10.60.0.5"] }),
      "platform.kubeOvn.masterNodes[0]",
      /10\.60\.0\.5 is outside every platform\.network\.nodeCidrs/,
    );
    assertProblem((r) => (r.platform.kubeOvn = { masterNodesLabels: {} }), "platform.kubeOvn.masterNodesLabels", /at least one label/);
    assertProblem(
      (r) => (r.platform.kubeOvn = { masterNodesLabels: { "bad key!": "" } }),
      "platform.kubeOvn.masterNodesLabels.bad key!",
      /not a label key/,
    );
    assertProblem(
      (r) => (r.platform.kubeOvn = { masterNodesLabels: { "kube-ovn/role": "not valid" } }),
      "platform.kubeOvn.masterNodesLabels.kube-ovn/role",
      /not a label value/,
    );
    assertProblem((r) => (r.platform.kubeOvn = { masterNode: ["10.50.0.5"] }), "platform.kubeOvn.masterNode", /unknown key/i);
  });

  it("rejects chart repositories that are neither an https index nor an oci path, and parts without a chart", () => {
    assertProblem(
      (r) => (r.platform.chartRepositories = { calico: "docs.tigera.io/calico/charts" }),
      "platform.chartRepositories.calico",
      /not a chart repository/,
    );
    assertProblem(
      (r) => (r.platform.chartRepositories = { kubevirt: "https://example.org" }),
      "platform.chartRepositories.kubevirt",
      /unknown key/i,
    );
  });

  it("rejects a KubeVirt version whose operator manifest is not vendored", () => {
    assertProblem(
      (r) => (r.platform.versions = { kubevirt: "v1.8.0" }),
      "platform.versions.kubevirt",
      /v1\.8\.0 has no operator manifest in the repository.*vendored: v1\.9\.0/,
    );
  });

  it("defaults the dataplane to overlay and accepts only overlay or bgp", () => {
    const result = validateStackConfig(validRawConfig(), "dev");
    assert.ok(result.ok);
    assert.equal(result.config.platform.network.dataplane, "overlay");
    assertProblem((r) => (r.platform.network.dataplane = "vxlan"), "platform.network.dataplane", /overlay.*bgp/);
  });

  it("takes KubeVirt migration limits under platform.kubevirt.migrations, strictly", () => {
    assertProblem(
      (r) => (r.platform.kubevirt = { migrations: { parallelMigrationsPerCluster: 0 } }),
      "platform.kubevirt.migrations.parallelMigrationsPerCluster",
      />=\s*1|at least 1|too small/i,
    );
    assertProblem(
      (r) => (r.platform.kubevirt = { migrations: { bandwidthPerMigration: "fast" } }),
      "platform.kubevirt.migrations.bandwidthPerMigration",
      /not a Kubernetes quantity/,
    );
    const problems = problemsOf((r) => (r.platform.kubevirt = { migrations: { parallelMigrationsPerNode: 2 } }));
    assert.ok(
      [...problems.keys()].some((key) => key.startsWith("platform.kubevirt.migrations")),
      JSON.stringify([...problems]),
    );
  });

  it("rejects a VM eviction strategy KubeVirt v1.9 does not have, naming the allowed ones", () => {
    assertProblem(
      (r) => (r.tenants.acme.vms.testvm.evictionStrategy = "Migrate"),
      "tenants.acme.vms.testvm.evictionStrategy",
      /None.*LiveMigrate.*LiveMigrateIfPossible.*External/,
    );
  });

  it("rejects an unknown backend and lists the allowed ones", () => {
    assertProblem(
      (r) => (r.platform.underlay.backend = "flannel"),
      "platform.underlay.backend",
      /"flannel" is not allowed \(expected one of "calico", "spiderpool-ipvlan", "spiderpool-macvlan"\)/,
    );
  });

  it("requires the Spiderpool settings for a Spiderpool backend", () => {
    assertProblem((r) => (r.platform.underlay.backend = "spiderpool-ipvlan"), "platform.underlay.spiderpool", /required key is missing/);
  });

  it("rejects unknown service names in grants", () => {
    assertProblem(
      (r) => (r.tenants.acme.services = ["oss", "s3"]),
      "tenants.acme.services[1]",
      /unknown service "s3"; the catalog \(tenantnet:services\) has: oss, dns/,
    );
  });

  it("rejects ports that are not N/TCP|UDP|SCTP with 1 <= N <= 65535", () => {
    assertProblem(
      (r) => (r.services.oss.ports = ["80/TCP", "443"]),
      "services.oss.ports[1]",
      /not a port \(expected "N\/TCP", "N\/UDP" or "N\/SCTP"\)/,
    );
    assertProblem((r) => (r.services.oss.ports = ["0/TCP"]), "services.oss.ports[0]", /out of range \(1 to 65535\)/);
    assertProblem((r) => (r.services.oss.ports = ["65536/UDP"]), "services.oss.ports[0]", /out of range/);
    assertProblem((r) => (r.services.oss.ports = ["80/tcp"]), "services.oss.ports[0]", /not a port/);
  });

  it("reports a missing required key with its expected type", () => {
    assertProblem((r) => delete r.platform.network.joinCidr, "platform.network.joinCidr", /required key is missing/);
    assertProblem((r) => delete r.tenants.acme.vms.testvm.image, "tenants.acme.vms.testvm.image", /required key is missing/);
  });

  it("rejects an unknown key and suggests the key that was meant", () => {
    assertProblem(
      (r) => {
        r.tenants.acme.vms.testvm.underlayIP = r.tenants.acme.vms.testvm.underlayIp;
      },
      "tenants.acme.vms.testvm.underlayIP",
      /unknown key; did you mean "underlayIp"\?/,
    );
    assertProblem(
      (r) => (r.platform.network.podCIDRs = "x"),
      "platform.network.podCIDRs",
      /unknown key; allowed keys here: podCidr, serviceCidr, nodeCidrs, joinCidr, vmReservation/,
    );
  });

  it("rejects unknown tenantnet:* config keys", () => {
    const { problems } = rawConfigFromFlat({ ...flatConfig(), "tenantnet:tenant": {}, "kubernetes:context": "kind" });
    assert.deepEqual(
      problems.map((p) => p.path),
      ["tenantnet:tenant"],
    );
  });

  it("reports five distinct mistakes at once, each by its key path", () => {
    const problems = problemsOf((r) => {
      r.platform.network.podCidr = "10.199.0.1/16";
      r.platform.underlay.backend = "cilium";
      r.services.oss.ports = ["http"];
      r.tenants.acme.services = ["oss", "nfs"];
      r.tenants.acme.vms.testvm.underlayIP = "10.199.3.5";
    });
    for (const path of [
      "platform.network.podCidr",
      "platform.underlay.backend",
      "services.oss.ports[0]",
      "tenants.acme.services[1]",
      "tenants.acme.vms.testvm.underlayIP",
    ]) {
      assert.ok(problems.has(path), `missing ${path} in ${JSON.stringify([...problems.keys()])}`);
    }
  });
});

describe("stack config validation: tenant security group and namespace", () => {
  it("defaults the security group to same-group traffic and open egress (Kube-OVN denies what a group does not allow)", () => {
    const result = validateStackConfig(validRawConfig(), "dev");
    assert.ok(result.ok);
    assert.deepEqual(result.config.tenants[0].securityGroup, {
      allowSameGroupTraffic: true,
      ingressRules: [],
      egressRules: [{ protocol: "all", remoteAddress: "0.0.0.0/0", priority: 200, policy: "allow" }],
    });
  });

  it("rejects a rule with two remotes, ports without tcp/udp, and an inverted port range", () => {
    const problems = problemsOf((r) => {
      r.tenants.acme.securityGroup = {
        ingressRules: [
          { remoteAddress: "10.0.0.0/8", remoteSecurityGroup: "other" },
          { protocol: "icmp", portRangeMin: 22 },
          { protocol: "tcp", portRangeMin: 443, portRangeMax: 80 },
        ],
      };
    });
    assert.match(problems.get("tenants.acme.securityGroup.ingressRules[0].remoteSecurityGroup")!, /one remote/);
    assert.match(problems.get("tenants.acme.securityGroup.ingressRules[1].protocol")!, /need protocol tcp or udp, not icmp/);
    assert.match(problems.get("tenants.acme.securityGroup.ingressRules[2].portRangeMax")!, /80 is below portRangeMin 443/);
  });

  it("rejects a VPC gateway on the network or broadcast address", () => {
    assertProblem((r) => (r.tenants.acme.vpc.gateway = "10.0.1.255"), "tenants.acme.vpc.gateway", /network or broadcast address/);
  });

  it("rejects a default namespace too long for Kubernetes and Kube-OVN's built-in names", () => {
    const longName = "a".repeat(60);
    assertProblem(
      (r) => {
        r.tenants[longName] = r.tenants.acme;
        delete r.tenants.acme;
      },
      `tenants.${longName}.namespace`,
      /longer than 63 characters; set a shorter/,
    );
    assertProblem((r) => (r.tenants.acme.namespace = "ovn-default"), "tenants.acme.namespace", /system or platform namespace/);
  });

  it("rejects tenant VMs on a Spiderpool backend once, at the backend key", () => {
    const problems = problemsOf((r) => {
      r.platform.underlay = {
        backend: "spiderpool-macvlan",
        spiderpool: {
          masterInterfaces: ["eth1"],
          subnet: "172.31.192.0/20",
          gateway: "172.31.207.253",
          nodes: { n1: { ips: ["172.31.199.185"] } },
        },
      };
      r.tenants.acme.vms.second = { ...r.tenants.acme.vms.testvm, underlayIp: "10.199.3.5", vpcIp: "10.0.1.11" };
    });
    assert.deepEqual([...problems.keys()], ["platform.underlay.backend"]);
    assert.match(
      problems.get("platform.underlay.backend")!,
      /spiderpool-macvlan cannot carry tenant VMs \(tenants\.acme\.vms\.testvm and others\)/,
    );
  });

  it("rejects system and platform namespaces for a tenant", () => {
    assertProblem((r) => (r.tenants.acme.namespace = "default"), "tenants.acme.namespace", /system or platform namespace/);
    assertProblem((r) => (r.tenants.acme.namespace = "kube-system"), "tenants.acme.namespace", /system or platform namespace/);
    // Every namespace a platform part runs in, taken from the parts' own constants.
    for (const namespace of [
      CERT_MANAGER_NAMESPACE,
      TIGERA_NAMESPACE,
      KUBE_OVN_NAMESPACE,
      KUBEVIRT_NAMESPACE,
      SPIDERPOOL_NAMESPACE,
      "calico-system",
    ]) {
      assertProblem((r) => (r.tenants.acme.namespace = namespace), "tenants.acme.namespace", /system or platform namespace/);
    }
  });
});
