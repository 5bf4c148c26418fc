import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import {
  type Manifest,
  type SchemaError,
  type SchemaRegistry,
  formatSchemaError,
  isBase64,
  isCidr,
  isDuration,
  isIpAddress,
  isMacAddress,
  isQuantity,
  loadSchemaDir,
  manifestLabel,
  validateManifests,
  VENDORED_SCHEMAS_DIR,
} from "../../lib/schema";

/** The pinned upstream schemas vendored in the repository. */
const CRD_DIR = VENDORED_SCHEMAS_DIR;

// ---------------------------------------------------------------------------------------------
// Manifests as the program renders them (seed 000 layout: tenant acme, VM testvm).
// Builders return fresh objects so negative tests can break one field at a time.
// ---------------------------------------------------------------------------------------------

const TENANT_NS = "tenant-acme";
const OVN_NAD = "acme-vpc";
const OVN_PROVIDER = `${OVN_NAD}.${TENANT_NS}.ovn`;

function virtualMachine(): Manifest {
  const networkData = [
    "version: 2",
    "ethernets:",
    "  underlay:",
    "    match: {macaddress: '02:00:00:0a:c7:04'}",
    "    dhcp4: true",
    "    dhcp4-overrides: {use-routes: true, use-dns: false}",
    "  vpc:",
    "    match: {macaddress: '02:00:00:0a:00:0a'}",
    "    addresses: [10.0.1.10/24]",
    "    routes: [{to: default, via: 10.0.1.1}]",
  ].join("\n");
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: "testvm",
      namespace: TENANT_NS,
      labels: { "app.kubernetes.io/managed-by": "tenantnet", "tenantnet.io/tenant": "acme" },
    },
    spec: {
      runStrategy: "Always",
      template: {
        metadata: {
          labels: { "tenantnet.io/tenant": "acme", "tenantnet.io/vm": "testvm" },
          annotations: {
            "cni.projectcalico.org/ipAddrs": '["10.199.3.4"]',
            [`${OVN_NAD}.${TENANT_NS}.ovn.kubernetes.io/ip_address`]: "10.0.1.10",
            [`${OVN_NAD}.${TENANT_NS}.ovn.kubernetes.io/mac_address`]: "02:00:00:0a:00:0a",
            [`${OVN_NAD}.${TENANT_NS}.ovn.kubernetes.io/ingress_rate`]: "100",
            [`${OVN_NAD}.${TENANT_NS}.ovn.kubernetes.io/egress_rate`]: "100",
          },
        },
        spec: {
          domain: {
            cpu: { cores: 2, sockets: 1, threads: 1 },
            memory: { guest: "4Gi" },
            resources: { requests: { memory: "4Gi", cpu: 2 } },
            devices: {
              networkInterfaceMultiqueue: true,
              disks: [
                { name: "rootdisk", disk: { bus: "virtio" } },
                { name: "cloudinit", disk: { bus: "virtio" } },
              ],
              interfaces: [
                { name: "underlay", bridge: {}, macAddress: "02:00:00:0a:c7:04" },
                { name: "vpc", bridge: {}, macAddress: "02:00:00:0a:00:0a" },
              ],
            },
          },
          networks: [
            { name: "underlay", multus: { networkName: "kube-system/calico-underlay", default: true } },
            { name: "vpc", multus: { networkName: `${TENANT_NS}/${OVN_NAD}` } },
          ],
          volumes: [
            { name: "rootdisk", containerDisk: { image: "quay.io/containerdisks/ubuntu:22.04" } },
            {
              name: "cloudinit",
              cloudInitNoCloud: {
                userData: "#cloud-config\nhostname: testvm\nssh_pwauth: false\n",
                networkData,
              },
            },
          ],
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  };
}

function calicoNetworkPolicy(): Manifest {
  return {
    apiVersion: "projectcalico.org/v3",
    kind: "NetworkPolicy",
    metadata: { name: "testvm-underlay", namespace: TENANT_NS, labels: { "tenantnet.io/tenant": "acme" } },
    spec: {
      order: 100,
      selector: "tenantnet.io/vm == 'testvm'",
      types: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        {
          action: "Allow",
          protocol: "TCP",
          destination: { nets: ["10.50.31.21/32"], ports: [80, 443] },
        },
        {
          action: "Allow",
          protocol: "UDP",
          destination: { nets: ["10.50.0.10/32"], ports: [53, "1000:1010"] },
        },
      ],
    },
  };
}

function calicoIpReservation(): Manifest {
  return {
    apiVersion: "projectcalico.org/v3",
    kind: "IPReservation",
    metadata: { name: "tenantnet-vms" },
    spec: { reservedCIDRs: ["10.199.3.0/24"] },
  };
}

function kubeOvnVpc(): Manifest {
  return {
    apiVersion: "kubeovn.io/v1",
    kind: "Vpc",
    metadata: { name: "acme", labels: { "tenantnet.io/tenant": "acme" } },
    spec: {
      namespaces: [TENANT_NS],
      enableExternal: false,
      staticRoutes: [{ cidr: "0.0.0.0/0", nextHopIP: "10.0.1.254", policy: "policyDst" }],
    },
  };
}

function kubeOvnSubnet(): Manifest {
  return {
    apiVersion: "kubeovn.io/v1",
    kind: "Subnet",
    metadata: { name: "acme-main", labels: { "tenantnet.io/tenant": "acme" } },
    spec: {
      vpc: "acme",
      protocol: "IPv4",
      cidrBlock: "10.0.1.0/24",
      gateway: "10.0.1.1",
      excludeIps: ["10.0.1.1", "10.0.1.2..10.0.1.9"],
      provider: OVN_PROVIDER,
      namespaces: [TENANT_NS],
      private: false,
      enableDHCP: true,
      natOutgoing: false,
    },
  };
}

