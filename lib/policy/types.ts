/**
 * Shapes shared by the pure policy rules, the offline runner and the CrossGuard adapters.
 * Pure: nothing here imports @pulumi/policy, so the rules run the same offline and in the pack.
 */
import type { ConfigSection } from "./config";
import type { StackView } from "./stack";

/** A resource as both the plan (captured inputs) and CrossGuard (props) hand it over. */
export interface PolicyResource {
  /** Pulumi type token, e.g. `kubernetes:kubevirt.io/v1:VirtualMachine`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** The Kubernetes object (apiVersion/kind/metadata/spec...) or component inputs. */
  inputs: Record<string, unknown>;
}

export type Level = "mandatory" | "advisory";

/** One problem found by a rule; `resource` undefined means the stack as a whole. */
export interface Finding {
  resource?: PolicyResource;
  message: string;
}

/** What the offline runner reports: `resource` is the Pulumi name, or "stack". */
export interface Violation {
  policy: string;
  level: Level;
  resource: string;
  message: string;
}

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
