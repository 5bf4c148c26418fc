/**
 * Shapes shared by the pure policy rules, the offline runner and the CrossGuard adapters.
 * Pure: nothing here imports @pulumi/policy, so the rules run the same offline and in the pack.
 */
import type { ConfigSection } from "./config";
import type { Finding, Level, PolicyResource } from "./resource";
import type { StackView } from "./stack";

export type { Finding, Level, PolicyResource, Violation } from "./resource";

interface RuleInfo {
  name: string;
  description: string;
  level: Level;
}

/** A rule that needs the whole stack (indexes across resources) and reads these config sections. */
export interface StackRule extends RuleInfo {
  config: ConfigSection[];
  check(stack: StackView): Finding[];
}

/** A rule that judges one resource on its own. */
export interface ResourceRule extends RuleInfo {
  checkResource(resource: PolicyResource): Finding[];
}

export type Rule = StackRule | ResourceRule;

export function isStackRule(rule: Rule): rule is StackRule {
  return "check" in rule;
}
