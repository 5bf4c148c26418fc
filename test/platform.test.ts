import { strict as assert } from "assert";
import { Platform } from "../components/platform/platform";
import { validateStackConfig } from "../lib/config/validate";
import type { CniConfList } from "../lib/nad";
import { captureProgram, type CapturedResource } from "../lib/plan/capture";
import { validRawConfig } from "./fixtures/stack-config";

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
    assert.deepEqual(
      components.map((c) => [c.type, c.parent ?? null]).sort(),
      [
        ["tenantnet:platform:Calico", "platform"],
        ["tenantnet:platform:CertManager", "platform"],
        ["tenantnet:platform:KubeOvn", "platform"],
        ["tenantnet:platform:Kubevirt", "platform"],
        ["tenantnet:platform:Multus", "platform"],
        ["tenantnet:platform:Platform", null],
        ["tenantnet:platform:RoutePluginInstaller", "platform"],
        ["tenantnet:platform:Spiderpool", "platform"],
      ],
    );
  });

  it("pins cert-manager and declares the self-signed issuer Spiderpool's webhook uses", () => {
    const certManager = inputs(one(resources, "kubernetes-cert-manager:index:CertManager"));
    assert.equal(certManager.installCRDs, true);
    assert.deepEqual(certManager.helmOptions, { namespace: "cert-manager", version: "v1.19.6" });
    const issuer = inputs(one(resources, "kubernetes:cert-manager.io/v1:ClusterIssuer"));
    assert.deepEqual(issuer.spec, { selfSigned: {} });
    const spiderpool = inputs(one(resources, "kubernetes:helm.sh/v3:Release", "platform-spiderpool"));
    assert.equal(spiderpool.values.spiderpoolController.tls.certmanager.issuerName, issuer.metadata.name);
  });

  it("installs Calico through the operator with the configured pod CIDR, API server and VM reservation", () => {
    const operator = inputs(one(resources, "kubernetes:helm.sh/v3:Release", "platform-calico-tigera-operator"));
    assert.equal(operator.chart, "tigera-operator");
    assert.equal(operator.version, "v3.32.1");
    assert.equal(operator.values.installation.enabled, false, "the Installation is ours, not the chart's");
    const installation = inputs(one(resources, "kubernetes:operator.tigera.io/v1:Installation"));
    assert.equal(installation.spec.calicoNetwork.ipPools[0].cidr, "10.199.0.0/16");
    one(resources, "kubernetes:operator.tigera.io/v1:APIServer");
    const reservation = inputs(one(resources, "kubernetes:projectcalico.org/v3:IPReservation"));
    assert.deepEqual(reservation.spec.reservedCIDRs, ["10.199.3.0/24"]);
  });

  it("runs Kube-OVN as a non-primary CNI with the configured join CIDR", () => {
    const release = inputs(one(resources, "kubernetes:helm.sh/v3:Release", "platform-kube-ovn"));
    assert.equal(release.chart, "kube-ovn-v2");
    assert.equal(release.version, "v1.16.2");
    assert.equal(release.values.cni.nonPrimaryCNI, true);
    assert.equal(release.values.networking.join.cidr.v4, "100.64.0.0/16");
    assert.equal(release.values.networking.services.cidr.v4, "10.96.0.0/12");
  });

  it("installs Multus thick from a pinned release image with its NAD CRD", () => {
    const crd = inputs(one(resources, "kubernetes:yaml/v2:ConfigFile", "platform-multus-nad-crd"));
    assert.match(crd.file, /network-attachment-definitions\.crd\.yaml$/);
    const daemonSet = inputs(one(resources, "kubernetes:apps/v1:DaemonSet", "platform-multus-daemonset"));
    const images = [...daemonSet.spec.template.spec.containers, ...daemonSet.spec.template.spec.initContainers].map((c: any) => c.image);
    assert.deepEqual(new Set(images), new Set(["ghcr.io/k8snetworkplumbingwg/multus-cni:v4.3.0-thick"]));
  });

  it("installs the KubeVirt operator release and a KubeVirt CR that permits bridge on the default network", () => {
    const operator = inputs(one(resources, "kubernetes:yaml/v2:ConfigFile", "platform-kubevirt-operator"));
    assert.equal(operator.file, "https://github.com/kubevirt/kubevirt/releases/download/v1.9.0/kubevirt-operator.yaml");
    const kubevirt = inputs(one(resources, "kubernetes:kubevirt.io/v1:KubeVirt"));
    assert.equal(kubevirt.spec.configuration.network.permitBridgeInterfaceOnPodNetwork, true);
  });

  it("keeps one owner of Multus: Spiderpool's own copy is off", () => {
    const release = inputs(one(resources, "kubernetes:helm.sh/v3:Release", "platform-spiderpool"));
    assert.equal(release.values.multus.multusCNI.install, false);
    assert.equal(resources.filter((r) => r.type.startsWith("kubernetes:spiderpool.spidernet.io")).length, 0, "no Spiderpool underlay objects with the calico backend");
  });

  it("renders the calico NAD as calico -> x-calico-route (pod + node CIDRs) -> tuning", () => {
    const nad = inputs(one(resources, "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition", "platform-nad-calico"));
    assert.deepEqual(nad.metadata.namespace, "default");
    const conf = JSON.parse(nad.spec.config) as CniConfList;
    assert.deepEqual(conf.plugins.map((p) => p.type), ["calico", "x-calico-route", "tuning"]);
    assert.deepEqual(conf.plugins[1].routes, [{ dst: "10.199.0.0/16" }, { dst: "10.50.0.0/16" }]);
    assert.equal(conf.plugins[1].gateway, "169.254.1.1");
  });

  it("renders the kubeovn NAD with the daemon socket and a provider matching its name and namespace", () => {
    const nad = inputs(one(resources, "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition", "platform-nad-kubeovn"));
    const conf = JSON.parse(nad.spec.config) as CniConfList;
    assert.deepEqual(conf.plugins, [{ type: "kube-ovn", server_socket: "/run/openvswitch/kube-ovn-daemon.sock", provider: "kubeovn.default.ovn" }]);
  });

  it("orders parts that need another's CRDs or webhooks after it", () => {
    const dependsOn = (type: string, name: string) => new Set(one(resources, type, name).dependsOn.map((urn) => urn.slice(urn.lastIndexOf("::") + 2)));
    assert.ok(dependsOn("kubernetes:projectcalico.org/v3:IPReservation", "platform-calico-vm-reservation").has("platform-calico-apiserver"));
    assert.ok(dependsOn("kubernetes:operator.tigera.io/v1:Installation", "platform-calico-installation").has("platform-calico-tigera-operator"));
    const nadDeps = dependsOn("kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition", "platform-nad-calico");
    assert.ok(nadDeps.has("platform-multus-nad-crd"), `calico NAD deps: ${[...nadDeps]}`);
    assert.ok([...nadDeps].some((d) => d.startsWith("platform-route-plugin")), "the route plugin is on the nodes before the NAD that chains it");
    const spiderpoolDeps = dependsOn("kubernetes:helm.sh/v3:Release", "platform-spiderpool");
    assert.ok(spiderpoolDeps.has("platform-cert-manager"), `spiderpool deps: ${[...spiderpoolDeps]}`);
    assert.ok(dependsOn("kubernetes:helm.sh/v3:Release", "platform-kube-ovn").has("platform-multus-nad-crd"));
    assert.ok(dependsOn("kubernetes:kubevirt.io/v1:KubeVirt", "platform-kubevirt-cr").has("platform-kubevirt-operator"));
  });

  it("applies version, values and image registry overrides", async () => {
    const overridden = await renderPlatform((raw) => {
      raw.platform.versions = { kubeOvn: "v1.16.3", multus: "v4.2.3" };
      raw.platform.values = { kubeOvn: { networking: { tunnelType: "vxlan" } }, kubevirt: { configuration: { developerConfiguration: { featureGates: ["Sidecar"] } } } };
      raw.platform.imageRegistry = "mirror.example:5000/"; // trailing slash dropped by validation
    });
    const kubeOvn = inputs(one(overridden, "kubernetes:helm.sh/v3:Release", "platform-kube-ovn"));
    assert.equal(kubeOvn.version, "v1.16.3");
    assert.equal(kubeOvn.values.networking.tunnelType, "vxlan");
    assert.equal(kubeOvn.values.networking.join.cidr.v4, "100.64.0.0/16", "overrides merge, they do not replace siblings");
    assert.equal(kubeOvn.values.global.registry.address, "mirror.example:5000/kubeovn");
    const multus = inputs(one(overridden, "kubernetes:apps/v1:DaemonSet", "platform-multus-daemonset"));
    assert.equal(multus.spec.template.spec.containers[0].image, "mirror.example:5000/k8snetworkplumbingwg/multus-cni:v4.2.3-thick");
    const kubevirt = inputs(one(overridden, "kubernetes:kubevirt.io/v1:KubeVirt"));
    assert.deepEqual(kubevirt.spec.configuration.developerConfiguration.featureGates, ["Sidecar"]);
    assert.equal(kubevirt.spec.imageRegistry, "mirror.example:5000/kubevirt");
    assert.equal(inputs(one(overridden, "kubernetes:helm.sh/v3:Release", "platform-calico-tigera-operator")).values.tigeraOperator.registry, "mirror.example:5000");
    assert.equal(inputs(one(overridden, "kubernetes:operator.tigera.io/v1:Installation")).spec.registry, "mirror.example:5000/");
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
    const config = inputs(one(spider, "kubernetes:spiderpool.spidernet.io/v2beta1:SpiderMultusConfig"));
    assert.equal(config.spec.cniType, "ipvlan");
    assert.deepEqual(config.spec.ipvlan.master, ["eth1"]);
    const pools = spider.filter((r) => r.type === "kubernetes:spiderpool.spidernet.io/v2beta1:SpiderIPPool").map(inputs);
    assert.deepEqual(pools.map((p) => [p.metadata.name, p.spec.nodeName, p.spec.ips]), [
      ["underlay-master", ["master"], ["172.31.199.185-172.31.199.189"]],
      ["underlay-worker1", ["worker1"], ["172.31.199.190"]],
    ]);
    assert.deepEqual(pools[0].spec.multusName, ["spiderpool/underlay"]);
  });
});
