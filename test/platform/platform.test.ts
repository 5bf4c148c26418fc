import { strict as assert } from "assert";
import { Platform } from "../../components/platform/platform";
import { validateStackConfig } from "../../lib/config/validate";
import type { CniConfList } from "../../lib/cni-config";
import { captureProgram, type CapturedResource } from "../../lib/plan/capture";
import { validRawConfig } from "../fixtures/stack-config";
import { KINDS, PULUMI_TYPES } from "../../lib/k8s/kinds";

async function renderPlatform(mutate: (raw: ReturnType<typeof validRawConfig>) => void = () => {}): Promise<CapturedResource[]> {
  const raw = validRawConfig();
  mutate(raw);
  const result = validateStackConfig(raw, "dev");
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const { resources } = await captureProgram({
    project: "tenantnet",
    stack: "dev",
    config: {},
    program: () => new Platform("platform", { config: result.config.platform }),
  });
  return resources;
}

function one(resources: CapturedResource[], type: string, name?: string): CapturedResource {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
  return found[0];
}

function inputs(resource: CapturedResource): any {
  return resource.inputs;
}

describe("platform components", () => {
  let resources: CapturedResource[];
  before(async () => {
    resources = await renderPlatform();
  });

  it("installs every part as its own component under Platform", () => {
    const components = resources.filter((r) => r.type.startsWith("tenantnet:platform:"));
    assert.deepEqual(components.map((c) => [c.type, c.parent ?? null]).sort(), [
      ["tenantnet:platform:Calico", "platform"],
      ["tenantnet:platform:CertManager", "platform"],
      ["tenantnet:platform:KubeOvn", "platform"],
      ["tenantnet:platform:Kubevirt", "platform"],
      ["tenantnet:platform:Multus", "platform"],
      ["tenantnet:platform:Platform", null],
      ["tenantnet:platform:RoutePluginInstaller", "platform"],
      ["tenantnet:platform:Spiderpool", "platform"],
    ]);
  });

  it("pins cert-manager from its chart repository with the cold-start timeout", () => {
    const certManager = inputs(one(resources, "kubernetes-cert-manager:index:CertManager"));
    assert.equal(certManager.installCRDs, true);
    assert.deepEqual(certManager.helmOptions, {
      namespace: "cert-manager",
      version: "v1.19.6",
      chart: "cert-manager",
      repositoryOpts: { repo: "https://charts.jetstack.io" },
      timeout: 1200,
    });
    assert.equal(certManager.image, undefined, "no mirror: the chart's own images");
  });

  it("gives Spiderpool's webhook certificate the namespaced Issuer its chart names, before the release", () => {
    assert.equal(resources.filter((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer").length, 0);
    const issuer = one(resources, "kubernetes:cert-manager.io/v1:Issuer");
    assert.deepEqual([inputs(issuer).metadata.namespace, inputs(issuer).spec], ["spiderpool", { selfSigned: {} }]);
    const release = one(resources, "kubernetes:helm.sh/v3:Release", "platform-spiderpool");
    assert.equal(inputs(release).values.spiderpoolController.tls.method, "certmanager");
    assert.equal(inputs(release).values.spiderpoolController.tls.certmanager.issuerName, inputs(issuer).metadata.name);
    assert.ok(release.dependsOn.includes(issuer.urn), "the Certificate's issuer exists before the chart renders it");
    assert.ok(
      issuer.dependsOn.includes(one(resources, "kubernetes-cert-manager:index:CertManager").urn),
      "cert-manager serves Issuers first",
    );
  });

  it("installs Calico through the operator with the configured pod CIDR, API server and VM reservation", () => {
    const operator = inputs(one(resources, PULUMI_TYPES.helmRelease, "platform-calico-tigera-operator"));
    assert.equal(operator.chart, "tigera-operator");
    assert.equal(operator.version, "v3.32.1");
    assert.equal(operator.values.installation.enabled, false, "the Installation is ours, not the chart's");
    assert.equal(operator.values.goldmane.enabled, false, "no Goldmane CR unless configured");
    assert.equal(operator.values.whisker.enabled, false, "no Whisker CR unless configured");
    assert.equal(operator.values.manageCRDs, false, "the CRD chart owns the CRDs");
    const installation = inputs(one(resources, "kubernetes:operator.tigera.io/v1:Installation"));
    assert.equal(installation.spec.calicoNetwork.ipPools[0].cidr, "10.199.0.0/16");
    assert.deepEqual(installation.spec.calicoNetwork.nodeAddressAutodetectionV4, { kubernetes: "NodeInternalIP" }, "never Kube-OVN's ovn0");
    const apiServer = inputs(one(resources, "kubernetes:operator.tigera.io/v1:APIServer"));
    assert.equal(apiServer.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
    assert.equal(apiServer.metadata.annotations["pulumi.com/timeoutSeconds"], "1200");
    const reservation = inputs(one(resources, "kubernetes:projectcalico.org/v3:IPReservation"));
    assert.deepEqual(reservation.spec.reservedCIDRs, ["10.199.3.0/24"]);
  });

  it("installs Calico's CRD chart, same version and repository, before the operator chart", () => {
    const crds = one(resources, "kubernetes:helm.sh/v3:Release", "platform-calico-crds");
    const operator = one(resources, "kubernetes:helm.sh/v3:Release", "platform-calico-tigera-operator");
    assert.equal(inputs(crds).chart, "crd.projectcalico.org.v1");
    assert.equal(inputs(crds).version, inputs(operator).version);
    assert.deepEqual(inputs(crds).repositoryOpts, { repo: "https://docs.tigera.io/calico/charts" });
    assert.deepEqual(inputs(crds).repositoryOpts, inputs(operator).repositoryOpts);
    assert.ok(operator.dependsOn.includes(crds.urn));
  });

  it("runs Kube-OVN as a non-primary CNI with the configured join CIDR", () => {
    const release = inputs(one(resources, PULUMI_TYPES.helmRelease, "platform-kube-ovn"));
    assert.equal(release.chart, "kube-ovn-v2");
    assert.equal(release.version, "v1.16.2");
    assert.equal(release.values.cni.nonPrimaryCNI, true);
    assert.equal(release.values.cni.configPriority, "90", "its conflist sorts after 10-calico.conflist");
    assert.deepEqual(release.values.masterNodes, []);
    assert.deepEqual(
      release.values.masterNodesLabels,
      { "kube-ovn/role": "master", "node-role.kubernetes.io/control-plane": "" },
      "kubeadm's control-plane label, no labelling needed",
    );
    assert.equal(release.values.networking.join.cidr.v4, "100.64.0.0/16");
    assert.equal(release.values.networking.services.cidr.v4, "10.96.0.0/12");
  });

  it("installs Multus thick from a pinned release image with its NAD CRD", () => {
    const crd = inputs(one(resources, "kubernetes:yaml/v2:ConfigFile", "platform-multus-nad-crd"));
    assert.match(crd.file, /network-attachment-definitions\.crd\.yaml$/);
    const daemonSet = inputs(one(resources, KINDS.daemonSet.type, "platform-multus-daemonset"));
    const images = [...daemonSet.spec.template.spec.containers, ...daemonSet.spec.template.spec.initContainers].map((c: any) => c.image);
    assert.deepEqual(new Set(images), new Set(["ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick"]));
    const daemonConfig = JSON.parse(
      inputs(one(resources, "kubernetes:core/v1:ConfigMap", "platform-multus-daemon-config")).data["daemon-config.json"],
    );
    assert.equal(daemonConfig.multusMasterCNI, "10-calico.conflist", "always Calico's conflist, whatever sorts first");
  });

  it("installs the vendored KubeVirt operator release object by object, then a KubeVirt CR it waits for", () => {
    const kubevirtParts = resources.filter((r) => r.parent === "platform-kubevirt");
    assert.equal(kubevirtParts.filter((r) => r.type.startsWith("kubernetes:yaml")).length, 0, "nothing fetched at deploy time");
    const operator = one(resources, "kubernetes:apps/v1:Deployment", "platform-kubevirt-operator-deployment-virt-operator");
    const container = inputs(operator).spec.template.spec.containers[0];
    assert.equal(container.image, "quay.io/kubevirt/virt-operator:v1.9.0");
    one(
      resources,
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      "platform-kubevirt-operator-customresourcedefinition-kubevirts.kubevirt.io",
    );
    const namespace = inputs(one(resources, "kubernetes:core/v1:Namespace", "platform-kubevirt-operator-namespace-kubevirt"));
    assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
    const cr = one(resources, "kubernetes:kubevirt.io/v1:KubeVirt");
    assert.ok(cr.dependsOn.includes(operator.urn));
    assert.equal(inputs(cr).metadata.annotations["pulumi.com/waitFor"], "condition=Available");
    assert.equal(inputs(cr).metadata.annotations["pulumi.com/timeoutSeconds"], "1200");
    // A no-op for the VMs (no pod network), kept explicit: see lib/platform/kubevirt.ts.
    assert.equal(inputs(cr).spec.configuration.network.permitBridgeInterfaceOnPodNetwork, true);
  });

  it("labels the namespaces it creates for privileged pods PodSecurity privileged, and only those", () => {
    const enforce = (name: string) =>
      inputs(one(resources, "kubernetes:core/v1:Namespace", name)).metadata.labels["pod-security.kubernetes.io/enforce"];
    assert.equal(enforce("platform-calico-namespace"), "privileged", "the Tigera operator runs on the host network");
    assert.equal(enforce("platform-kube-ovn-namespace"), "privileged");
    assert.equal(enforce("platform-spiderpool-namespace"), "privileged");
    assert.equal(enforce("platform-cert-manager-namespace"), undefined);
    assert.equal(
      resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && inputs(r).metadata.name === "kube-system").length,
      0,
      "kube-system is the cluster's, not ours",
    );
  });

  it("gives every Helm release the cold-start timeout", () => {
    const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    assert.deepEqual(
      releases.map((r) => [r.name, inputs(r).timeout, inputs(r).skipAwait]),
      releases.map((r) => [r.name, 1200, undefined]),
    );
  });

  it("keeps one owner of Multus: Spiderpool's own copy is off", () => {
    const release = inputs(one(resources, PULUMI_TYPES.helmRelease, "platform-spiderpool"));
    assert.equal(release.values.multus.multusCNI.install, false);
    assert.equal(
      resources.filter((r) => r.type.startsWith("kubernetes:spiderpool.spidernet.io")).length,
      0,
      "no Spiderpool underlay objects with the calico backend",
    );
  });

  it("renders the calico NAD as calico -> x-calico-route (pod + node CIDRs) -> tuning", () => {
    const nad = inputs(one(resources, KINDS.networkAttachmentDefinition.type, "platform-nad-calico"));
    assert.deepEqual(nad.metadata.namespace, "default");
    const conf = JSON.parse(nad.spec.config) as CniConfList;
    assert.deepEqual(
      conf.plugins.map((p) => p.type),
      ["calico", "x-calico-route", "tuning"],
    );
    assert.deepEqual(conf.plugins[1].routes, [{ dst: "10.199.0.0/16" }, { dst: "10.50.0.0/16" }]);
    assert.equal(conf.plugins[1].gateway, "169.254.1.1");
  });

  it("keeps the calico NAD's network name k8s-pod-network and waits for Felix's policy before a pod runs", () => {
    const conf = JSON.parse(
      inputs(one(resources, KINDS.networkAttachmentDefinition.type, "platform-nad-calico")).spec.config,
    ) as CniConfList;
    // Calico keys a VM's IPAM handle by this name, and Felix's owner swap at the end of a live
    // migration assumes k8s-pod-network (calico v3.32.1 felix/dataplane/linux/live_migration.go:497):
    // renamed, the migrated VM's address stays owned by the source pod.
    assert.equal(conf.name, "k8s-pod-network");
    assert.equal(conf.plugins[0].policy_setup_timeout_seconds, 10, "a migration target is policed before it goes live");
    const installation = inputs(one(resources, KINDS.installation.type));
    assert.equal(installation.spec.calicoNetwork.linuxPolicySetupTimeoutSeconds, 10, "the node conflist waits as long");
  });

  it("states Calico's VM address persistence in the IPAMConfiguration default, after the API server", () => {
    const ipam = one(resources, KINDS.ipamConfiguration.type);
    assert.equal(inputs(ipam).metadata.name, "default", "Calico reads only the object named default");
    assert.deepEqual(inputs(ipam).spec, { strictAffinity: false, autoAllocateBlocks: true, kubeVirtVMAddressPersistence: "Enabled" });
    assert.ok(ipam.dependsOn.includes(one(resources, KINDS.apiServer.type).urn), "served by calico-apiserver");
  });

  it("defaults to the overlay dataplane: today's VXLANCrossSubnet pool with natOutgoing, BGP left to the operator", () => {
    const network = inputs(one(resources, KINDS.installation.type)).spec.calicoNetwork;
    assert.equal(network.bgp, undefined);
    assert.deepEqual([network.ipPools[0].encapsulation, network.ipPools[0].natOutgoing], ["VXLANCrossSubnet", "Enabled"]);
  });

  it("with dataplane bgp routes the pod pool: BGP on, no encapsulation, no SNAT", async () => {
    const routed = await renderPlatform((raw) => (raw.platform.network.dataplane = "bgp"));
    const network = inputs(one(routed, KINDS.installation.type)).spec.calicoNetwork;
    assert.equal(network.bgp, "Enabled");
    assert.deepEqual(network.ipPools, [
      {
        name: "default-ipv4-ippool",
        cidr: "10.199.0.0/16",
        blockSize: 26,
        encapsulation: "None",
        natOutgoing: "Disabled",
        nodeSelector: "all()",
      },
    ]);
  });

  it("has KubeVirt live-migrate VMs on drain and on upgrade, with the migration limits of platform.kubevirt", async () => {
    const cr = inputs(one(resources, KINDS.kubevirt.type));
    assert.equal(cr.spec.configuration.evictionStrategy, "LiveMigrate");
    assert.deepEqual(cr.spec.workloadUpdateStrategy.workloadUpdateMethods, ["LiveMigrate", "Evict"], "evicts only VMs that cannot migrate");
    assert.equal(cr.spec.configuration.migrations, undefined, "KubeVirt's defaults unless configured");
    const limited = await renderPlatform(
      (raw) =>
        (raw.platform.kubevirt = {
          migrations: {
            parallelMigrationsPerCluster: 3,
            parallelOutboundMigrationsPerNode: 1,
            bandwidthPerMigration: "512Mi",
            completionTimeoutPerGiB: 300,
          },
        }),
    );
    assert.deepEqual(inputs(one(limited, KINDS.kubevirt.type)).spec.configuration.migrations, {
      parallelMigrationsPerCluster: 3,
      parallelOutboundMigrationsPerNode: 1,
      bandwidthPerMigration: "512Mi",
      completionTimeoutPerGiB: 300,
    });
  });

  it("renders the kubeovn NAD with the daemon socket and a provider matching its name and namespace", () => {
    const nad = inputs(one(resources, KINDS.networkAttachmentDefinition.type, "platform-nad-kubeovn"));
    const conf = JSON.parse(nad.spec.config) as CniConfList;
    assert.deepEqual(conf.plugins, [
      { type: "kube-ovn", server_socket: "/run/openvswitch/kube-ovn-daemon.sock", provider: "kubeovn.default.ovn" },
    ]);
  });

  it("orders parts that need another's CRDs or webhooks after it", () => {
    const dependsOn = (type: string, name: string) =>
      new Set(one(resources, type, name).dependsOn.map((urn) => urn.slice(urn.lastIndexOf("::") + 2)));
    assert.ok(
      dependsOn("kubernetes:projectcalico.org/v3:IPReservation", "platform-calico-vm-reservation").has("platform-calico-apiserver"),
    );
    assert.ok(
      dependsOn("kubernetes:operator.tigera.io/v1:Installation", "platform-calico-installation").has("platform-calico-tigera-operator"),
    );
    const nadDeps = dependsOn("kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition", "platform-nad-calico");
    assert.ok(nadDeps.has("platform-multus-nad-crd"), `calico NAD deps: ${[...nadDeps]}`);
    assert.ok(
      [...nadDeps].some((d) => d.startsWith("platform-route-plugin")),
      "the route plugin is on the nodes before the NAD that chains it",
    );
    const spiderpoolDeps = dependsOn(PULUMI_TYPES.helmRelease, "platform-spiderpool");
    assert.ok(spiderpoolDeps.has("platform-cert-manager"), `spiderpool deps: ${[...spiderpoolDeps]}`);
    assert.ok(dependsOn("kubernetes:helm.sh/v3:Release", "platform-kube-ovn").has("platform-multus-nad-crd"));
    assert.ok(
      dependsOn("kubernetes:kubevirt.io/v1:KubeVirt", "platform-kubevirt-cr").has("platform-kubevirt-operator-deployment-virt-operator"),
    );
  });

  it("applies version, values and image registry overrides", async () => {
    const overridden = await renderPlatform((raw) => {
      raw.platform.versions = { kubeOvn: "v1.16.3", multus: "v4.2.3" };
      raw.platform.values = {
        kubeOvn: { networking: { tunnelType: "vxlan" } },
        kubevirt: { configuration: { developerConfiguration: { featureGates: ["Sidecar"] } } },
      };
      raw.platform.imageRegistry = "mirror.example:5000/"; // trailing slash dropped by validation
    });
    const kubeOvn = inputs(one(overridden, PULUMI_TYPES.helmRelease, "platform-kube-ovn"));
    assert.equal(kubeOvn.version, "v1.16.3");
    assert.equal(kubeOvn.values.networking.tunnelType, "vxlan");
    assert.equal(kubeOvn.values.networking.join.cidr.v4, "100.64.0.0/16", "overrides merge, they do not replace siblings");
    assert.equal(kubeOvn.values.global.registry.address, "mirror.example:5000/kubeovn");
    const multus = inputs(one(overridden, KINDS.daemonSet.type, "platform-multus-daemonset"));
    assert.equal(multus.spec.template.spec.containers[0].image, "mirror.example:5000/k8snetworkplumbingwg/multus-cni:v4.2.3-thick");
    const kubevirt = inputs(one(overridden, KINDS.kubevirt.type));
    assert.deepEqual(kubevirt.spec.configuration.developerConfiguration.featureGates, ["Sidecar"]);
    assert.equal(kubevirt.spec.imageRegistry, "mirror.example:5000/kubevirt");
    assert.equal(
      inputs(one(overridden, PULUMI_TYPES.helmRelease, "platform-calico-tigera-operator")).values.tigeraOperator.registry,
      "mirror.example:5000",
    );
    assert.equal(inputs(one(overridden, KINDS.installation.type)).spec.registry, "mirror.example:5000/");
  });

  it("under imageRegistry, pulls every image the platform runs and every chart from the mirror", async () => {
    const mirror = "mirror.example:5000";
    const mirrored = await renderPlatform((raw) => (raw.platform.imageRegistry = mirror));
    const images: string[] = [];
    const collect = (node: unknown, key?: string): void => {
      if (typeof node === "string" && (key === "image" || key === "repository" || key === "VIRT_OPERATOR_IMAGE")) images.push(node);
      else if (Array.isArray(node)) node.forEach((item) => collect(item, key));
      else if (node && typeof node === "object") {
        const record = node as Record<string, unknown>;
        if (typeof record.name === "string" && typeof record.value === "string") collect(record.value, record.name);
        for (const [k, v] of Object.entries(record)) collect(v, k);
      }
    };
    for (const r of mirrored) collect(r.inputs);
    assert.ok(images.length >= 12, `images found: ${images}`);
    assert.deepEqual(
      images.filter((image) => !image.startsWith(`${mirror}/`)),
      [],
    );
    const certManager = inputs(one(mirrored, "kubernetes-cert-manager:index:CertManager"));
    assert.equal(certManager.image.repository, `${mirror}/jetstack/cert-manager-controller`);
    assert.equal(certManager.image.registry, undefined, "the chart prefixes a registry to repositories that carry quay.io already");
    assert.equal(certManager.helmOptions.values.acmesolver.image.repository, `${mirror}/jetstack/cert-manager-acmesolver`);
    const kubeOvn = inputs(one(mirrored, "kubernetes:helm.sh/v3:Release", "platform-kube-ovn")).values;
    assert.equal(kubeOvn.natGw.image.repository, `${mirror}/kubeovn/vpc-nat-gateway`);
    assert.equal(inputs(one(mirrored, "kubernetes:helm.sh/v3:Release", "platform-spiderpool")).values.global.imageRegistryOverride, mirror);
    const operator = inputs(one(mirrored, "kubernetes:apps/v1:Deployment", "platform-kubevirt-operator-deployment-virt-operator")).spec
      .template.spec.containers[0];
    assert.equal(operator.image, `${mirror}/kubevirt/virt-operator:v1.9.0`);
    assert.equal(operator.env.find((e: { name: string }) => e.name === "VIRT_OPERATOR_IMAGE").value, operator.image);
    const charts = [...mirrored.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map(inputs), certManager.helmOptions];
    assert.deepEqual(
      charts.map((release) => [release.chart, release.repositoryOpts.repo]).sort(),
      ["cert-manager", "crd.projectcalico.org.v1", "kube-ovn-v2", "spiderpool", "tigera-operator"].map((chart) => [
        `oci://${mirror}/charts/${chart}`,
        "",
      ]),
    );
  });

  it("takes chart repositories from platform.chartRepositories, an https index or an oci path", async () => {
    const overridden = await renderPlatform((raw) => {
      raw.platform.imageRegistry = "mirror.example:5000";
      raw.platform.chartRepositories = { calico: "https://charts.internal/calico/", kubeOvn: "oci://charts.internal/kube-ovn" };
    });
    const release = (name: string) => inputs(one(overridden, "kubernetes:helm.sh/v3:Release", name));
    assert.deepEqual(
      [release("platform-calico-crds").chart, release("platform-calico-crds").repositoryOpts],
      ["crd.projectcalico.org.v1", { repo: "https://charts.internal/calico" }],
    );
    assert.deepEqual(
      [release("platform-kube-ovn").chart, release("platform-kube-ovn").repositoryOpts],
      ["oci://charts.internal/kube-ovn/kube-ovn-v2", { repo: "" }],
    );
    assert.equal(release("platform-spiderpool").chart, "oci://mirror.example:5000/charts/spiderpool", "no override: the mirror");
  });

  it("names the Kube-OVN master nodes from platform.kubeOvn", async () => {
    const configured = await renderPlatform((raw) => {
      raw.platform.kubeOvn = { masterNodes: ["10.50.0.11", "10.50.0.12"], masterNodesLabels: { "tenantnet.io/ovn-central": "true" } };
    });
    const values = inputs(one(configured, "kubernetes:helm.sh/v3:Release", "platform-kube-ovn")).values;
    assert.deepEqual(values.masterNodes, ["10.50.0.11", "10.50.0.12"]);
    assert.deepEqual(values.masterNodesLabels, { "tenantnet.io/ovn-central": "true" });
  });

  it("renders a SpiderMultusConfig and one SpiderIPPool per node for a Spiderpool backend", async () => {
    const spider = await renderPlatform((raw) => {
      raw.platform.underlay = {
        backend: "spiderpool-ipvlan",
        spiderpool: {
          masterInterfaces: ["eth1"],
          subnet: "172.31.192.0/20",
          gateway: "172.31.207.253",
          nodes: { master: { ips: ["172.31.199.185-172.31.199.189"] }, worker1: { ips: ["172.31.199.190"] } },
        },
      };
      raw.tenants = {};
    });
    const config = inputs(one(spider, KINDS.spiderMultusConfig.type));
    assert.equal(config.spec.cniType, "ipvlan");
    assert.deepEqual(config.spec.ipvlan.master, ["eth1"]);
    assert.deepEqual(config.spec.ipvlan.ippools, { ipv4: ["underlay-master", "underlay-worker1"] }, "the NAD selects the per-node pools");
    const pools = spider.filter((r) => r.type === "kubernetes:spiderpool.spidernet.io/v2beta1:SpiderIPPool").map(inputs);
    assert.deepEqual(
      pools.map((p) => [p.metadata.name, p.spec.nodeName, p.spec.ips]),
      [
        ["underlay-master", ["master"], ["172.31.199.185-172.31.199.189"]],
        ["underlay-worker1", ["worker1"], ["172.31.199.190"]],
      ],
    );
    assert.deepEqual(pools[0].spec.multusName, ["spiderpool/underlay"]);
  });
});
