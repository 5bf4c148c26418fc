/**
 * Turns the pure rules of lib/policy into CrossGuard policies: a stack rule becomes a
 * StackValidationPolicy (resources -> the pure `{type, name, inputs}`, findings reported against
 * the resource's URN), a resource rule a ResourceValidationPolicy, which the engine runs on each
 * resource's inputs before it creates or updates it. Each declares the config sections it reads,
 * so `--policy-pack-config` is validated against them by the CLI.
 *
 * Fail closed in preview: a rule never sees CrossGuard's unknown-checking proxy (whose throw
 * CrossGuard reports as an advisory "can't run policy"); it reads plain props, and every unknown
 * value it reads is a mandatory violation of that rule on the resource that holds it.
 */
import type { Policy, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CONFIG_SECTION_SCHEMAS, type PolicyConfig } from "../lib/policy/config";
import { describe, metadataOf, violationAt } from "../lib/policy/k8s";
import { StackView } from "../lib/policy/stack";
import { isResourceRule, type PolicyResource, type ResourceRule, type Rule, type StackRule } from "../lib/policy/types";
import { plainProps, UNKNOWN_DURING_PREVIEW } from "./unknowns";

function configSchema(rule: Rule): PolicyConfigSchema | undefined {
  if (rule.config.length === 0) return undefined;
  return { properties: Object.fromEntries(rule.config.map((section) => [section, CONFIG_SECTION_SCHEMAS[section]])) };
}

/** What every CrossGuard policy says of itself, from its rule. */
function policyInfo(rule: Rule): Pick<Policy, "name" | "description" | "enforcementLevel" | "configSchema"> {
  return { name: rule.name, description: rule.description, enforcementLevel: rule.level, configSchema: configSchema(rule) };
}

/** The violation for an unknown value `rule` read at `path` of `resource` (its plain props). */
function unknownValueViolation(rule: Rule, resource: PolicyResource, path: string): string {
  const who = describe(resource, metadataOf(resource).namespace !== undefined);
  return violationAt(
    who,
    path,
    UNKNOWN_DURING_PREVIEW,
    `${rule.name} reads this value, which is not known until apply (an output of another resource): the rule cannot judge it, so it refuses it; make it known at preview (a literal or config value), or apply what it depends on first (pulumi up --target <its URN>) and preview again`,
  );
}

/** A resource as a rule sees it (plain props that note reads of unknown values) and the unknowns it read. */
interface Watched {
  plain: PolicyResource;
  seen: PolicyResource;
  unknownsRead: Set<string>;
}

function watched(type: string, name: string, props: Record<string, unknown>): Watched {
  const { props: inputs, watch } = plainProps(props);
  const unknownsRead = new Set<string>();
  return { plain: { type, name, inputs }, seen: { type, name, inputs: watch((path) => unknownsRead.add(path)) }, unknownsRead };
}

function reportUnknownsRead(rule: Rule, resource: Watched, reportViolation: (message: string) => void): void {
  for (const path of resource.unknownsRead) reportViolation(unknownValueViolation(rule, resource.plain, path));
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    ...policyInfo(rule),
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map((r) => ({ urn: r.urn, ...watched(r.type, r.name, r.props) }));
      const urns = new Map(resources.map((r) => [r.seen, r.urn]));
      const stack = new StackView(
        resources.map((r) => r.seen),
        args.getConfig<PolicyConfig>(),
      );
      for (const finding of rule.check(stack)) {
        reportViolation(finding.message, finding.resource ? urns.get(finding.resource) : undefined);
      }
      for (const resource of resources) reportUnknownsRead(rule, resource, (message) => reportViolation(message, resource.urn));
    },
  };
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    ...policyInfo(rule),
    validateResource: (args, reportViolation) => {
      const resource = watched(args.type, args.name, args.props);
      for (const finding of rule.checkResource(resource.seen, args.getConfig<PolicyConfig>())) reportViolation(finding.message);
      reportUnknownsRead(rule, resource, (message) => reportViolation(message));
    },
  };
}

export function crossGuardPolicy(rule: Rule): Policy {
  return isResourceRule(rule) ? resourcePolicy(rule) : stackPolicy(rule);
}