function kubeOvnSecurityGroup(): Manifest {
  return {
    apiVersion: "kubeovn.io/v1",
    kind: "SecurityGroup",
    metadata: { name: "acme-default" },
    spec: {
      allowSameGroupTraffic: true,
      ingressRules: [
        {
          ipVersion: "ipv4",
          protocol: "tcp",
          priority: 10,
          remoteType: "address",
          remoteAddress: "10.0.1.0/24",
          portRangeMin: 22,
          portRangeMax: 22,
          policy: "allow",
        },
      ],
      egressRules: [
        { ipVersion: "ipv4", protocol: "all", priority: 10, remoteType: "address", remoteAddress: "0.0.0.0/0", policy: "allow" },
      ],
    },
  };
}

function networkAttachmentDefinition(): Manifest {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { name: OVN_NAD, namespace: TENANT_NS },
    spec: {
      config: JSON.stringify({
        cniVersion: "0.3.1",
        type: "kube-ovn",
        server_socket: "/run/openvswitch/kube-ovn-daemon.sock",
        provider: OVN_PROVIDER,
      }),
    },
  };
}

function spiderMultusConfig(): Manifest {
  return {
    apiVersion: "spiderpool.spidernet.io/v2beta1",
    kind: "SpiderMultusConfig",
    metadata: { name: "underlay-ipvlan", namespace: "kube-system" },
    spec: {
      cniType: "ipvlan",
      enableCoordinator: true,
      ipvlan: { master: ["eth0"], ippools: { ipv4: ["tenant-acme-underlay"] } },
      coordinator: { mode: "underlay", podDefaultRouteNIC: "net1", hijackCIDR: ["10.96.0.0/12"] },
    },
  };
}

function spiderIpPool(): Manifest {
  return {
    apiVersion: "spiderpool.spidernet.io/v2beta1",
    kind: "SpiderIPPool",
    metadata: { name: "tenant-acme-underlay" },
    spec: {
      ipVersion: 4,
      subnet: "10.50.0.0/16",
      ips: ["10.50.200.10-10.50.200.40"],
      gateway: "10.50.0.1",
      namespaceName: [TENANT_NS],
      multusName: ["kube-system/underlay-ipvlan"],
    },
  };
}

function kubeVirt(): Manifest {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: "kubevirt" },
    spec: {
      certificateRotateStrategy: {},
      imagePullPolicy: "IfNotPresent",
      workloadUpdateStrategy: { workloadUpdateMethods: ["LiveMigrate"] },
      configuration: {
        // bridge on the pod network is only allowed while this stays true (the default).
        network: { permitBridgeInterfaceOnPodNetwork: true },
        developerConfiguration: { featureGates: ["HotplugVolumes"] },
      },
    },
  };
}

function tigeraInstallation(): Manifest {
  return {
    apiVersion: "operator.tigera.io/v1",
    kind: "Installation",
    metadata: { name: "default" },
    spec: {
      variant: "Calico",
      cni: { type: "Calico", ipam: { type: "Calico" } },
      calicoNetwork: {
        bgp: "Disabled",
        linuxDataplane: "Iptables",
        ipPools: [
          {
            name: "default-ipv4-ippool",
            cidr: "10.199.0.0/16",
            blockSize: 26,
            encapsulation: "VXLANCrossSubnet",
            natOutgoing: "Enabled",
            nodeSelector: "all()",
          },
        ],
      },
    },
  };
}

function tigeraApiServer(): Manifest {
  return { apiVersion: "operator.tigera.io/v1", kind: "APIServer", metadata: { name: "default" }, spec: {} };
}

function namespace(): Manifest {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: TENANT_NS, labels: { "tenantnet.io/tenant": "acme" } },
  };
}

function routePluginConfigMap(): Manifest {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "x-calico-route", namespace: "kube-system" },
    data: { "x-calico-route": '#!/bin/sh\nexec /opt/cni/bin/x-calico-route.real "$@"\n' },
  };
}

function routePluginDaemonSet(): Manifest {
  const labels = { "app.kubernetes.io/name": "x-calico-route-installer" };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "x-calico-route-installer", namespace: "kube-system", labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: "x-calico-route-installer",
          priorityClassName: "system-node-critical",
          tolerations: [{ operator: "Exists" }],
          initContainers: [
            {
              name: "install",
              image: "busybox:1.36",
              command: ["/bin/sh", "-c", "install -m 0755 /plugin/x-calico-route /host/opt/cni/bin/x-calico-route"],
              volumeMounts: [
                { name: "cni-bin", mountPath: "/host/opt/cni/bin" },
                { name: "plugin", mountPath: "/plugin", readOnly: true },
              ],
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
              securityContext: { runAsUser: 0, allowPrivilegeEscalation: false },
            },
          ],
          containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10", resources: { requests: { cpu: "1m", memory: "8Mi" } } }],
          volumes: [
            { name: "cni-bin", hostPath: { path: "/opt/cni/bin", type: "DirectoryOrCreate" } },
            { name: "plugin", configMap: { name: "x-calico-route", defaultMode: 0o755 } },
          ],
        },
      },
    },
  };
}

function serviceAccount(): Manifest {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "x-calico-route-installer", namespace: "kube-system" },
    automountServiceAccountToken: false,
  };
}

function clusterRole(): Manifest {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "x-calico-route-installer" },
    rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }],
  };
}

function clusterRoleBinding(): Manifest {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "x-calico-route-installer" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "x-calico-route-installer" },
    subjects: [{ kind: "ServiceAccount", name: "x-calico-route-installer", namespace: "kube-system" }],
  };
}

