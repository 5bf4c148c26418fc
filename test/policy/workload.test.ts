/**
 * Workloads other than VMs and NAD configs read otherwise than Multus reads them (issue 13), each
 * rebuilt from the real dev render: the violation names the rule, the resource and the key path.
 */
import * as assert from "assert";
import type { CapturedResource } from "../../lib/plan/capture";
import type { PolicyConfig } from "../../lib/policy";
import { KINDS, type Kind } from "../../lib/k8s/kinds";
import { StackView } from "../../lib/policy/stack";
import { parseWorkload } from "../../lib/policy/workload";
import { policyPackConfig } from "../../lib/policy";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { policyNamed } from "../../policy/rules";
import { assertNone, assertOne, at, devStack, mandatory, named, templateOf } from "../fixtures/policy";

function workload(name: string, kind: Kind, metadata: Record<string, unknown>, spec: unknown): CapturedResource {
  return {
    urn: `urn:pulumi:dev::tenantnet::${kind.type}::${name}`,
    type: kind.type,
    name,
    dependsOn: [],
    custom: true,
    inputs: { apiVersion: kind.apiVersion, kind: kind.kind, metadata, spec },
  };
}

/** What the CrossGuard resource policy `name` reports for one resource, with its generated pack config entry. */
async function packReports(name: string, resource: CapturedResource, config: PolicyConfig): Promise<string[]> {
  const policy = policyNamed<ResourceValidationPolicy>(name);
  const reports: string[] = [];
  const args = {
    type: resource.type,
    props: resource.inputs,
    urn: resource.urn,
    name: resource.name,
    getConfig: () => policyPackConfig(config)[name] ?? {},
    notApplicable: (reason?: string) => {
      throw new Error(`notApplicable: ${reason}`);
    },
  } as unknown as ResourceValidationArgs;
  const validate = policy.validateResource;
  if (!validate) throw new Error(`${name} is not a resource policy`);
  for (const v of Array.isArray(validate) ? validate : [validate]) await v(args, (message) => reports.push(message));
  return reports;
}

function podSpec(extra: Record<string, unknown> = {}) {
  return { containers: [{ name: "c", image: "busybox" }], ...extra };
}

function deployment(name: string, namespace: string, annotations: Record<string, string>, spec: Record<string, unknown> = {}) {
  return workload(
    name,
    KINDS.deployment,
    { name, namespace },
    {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: podSpec(spec) },
    },
  );
}

