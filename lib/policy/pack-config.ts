/**
 * The `--policy-pack-config` file: CrossGuard hands each policy only its own entry, so every
 * stack rule gets the config sections it reads, keyed by its name. Reading goes both ways so the
 * offline CLI accepts that same file as well as a plain policy config.
 */
import Ajv from "ajv";
import { CONFIG_SECTION_SCHEMAS, type ConfigSection, type PolicyConfig } from "./config";
import { RULES } from "./rules";

const SECTIONS = Object.keys(CONFIG_SECTION_SCHEMAS) as ConfigSection[];

export type PolicyPackConfig = Record<string, PolicyConfig>;

function pick(config: PolicyConfig, sections: ConfigSection[]): PolicyConfig {
  return Object.fromEntries(sections.filter((s) => config[s] !== undefined).map((s) => [s, config[s]]));
}

/** Per-policy config for `pulumi preview --policy-pack policy --policy-pack-config FILE`. */
export function policyPackConfig(config: PolicyConfig): PolicyPackConfig {
  return Object.fromEntries(RULES.filter((r) => r.config.length > 0).map((rule) => [rule.name, pick(config, rule.config)]));
}

const validate = new Ajv({ allErrors: true, strict: false }).compile({
  type: "object",
  additionalProperties: false,
  properties: CONFIG_SECTION_SCHEMAS,
});

/**
 * A policy config from parsed JSON: either the plain shape (`network`, `services`, `tenants`) or
 * a pack config (entries keyed by policy name or `all`; enforcement levels are ignored). Throws
 * with every schema problem listed, or every key that is neither a section, a policy name nor `all`.
 */
export function readPolicyConfig(json: unknown): PolicyConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("a policy config must be a JSON object");
  const entries = Object.entries(json);
  const plain = entries.every(([key]) => (SECTIONS as string[]).includes(key));
  const merged: Record<string, unknown> = plain ? { ...json } : {};
  if (!plain) {
    // Pack format: every key is a policy name or `all`; a typo'd plain section would otherwise
    // turn the whole file into a pack config and silently read as {}.
    const names = new Set<string>([...RULES.map((rule) => rule.name), "all"]);
    const keys = entries.map(([key]) => key);
    const unknown = keys.filter((key) => !names.has(key) && !(SECTIONS as string[]).includes(key));
    if (unknown.length > 0) {
      throw new Error(
        `invalid policy config: unknown keys ${unknown.map((k) => JSON.stringify(k)).join(", ")} (a plain config has only ${SECTIONS.join(", ")}; a pack config only policy names and "all")`,
      );
    }
    const sections = keys.filter((key) => !names.has(key));
    if (sections.length > 0) {
      throw new Error(
        `invalid policy config: mixes plain sections ${sections.map((k) => JSON.stringify(k)).join(", ")} with pack entries (policy names or "all"); use one format`,
      );
    }
    for (const [, entry] of entries) {
      if (typeof entry !== "object" || entry === null) continue;
      for (const section of SECTIONS) if (section in entry) merged[section] = (entry as Record<string, unknown>)[section];
    }
  }
  if (!validate(merged)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
    throw new Error(`invalid policy config:\n  ${problems.join("\n  ")}`);
  }
  return merged as PolicyConfig;
}
