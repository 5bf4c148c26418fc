/**
 * Pinned upstream releases, one per platform part. These are the versions the schemas in
 * schemas/ come from (schemas/SOURCES.md), so what we render is validated against what we install.
 * `platform.versions.<part>` overrides each.
 */
import type { PlatformConfig, PlatformPart } from "../config/schema";

export const DEFAULT_VERSIONS: Record<PlatformPart, string> = {
  certManager: "v1.19.6",
  calico: "v3.32.1",
  kubeOvn: "v1.16.2",
  multus: "v4.3.0",
  kubevirt: "v1.9.0",
  spiderpool: "1.2.2",
};

export function resolveVersions(platform: PlatformConfig): Record<PlatformPart, string> {
  return { ...DEFAULT_VERSIONS, ...platform.versions };
}
