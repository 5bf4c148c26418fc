/**
 * Offline evaluation: every rule of the pack over a list of resources, the same pure rules the
 * CrossGuard adapters run under `pulumi preview --policy-pack policy`.
 */
import type { PolicyConfig } from "./config";
import { RULES } from "./rules";
import { StackView } from "./stack";
import { type Finding, type PolicyResource, type Violation } from "./resource";
import { isResourceRule, type Rule } from "./types";

function findingsOf(rule: Rule, resources: PolicyResource[], config: PolicyConfig, stack: () => StackView): Finding[] {
  if (!isResourceRule(rule)) return rule.check(stack());
  // A resource policy reports against the resource it was handed, as CrossGuard does.
  return resources.flatMap((resource) => rule.checkResource(resource, config).map((f) => ({ ...f, resource })));
}

export function evaluatePolicies(resources: PolicyResource[], config: PolicyConfig): Violation[] {
  let view: StackView | undefined;
  const stack = () => (view ??= new StackView(resources, config));
  return RULES.flatMap((rule) =>
    findingsOf(rule, resources, config, stack).map((f) => ({
      policy: rule.name,
      level: rule.level,
      resource: f.resource?.name ?? "stack",
      message: f.message,
    })),
  );
}