describe("closed world: workloads and NAD configs (issue 13)", () => {
  let resources: CapturedResource[];
  let config: PolicyConfig;

  beforeEach(async () => {
    ({ resources, config } = await devStack());
  });

  describe("CNI config parsed as Multus parses it", () => {
    it('refuses the platform conflist plus a top-level "Type":"host-device", on the NAD and on every VM using it', () => {
      const nad = named(resources, "platform-nad-calico");
      const text: string = at(nad, "spec").config;
      at(nad, "spec").config = `${text.slice(0, -1)},"Type":"host-device","device":"eth1"}`;
      const violations = mandatory(resources, config);
      assertOne(
        violations,
        "nad-config",
        "platform-nad-calico",
        "NetworkAttachmentDefinition default/calico: spec.config",
        'key "Type" is "type"',
      );
      assertOne(
        violations,
        "vm-networks",
        "acme/web/vm",
        "spec.template.spec.networks[0].multus.networkName",
        "default/calico: spec.config.Type",
      );
    });

    it("refuses a lower-case type beside plugins, repeated and case-variant keys", () => {
      const nad = named(resources, "platform-nad-calico");
      const config0 = JSON.parse(at(nad, "spec").config);
      at(nad, "spec").config = JSON.stringify({ ...config0, type: "host-device" });
      assertOne(mandatory(resources, config, "nad-config"), "nad-config", "platform-nad-calico", "beside spec.config.plugins");
      at(nad, "spec").config = JSON.stringify(config0).replace('"type":"calico"', '"type":"calico","TYPE":"host-device"');
      assertOne(
        mandatory(resources, config, "nad-config"),
        "nad-config",
        "platform-nad-calico",
        'spec.config.plugins[0].TYPE: key "TYPE" repeats "type"',
      );
    });

    it("counts only default/calico, exactly as rendered, as the platform's: not a Calico-looking NAD elsewhere", () => {
      const copy = structuredClone(named(resources, "platform-nad-calico"));
      copy.name = "copy-calico";
      at(copy, "metadata").namespace = "kube-system";
      resources.push(copy);
      templateOf(named(resources, "acme/web/vm")).spec.networks[0].multus.networkName = "kube-system/calico";
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        '"kube-system/calico"',
        "must be the platform Calico NAD default/calico",
      );
      const platform = named(resources, "platform-nad-calico");
      const rendered = JSON.parse(at(platform, "spec").config);
      rendered.plugins[0].ipam = { type: "host-local", subnet: "10.50.0.0/16" };
      at(platform, "spec").config = JSON.stringify(rendered);
      assert.deepStrictEqual([...new StackView(resources, config).platformCalicoNads()], []);
      assertOne(
        mandatory(resources, config, "nad-config"),
        "nad-config",
        "platform-nad-calico",
        "spec.config.plugins[0].ipam.subnet differs from what the platform renders",
      );
    });

    it("resolves a bare Multus default network in Multus's namespace, as Multus does", () => {
      templateOf(named(resources, "acme/web/vm")).spec.networks[0].multus.networkName = "calico";
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        '= "calico"',
        "must be the platform Calico NAD default/calico",
      );
      resources.push(deployment("bare", "default", { "v1.multus-cni.io/default-network": "calico" }));
      assertOne(mandatory(resources, config, "workload-networks"), "workload-networks", "bare", "got kube-system/calico");
    });

    it("refuses a tenant Kube-OVN NAD that chains another plugin", () => {
      const nad = resources.find(
        (r) => r.type === KINDS.networkAttachmentDefinition.type && at(r, "metadata").namespace === "tenant-acme",
      )!;
      const conf = JSON.parse(at(nad, "spec").config);
      conf.plugins.push({ type: "host-device", device: "eth1" });
      at(nad, "spec").config = JSON.stringify(conf);
      assertOne(mandatory(resources, config, "nad-config"), "nad-config", nad.name, "spec.config.plugins differs");
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "acme/web/vm",
        "networks[1].multus.networkName",
        "not the Kube-OVN NAD the program renders",
      );
    });
  });

  describe("parseWorkload", () => {
    it("finds each kind's template, labels, annotations and service account", () => {
      const template = {
        metadata: { labels: { app: "x" }, annotations: { a: "b" } },
        spec: podSpec({ serviceAccountName: "sa", hostNetwork: true }),
      };
      const cases: [CapturedResource, string][] = [
        [workload("pod", KINDS.pod, { name: "pod", namespace: "n" }, template.spec), ""],
        [workload("rc", KINDS.replicationController, { name: "rc", namespace: "n" }, { template }), "spec.template."],
        [workload("sts", KINDS.statefulSet, { name: "sts", namespace: "n" }, { template }), "spec.template."],
        [workload("ds", KINDS.daemonSet, { name: "ds", namespace: "n" }, { template }), "spec.template."],
        [workload("rs", KINDS.replicaSet, { name: "rs", namespace: "n" }, { template }), "spec.template."],
        [workload("job", KINDS.job, { name: "job", namespace: "n" }, { template }), "spec.template."],
        [
          workload("cj", KINDS.cronJob, { name: "cj", namespace: "n" }, { jobTemplate: { spec: { template } } }),
          "spec.jobTemplate.spec.template.",
        ],
      ];
      cases[0][0].inputs.metadata = { name: "pod", namespace: "n", labels: { app: "x" }, annotations: { a: "b" } };
      for (const [resource, base] of cases) {
        const parsed = parseWorkload(resource)!;
        assert.deepStrictEqual(
          [parsed.base, parsed.labels, parsed.annotations, parsed.serviceAccountName, parsed.hostNetwork, parsed.namespace],
          [base, { app: "x" }, { a: "b" }, "sa", true, "n"],
          resource.name,
        );
      }
      assert.strictEqual(parseWorkload(named(resources, "platform-nad-calico")), undefined);
    });

    it("takes a VM's service account from spec.serviceAccountName, else its serviceAccount volume, else default", () => {
      const vm = named(resources, "acme/web/vm");
      assert.strictEqual(parseWorkload(vm)!.serviceAccountName, "default");
      const spec = templateOf(vm).spec;
      spec.volumes.push({ name: "sa", serviceAccount: { serviceAccountName: "builder" } });
      const parsed = parseWorkload(vm)!;
      assert.deepStrictEqual(
        [parsed.kind, parsed.base, parsed.serviceAccountName, parsed.labels["tenantnet.io/vm"]],
        ["VirtualMachine", "spec.template.", "builder", "web"],
      );
      spec.serviceAccountName = "other";
      assert.strictEqual(parseWorkload(vm)!.serviceAccountName, "other");
    });
  });

  describe("workloads other than VMs", () => {
    it("judges a VirtualMachineInstanceReplicaSet and a VirtualMachinePool as VMs, at their template's key path", () => {
      const vm = named(resources, "acme/web/vm");
      const template = structuredClone(templateOf(vm));
      template.spec.networks = [{ name: "default", pod: {} }];
      resources.push(
        workload(
          "rs",
          KINDS.virtualMachineInstanceReplicaSet,
          { name: "rs", namespace: "tenant-acme" },
          { replicas: 2, selector: {}, template },
        ),
      );
      const poolTemplate = structuredClone(templateOf(vm));
      poolTemplate.spec.domain.devices.hostDevices = [{ name: "nic", deviceName: "intel.com/x710" }];
      delete poolTemplate.metadata.annotations["cni.projectcalico.org/ipAddrs"];
      resources.push(
        workload(
          "pool",
          KINDS.virtualMachinePool,
          { name: "pool", namespace: "tenant-acme" },
          {
            selector: {},
            virtualMachineTemplate: { spec: { runStrategy: "Always", template: poolTemplate } },
          },
        ),
      );
      const violations = mandatory(resources, config);
      assertOne(
        violations.filter((v) => v.message.includes(".pod")),
        "vm-networks",
        "rs",
        "VirtualMachineInstanceReplicaSet tenant-acme/rs: spec.template.spec.networks[0].pod",
      );
      assertOne(
        violations,
        "workload-host-access",
        "pool",
        "VirtualMachinePool tenant-acme/pool: spec.virtualMachineTemplate.spec.template.spec.domain.devices.hostDevices[0]",
        "node NIC",
      );
      assertOne(violations, "vm-underlay-ip", "pool", "spec.virtualMachineTemplate.spec.template.metadata.annotations");
    });

    it("judges kubevirt.io/v1alpha3 VMs, which KubeVirt v1.9.0 still serves", () => {
      const copy = structuredClone(named(resources, "acme/web/vm"));
      copy.name = "old";
      copy.type = KINDS.virtualMachineV1alpha3.type;
      at(copy, "metadata").name = "old";
      templateOf(copy).spec.networks[0].multus.networkName = "tenant-acme/macvlan";
      resources.push(copy);
      assertOne(
        mandatory(resources, config, "vm-networks"),
        "vm-networks",
        "old",
        "VirtualMachine tenant-acme/old",
        "networks[0].multus.networkName",
      );
    });

    it("refuses hostNetwork, hostPID, privileged containers and hostPath volumes outside the platform's node agents", () => {
      resources.push(deployment("hostnet", "tenant-acme", {}, { hostNetwork: true }));
      resources.push(
        workload(
          "pod",
          KINDS.pod,
          { name: "p", namespace: "default" },
          podSpec({
            hostPID: true,
            containers: [{ name: "c", securityContext: { privileged: true } }],
            volumes: [{ name: "cni", hostPath: { path: "/etc/cni/net.d" } }],
          }),
        ),
      );
      const violations = mandatory(resources, config, "workload-host-access");
      assertOne(violations, "workload-host-access", "hostnet", "Deployment tenant-acme/hostnet: spec.template.spec.hostNetwork = true");
      assert.deepStrictEqual(
        violations.filter((v) => v.resource === "pod").map((v) => v.message.split(" = ")[0]),
        [
          "Pod default/p: spec.hostPID",
          "Pod default/p: spec.volumes[0].hostPath",
          "Pod default/p: spec.containers[0].securityContext.privileged",
        ],
      );
      assert.ok(
        named(resources, "platform-multus-daemonset").inputs.spec,
        "the platform's own host-network DaemonSets stay accepted (dev is clean)",
      );
    });

    it("exempts the node agents only in the stack that installs the platform", () => {
      const agent = named(resources, "platform-multus-daemonset");
      assert.deepStrictEqual(mandatory(resources, config, "workload-host-access"), []);
      const tenantOnly = { ...config, platform: { ...config.platform, install: false } };
      assert.deepStrictEqual(
        mandatory([agent], tenantOnly, "workload-host-access")
          .map((v) => v.message.split(" = ")[0].replace(/volumes\[\d+\]/, "volumes[i]"))
          .filter((key, i, keys) => keys.indexOf(key) === i),
        [
          "DaemonSet kube-system/kube-multus-ds: spec.template.spec.hostNetwork",
          "DaemonSet kube-system/kube-multus-ds: spec.template.spec.hostPID",
          "DaemonSet kube-system/kube-multus-ds: spec.template.spec.volumes[i].hostPath",
          "DaemonSet kube-system/kube-multus-ds: spec.template.spec.initContainers[0].securityContext.privileged",
          "DaemonSet kube-system/kube-multus-ds: spec.template.spec.containers[0].securityContext.privileged",
        ],
      );
    });

    it("refuses a pod whose default network is a macvlan NAD on eth0, and extra attachments in either form", () => {
      resources.push(deployment("mv", "tenant-acme", { "v1.multus-cni.io/default-network": "tenant-acme/macvlan-eth0" }));
      resources.push(deployment("extra", "tenant-acme", { "k8s.v1.cni.cncf.io/networks": "tenant-acme/kubeovn, macvlan" }));
      resources.push(
        workload(
          "cron",
          KINDS.cronJob,
          { name: "cron", namespace: "tenant-globex" },
          {
            schedule: "* * * * *",
            jobTemplate: {
              spec: {
                template: {
                  metadata: { annotations: { "k8s.v1.cni.cncf.io/networks": '[{"name":"kubeovn","default-route":["10.0.2.1"]}]' } },
                  spec: podSpec(),
                },
              },
            },
          },
        ),
      );
      const violations = mandatory(resources, config, "workload-networks");
      assertOne(
        violations,
        "workload-networks",
        "mv",
        'spec.template.metadata.annotations["v1.multus-cni.io/default-network"]',
        "may only be the platform Calico NAD default/calico",
      );
      assertOne(violations, "workload-networks", "extra", "entry 1 attaches tenant-acme/macvlan");
      assertOne(
        violations,
        "workload-networks",
        "cron",
        'spec.jobTemplate.spec.template.metadata.annotations["k8s.v1.cni.cncf.io/networks"]',
        "sets default-route",
      );
    });

    it("refuses Multus annotations written on a VM template", () => {
      templateOf(named(resources, "acme/web/vm")).metadata.annotations["k8s.v1.cni.cncf.io/networks"] = "tenant-acme/macvlan";
      assertOne(
        mandatory(resources, config, "workload-networks"),
        "workload-networks",
        "acme/web/vm",
        "KubeVirt writes the launcher pod's Multus annotations",
      );
    });

    it("refuses a pod that pins a stopped VM's underlay IP, or an address in another tenant's block", () => {
      const vm = named(resources, "acme/db/vm");
      at(vm, "spec").runStrategy = "Halted";
      const ip = templateOf(vm).metadata.annotations["cni.projectcalico.org/ipAddrs"];
      resources.push(deployment("thief", "tenant-acme", { "cni.projectcalico.org/ipAddrs": ip }));
      resources.push(deployment("cross", "tenant-acme", { "cni.projectcalico.org/ipAddrs": '["10.199.3.40"]' }));
      resources.push(deployment("outside", "default", { "cni.projectcalico.org/ipAddrs": '["10.199.3.41"]' }));
      const violations = mandatory(resources, config);
      assertOne(
        violations,
        "vm-unique-addresses",
        "thief",
        `Deployment tenant-acme/thief: spec.template.metadata.annotations["cni.projectcalico.org/ipAddrs"]`,
        "already used by VirtualMachine tenant-acme/db",
      );
      assertNone(
        violations.filter((v) => v.resource === "thief"),
        "workload-underlay-ip",
      );
      assertOne(violations, "workload-underlay-ip", "cross", "outside tenant acme's underlayBlock 10.199.3.0/27 (it is tenant globex's)");
      assertOne(violations, "workload-underlay-ip", "outside", "inside tenant globex's underlayBlock");
      resources.push(deployment("platform-ok", "default", { "cni.projectcalico.org/ipAddrs": '["10.199.5.7"]' }));
      resources.push(deployment("garbled", "default", { "cni.projectcalico.org/ipAddrs": '["10.199.5.300"]' }));
      const again = mandatory(resources, config, "workload-underlay-ip");
      assertNone(
        again.filter((v) => v.resource === "platform-ok"),
        "workload-underlay-ip",
      );
      assertOne(again, "workload-underlay-ip", "garbled", "10.199.5.300 is not an IP address");
    });
  });

  describe("under CrossGuard, as resource policies that stop the object before apply", () => {
    it("the pack refuses a host-network Deployment, a macvlan default network and the Type host-device NAD", async () => {
      const hostnet = deployment(
        "hostnet",
        "tenant-acme",
        { "v1.multus-cni.io/default-network": "tenant-acme/macvlan" },
        { hostNetwork: true },
      );
      assert.deepStrictEqual(
        (await packReports("workload-host-access", hostnet, config)).map((m) => m.split(" = ")[0]),
        ["Deployment tenant-acme/hostnet: spec.template.spec.hostNetwork"],
      );
      assert.match((await packReports("workload-networks", hostnet, config))[0], /may only be the platform Calico NAD default\/calico/);
      const nad = named(resources, "platform-nad-calico");
      assert.deepStrictEqual(await packReports("nad-config", nad, config), []);
      at(nad, "spec").config = `${at(nad, "spec").config.slice(0, -1)},"Type":"host-device"}`;
      assert.match((await packReports("nad-config", nad, config))[0], /default\/calico: spec.config = .*key "Type" is "type"/);
    });
  });

  describe("Calico and Kube-OVN annotations", () => {
    const provider = "kubeovn.tenant-acme.ovn";

    it("refuse a VM naming another tenant's subnet or security group, or port security off", () => {
      const annotations = templateOf(named(resources, "acme/web/vm")).metadata.annotations;
      annotations[`${provider}.kubernetes.io/logical_switch`] = "tenant-globex";
      annotations[`${provider}.kubernetes.io/security_groups`] = "tenant-globex";
      delete annotations[`${provider}.kubernetes.io/port_security`];
      const violations = mandatory(resources, config, "workload-annotations");
      assert.strictEqual(violations.length, 3, violations.map((v) => v.message).join("\n"));
      assert.ok(violations.some((v) => v.message.includes(`.kubernetes.io/logical_switch"] = "tenant-globex": must be "tenant-acme"`)));
      assert.ok(violations.some((v) => v.message.includes(`.kubernetes.io/security_groups"] = "tenant-globex": must be "tenant-acme"`)));
      assert.ok(violations.some((v) => v.message.includes(`.kubernetes.io/port_security"] = (unset): missing`)));
    });

    it("refuse Calico and Kube-OVN annotations the program never writes", () => {
      const annotations = templateOf(named(resources, "acme/web/vm")).metadata.annotations;
      annotations["cni.projectcalico.org/ipv4pools"] = '["default-ipv4-ippool"]';
      annotations[`${provider}.kubernetes.io/routes`] = '[{"dst":"0.0.0.0/0","gw":"10.50.0.1"}]';
      annotations["ovn.kubernetes.io/logical_switch"] = "ovn-default";
      resources.push(deployment("ovn", "default", { "ovn.kubernetes.io/ip_pool": "10.0.1.5" }));
      const violations = mandatory(resources, config, "workload-annotations");
      assertOne(
        violations.filter((v) => v.message.includes("ipv4pools")),
        "workload-annotations",
        "acme/web/vm",
        "the program writes only cni.projectcalico.org/ipAddrs",
      );
      assertOne(
        violations.filter((v) => v.message.includes("/routes")),
        "workload-annotations",
        "acme/web/vm",
        "may be set",
      );
      assertOne(
        violations.filter((v) => v.message.includes('["ovn.kubernetes.io/logical_switch"]')),
        "workload-annotations",
        "acme/web/vm",
        "may be set",
      );
      assertOne(violations, "workload-annotations", "ovn", "without its tenant's Kube-OVN attachment");
    });
  });
});
