/**
 * plan.json, the machine-readable plan (a stable format; keys may be added, never change meaning):
 *   stack         the stack name
 *   resources     every registered resource in registration order: {type, name, parent, inputs}
 *                 (components, Helm releases and YAML bundles included; parent is a resource name or null)
 *   violations    policy findings: {policy, level: "mandatory" | "advisory", resource, message}
 *   policyConfig  the facts the policy rules checked against (network, catalog, grants)
 *   schema        present with --schemas: {checked, unchecked, errors}
 */
import type { Violation } from "../policy";
import type { CapturedResource } from "./capture";

export interface PlanResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
}

export interface SchemaSummary {
  checked: string[];
  unchecked: string[];
  errors: string[];
}

export interface PlanFile {
  stack: string;
  resources: PlanResource[];
  violations: Violation[];
  policyConfig: unknown;
  schema?: SchemaSummary;
}

export function planResources(resources: CapturedResource[]): PlanResource[] {
  return resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs }));
}
