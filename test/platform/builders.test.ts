import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { kubevirtOperatorManifestFile } from "../../components/platform/kubevirt";
import { DEFAULT_KUBE_OVN_MASTER_LABELS } from "../../lib/config/schema";
import { certManagerArgs } from "../../lib/platform/cert-manager";
import { chartSource, resolveChartRepository, UPSTREAM_CHART_REPOSITORIES } from "../../lib/platform/charts";
import { kubeOvnValues } from "../../lib/platform/kube-ovn";
import { kubevirtOperatorObjects, VENDORED_KUBEVIRT_VERSIONS } from "../../lib/platform/kubevirt";
import { awaitCondition, COLD_START_TIMEOUT_SECONDS } from "../../lib/platform/readiness";
import { DEFAULT_VERSIONS } from "../../lib/platform/versions";
import { validNetwork } from "../fixtures/stack-config";

const NETWORK = validNetwork();
const MASTERS = { masterNodes: [], masterNodesLabels: DEFAULT_KUBE_OVN_MASTER_LABELS };

describe("platform builders", () => {
  describe("chart sources", () => {
    it("uses upstream's repository without a mirror or an override", () => {
      assert.deepEqual(chartSource("kubeOvn", "kube-ovn-v2", { chartRepositories: {}, imageRegistry: "" }), {
        chart: "kube-ovn-v2",
        repositoryOpts: { repo: UPSTREAM_CHART_REPOSITORIES.kubeOvn },
      });
    });

    it("defaults to the mirror's oci://<registry>/charts under imageRegistry, named in full with no repository", () => {
      assert.equal(
        resolveChartRepository("calico", { chartRepositories: {}, imageRegistry: "mirror.example:5000" }),
        "oci://mirror.example:5000/charts",
      );
      assert.deepEqual(chartSource("calico", "tigera-operator", { chartRepositories: {}, imageRegistry: "mirror.example:5000" }), {
        chart: "oci://mirror.example:5000/charts/tigera-operator",
        repositoryOpts: { repo: "" },
      });
    });

    it("prefers the part's override to the mirror, https index or oci path alike", () => {
      const platform = {
        chartRepositories: { spiderpool: "https://charts.internal/spiderpool", certManager: "oci://charts.internal/jetstack" },
        imageRegistry: "mirror.example:5000",
      };
      assert.deepEqual(chartSource("spiderpool", "spiderpool", platform), {
        chart: "spiderpool",
        repositoryOpts: { repo: "https://charts.internal/spiderpool" },
      });
      assert.deepEqual(chartSource("certManager", "cert-manager", platform), {
        chart: "oci://charts.internal/jetstack/cert-manager",
        repositoryOpts: { repo: "" },
      });
    });
  });

  it("annotates an awaited object with its condition and the cold-start timeout, keeping its annotations", () => {
    const object = { apiVersion: "v1", kind: "Thing", metadata: { name: "x", annotations: { keep: "me" } } };
    assert.deepEqual(awaitCondition(object, "Ready").metadata.annotations, {
      keep: "me",
      "pulumi.com/waitFor": "condition=Ready",
      "pulumi.com/timeoutSeconds": String(COLD_START_TIMEOUT_SECONDS),
    });
    assert.deepEqual(object.metadata.annotations, { keep: "me" }, "the input is not changed");
  });

  it("puts Kube-OVN's NAT gateway images under the mirror with the rest", () => {
    const values = kubeOvnValues(NETWORK, MASTERS, "mirror.example:5000", undefined) as any;
    assert.equal(values.global.registry.address, "mirror.example:5000/kubeovn");
    assert.equal(values.natGw.image.repository, "mirror.example:5000/kubeovn/vpc-nat-gateway");
    assert.equal(values.natGw.bgpSpeaker.image.repository, "mirror.example:5000/kubeovn/kube-ovn");
    assert.equal((kubeOvnValues(NETWORK, MASTERS, "", undefined) as any).natGw, undefined, "no mirror: the chart's images");
  });

  it("replaces cert-manager's image repositories under a mirror and leaves its registry unset", () => {
    const args = certManagerArgs("v1.19.6", { chartRepositories: {}, imageRegistry: "mirror.example:5000" }, undefined) as any;
    for (const part of [args, args.webhook, args.cainjector, args.startupapicheck, args.helmOptions.values.acmesolver]) {
      assert.match(
        part.image.repository,
        /^mirror\.example:5000\/jetstack\/cert-manager-(controller|webhook|cainjector|startupapicheck|acmesolver)$/,
      );
      assert.equal(part.image.registry, undefined);
    }
  });

  describe("KubeVirt operator manifest", () => {
    it("is vendored for every version validation accepts, the default among them", () => {
      assert.ok((VENDORED_KUBEVIRT_VERSIONS as readonly string[]).includes(DEFAULT_VERSIONS.kubevirt));
      for (const version of VENDORED_KUBEVIRT_VERSIONS) assert.ok(fs.existsSync(kubevirtOperatorManifestFile(version)), version);
      const vendored = fs
        .readdirSync(path.dirname(kubevirtOperatorManifestFile("v1.9.0")))
        .filter((f) => f.startsWith("kubevirt-operator-"));
      assert.deepEqual(
        vendored,
        VENDORED_KUBEVIRT_VERSIONS.map((v) => `kubevirt-operator-${v}.yaml`),
      );
    });

    it("renders the release's objects in file order with virt-operator's image and VIRT_OPERATOR_IMAGE under the mirror", () => {
      const manifest = fs.readFileSync(kubevirtOperatorManifestFile("v1.9.0"), "utf8");
      const plain = kubevirtOperatorObjects(manifest, "");
      assert.deepEqual(
        plain.map((o) => o.kind),
        [
          "Namespace",
          "CustomResourceDefinition",
          "PriorityClass",
          "ClusterRole",
          "ServiceAccount",
          "Role",
          "RoleBinding",
          "ClusterRole",
          "ClusterRoleBinding",
          "Deployment",
        ],
      );
      assert.ok(plain.every((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "tenantnet"));
      assert.equal(plain[0].metadata.labels?.["pod-security.kubernetes.io/enforce"], "privileged", "upstream's labels stay");
      const container = (objects: typeof plain) => (objects[9].spec as any).template.spec.containers[0];
      assert.equal(container(plain).image, "quay.io/kubevirt/virt-operator:v1.9.0");
      const mirrored = container(kubevirtOperatorObjects(manifest, "mirror.example:5000"));
      assert.equal(mirrored.image, "mirror.example:5000/kubevirt/virt-operator:v1.9.0");
      assert.deepEqual(
        mirrored.env.map((e: { name: string; value?: string }) => [e.name, e.value]),
        [
          ["VIRT_OPERATOR_IMAGE", "mirror.example:5000/kubevirt/virt-operator:v1.9.0"],
          ["WATCH_NAMESPACE", undefined],
          ["KUBEVIRT_VERSION", "v1.9.0"],
        ],
      );
    });

    it("refuses a manifest that does not parse", () => {
      assert.throws(() => kubevirtOperatorObjects("kind: [unclosed", ""), /kubevirt-operator manifest/);
    });
  });
});
