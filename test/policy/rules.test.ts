/**
 * Every rule against the real dev render: the render itself is compliant, and each test breaks
 * one thing the way a user or a bug would, then checks the rule, the resource and the key path.
 */
import * as assert from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import type { PolicyConfig } from "../../lib/policy";
import { assertNone, assertOne, at, customResource, devStack, mandatory, named, stackRender, templateOf } from "../fixtures/policy";
import { evaluatePolicies, liveMigration } from "../../lib/policy";
import { KINDS, PULUMI_TYPES } from "../../lib/k8s/kinds";

const IP_ANNOTATION = "cni.projectcalico.org/ipAddrs";
const ACME_VPC_IP = "kubeovn.tenant-acme.ovn.kubernetes.io/ip_address";

describe("policy rules on the dev render", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  it("the dev stack raises no violation at all: no advisory about bridge binding, every VM live-migratable", () => {
    assert.deepStrictEqual(evaluatePolicies(resources, config), []);
    assert.deepStrictEqual(
      liveMigration(resources, config),
      ["tenant-acme/web", "tenant-acme/db", "tenant-globex/app", "tenant-globex/worker"].map((vm) => ({
        vm,
        migratable: true,
        reasons: [],
      })),
    );
  });

  it("the tenant-only acme stack raises no mandatory violation: its VMs use the platform stack's default/calico", async () => {
    const acme = await stackRender("acme");
    assert.ok(!acme.resources.some((r) => r.type === KINDS.networkAttachmentDefinition.type && r.name.startsWith("platform")));
    assert.deepStrictEqual(mandatory(acme.resources, acme.config), []);
    templateOf(named(acme.resources, "acme/web/vm")).spec.networks[0].multus.networkName = "default/calico-open";
    assertOne(
      mandatory(acme.resources, acme.config),
      "vm-networks",
      "acme/web/vm",
      '= "default/calico-open"',
      "the platform Calico NAD default/calico",
    );
  });

  describe("vm-networks", () => {
    it("rejects a pod network next to the Multus default", () => {
      templateOf(named(resources, "acme/web/vm")).spec.networks.push({ name: "default", pod: {} });
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        "spec.template.spec.networks[2].pod",
        "pod network",
      );
    });

    it("rejects a default network other than the platform Calico NAD", () => {
      templateOf(named(resources, "acme/web/vm")).spec.networks[0].multus.networkName = "tenant-acme/kubeovn";
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        "spec.template.spec.networks[0].multus.networkName",
        '"tenant-acme/kubeovn"',
        "default/calico",
      );
    });

    it("rejects a platform NAD named calico whose config is not Calico's", () => {
      at(named(resources, "platform-nad-calico"), "spec").config = "{not json";
      const violations = mandatory(resources, config, "vm-networks");
      assert.strictEqual(violations.length, 4, violations.map((v) => v.message).join("\n"));
      assertOne(
        violations,
        "vm-networks",
        "acme/web/vm",
        "networks[0].multus.networkName",
        "must be the platform Calico NAD default/calico",
        "default/calico: spec.config: not JSON as Go reads it",
      );
    });

    it("rejects another tenant's Kube-OVN NAD and any extra attachment", () => {
      const spec = templateOf(named(resources, "acme/web/vm")).spec;
      spec.networks[1].multus.networkName = "tenant-globex/kubeovn";
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        "networks[1].multus.networkName",
        "must be the tenant's Kube-OVN NAD, tenant-acme/kubeovn or default/kubeovn",
      );
      spec.networks[1].multus.networkName = "kubeovn";
      spec.networks.push({ name: "extra", multus: { networkName: "default/kubeovn" } });
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        "networks[2].multus.networkName",
        "an extra attachment",
      );
    });

    it("rejects a VM without networks (KubeVirt would add the pod network)", () => {
      delete templateOf(named(resources, "globex/app/vm")).spec.networks;
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "globex/app/vm",
        "spec.template.spec.networks = (unset)",
        "pod network",
      );
    });
  });

  describe("vm-underlay-ip", () => {
    it("rejects an IP outside every IPReservation and outside the tenant's block", () => {
      templateOf(named(resources, "acme/db/vm")).metadata.annotations[IP_ANNOTATION] = '["10.199.4.9"]';
      const violations = mandatory(resources, config, "vm-underlay-ip").filter((v) => v.resource === "acme/db/vm");
      assert.strictEqual(violations.length, 2);
      assert.ok(violations[0].message.includes(`metadata.annotations["${IP_ANNOTATION}"] = "[\\"10.199.4.9\\"]"`), violations[0].message);
      assert.ok(violations[0].message.includes("inside no IPReservation"));
      assert.ok(violations[1].message.includes("outside the tenant's block 10.199.3.0/27 (policy config underlayBlock)"));
    });

    it("rejects an IP reserved for another tenant", () => {
      templateOf(named(resources, "acme/db/vm")).metadata.annotations[IP_ANNOTATION] = '["10.199.3.40"]';
      assertOne(
        mandatory(resources, config, "vm-underlay-ip"),
        "vm-underlay-ip",
        "acme/db/vm",
        "10.199.3.40 is outside the tenant's block 10.199.3.0/27",
      );
    });

    it("rejects a missing annotation and a list of two", () => {
      const annotations = templateOf(named(resources, "acme/db/vm")).metadata.annotations;
      delete annotations[IP_ANNOTATION];
      assertOne(mandatory(resources, config, "vm-underlay-ip"), "vm-underlay-ip", "acme/db/vm", IP_ANNOTATION, "missing");
      annotations[IP_ANNOTATION] = '["10.199.3.2","10.199.3.3"]';
      assertOne(mandatory(resources, config, "vm-underlay-ip"), "vm-underlay-ip", "acme/db/vm", "exactly one IPv4");
    });

    it("takes the tenant block from the policy config when the stack has no tenant reservation", () => {
      resources = resources.filter((r) => r.name !== "acme/ip-reservation");
      templateOf(named(resources, "acme/db/vm")).metadata.annotations[IP_ANNOTATION] = '["10.199.3.40"]';
      assertOne(
        mandatory(resources, config, "vm-underlay-ip"),
        "vm-underlay-ip",
        "acme/db/vm",
        "outside the tenant's block 10.199.3.0/27 (policy config underlayBlock)",
      );
    });
  });

  describe("vm-unique-addresses", () => {
    it("rejects a duplicate underlay IP across tenants, naming the first user", () => {
      templateOf(named(resources, "acme/db/vm")).metadata.annotations[IP_ANNOTATION] = '["10.199.3.33"]';
      // Reported on the later VM in namespace/name order, whatever the registration order.
      assertOne(
        mandatory(resources, config, "vm-unique-addresses"),
        "vm-unique-addresses",
        "globex/app/vm",
        IP_ANNOTATION,
        "underlay IP 10.199.3.33 is already used by VirtualMachine tenant-acme/db",
      );
    });

    it("rejects a duplicate VPC IP in one subnet but not the same IP in another tenant's VPC", () => {
      // globex/app also has 10.0.1.2, in its own subnet: that is fine (VPCs are isolated).
      assertNone(mandatory(resources, config), "vm-unique-addresses");
      templateOf(named(resources, "acme/db/vm")).metadata.annotations[ACME_VPC_IP] = "10.0.1.2";
      assertOne(
        mandatory(resources, config, "vm-unique-addresses"),
        "vm-unique-addresses",
        "acme/web/vm",
        ACME_VPC_IP,
        "VPC IP 10.0.1.2 in subnet tenant-acme is already used by VirtualMachine tenant-acme/db",
      );
    });
  });

  describe("calico-nad-routes", () => {
    function editConfig(edit: (conf: { plugins: { type: string; routes?: { dst: string }[] }[] }) => void): void {
      const nad = named(resources, "platform-nad-calico");
      const conf = JSON.parse(at(nad, "spec").config);
      edit(conf);
      at(nad, "spec").config = JSON.stringify(conf);
    }

    it("rejects a Calico NAD without the route plugin", () => {
      editConfig((conf) => (conf.plugins = conf.plugins.filter((p) => p.type !== "x-calico-route")));
      assertOne(
        mandatory(resources, config, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        'NetworkAttachmentDefinition default/calico: spec.config.plugins[*].type = ["calico","tuning"]',
        "keeps its default route",
      );
    });

    it("rejects a route plugin that adds 0.0.0.0/0", () => {
      editConfig((conf) => conf.plugins[1].routes!.push({ dst: "0.0.0.0/0" }));
      assertOne(
        mandatory(resources, config, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        'spec.config.plugins[1].routes[2].dst = "0.0.0.0/0"',
        "default route",
      );
    });

    it("fails closed without configured node CIDRs (derived ones come from these very routes), still catching a default route", () => {
      editConfig((conf) => conf.plugins[1].routes!.push({ dst: "0.0.0.0/0" }));
      const facts: PolicyConfig = { ...config, network: { ...config.network, nodeCidrs: undefined } };
      const messages = mandatory(resources, facts, "calico-nad-routes").map((v) => v.message);
      assert.strictEqual(messages.length, 2, messages.join("\n"));
      assert.ok(
        messages[0].includes("spec.config.plugins[1].routes = [") && messages[0].includes("cannot be checked: network.nodeCidrs not known"),
        messages[0],
      );
      assert.ok(messages[1].includes('routes[2].dst = "0.0.0.0/0"'), messages[1]);
    });

    it("trusts only the configured pod CIDR (a resource policy sees no Installation), failing closed without it", () => {
      const facts: PolicyConfig = { ...config, network: { ...config.network, podCidr: undefined } };
      assert.ok(resources.some((r) => r.type === "kubernetes:operator.tigera.io/v1:Installation"));
      assertOne(
        mandatory(resources, facts, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        "spec.config.plugins[1].routes = [",
        "cannot be checked: network.podCidr not known",
      );
    });

    it("rejects any route beyond the pod and node CIDRs, and the route plugin before calico", () => {
      editConfig((conf) => conf.plugins[1].routes!.push({ dst: "192.168.0.0/16" }));
      assertOne(
        mandatory(resources, config, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        'routes[2].dst = "192.168.0.0/16"',
        "10.199.0.0/16 (policy config network.podCidr); 10.50.0.0/16 (policy config network.nodeCidrs)",
      );
      editConfig((conf) => conf.plugins.reverse());
      assertOne(
        mandatory(resources, config, "calico-nad-routes"),
        "calico-nad-routes",
        "platform-nad-calico",
        "is not chained after calico",
      );
    });
  });

  describe("kubeovn-subnet-overlap", () => {
    it("rejects a subnet overlapping the join CIDR", () => {
      at(named(resources, "acme/subnet"), "spec").cidrBlock = "100.64.0.0/24";
      assertOne(
        mandatory(resources, config, "kubeovn-subnet-overlap"),
        "kubeovn-subnet-overlap",
        "acme/subnet",
        'Subnet tenant-acme: spec.cidrBlock = "100.64.0.0/24"',
        "join CIDR 100.64.0.0/16 (policy config network.joinCidr)",
      );
    });

    it("derives the join CIDR from the Kube-OVN Helm release when the config lacks it", () => {
      at(named(resources, "globex/subnet"), "spec").cidrBlock = "100.64.1.0/24";
      const facts: PolicyConfig = { ...config, network: { ...config.network, joinCidr: undefined } };
      assertOne(
        mandatory(resources, facts, "kubeovn-subnet-overlap"),
        "kubeovn-subnet-overlap",
        "globex/subnet",
        "Kube-OVN Helm release values (join CIDR)",
      );
    });

    it("rejects overlaps with the pod, service and node CIDRs", () => {
      at(named(resources, "acme/subnet"), "spec").cidrBlock = "10.0.0.0/8";
      const messages = mandatory(resources, config, "kubeovn-subnet-overlap").map((v) => v.message);
      assert.strictEqual(messages.length, 3, messages.join("\n"));
      assert.ok(
        messages[0].includes("pod CIDR 10.199.0.0/16") &&
          messages[1].includes("service CIDR 10.96.0.0/12") &&
          messages[2].includes("node CIDRs 10.50.0.0/16"),
      );
    });
  });

  describe("underlay-ipvlan-bridge", () => {
    it("rejects a VM binding an IPVlan NAD with bridge", () => {
      resources.push(
        customResource("ipvlan-nad", {
          apiVersion: "k8s.cni.cncf.io/v1",
          kind: "NetworkAttachmentDefinition",
          metadata: { name: "fast", namespace: "tenant-acme" },
          spec: { config: JSON.stringify({ cniVersion: "0.3.1", type: "ipvlan", master: "eth1" }) },
        }),
      );
      const spec = templateOf(named(resources, "acme/web/vm")).spec;
      spec.networks.push({ name: "fast", multus: { networkName: "fast" } });
      spec.domain.devices.interfaces.push({ name: "fast", bridge: {} });
      assertOne(
        mandatory(resources, config, "underlay-ipvlan-bridge"),
        "underlay-ipvlan-bridge",
        "acme/web/vm",
        "spec.template.spec.domain.devices.interfaces[2].bridge",
        "NetworkAttachmentDefinition tenant-acme/fast is ipvlan",
      );
    });

    it("rejects a VM binding a macvlan SpiderMultusConfig with bridge, not with another binding", () => {
      resources.push(
        customResource("spider", {
          apiVersion: "spiderpool.spidernet.io/v2beta1",
          kind: "SpiderMultusConfig",
          metadata: { name: "macvlan-underlay", namespace: "default" },
          spec: { cniType: "macvlan" },
        }),
      );
      const spec = templateOf(named(resources, "globex/app/vm")).spec;
      spec.networks[0].multus.networkName = "default/macvlan-underlay";
      assertOne(
        mandatory(resources, config, "underlay-ipvlan-bridge"),
        "underlay-ipvlan-bridge",
        "globex/app/vm",
        "interfaces[0].bridge",
        "SpiderMultusConfig default/macvlan-underlay has cniType macvlan",
      );
      spec.domain.devices.interfaces[0] = { name: "underlay", macvtap: {} };
      assertNone(mandatory(resources, config), "underlay-ipvlan-bridge");
    });
  });

  describe("vm-live-migration (advisory)", () => {
    const verdictOf = (vm: string) => liveMigration(resources, config).find((v) => v.vm === vm)!;
    const advisory = () => evaluatePolicies(resources, config).filter((v) => v.policy === "vm-live-migration");
    const webSpec = () => templateOf(named(resources, "acme/web/vm")).spec;

    it("an eviction strategy None blocks, the VM's own first, else the KubeVirt CR's (KubeVirt's default None when unset)", () => {
      webSpec().evictionStrategy = "None";
      assert.deepStrictEqual(verdictOf("tenant-acme/web"), {
        vm: "tenant-acme/web",
        migratable: false,
        reasons: [
          "blocks: evictionStrategy None (its spec.template.spec.evictionStrategy): a node drain restarts the VM instead of migrating it",
        ],
      });
      assertOne(
        advisory(),
        "vm-live-migration",
        "acme/web/vm",
        "VirtualMachine tenant-acme/web: not live-migratable: blocks: evictionStrategy None",
      );
      delete webSpec().evictionStrategy;
      delete at(named(resources, "platform-kubevirt-cr"), "spec", "configuration").evictionStrategy;
      assert.ok(
        liveMigration(resources, config).every(
          (v) =>
            !v.migratable &&
            v.reasons[0].includes(
              "evictionStrategy None (the KubeVirt CR kubevirt/kubevirt's spec.configuration.evictionStrategy, KubeVirt's default)",
            ),
        ),
      );
      webSpec().evictionStrategy = "LiveMigrate";
      assert.ok(verdictOf("tenant-acme/web").migratable, "the VM's own strategy overrides the cluster's");
    });

    it("a disk on a PVC blocks unless the stack shows it ReadWriteMany; a claim the stack does not show is unknown", () => {
      webSpec().volumes.push({ name: "data", persistentVolumeClaim: { claimName: "web-data" } });
      assert.deepStrictEqual(verdictOf("tenant-acme/web").reasons, [
        "unknown: volume data (spec.template.spec.volumes[2]): PVC tenant-acme/web-data is not declared in the stack, so whether it is ReadWriteMany is unknown",
      ]);
      const claim = customResource("web-data", {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "web-data", namespace: "tenant-acme" },
        spec: { accessModes: ["ReadWriteOnce"] },
      });
      resources.push({ ...claim, type: KINDS.persistentVolumeClaim.type });
      assert.match(
        verdictOf("tenant-acme/web").reasons[0],
        /^blocks: volume data .*PVC tenant-acme\/web-data is ReadWriteOnce, not ReadWriteMany/,
      );
      at(named(resources, "web-data"), "spec").accessModes = ["ReadWriteMany"];
      assert.deepStrictEqual(verdictOf("tenant-acme/web"), { vm: "tenant-acme/web", migratable: true, reasons: [] });
    });

    it("judges a DataVolume by the VM's dataVolumeTemplates, pvc or storage access modes", () => {
      webSpec().volumes.push({ name: "data", dataVolume: { name: "web-dv" } });
      assert.match(
        verdictOf("tenant-acme/web").reasons[0],
        /^unknown: .*DataVolume tenant-acme\/web-dv is not among the VM's dataVolumeTemplates/,
      );
      at(named(resources, "acme/web/vm"), "spec").dataVolumeTemplates = [
        { metadata: { name: "web-dv" }, spec: { storage: { accessModes: ["ReadWriteOnce"] } } },
      ];
      assert.match(verdictOf("tenant-acme/web").reasons[0], /^blocks: .*DataVolume template web-dv is ReadWriteOnce, not ReadWriteMany/);
      at(named(resources, "acme/web/vm"), "spec").dataVolumeTemplates[0].spec = { pvc: { accessModes: ["ReadWriteMany"] } };
      assert.ok(verdictOf("tenant-acme/web").migratable);
    });

    it("host devices and GPUs block", () => {
      webSpec().domain.devices.hostDevices = [{ name: "nic1", deviceName: "intel.com/sriov" }];
      webSpec().domain.devices.gpus = [{ name: "gpu1", deviceName: "nvidia.com/A100" }];
      assert.deepStrictEqual(verdictOf("tenant-acme/web").reasons, [
        "blocks: host devices nic1, gpu1: KubeVirt does not live-migrate a VM with host devices or GPUs",
      ]);
    });

    it("an overlay or NATed pool holding the VM's address degrades; an unset one is the operator's IPIP with natOutgoing", () => {
      const pool = at(named(resources, "platform-calico-installation"), "spec", "calicoNetwork").ipPools[0];
      pool.encapsulation = "VXLANCrossSubnet";
      pool.natOutgoing = "Enabled";
      const verdict = verdictOf("tenant-acme/web");
      assert.equal(verdict.migratable, true, "the address is kept");
      assert.deepStrictEqual(
        verdict.reasons.map((r) => r.split(":")[0] + ":" + r.split(":")[1]),
        [
          "degrades: encapsulation VXLANCrossSubnet on Installation pool default-ipv4-ippool (10.199.0.0/16), which holds 10.199.3.1",
          "degrades: natOutgoing Enabled on Installation pool default-ipv4-ippool (10.199.0.0/16), which holds 10.199.3.1",
        ],
      );
      delete pool.encapsulation;
      delete pool.natOutgoing;
      assert.deepStrictEqual(
        verdictOf("tenant-acme/web").reasons.map((r) => r.split(" on ")[0]),
        ["degrades: encapsulation IPIP", "degrades: natOutgoing Enabled"],
      );
      assertOne(advisory(), "vm-live-migration", "acme/web/vm", "live-migratable, degraded: degrades: encapsulation IPIP");
    });

    it("Calico's VM address persistence Disabled blocks; no IPAMConfiguration default is unknown", () => {
      at(named(resources, "platform-calico-ipam-configuration"), "spec").kubeVirtVMAddressPersistence = "Disabled";
      assert.ok(
        liveMigration(resources, config).every(
          (v) =>
            v.reasons.join() ===
            "blocks: kubeVirtVMAddressPersistence Disabled in IPAMConfiguration default: the migration target cannot take the source's underlay address",
        ),
      );
      resources.splice(resources.indexOf(named(resources, "platform-calico-ipam-configuration")), 1);
      assert.match(verdictOf("tenant-globex/app").reasons.join(), /^unknown: the stack declares no Calico IPAMConfiguration default/);
    });

    it("a Calico NAD whose network is not k8s-pod-network blocks", () => {
      const nad = named(resources, "platform-nad-calico");
      at(nad, "spec").config = JSON.stringify({ ...JSON.parse(at(nad, "spec").config), name: "underlay" });
      assert.deepStrictEqual(verdictOf("tenant-globex/worker").reasons, [
        "blocks: the Calico NAD default/calico names its network \"underlay\", not k8s-pod-network: Felix's owner swap at the end of a migration misses the VM's IPAM handle",
      ]);
    });

    it("Calico before 3.32 and Kube-OVN before 1.16.1 block, read from their Helm releases", () => {
      // The Kube-OVN component and its release share the name.
      const release = (name: string) => resources.find((r) => r.type === PULUMI_TYPES.helmRelease && r.name === name)!.inputs;
      release("platform-calico-tigera-operator").version = "v3.31.3";
      release("platform-kube-ovn").version = "v1.16.0";
      assert.deepStrictEqual(verdictOf("tenant-acme/db").reasons, [
        "blocks: Calico (tigera-operator) v3.31.3 (Helm release platform-calico-tigera-operator): VM address persistence came in Calico 3.32; before it the migration target cannot take the source's address",
        "blocks: Kube-OVN v1.16.0 (Helm release platform-kube-ovn): before v1.16.1 a migrated VM's VPC port loses its security groups (kube-ovn#6666)",
      ]);
      release("platform-kube-ovn").version = "v1.16.1";
      release("platform-calico-tigera-operator").version = "v3.32.0";
      assert.ok(verdictOf("tenant-acme/db").migratable);
    });

    it("the tenant-only acme stack cannot show the platform side: its VMs are not reported migratable, each unknown named", async () => {
      const acme = await stackRender("acme");
      const verdicts = liveMigration(acme.resources, acme.config);
      assert.deepStrictEqual(
        verdicts.map((v) => [v.vm, v.migratable]),
        [
          ["tenant-acme/web", false],
          ["tenant-acme/db", false],
        ],
      );
      assert.deepStrictEqual(
        verdicts[0].reasons.map((r) => r.split(":")[0]),
        Array(5).fill("unknown"),
      );
      assert.ok(!verdicts[0].reasons.some((r) => r.includes("pool")), "the dataplane comes from the platform's facts (bgp)");
    });
  });
});