function selfSignedClusterIssuer(): Manifest {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: "tenantnet-selfsigned" },
    spec: { selfSigned: {} },
  };
}

const VALID_MANIFESTS: Record<string, () => Manifest> = {
  VirtualMachine: virtualMachine,
  "Calico NetworkPolicy": calicoNetworkPolicy,
  "Calico IPReservation": calicoIpReservation,
  "Kube-OVN Vpc": kubeOvnVpc,
  "Kube-OVN Subnet": kubeOvnSubnet,
  "Kube-OVN SecurityGroup": kubeOvnSecurityGroup,
  NetworkAttachmentDefinition: networkAttachmentDefinition,
  SpiderMultusConfig: spiderMultusConfig,
  SpiderIPPool: spiderIpPool,
  KubeVirt: kubeVirt,
  "Tigera Installation": tigeraInstallation,
  "Tigera APIServer": tigeraApiServer,
  Namespace: namespace,
  ConfigMap: routePluginConfigMap,
  DaemonSet: routePluginDaemonSet,
  ServiceAccount: serviceAccount,
  ClusterRole: clusterRole,
  ClusterRoleBinding: clusterRoleBinding,
  "cert-manager ClusterIssuer": selfSignedClusterIssuer,
};

// ---------------------------------------------------------------------------------------------

function describeErrors(errors: SchemaError[]): string {
  return errors.map(formatSchemaError).join("\n");
}

/** The errors besides the API server's notice that CEL rules were not run after them. */
function withoutCelBlocked(errors: SchemaError[]): SchemaError[] {
  return errors.filter((e) => e.keyword !== "cel-blocked");
}

/** The single error at `path` (the CEL notice aside); fails with every error listed otherwise. */
function onlyErrorAt(all: SchemaError[], pointer: string): SchemaError {
  const errors = withoutCelBlocked(all);
  const at = errors.filter((e) => e.path === pointer);
  assert.equal(at.length, 1, `expected one error at ${pointer}, got:\n${describeErrors(errors)}`);
  assert.equal(errors.length, 1, `expected no other errors, got:\n${describeErrors(errors)}`);
  return at[0];
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-schema-"));
}

