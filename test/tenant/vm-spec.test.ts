import { strict as assert } from "assert";
import { parse } from "yaml";
import { GUESTS } from "../../lib/config/schema";
import { networkData, userData } from "../../lib/tenant/cloud-init";
import { templateAnnotations, virtualMachine } from "../../lib/tenant/vm-spec";
import { acmeVm } from "../fixtures/tenant-config";

const PROVIDER = "kubeovn.tenant-acme.ovn";

describe("VirtualMachine spec", () => {
  describe("the spec every guest shares", () => {
    const { tenant, vm } = acmeVm({ image: "registry.example/ubuntu:1", sshKeys: ["ssh-ed25519 AAAAkey ops@example"] });
    const machine = virtualMachine(tenant, vm);
    const template = machine.spec.template;
    it("is a kubevirt.io/v1 VirtualMachine named after the VM in the tenant namespace", () => {
      assert.equal(machine.apiVersion, "kubevirt.io/v1");
      assert.equal(machine.kind, "VirtualMachine");
      assert.deepEqual(machine.metadata, {
        name: "testvm",
        namespace: "tenant-acme",
        labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme", "tenantnet.io/vm": "testvm" },
      });
    });

    it("takes runStrategy from the config and never sets `running`", () => {
      assert.equal(machine.spec.runStrategy, "Always");
      assert.ok(!("running" in machine.spec));
      assert.equal(virtualMachine(tenant, { ...vm, runStrategy: "Halted" }).spec.runStrategy, "Halted");
    });

    it("labels the launcher pod with tenant and VM (the Calico selectors)", () => {
      assert.deepEqual(template.metadata.labels, {
        "app.kubernetes.io/managed-by": "tenantnet",
        "tenantnet.io/tenant": "acme",
        "tenantnet.io/vm": "testvm",
      });
    });

    it("has the Calico NAD as Multus default network first, the tenant's Kube-OVN NAD second, no pod network", () => {
      assert.deepEqual(template.spec.networks, [
        { name: "underlay", multus: { networkName: "default/calico", default: true } },
        { name: "vpc", multus: { networkName: "tenant-acme/kubeovn" } },
      ]);
    });

    it("binds both interfaces with bridge, virtio and multiqueue", () => {
      assert.deepEqual(template.spec.domain.devices.interfaces, [
        { name: "underlay", model: "virtio", bridge: {} },
        { name: "vpc", model: "virtio", bridge: {} },
      ]);
      assert.equal(template.spec.domain.devices.networkInterfaceMultiqueue, true);
    });

    it("sizes CPU cores and guest memory from the config", () => {
      assert.deepEqual(template.spec.domain.cpu, { cores: 2 });
      assert.deepEqual(template.spec.domain.memory, { guest: "4Gi" });
    });

    it("pins both addresses and binds the VPC port to the tenant's subnet and security group", () => {
      assert.deepEqual(template.metadata.annotations, {
        "cni.projectcalico.org/ipAddrs": '["10.199.3.4"]',
        [`${PROVIDER}.kubernetes.io/logical_switch`]: "tenant-acme",
        [`${PROVIDER}.kubernetes.io/ip_address`]: "10.0.1.10",
        [`${PROVIDER}.kubernetes.io/security_groups`]: "tenant-acme",
        [`${PROVIDER}.kubernetes.io/port_security`]: "true",
      });
    });
  });

  it("boots each guest's containerDisk and a NoCloud disk with its user data and network data version", () => {
    const rows = GUESTS.map((guest) => {
      const { tenant, vm } = acmeVm({ guest, image: `registry.example/${guest}:1`, sshKeys: ["ssh-ed25519 AAAAkey ops@example"] });
      const spec = virtualMachine(tenant, vm).spec.template.spec;
      const cloudInit = (spec.volumes[1] as { cloudInitNoCloud: { userData: string; networkData: string } }).cloudInitNoCloud;
      return {
        guest,
        disks: spec.domain.devices.disks,
        root: spec.volumes[0],
        cloudInit,
        version: parse(cloudInit.networkData).network.version,
      };
    });
    assert.deepEqual(
      rows,
      GUESTS.map((guest) => ({
        guest,
        disks: [
          { name: "rootdisk", disk: { bus: "virtio" } },
          { name: "cloudinitdisk", disk: { bus: "virtio" } },
        ],
        root: { name: "rootdisk", containerDisk: { image: `registry.example/${guest}:1` } },
        cloudInit: { userData: userData(["ssh-ed25519 AAAAkey ops@example"]), networkData: networkData({ guest, vpcGateway: "10.0.1.1" }) },
        version: guest === "centos7" ? 1 : 2,
      })),
    );
  });

  it("puts pinned MACs on the interfaces, the Kube-OVN annotation and the cloud-init match", () => {
    const macs = { underlay: "02:54:00:03:00:01", vpc: "02:54:00:01:00:01" };
    const { tenant, vm } = acmeVm({ macs });
    const machine = virtualMachine(tenant, vm);
    assert.deepEqual(
      machine.spec.template.spec.domain.devices.interfaces.map((i) => [i.name, i.macAddress]),
      [
        ["underlay", macs.underlay],
        ["vpc", macs.vpc],
      ],
    );
    assert.equal(machine.spec.template.metadata.annotations[`${PROVIDER}.kubernetes.io/mac_address`], macs.vpc);
    const volume = machine.spec.template.spec.volumes[1];
    assert.ok("cloudInitNoCloud" in volume);
    assert.equal(volume.cloudInitNoCloud.networkData, networkData({ guest: "ubuntu", vpcGateway: "10.0.1.1", macs }));
  });

  it("leaves the eviction strategy to the KubeVirt CR unless the VM sets its own", () => {
    const { tenant, vm } = acmeVm();
    assert.ok(!("evictionStrategy" in virtualMachine(tenant, vm).spec.template.spec));
    assert.equal(virtualMachine(tenant, { ...vm, evictionStrategy: "None" }).spec.template.spec.evictionStrategy, "None");
  });

  it("adds no Kube-OVN MAC annotation when only the underlay MAC is pinned", () => {
    const { tenant, vm } = acmeVm({ macs: { underlay: "02:54:00:03:00:01" } });
    assert.equal(templateAnnotations(tenant, vm)[`${PROVIDER}.kubernetes.io/mac_address`], undefined);
  });

  it("sets Kube-OVN QoS rates in Mbit/s only for the directions configured", () => {
    const rated = (bandwidth: object) => {
      const { tenant, vm } = acmeVm({ bandwidth });
      return templateAnnotations(tenant, vm);
    };
    const both = rated({ ingressMbps: 200, egressMbps: 100 });
    assert.equal(both[`${PROVIDER}.kubernetes.io/ingress_rate`], "200");
    assert.equal(both[`${PROVIDER}.kubernetes.io/egress_rate`], "100");
    const egressOnly = rated({ egressMbps: 50 });
    assert.equal(egressOnly[`${PROVIDER}.kubernetes.io/ingress_rate`], undefined);
    assert.equal(egressOnly[`${PROVIDER}.kubernetes.io/egress_rate`], "50");
  });

  it("uses the platform NAD and its provider with kubeOvnAttachment: platform", () => {
    const { tenant, vm } = acmeVm({}, (raw) => (raw.tenants.acme.kubeOvnAttachment = "platform"));
    const machine = virtualMachine(tenant, vm);
    assert.deepEqual(machine.spec.template.spec.networks[1], { name: "vpc", multus: { networkName: "default/kubeovn" } });
    const annotations = machine.spec.template.metadata.annotations;
    assert.equal(annotations["kubeovn.default.ovn.kubernetes.io/ip_address"], "10.0.1.10");
    assert.equal(annotations["kubeovn.default.ovn.kubernetes.io/logical_switch"], "tenant-acme");
    assert.ok(!Object.keys(annotations).some((key) => key.startsWith(`${PROVIDER}.`)));
  });

  it("follows a custom namespace and gateway", () => {
    const { tenant, vm } = acmeVm({ guest: "centos7" }, (raw) => {
      raw.tenants.acme.namespace = "acme-prod";
      raw.tenants.acme.vpc.gateway = "10.0.1.254";
    });
    const machine = virtualMachine(tenant, vm);
    assert.equal(machine.metadata.namespace, "acme-prod");
    assert.equal(machine.spec.template.spec.networks[1].multus.networkName, "acme-prod/kubeovn");
    assert.equal(machine.spec.template.metadata.annotations["kubeovn.acme-prod.ovn.kubernetes.io/logical_switch"], "acme-prod");
    const volume = machine.spec.template.spec.volumes[1];
    assert.ok("cloudInitNoCloud" in volume);
    assert.match(volume.cloudInitNoCloud.networkData, /gateway: 10\.0\.1\.254/);
  });
});
