/** Reads the `tenantnet:*` keys from a Pulumi stack file or from a flat config map. */
import * as fs from "fs";
import { parse } from "yaml";
import { PLATFORM_STACK } from "./formats";
import { ConfigError, type Problem } from "./problems";
import type { StackConfig } from "./schema";
import { validateDraft, validateStackConfig, type DraftConfig, type RawStackConfig, type ValidationResult } from "./validate";

export const CONFIG_NAMESPACE = "tenantnet";
export const CONFIG_KEYS = ["platform", "services", "tenants", "platformStack"] as const;

/** Keys whose value is plain text rather than a map passed as JSON. */
const TEXT_KEYS: readonly string[] = ["platformStack"];

/**
 * Splits a flat `namespace:key -> value` map (as Pulumi holds config) into the three sections.
 * Values may be JSON text (how the Pulumi runtime passes objects) or already parsed.
 */
export function rawConfigFromFlat(flat: Record<string, unknown>): { raw: RawStackConfig; problems: Problem[] } {
  const raw: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const [fullKey, value] of Object.entries(flat)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== CONFIG_NAMESPACE) continue;
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      problems.push({
        path: fullKey,
        message: `unknown config key; tenantnet reads ${CONFIG_KEYS.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`,
      });
      continue;
    }
    if (typeof value === "string" && TEXT_KEYS.includes(key)) {
      raw[key] = value;
    } else if (typeof value === "string") {
      try {
        raw[key] = JSON.parse(value);
      } catch {
        problems.push({ path: key, message: `expected a map, got the text ${JSON.stringify(value)}` });
      }
    } else {
      raw[key] = value;
    }
  }
  return { raw, problems };
}

/** The flat config map of a `Pulumi.<stack>.yaml` file. */
export function readStackFile(file: string): Record<string, unknown> {
  return parseStackText(fs.readFileSync(file, "utf8"), file);
}

/** The flat config map of a stack file's text (`file` names it in errors). */
export function parseStackText(text: string, file: string): Record<string, unknown> {
  const doc = parse(text) as { config?: Record<string, unknown> } | null;
  if (!doc || typeof doc !== "object") throw new Error(`${file}: not a Pulumi stack file (expected a YAML map with a "config" key)`);
  return doc.config ?? {};
}

/**
 * The platform stack a tenant-only stack names (`tenantnet:platformStack`), when it is a well-formed
 * `org/project/stack`; a malformed one is left to validation to report.
 */
export function platformStackOf(flat: Record<string, unknown>): string | undefined {
  const value = flat[`${CONFIG_NAMESPACE}:platformStack`];
  return typeof value === "string" && PLATFORM_STACK.test(value) ? value : undefined;
}

/**
 * The validated config of a flat `tenantnet:*` map, or a ConfigError listing every problem.
 * `facts` is the `platformFacts` output of the platform stack a tenant-only stack names.
 */
export function loadStackConfig(flat: Record<string, unknown>, stack: string, facts?: unknown): StackConfig {
  return loaded(flat, (raw) => validateStackConfig(raw, stack, facts));
}

/** As `loadStackConfig`, but VMs may lack their addresses: what `allocate` pins. */
export function loadDraftConfig(flat: Record<string, unknown>, stack: string, facts?: unknown): DraftConfig {
  return loaded(flat, (raw) => validateDraft(raw, { stack, requirePins: false, facts }));
}

function loaded<T>(flat: Record<string, unknown>, validate: (raw: RawStackConfig) => ValidationResult<T>): T {
  const { raw, problems } = rawConfigFromFlat(flat);
  const result = validate(raw);
  const all = [...problems, ...(result.ok ? [] : result.problems)];
  if (all.length > 0 || !result.ok) throw new ConfigError(all);
  return result.config;
}
