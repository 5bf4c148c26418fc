/**
 * Shapes shared by the pure policy rules, the offline runner and the CrossGuard adapters.
 * Pure: nothing here imports @pulumi/policy, so the rules run the same offline and in the pack.
 */
import type { ConfigSection, PolicyConfig } from "./config";
import type { Finding, Level, PolicyResource } from "./resource";
import type { StackView } from "./stack";

export type { Finding, Level, PolicyResource, Violation } from "./resource";

interface RuleInfo {
  name: string;
  description: string;
  level: Level;
  /** The policy config sections the rule reads (each CrossGuard policy is handed only these). */
  config: ConfigSection[];
}

/** A rule over the whole stack (indexes across resources): a CrossGuard stack policy. */
export interface StackRule extends RuleInfo {
  check(stack: StackView): Finding[];
}

/**
 * A rule that needs one resource and the platform's facts (the policy config) only: a CrossGuard
 * resource policy, so `pulumi up` stops before it applies the object.
 */
export interface ResourceRule extends RuleInfo {
  checkResource(resource: PolicyResource, config: PolicyConfig): Finding[];
}

export type Rule = StackRule | ResourceRule;

export function isResourceRule(rule: Rule): rule is ResourceRule {
  return "checkResource" in rule;
}
