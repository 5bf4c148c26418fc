/**
 * Where each Helm chart comes from: upstream's repository, an override per part
 * (`platform.chartRepositories.<part>`), or, with `platform.imageRegistry` set and no override,
 * the mirror's `oci://<registry>/charts` so an air-gapped install reaches nothing else.
 */
import type { ChartPart, PlatformConfig } from "../config/schema";

export const UPSTREAM_CHART_REPOSITORIES: Record<ChartPart, string> = {
  certManager: "https://charts.jetstack.io",
  calico: "https://docs.tigera.io/calico/charts",
  kubeOvn: "https://kubeovn.github.io/kube-ovn/",
  spiderpool: "https://spidernet-io.github.io/spiderpool",
};

/** The `chart` and `repositoryOpts` of a helm.v3.Release. */
export interface ChartSource {
  chart: string;
  repositoryOpts: { repo: string };
}

export function resolveChartRepository(part: ChartPart, platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">): string {
  return (
    platform.chartRepositories[part] ??
    (platform.imageRegistry ? `oci://${platform.imageRegistry}/charts` : UPSTREAM_CHART_REPOSITORIES[part])
  );
}

/**
 * An OCI chart is named by its full reference with no repository: given a repository URL,
 * pulumi-kubernetes looks the chart up in an index.yaml (v4.32.0
 * provider/pkg/provider/helm_release.go:1615-1640, resolveChartName at :1746).
 */
export function chartSource(
  part: ChartPart,
  chart: string,
  platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">,
): ChartSource {
  const repository = resolveChartRepository(part, platform);
  return repository.startsWith("oci://")
    ? { chart: `${repository}/${chart}`, repositoryOpts: { repo: "" } }
    : { chart, repositoryOpts: { repo: repository } };
}
