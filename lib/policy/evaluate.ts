/**
 * Offline evaluation: every rule of the pack over a list of resources, the same pure rules the
 * CrossGuard adapters run under `pulumi preview --policy-pack policy`.
 */
import type { PolicyConfig } from "./config";
import { RULES } from "./rules";
import { StackView } from "./stack";
import { type Finding, type PolicyResource, type Violation } from "./resource";
import { isResourceRule, type Rule } from "./types";

function findingsOf(rule: Rule, stack: StackView): Finding[] {
  if (!isResourceRule(rule)) return rule.check(stack);
  // A resource policy reports against the resource it was handed, as CrossGuard does.
  return stack.resources.flatMap((resource) => rule.checkResource(resource, stack.config).map((f) => ({ ...f, resource })));
}

/** Every rule over a stack view: the plan builds one view for the rules, the reachability table and live migration. */
export function evaluateStack(stack: StackView): Violation[] {
  return RULES.flatMap((rule) =>
    findingsOf(rule, stack).map((f) => ({
      policy: rule.name,
      level: rule.level,
      resource: f.resource?.name ?? "stack",
      message: f.message,
    })),
  );
}

export function evaluatePolicies(resources: PolicyResource[], config: PolicyConfig): Violation[] {
  return evaluateStack(new StackView(resources, config));
}
