/**
 * Shapes shared by the pure policy rules, the offline runner and the CrossGuard adapters.
 * Pure: nothing here imports @pulumi/policy, so the rules run the same offline and in the pack.
 */
import type { ConfigSection } from "./config";
import type { Finding, Level } from "./resource";
import type { StackView } from "./stack";

export type { Finding, Level, PolicyResource, Violation } from "./resource";

interface RuleInfo {
  name: string;
  description: string;
  level: Level;
}

/**
 * A rule over the whole stack (indexes across resources) that reads these config sections. Every
 * rule is one: even a per-VM verdict needs the objects around the VM (its NADs, the platform's).
 */
export interface StackRule extends RuleInfo {
  config: ConfigSection[];
  check(stack: StackView): Finding[];
}

export type Rule = StackRule;