describe("schema validator", function () {
  let registry: SchemaRegistry;

  before(function () {
    registry = loadSchemaDir(CRD_DIR);
  });

  describe("loading the vendored schemas/", function () {
    it("indexes every CRD kind and the OpenAPI v2 kinds (KubeVirt via swagger paths)", function () {
      for (const [apiVersion, kind] of [
        ["kubevirt.io/v1", "VirtualMachine"],
        ["kubevirt.io/v1", "KubeVirt"],
        ["projectcalico.org/v3", "NetworkPolicy"],
        ["projectcalico.org/v3", "IPReservation"],
        ["crd.projectcalico.org/v1", "IPReservation"],
        ["kubeovn.io/v1", "Subnet"],
        ["kubeovn.io/v1", "VpcEgressGateway"],
        ["k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition"],
        ["spiderpool.spidernet.io/v2beta1", "SpiderIPPool"],
        ["operator.tigera.io/v1", "Installation"],
        ["cert-manager.io/v1", "ClusterIssuer"],
        ["v1", "Namespace"],
        ["apps/v1", "DaemonSet"],
        ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding"],
      ]) {
        assert.ok(registry.has(apiVersion, kind), `${apiVersion} ${kind} should be loaded`);
      }
      assert.equal(registry.has("kubevirt.io/v1", "Subnet"), false);
      assert.equal(registry.has("v1", "Pod"), false, "Pod is not among the core roots shipped");
    });

    it("compiles nothing at load and each kind once, on first use", function () {
      const fresh = loadSchemaDir(CRD_DIR);
      assert.deepEqual(fresh.compiledKinds(), []);
      fresh.validate(virtualMachine());
      fresh.validate(virtualMachine());
      assert.deepEqual(fresh.compiledKinds(), ["kubevirt.io/v1 VirtualMachine"]);
    });

    it("picks one source deterministically when files overlap (swagger over derived definitions)", function () {
      assert.match(
        registry.sourceOf("kubevirt.io/v1", "VirtualMachine") ?? "",
        /^kubevirt\.io_swagger\.json \(#\/definitions\/v1\.VirtualMachine\)$/,
      );
      assert.match(registry.sourceOf("kubeovn.io/v1", "Subnet") ?? "", /^kubeovn\.io_subnets\.yaml \(CRD kubeovn\.io v1\)$/);
      assert.ok(
        registry.diagnostics.some(
          (d) => d.includes("kubevirt.io/v1 VirtualMachine") && d.includes("ignoring kubevirt.io_v1_virtualmachines.definitions.json"),
        ),
        registry.diagnostics.join("\n"),
      );
    });
  });

  describe("valid manifests (no false positives)", function () {
    for (const [name, build] of Object.entries(VALID_MANIFESTS)) {
      it(`accepts the ${name} the program renders`, function () {
        const manifest = build();
        assert.ok(registry.has(String(manifest.apiVersion), String(manifest.kind)), `${name} has a schema`);
        const errors = registry.validate(manifest);
        assert.deepEqual(errors, [], describeErrors(errors));
      });
    }

    it("reports every kind as checked in a batch and nothing unchecked", function () {
      const manifests = Object.values(VALID_MANIFESTS).map((build) => build());
      const report = validateManifests(registry, manifests);
      assert.deepEqual(report.errors, [], describeErrors(report.errors));
      assert.deepEqual(report.unchecked, []);
      assert.equal(report.count, manifests.length);
      assert.deepEqual(report.checked, [...new Set(manifests.map((m) => `${String(m.apiVersion)} ${String(m.kind)}`))].sort());
    });

    it("found no format it does not know in these kinds", function () {
      assert.deepEqual(registry.unknownFormats, []);
    });
  });

  describe("findings", function () {
    it("misspelled networkInterfaceMultiQueue: unknown field, with the right spelling offered", function () {
      const vm = virtualMachine();
      const devices = (vm as any).spec.template.spec.domain.devices;
      delete devices.networkInterfaceMultiqueue;
      devices.networkInterfaceMultiQueue = true;
      const error = onlyErrorAt(registry.validate(vm), "/spec/template/spec/domain/devices/networkInterfaceMultiQueue");
      assert.equal(error.keyword, "unknown-field");
      assert.equal(error.manifest, "VirtualMachine tenant-acme/testvm");
      assert.match(error.message, /^unknown field "networkInterfaceMultiQueue"; did you mean "networkInterfaceMultiqueue"\?$/);
      assert.match(error.expected, /^allowed: autoattachGraphicsDevice, .*networkInterfaceMultiqueue.*\[\d+ fields\]$/);
      assert.equal(
        formatSchemaError(error),
        `VirtualMachine tenant-acme/testvm /spec/template/spec/domain/devices/networkInterfaceMultiQueue: ${error.message} (${error.expected})`,
      );
    });

    it("multus.defualt: unknown field at the network's path", function () {
      const vm = virtualMachine();
      const multus = (vm as any).spec.template.spec.networks[0].multus;
      delete multus.default;
      multus.defualt = true;
      const error = onlyErrorAt(registry.validate(vm), "/spec/template/spec/networks/0/multus/defualt");
      assert.match(error.message, /did you mean "default"/);
      assert.equal(error.expected, "allowed: default, networkName");
    });

    it("Calico rule with ipAddr where only nets/ports/selectors exist", function () {
      const policy = calicoNetworkPolicy();
      (policy as any).spec.egress[0].destination.ipAddr = "10.50.31.21";
      const error = onlyErrorAt(registry.validate(policy), "/spec/egress/0/destination/ipAddr");
      assert.equal(error.keyword, "unknown-field");
      assert.match(error.expected, /\bnets\b/);
      assert.match(error.expected, /\bports\b/);
    });

    it("an unknown top-level field of a CR is reported, not pruned silently", function () {
      const subnet = kubeOvnSubnet();
      (subnet as any).spc = {};
      const error = onlyErrorAt(registry.validate(subnet), "/spc");
      assert.match(error.message, /did you mean "spec"/);
    });

    it('cpu.cores: "two" -> must be integer', function () {
      const vm = virtualMachine();
      (vm as any).spec.template.spec.domain.cpu.cores = "two";
      const error = onlyErrorAt(registry.validate(vm), "/spec/template/spec/domain/cpu/cores");
      assert.equal(error.keyword, "type");
      assert.equal(error.message, 'must be integer, got string "two"');
      assert.equal(error.expected, "type integer");
    });

    it('Subnet spec.private: "yes" -> must be boolean', function () {
      const subnet = kubeOvnSubnet();
      (subnet as any).spec.private = "yes";
      const error = onlyErrorAt(registry.validate(subnet), "/spec/private");
      assert.equal(error.expected, "type boolean");
      assert.equal(error.manifest, "Subnet acme-main");
    });

    it("NAD spec.config written as an object instead of a JSON string", function () {
      const nad = networkAttachmentDefinition();
      (nad as any).spec.config = { cniVersion: "0.3.1", type: "kube-ovn" };
      const error = onlyErrorAt(registry.validate(nad), "/spec/config");
      assert.equal(error.message, "must be string, got object");
    });

    it("VM without spec.template -> missing required field at /spec", function () {
      const vm = virtualMachine();
      delete (vm as any).spec.template;
      const error = onlyErrorAt(registry.validate(vm), "/spec");
      assert.equal(error.keyword, "required");
      assert.equal(error.message, 'missing required field "template"');
      assert.equal(error.expected, "required: template");
    });

    it("Calico rule without action -> missing required field at the rule", function () {
      const policy = calicoNetworkPolicy();
      delete (policy as any).spec.egress[1].action;
      const error = onlyErrorAt(registry.validate(policy), "/spec/egress/1");
      assert.equal(error.message, 'missing required field "action"');
    });

    it("Calico action: Permit -> enum with the allowed actions", function () {
      const policy = calicoNetworkPolicy();
      (policy as any).spec.egress[0].action = "Permit";
      const error = onlyErrorAt(registry.validate(policy), "/spec/egress/0/action");
      assert.equal(error.keyword, "enum");
      assert.equal(error.expected, "one of: Allow, Deny, Log, Pass");
      assert.match(error.message, /got string "Permit"/);
    });

    it("int-or-string: a port may be a number or a range string, not a boolean", function () {
      const policy = calicoNetworkPolicy();
      (policy as any).spec.egress[0].destination.ports = [443, "8000:8080", true];
      const error = onlyErrorAt(registry.validate(policy), "/spec/egress/0/destination/ports/2");
      assert.equal(error.expected, "type integer or string");
    });

    it("IPReservation with a bad CIDR -> format cidr (declared on the array, checked per item)", function () {
      const reservation = calicoIpReservation();
      (reservation as any).spec.reservedCIDRs = ["10.199.3.0/24", "10.199.4.0/33", "10.199.5.0"];
      const errors = registry.validate(reservation);
      assert.deepEqual(
        errors.map((e) => [e.path, e.keyword, e.expected]),
        [
          ["/spec/reservedCIDRs/1", "format", "format cidr"],
          ["/spec/reservedCIDRs/2", "format", "format cidr"],
        ],
        describeErrors(errors),
      );
      assert.equal(errors[0].message, 'must be a CIDR (address/prefix length), got string "10.199.4.0/33"');
    });

    it("guest memory 4GB -> not a Kubernetes quantity", function () {
      const vm = virtualMachine();
      (vm as any).spec.template.spec.domain.memory.guest = "4GB";
      const error = onlyErrorAt(registry.validate(vm), "/spec/template/spec/domain/memory/guest");
      assert.equal(error.expected, "format quantity");
    });

    it("metadata.labls on a CR -> unknown field, checked against ObjectMeta", function () {
      const subnet = kubeOvnSubnet();
      const metadata = (subnet as any).metadata;
      metadata.labls = metadata.labels;
      delete metadata.labels;
      const error = onlyErrorAt(registry.validate(subnet), "/metadata/labls");
      assert.match(error.message, /did you mean "labels"/);
      assert.match(error.expected, /annotations/);
    });

    it("a typo in the VM template's metadata (annotations the CNIs read) is caught", function () {
      const vm = virtualMachine();
      const metadata = (vm as any).spec.template.metadata;
      metadata.anotations = metadata.annotations;
      delete metadata.annotations;
      onlyErrorAt(registry.validate(vm), "/spec/template/metadata/anotations");
    });

    it("annotation values must be strings (a number is a type error)", function () {
      const vm = virtualMachine();
      (vm as any).spec.template.metadata.annotations[`${OVN_NAD}.${TENANT_NS}.ovn.kubernetes.io/ingress_rate`] = 100;
      const error = onlyErrorAt(
        registry.validate(vm),
        `/spec/template/metadata/annotations/${OVN_NAD}.${TENANT_NS}.ovn.kubernetes.io~1ingress_rate`,
      );
      assert.equal(error.expected, "type string");
    });

    it("core kinds are closed too: a container's volumeMount typo in the DaemonSet", function () {
      const daemonSet = routePluginDaemonSet();
      const container = (daemonSet as any).spec.template.spec.initContainers[0];
      container.volumeMount = container.volumeMounts;
      delete container.volumeMounts;
      const error = onlyErrorAt(registry.validate(daemonSet), "/spec/template/spec/initContainers/0/volumeMount");
      assert.match(error.message, /did you mean "volumeMounts"/);
    });

    it("Tigera ipPool without cidr and with a bad encapsulation -> both reported", function () {
      const installation = tigeraInstallation();
      const pool = (installation as any).spec.calicoNetwork.ipPools[0];
      delete pool.cidr;
      pool.encapsulation = "Geneve";
      const errors = registry.validate(installation);
      assert.deepEqual(
        errors.map((e) => [e.path, e.keyword]).sort(),
        [
          ["", "cel-blocked"],
          ["/spec/calicoNetwork/ipPools/0", "required"],
          ["/spec/calicoNetwork/ipPools/0/encapsulation", "enum"],
        ],
        describeErrors(errors),
      );
    });

    it("an empty object in a CRD accepts no fields (structural pruning would drop them)", function () {
      const issuer = selfSignedClusterIssuer();
      (issuer as any).spec.selfSigned = { crlDistributionPoint: ["http://crl.example/"] };
      const error = onlyErrorAt(registry.validate(issuer), "/spec/selfSigned/crlDistributionPoint");
      assert.match(error.message, /did you mean "crlDistributionPoints"/);
    });
  });

  describe("CEL rules (x-kubernetes-validations) of the pinned CRDs", function () {
    it("refuses a Tigera Installation not named default, naming the rule", function () {
      const installation = tigeraInstallation();
      (installation as any).metadata.name = "other";
      const error = onlyErrorAt(registry.validate(installation), "");
      assert.equal(error.keyword, "cel");
      assert.equal(error.message, "resource name must be 'default', 'tigera-secure', or 'overlay'");
      assert.equal(
        error.expected,
        "rule: self.metadata.name == 'default' || self.metadata.name == 'tigera-secure' || self.metadata.name == 'overlay'",
      );
      assert.match(formatSchemaError(error), /^Installation other \/: resource name must be/);
    });

    it("refuses an HTTP match on a Deny rule of a Calico NetworkPolicy, at that rule", function () {
      const policy = calicoNetworkPolicy();
      (policy as any).spec.egress[1] = { action: "Deny", protocol: "TCP", http: { methods: ["GET"] } };
      const error = onlyErrorAt(registry.validate(policy), "/spec/egress/1");
      assert.equal(error.keyword, "cel");
      assert.equal(error.message, "HTTP match is only valid on Allow rules");
    });

    it("refuses an ICMP code without a type, at the icmp object", function () {
      const policy = calicoNetworkPolicy();
      (policy as any).spec.egress[0] = { action: "Allow", protocol: "ICMP", icmp: { code: 3 } };
      const error = onlyErrorAt(registry.validate(policy), "/spec/egress/0/icmp");
      assert.equal(error.message, "ICMP code specified without an ICMP type");
    });

    it("evaluates every rule of the kinds the program renders (none listed as not evaluated)", function () {
      const report = validateManifests(
        registry,
        Object.values(VALID_MANIFESTS).map((build) => build()),
      );
      assert.deepEqual(report.unchecked, []);
      for (const key of report.checked) {
        const [apiVersion, kind] = key.split(" ");
        assert.deepEqual(registry.notEvaluated(apiVersion, kind), [], key);
      }
    });
  });

  describe("null fields", function () {
    it("reads `field: null` as unset, as the API server does (creationTimestamp: null is common)", function () {
      const daemonSet = routePluginDaemonSet();
      (daemonSet as any).metadata.creationTimestamp = null;
      (daemonSet as any).spec.template.metadata.creationTimestamp = null;
      assert.deepEqual(registry.validate(daemonSet), []);
      const subnet = kubeOvnSubnet();
      (subnet as any).spec.gateway = null;
      assert.deepEqual(registry.validate(subnet), []);
    });

    it("a required field set to null is missing", function () {
      const vm = virtualMachine();
      (vm as any).spec.template = null;
      const error = onlyErrorAt(registry.validate(vm), "/spec");
      assert.equal(error.message, 'missing required field "template"');
    });
  });

  describe("batch report", function () {
    it("lists kinds without a schema as unchecked, never passes them", function () {
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: {} };
      const gadget = { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g" } };
      const report = validateManifests(registry, [virtualMachine(), pod, gadget, namespace()]);
      assert.deepEqual(report.unchecked, ["example.com/v1 Gadget", "v1 Pod"]);
      assert.deepEqual(report.checked, ["kubevirt.io/v1 VirtualMachine", "v1 Namespace"]);
      assert.equal(report.count, 4);
      assert.deepEqual(report.errors, []);

      const direct = registry.validate(pod);
      assert.equal(direct.length, 1);
      assert.equal(direct[0].keyword, "unchecked");
    });

    it("expands a v1 List and reports objects without apiVersion/kind", function () {
      const badVm = virtualMachine();
      (badVm as any).spec.template.spec.domain.cpu.cores = "two";
      const list = { apiVersion: "v1", kind: "List", items: [badVm, namespace()] };
      const report = validateManifests(registry, [list, { metadata: { name: "orphan" } }]);
      assert.equal(report.count, 3);
      assert.deepEqual(
        report.errors.map((e) => [e.manifest, e.path, e.keyword]),
        [
          ["VirtualMachine tenant-acme/testvm", "/spec/template/spec/domain/cpu/cores", "type"],
          ["<no kind> orphan", "", "kind"],
        ],
      );
    });

    it("labels manifests as Kind namespace/name, or Kind name when cluster-scoped", function () {
      assert.equal(manifestLabel(virtualMachine()), "VirtualMachine tenant-acme/testvm");
      assert.equal(manifestLabel(kubeOvnVpc()), "Vpc acme");
      assert.equal(manifestLabel({ kind: "Pod", metadata: { generateName: "vm-" } }), "Pod vm-*");
    });
  });

  describe("schema directories", function () {
    const listExport = [
      "apiVersion: v1",
      "kind: List",
      "metadata:",
      '  resourceVersion: ""',
      "items:",
      "- apiVersion: apiextensions.k8s.io/v1",
      "  kind: CustomResourceDefinition",
      "  metadata:",
      "    name: widgets.example.tenantnet.io",
      "  spec:",
      "    group: example.tenantnet.io",
      "    names:",
      "      kind: Widget",
      "      plural: widgets",
      "    scope: Namespaced",
      "    versions:",
      "    - name: v1",
      "      served: true",
      "      storage: true",
      "      schema:",
      "        openAPIV3Schema:",
      "          type: object",
      "          properties:",
      "            apiVersion: {type: string}",
      "            kind: {type: string}",
      "            metadata: {type: object}",
      "            spec:",
      "              type: object",
      "              required: [size]",
      "              properties:",
      "                size:",
      "                  type: integer",
      "                  format: int32",
      "                  minimum: 1",
      "                address:",
      "                  type: string",
      "                  format: ipv4",
      "                mac:",
      "                  type: string",
      "                  format: mac",
      "                port:",
      "                  x-kubernetes-int-or-string: true",
      "                  anyOf: [{type: integer}, {type: string}]",
      "                note:",
      "                  type: string",
      "                  nullable: true",
      "                  format: tenantnet-note",
      "                extra:",
      "                  type: object",
      "                  x-kubernetes-preserve-unknown-fields: true",
      "    - name: v1alpha1",
      "      served: false",
      "      storage: false",
      "      schema:",
      "        openAPIV3Schema: {type: object}",
      "",
    ].join("\n");

    function widget(spec: Record<string, unknown>): Manifest {
      return { apiVersion: "example.tenantnet.io/v1", kind: "Widget", metadata: { name: "w", namespace: "n" }, spec };
    }

    it("loads a `kubectl get crd -o yaml` List export and validates against it", function () {
      const dir = tempDir();
      try {
        fs.writeFileSync(path.join(dir, "crds.yaml"), listExport);
        const local = loadSchemaDir(dir);
        assert.deepEqual(local.kinds(), ["example.tenantnet.io/v1 Widget"], "unserved v1alpha1 is not indexed");
        assert.deepEqual(
          local.validate(
            widget({ size: 3, address: "10.0.0.1", mac: "02:00:00:00:00:01", port: "http", note: null, extra: { any: { thing: 1 } } }),
          ),
          [],
        );
        const errors = local.validate(widget({ size: 0, address: "10.0.0.256", mac: "02:00:00:00:00", port: 1.5, sise: 3 }));
        assert.deepEqual(
          errors.map((e) => [e.path, e.keyword]).sort(),
          [
            ["/spec/address", "format"],
            ["/spec/mac", "format"],
            ["/spec/port", "type"],
            ["/spec/sise", "unknown-field"],
            ["/spec/size", "minimum"],
          ],
          describeErrors(errors),
        );
        const tooBig = onlyErrorAt(local.validate(widget({ size: 2 ** 31 })), "/spec/size");
        assert.equal(tooBig.expected, "format int32");
        // No Kubernetes ObjectMeta in this directory: metadata is accepted as is, and said so.
        assert.deepEqual(local.validate({ ...widget({ size: 1 }), metadata: { name: "w", labls: {} } }), []);
        assert.ok(
          local.diagnostics.some((d) => d.includes("metadata not checked")),
          local.diagnostics.join("\n"),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("lists formats it does not know, and accepts their values", function () {
      const dir = tempDir();
      try {
        fs.writeFileSync(path.join(dir, "crds.yaml"), listExport);
        const local = loadSchemaDir(dir);
        assert.deepEqual(local.unknownFormats, [], "nothing compiled yet");
        assert.deepEqual(local.validate(widget({ size: 1, note: "anything" })), []);
        assert.deepEqual(local.unknownFormats, ["tenantnet-note"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("indexes deeply indented YAML and JSON CRDs too (full-parse fallback)", function () {
      const dir = tempDir();
      try {
        // names.kind and version names land deeper than the skeleton keeps.
        const indentedFourSpaces = YAML.stringify(YAML.parse(listExport), { indent: 4, indentSeq: true });
        assert.match(indentedFourSpaces, /^ {14}kind: Widget$/m);
        fs.writeFileSync(path.join(dir, "a-indented.yml"), indentedFourSpaces);
        // Kind and version names within the skeleton, the schema itself cut off below it.
        const indentedSequences = YAML.stringify(YAML.parse(listExport.replace(/Widget/g, "Sprocket").replace(/widgets/g, "sprockets")), {
          indent: 2,
          indentSeq: true,
        });
        assert.match(indentedSequences, /^ {8}kind: Sprocket$/m);
        assert.match(indentedSequences, /^ {12}openAPIV3Schema:$/m);
        fs.writeFileSync(path.join(dir, "a-sequences.yaml"), indentedSequences);
        const crdJson = {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          metadata: { name: "gizmos.example.tenantnet.io" },
          spec: {
            group: "example.tenantnet.io",
            names: { kind: "Gizmo", plural: "gizmos" },
            scope: "Cluster",
            versions: [
              {
                name: "v2",
                served: true,
                storage: true,
                schema: {
                  openAPIV3Schema: {
                    type: "object",
                    properties: {
                      spec: {
                        type: "object",
                        properties: {
                          on: { type: "boolean" },
                          // OpenAPI 3.0 spelling: a boolean that makes `minimum` exclusive.
                          level: { type: "integer", minimum: 0, exclusiveMinimum: true },
                        },
                        anyOf: [{ required: ["on"] }, { required: ["level"] }],
                      },
                    },
                  },
                },
              },
            ],
          },
        };
        fs.writeFileSync(path.join(dir, "b-gizmo.json"), JSON.stringify(crdJson));
        fs.writeFileSync(path.join(dir, "c-notes.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
        const local = loadSchemaDir(dir);
        assert.deepEqual(local.kinds(), [
          "example.tenantnet.io/v1 Sprocket",
          "example.tenantnet.io/v1 Widget",
          "example.tenantnet.io/v2 Gizmo",
        ]);
        assert.deepEqual(local.validate(widget({ size: 2 })), []);
        const sprocket = { ...widget({ size: 2, colour: "red" }), kind: "Sprocket" };
        onlyErrorAt(local.validate(sprocket), "/spec/colour");
        const error = onlyErrorAt(
          local.validate({ apiVersion: "example.tenantnet.io/v2", kind: "Gizmo", metadata: { name: "g" }, spec: { on: "yes" } }),
          "/spec/on",
        );
        assert.equal(error.expected, "type boolean");
        const gizmo = (spec: object): Manifest => ({ apiVersion: "example.tenantnet.io/v2", kind: "Gizmo", metadata: { name: "g" }, spec });
        assert.deepEqual(local.validate(gizmo({ level: 1 })), []);
        assert.equal(onlyErrorAt(local.validate(gizmo({ level: 0 })), "/spec/level").expected, "> 0");
        // One line for a failed anyOf, not one per branch.
        const shapeError = onlyErrorAt(local.validate(gizmo({})), "/spec");
        assert.equal(shapeError.keyword, "anyOf");
        assert.equal(shapeError.expected, "any of: has on | has level");
        assert.ok(local.diagnostics.some((d) => d.startsWith("c-notes.yaml: no CustomResourceDefinition")));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("reads OpenAPI v2 kinds from GVK extensions, swagger paths and derived files; follows recursive $refs", function () {
      const dir = tempDir();
      try {
        const treeNode = {
          type: "object",
          required: ["name"],
          properties: {
            name: { type: "string" },
            weight: { $ref: "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString" },
            children: { type: "array", items: { $ref: "#/definitions/io.example.v1.TreeNode" } },
            extra: { $ref: "#/definitions/io.example.v1.Missing" },
          },
        };
        const withGvk = {
          definitions: {
            "io.example.v1.Tree": {
              type: "object",
              "x-kubernetes-group-version-kind": [{ group: "example.io", kind: "Tree", version: "v1" }],
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: { $ref: "#/definitions/io.example.v1.TreeNode" },
              },
            },
            "io.example.v1.TreeNode": treeNode,
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" },
          },
        };
        const leaf = {
          type: "object",
          properties: { apiVersion: { type: "string" }, kind: { type: "string" }, color: { type: "string", enum: ["green", "red"] } },
        };
        const swagger = {
          swagger: "2.0",
          paths: {
            "/apis/leaf.example.io/v1/namespaces/{namespace}/leaves": {
              post: { parameters: [{ name: "body", in: "body", schema: { $ref: "#/definitions/v1.Leaf" } }] },
            },
          },
          definitions: { "v1.Leaf": leaf },
        };
        const derived = { $ref: "#/definitions/v1.Leaf", definitions: { "v1.Leaf": leaf } };
        fs.writeFileSync(path.join(dir, "a-tree.json"), JSON.stringify(withGvk));
        fs.writeFileSync(path.join(dir, "b-leaf-derived.json"), JSON.stringify(derived));
        fs.writeFileSync(path.join(dir, "c-leaf-swagger.json"), JSON.stringify(swagger));
        const local = loadSchemaDir(dir);
        assert.deepEqual(local.kinds(), ["example.io/v1 Tree", "leaf.example.io/v1 Leaf"]);
        assert.match(local.sourceOf("leaf.example.io/v1", "Leaf") ?? "", /^c-leaf-swagger\.json/);
        assert.ok(
          local.diagnostics.some((d) => d.includes("ignoring b-leaf-derived.json")),
          local.diagnostics.join("\n"),
        );

        const tree = (spec: object): Manifest => ({ apiVersion: "example.io/v1", kind: "Tree", metadata: { name: "t" }, spec });
        const deep = {
          name: "root",
          weight: 3,
          children: [{ name: "a", weight: "heavy", children: [{ name: "b", extra: { anything: 1 } }] }],
        };
        assert.deepEqual(local.validate(tree(deep)), []);
        const broken = { name: "root", children: [{ name: "a", children: [{ nmae: "b", weight: false }] }] };
        const errors = local.validate(tree(broken));
        assert.deepEqual(
          errors.map((e) => [e.path, e.keyword]).sort(),
          [
            ["/spec/children/0/children/0", "required"],
            ["/spec/children/0/children/0/nmae", "unknown-field"],
            ["/spec/children/0/children/0/weight", "type"],
          ],
          describeErrors(errors),
        );
        assert.ok(
          local.diagnostics.some((d) => d.includes("missing definition io.example.v1.Missing")),
          local.diagnostics.join("\n"),
        );
        const leafError = onlyErrorAt(local.validate({ apiVersion: "leaf.example.io/v1", kind: "Leaf", color: "blue" }), "/color");
        assert.equal(leafError.expected, "one of: green, red");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("fails loudly on a broken schema file", function () {
      const dir = tempDir();
      try {
        fs.writeFileSync(path.join(dir, "broken.json"), '{"definitions": ');
        assert.throws(() => loadSchemaDir(dir), /broken\.json: invalid JSON/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("formats as the API server reads them", function () {
    it("cidr", function () {
      for (const ok of ["10.0.0.0/8", "10.0.0.1/24", "0.0.0.0/0", "fd00::/64", "::/0"]) assert.ok(isCidr(ok), ok);
      for (const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "fd00::/129", "10.0.0.256/8", "10.0.0.0/08", "x/8"])
        assert.ok(!isCidr(bad), bad);
    });

    it("ip", function () {
      for (const ok of ["10.0.1.10", "::1", "fe80::1"]) assert.ok(isIpAddress(ok), ok);
      for (const bad of ["10.0.1", "10.0.1.010", "fe80::1%eth0", "10.0.1.10/32", ""]) assert.ok(!isIpAddress(bad), bad);
    });

    it("mac", function () {
      for (const ok of ["02:00:00:0a:00:0a", "02-00-00-0A-00-0A", "0200.000a.000a", "02:00:00:00:00:00:00:01"])
        assert.ok(isMacAddress(ok), ok);
      for (const bad of ["02:00:00:0a:00", "02:00-00:0a:00:0a", "0g:00:00:0a:00:0a"]) assert.ok(!isMacAddress(bad), bad);
    });

    it("quantity", function () {
      for (const ok of ["4Gi", "100m", "1.5", "2", "1e3", "500M", "+1Ki", ".5"]) assert.ok(isQuantity(ok), ok);
      for (const bad of ["4GB", "Gi", "1 Gi", "1.2.3", ""]) assert.ok(!isQuantity(bad), bad);
    });

    it("byte (base64) and duration (Go)", function () {
      assert.ok(isBase64("aGVsbG8="));
      assert.ok(!isBase64("aGVsbG8"));
      for (const ok of ["1h30m", "250ms", "0", "-1.5h", "3 days"]) assert.ok(isDuration(ok), ok);
      for (const bad of ["PT1H", "1x", ""]) assert.ok(!isDuration(bad), bad);
    });
  });

  describe("speed", function () {
    it("loads the directory lazily and validates 1000 VMs quickly (timings printed)", function () {
      const loadStart = performance.now();
      const fresh = loadSchemaDir(CRD_DIR);
      const loadMs = performance.now() - loadStart;

      const vms = Array.from({ length: 1000 }, (_, i) => {
        const vm = virtualMachine();
        (vm.metadata as { name: string }).name = `vm-${i}`;
        return vm;
      });
      const firstStart = performance.now();
      assert.deepEqual(fresh.validate(vms[0]), []);
      const compileMs = performance.now() - firstStart;
      const batchStart = performance.now();
      const report = validateManifests(fresh, vms);
      const batchMs = performance.now() - batchStart;
      assert.equal(report.count, 1000);
      assert.deepEqual(report.errors, []);

      const installStart = performance.now();
      assert.deepEqual(fresh.validate(tigeraInstallation()), []);
      const installationMs = performance.now() - installStart;
      console.log(
        `      schema dir load ${loadMs.toFixed(0)} ms (${fresh.kinds().length} kinds); ` +
          `first VirtualMachine (compile) ${compileMs.toFixed(0)} ms; 1000 VMs ${batchMs.toFixed(0)} ms; ` +
          `first Installation (1.4 MB CRD: parse + compile) ${installationMs.toFixed(0)} ms`,
      );
    });
  });
});
