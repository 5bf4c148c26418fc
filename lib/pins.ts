/**
 * The platform's pinned parts, stated once for the builders (lib/platform, components/platform)
 * and the checker (lib/policy), which must not import a builder: each part's release, chart,
 * namespace and version, where its chart comes from, and the vendored manifest the platform
 * applies as a YAML bundle. The policy pack accepts a Helm release or bundle as the platform's
 * own only when it matches these exactly.
 */
import { ROUTE_PLUGIN_TYPE } from "./cni-config";
import type { ChartPart, PlatformConfig, PlatformPart } from "./config/schema";

/**
 * Pinned upstream releases, one per platform part. These are the versions the schemas in
 * schemas/ come from (schemas/SOURCES.md), so what we render is validated against what we install.
 * `platform.versions.<part>` overrides each.
 */
export const DEFAULT_VERSIONS: Record<PlatformPart, string> = {
  certManager: "v1.19.6",
  calico: "v3.32.1",
  kubeOvn: "v1.16.2",
  multus: "v4.3.0",
  kubevirt: "v1.9.0",
  spiderpool: "1.2.2",
};

/** The namespaces the platform parts run in; lib/platform/namespaces.ts derives the reserved names from them. */
export const PLATFORM_NAMESPACES = {
  certManager: "cert-manager",
  tigeraOperator: "tigera-operator",
  kubeOvn: "kube-ovn",
  kubevirt: "kubevirt",
  spiderpool: "spiderpool",
  /** Multus and the route-plugin installer: node agents live beside the cluster's own. */
  nodeAgents: "kube-system",
  /** The platform NetworkAttachmentDefinitions every tenant VM attaches through. */
  nads: "default",
} as const;

/** The platform's NetworkAttachmentDefinitions (in PLATFORM_NAMESPACES.nads): the underlay and the shared Kube-OVN attachment. */
export const PLATFORM_NAD_NAMES = { calico: "calico", kubeOvn: "kubeovn" } as const;

/** The platform's node agents (in PLATFORM_NAMESPACES.nodeAgents): Multus's DaemonSet and the route plugin's installer. */
export const NODE_AGENT_NAMES = { multus: "kube-multus-ds", routePluginInstaller: ROUTE_PLUGIN_TYPE } as const;

export const UPSTREAM_CHART_REPOSITORIES: Record<ChartPart, string> = {
  certManager: "https://charts.jetstack.io",
  calico: "https://docs.tigera.io/calico/charts",
  kubeOvn: "https://kubeovn.github.io/kube-ovn/",
  spiderpool: "https://spidernet-io.github.io/spiderpool",
};

/** One Helm release of the platform: the chart part it belongs to, its chart, release name and namespace. */
export interface PlatformRelease {
  part: ChartPart;
  chart: string;
  /**
   * The Helm release name. Undefined for cert-manager: its component leaves the name to Pulumi,
   * which names the release after the child resource `<component>-helm` (pulumi-go-helmbase
   * v0.2.0 base.go:155).
   */
  release?: string;
  namespace: string;
}

export const PLATFORM_RELEASES = {
  certManager: { part: "certManager", chart: "cert-manager", namespace: PLATFORM_NAMESPACES.certManager },
  calicoCrds: { part: "calico", chart: "crd.projectcalico.org.v1", release: "calico-crds", namespace: PLATFORM_NAMESPACES.tigeraOperator },
  tigeraOperator: { part: "calico", chart: "tigera-operator", release: "tigera-operator", namespace: PLATFORM_NAMESPACES.tigeraOperator },
  kubeOvn: { part: "kubeOvn", chart: "kube-ovn-v2", release: "kube-ovn", namespace: PLATFORM_NAMESPACES.kubeOvn },
  spiderpool: { part: "spiderpool", chart: "spiderpool", release: "spiderpool", namespace: PLATFORM_NAMESPACES.spiderpool },
} as const satisfies Record<string, PlatformRelease>;

/** Where the charts come from: the three stack config keys that decide it. */
export type ChartSourceConfig = Pick<PlatformConfig, "chartRepositories" | "imageRegistry">;

/**
 * Where each Helm chart comes from: upstream's repository, an override per part
 * (`platform.chartRepositories.<part>`), or, with `platform.imageRegistry` set and no override,
 * the mirror's `oci://<registry>/charts` so an air-gapped install reaches nothing else.
 */
export function resolveChartRepository(part: ChartPart, platform: ChartSourceConfig): string {
  return (
    platform.chartRepositories[part] ??
    (platform.imageRegistry ? `oci://${platform.imageRegistry}/charts` : UPSTREAM_CHART_REPOSITORIES[part])
  );
}

/** The `chart` and `repositoryOpts` of a helm.v3.Release. */
export interface ChartSource {
  chart: string;
  repositoryOpts: { repo: string };
}

/**
 * An OCI chart is named by its full reference with no repository: given a repository URL,
 * pulumi-kubernetes looks the chart up in an index.yaml (v4.32.0
 * provider/pkg/provider/helm_release.go:1615-1640, resolveChartName at :1746).
 */
export function chartSource(part: ChartPart, chart: string, platform: ChartSourceConfig): ChartSource {
  const repository = resolveChartRepository(part, platform);
  return repository.startsWith("oci://")
    ? { chart: `${repository}/${chart}`, repositoryOpts: { repo: "" } }
    : { chart, repositoryOpts: { repo: repository } };
}

/**
 * Multus's NetworkAttachmentDefinition CRD as released with Multus, vendored in the repository
 * (path from the repository root) and applied as a `yaml.v2.ConfigFile`.
 */
export const MULTUS_NAD_CRD_MANIFEST = "components/platform/manifests/network-attachment-definitions.crd.yaml";
