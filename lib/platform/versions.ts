/** The pinned upstream releases (lib/pins.ts) with `platform.versions.<part>` overrides applied. */
import type { PlatformConfig, PlatformPart } from "../config/schema";
import { DEFAULT_VERSIONS } from "../pins";

export { DEFAULT_VERSIONS };

export function resolveVersions(platform: PlatformConfig): Record<PlatformPart, string> {
  return { ...DEFAULT_VERSIONS, ...platform.versions };
}
