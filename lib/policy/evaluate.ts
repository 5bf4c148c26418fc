/**
 * Offline evaluation: every rule of the pack over a list of resources, the same pure rules the
 * CrossGuard adapters run under `pulumi preview --policy-pack policy`.
 */
import type { PolicyConfig } from "./config";
import { RULES } from "./rules";
import { StackView } from "./stack";
import { type PolicyResource, type Violation } from "./resource";

export function evaluatePolicies(resources: PolicyResource[], config: PolicyConfig): Violation[] {
  const stack = new StackView(resources, config);
  return RULES.flatMap((rule) =>
    rule.check(stack).map((f) => ({ policy: rule.name, level: rule.level, resource: f.resource?.name ?? "stack", message: f.message })),
  );
}
