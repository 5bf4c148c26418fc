/**
 * Which opaque bundles are the platform's own pinned parts: a Helm release of a platform chart
 * with the release name, namespace, chart, version and repository the platform's pins resolve
 * to (lib/pins.ts, with the policy config's `platform` section applied), cert-manager's component
 * with the same, and Multus's vendored NAD CRD file. Anything else is a bundle the pack cannot
 * look into. The values of the platform's own releases are judged by `platform-values`.
 */
import {
  chartSource,
  DEFAULT_VERSIONS,
  MULTUS_NAD_CRD_MANIFEST,
  PLATFORM_RELEASES,
  type ChartSourceConfig,
  type PlatformRelease,
} from "../pins";
import type { ChartPart } from "../config/schema";
import type { PolicyPlatformConfig } from "./config";
import { asObject, asString, type Json } from "./k8s";
import type { PolicyResource } from "./resource";
import { PULUMI_TYPES } from "../k8s/kinds";

export const CERT_MANAGER_COMPONENT_TYPE = "kubernetes-cert-manager:index:CertManager";
const CONFIG_FILE_TYPE = "kubernetes:yaml/v2:ConfigFile";

/**
 * Release inputs that bring content the stack does not show: a post-renderer rewrites the
 * rendered objects, values files and reused values are values nobody judged.
 */
const UNSEEN_RELEASE_INPUTS = ["postrender", "valueYamlFiles", "reuseValues"];

/** The CRDs the platform declares itself (KubeVirt's operator manifest, Multus's NAD CRD file). */
export const PLATFORM_CRDS: readonly string[] = ["kubevirts.kubevirt.io", "network-attachment-definitions.k8s.cni.cncf.io"];

function sources(platform: PolicyPlatformConfig | undefined): ChartSourceConfig {
  return { chartRepositories: platform?.chartRepositories ?? {}, imageRegistry: platform?.imageRegistry ?? "" };
}

function expectedVersion(part: ChartPart, platform: PolicyPlatformConfig | undefined): string {
  return platform?.versions?.[part] ?? DEFAULT_VERSIONS[part];
}

/** Why a Helm release's chart source differs from `pin`'s, or undefined when it matches exactly. */
function sourceMismatch(options: Json, pin: PlatformRelease, platform: PolicyPlatformConfig | undefined): string | undefined {
  const expected = chartSource(pin.part, pin.chart, sources(platform));
  const version = expectedVersion(pin.part, platform);
  const chart = asString(options.chart);
  const repo = asString(asObject(options.repositoryOpts).repo) ?? "";
  if (chart !== expected.chart) return `chart ${JSON.stringify(chart)} is not the pinned ${JSON.stringify(expected.chart)}`;
  if (repo !== expected.repositoryOpts.repo)
    return `repository ${JSON.stringify(repo)} is not the pinned ${JSON.stringify(expected.repositoryOpts.repo)}`;
  if (asString(options.version) !== version)
    return `version ${JSON.stringify(options.version)} is not the pinned ${JSON.stringify(version)}`;
  const unseen = UNSEEN_RELEASE_INPUTS.find((key) => options[key] !== undefined && options[key] !== false);
  if (unseen !== undefined) return `${unseen} brings content the pack cannot see`;
  return undefined;
}

/** The platform release a Helm release claims to be, by its release namespace and name. */
function claimedRelease(resource: PolicyResource): PlatformRelease | undefined {
  const name = asString(resource.inputs.name);
  const namespace = asString(resource.inputs.namespace);
  return Object.values(PLATFORM_RELEASES).find(
    (pin: PlatformRelease) =>
      pin.namespace === namespace &&
      // cert-manager's release is named by Pulumi after its child resource (see PlatformRelease.release).
      (pin.release === undefined ? name === undefined || name.startsWith(resource.name) : pin.release === name),
  );
}

export type BundleVerdict = { own: true } | { own: false; why: string };

/** Whether a bundle is one of the platform's own pinned parts. */
export function platformBundle(resource: PolicyResource, platform: PolicyPlatformConfig | undefined): BundleVerdict {
  if (platform?.install === false)
    return { own: false, why: "this stack does not install the platform (policy config platform.install = false)" };
  if (resource.type === PULUMI_TYPES.helmRelease) {
    const pin = claimedRelease(resource);
    if (!pin) return { own: false, why: "its release name and namespace are none of the platform's releases" };
    const mismatch = sourceMismatch(resource.inputs, pin, platform);
    return mismatch ? { own: false, why: mismatch } : { own: true };
  }
  if (resource.type === CERT_MANAGER_COMPONENT_TYPE) {
    const pin = PLATFORM_RELEASES.certManager;
    const options = asObject(resource.inputs.helmOptions);
    if (asString(options.namespace) !== pin.namespace) return { own: false, why: `helmOptions.namespace is not ${pin.namespace}` };
    const mismatch = sourceMismatch(options, pin, platform);
    return mismatch ? { own: false, why: `helmOptions: ${mismatch}` } : { own: true };
  }
  if (resource.type === CONFIG_FILE_TYPE) {
    const file = asString(resource.inputs.file) ?? "";
    const extra = Object.keys(resource.inputs).filter((key) => key !== "file" && key !== "skipAwait");
    if (extra.length > 0) return { own: false, why: `it sets ${extra.join(", ")} besides the file` };
    // The path is absolute on the machine that runs the program; the repository-relative tail names the vendored file.
    return file === MULTUS_NAD_CRD_MANIFEST || file.endsWith(`/${MULTUS_NAD_CRD_MANIFEST}`)
      ? { own: true }
      : { own: false, why: `only the platform's ${MULTUS_NAD_CRD_MANIFEST} is known` };
  }
  return { own: false, why: "the platform installs no bundle of this type" };
}
