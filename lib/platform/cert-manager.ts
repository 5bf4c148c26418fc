/** cert-manager: the arguments of `@pulumi/kubernetes-cert-manager`'s CertManager (they mirror the chart values). */
import type { PlatformConfig } from "../config/schema";
import { chartSource } from "./charts";
import { mirrored } from "./images";
import { deepMerge } from "./merge";
import { COLD_START_TIMEOUT_SECONDS } from "./readiness";
import { PLATFORM_NAMESPACES } from "./namespaces";
import { PLATFORM_RELEASES } from "../pins";

export const CERT_MANAGER_NAMESPACE = PLATFORM_NAMESPACES.certManager;
const CERT_MANAGER_CHART = PLATFORM_RELEASES.certManager.chart;

/**
 * The chart's default repositories already carry the host (`quay.io/jetstack/cert-manager-*`) and
 * an `image.registry` is prefixed to them (cert-manager v1.19.6 deploy/charts/cert-manager
 * templates/_helpers.tpl:182-188, values.yaml:170,905,1218,1277,1410): under a mirror the
 * repositories are replaced and `registry` stays unset.
 */
const IMAGES = {
  controller: "quay.io/jetstack/cert-manager-controller",
  webhook: "quay.io/jetstack/cert-manager-webhook",
  cainjector: "quay.io/jetstack/cert-manager-cainjector",
  startupapicheck: "quay.io/jetstack/cert-manager-startupapicheck",
  acmesolver: "quay.io/jetstack/cert-manager-acmesolver",
};

export function certManagerArgs(
  version: string,
  platform: Pick<PlatformConfig, "chartRepositories" | "imageRegistry">,
  overrides: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const registry = platform.imageRegistry;
  const image = (reference: string) => ({ image: { repository: mirrored(reference, registry) } });
  return deepMerge(
    {
      installCRDs: true,
      ...(registry
        ? {
            ...image(IMAGES.controller),
            webhook: image(IMAGES.webhook),
            cainjector: image(IMAGES.cainjector),
            startupapicheck: image(IMAGES.startupapicheck),
          }
        : {}),
      helmOptions: {
        namespace: CERT_MANAGER_NAMESPACE,
        version,
        // helmbase fills in jetstack's repository only when none is given (pulumi-go-helmbase
        // v0.2.0 base.go:176-181), so an OCI chart passes an empty one.
        ...chartSource("certManager", CERT_MANAGER_CHART, platform),
        timeout: COLD_START_TIMEOUT_SECONDS,
        // The component's typed arguments have no acmesolver: it goes in as a plain value.
        ...(registry ? { values: { acmesolver: image(IMAGES.acmesolver) } } : {}),
      },
    },
    overrides,
  );
}
