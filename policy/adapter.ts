/**
 * Turns the pure rules of lib/policy into CrossGuard policies: a stack rule becomes a
 * StackValidationPolicy (resources -> the pure `{type, name, inputs}`, findings reported against
 * the resource's URN), a resource rule a ResourceValidationPolicy. Each declares the config
 * sections it reads, so `--policy-pack-config` is validated against them by the CLI.
 */
import type { Policy, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CONFIG_SECTION_SCHEMAS, type PolicyConfig } from "../lib/policy/config";
import { StackView } from "../lib/policy/stack";
import { isResourceRule, type PolicyResource, type ResourceRule, type Rule, type StackRule } from "../lib/policy/types";

function configSchema(rule: Rule): PolicyConfigSchema | undefined {
  if (rule.config.length === 0) return undefined;
  return { properties: Object.fromEntries(rule.config.map((section) => [section, CONFIG_SECTION_SCHEMAS[section]])) };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.level,
    configSchema: configSchema(rule),
    validateStack: (args, reportViolation) => {
      const urns = new Map<PolicyResource, string>();
      const resources = args.resources.map((r) => {
        const resource: PolicyResource = { type: r.type, name: r.name, inputs: r.props };
        urns.set(resource, r.urn);
        return resource;
      });
      const stack = new StackView(resources, args.getConfig<PolicyConfig>());
      for (const finding of rule.check(stack)) {
        reportViolation(finding.message, finding.resource ? urns.get(finding.resource) : undefined);
      }
    },
  };
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.level,
    configSchema: configSchema(rule),
    validateResource: (args, reportViolation) => {
      const resource: PolicyResource = { type: args.type, name: args.name, inputs: args.props };
      for (const finding of rule.checkResource(resource, args.getConfig<PolicyConfig>())) reportViolation(finding.message);
    },
  };
}

export function crossGuardPolicy(rule: Rule): Policy {
  return isResourceRule(rule) ? resourcePolicy(rule) : stackPolicy(rule);
}
