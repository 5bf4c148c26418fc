/**
 * plan.json, the machine-readable plan (a stable format; keys may be added, never change meaning):
 *   stack         the stack name
 *   resources     every registered resource in registration order: {type, name, parent, inputs, urn, parentUrn,
 *                 dependsOn} (components, Helm releases and YAML bundles included; parent is the parent's
 *                 resource name or null; urn/parentUrn identify them exactly, since names repeat across
 *                 types; dependsOn lists the URNs the engine creates first, those inherited from a
 *                 component included, a component named in dependsOn standing for the resources under it)
 *   outputs       the stack outputs as the program returns them; on the platform stack
 *                 `outputs.platformFacts`, what tenant-only stacks read (--platform-plan)
 *   violations    policy findings: {policy, level: "mandatory" | "advisory", resource, message}
 *   reachability  per underlay endpoint "<namespace>/<workload>", sorted: {egress: [FLOW...], ingress: [FLOW...]},
 *                 FLOW = {nets: [CIDR...], protocol: "TCP" | "UDP" | "SCTP" | "ICMP" | "any", ports: [[lo, hi]...] | "any"}:
 *                 what the underlay NIC may send (nets = destinations) and accept (nets = sources) after every
 *                 policy of the stack (lib/policy/reachability); canonical, so equal reachability prints equal
 *   liveMigration per VirtualMachine, in registration order: {vm: "<namespace>/<name>", migratable, reasons};
 *                 each reason is "blocks: ...", "unknown: ..." or "degrades: ..." (lib/policy/live-migration.ts);
 *                 migratable when none blocks or is unknown. The vm-live-migration advisory reports the same
 *   policyConfig  the facts the policy rules checked against (network, catalog, grants): the
 *                 stack's own on the platform stack, the platform's platformFacts on a tenant-only one
 *   schema        present with --schemas: {checked, unchecked, errors}
 */
import type { LiveMigrationVerdict, ReachabilityTable, Violation } from "../policy";
import type { CapturedResource, CaptureResult } from "./capture";

export interface PlanResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
  urn: string;
  parentUrn: string | null;
  dependsOn: string[];
}

export interface SchemaSummary {
  checked: string[];
  unchecked: string[];
  errors: string[];
}

export interface PlanFile {
  stack: string;
  resources: PlanResource[];
  outputs: Record<string, unknown>;
  violations: Violation[];
  reachability: ReachabilityTable;
  liveMigration: LiveMigrationVerdict[];
  policyConfig: unknown;
  schema?: SchemaSummary;
}

export function planResources(resources: CapturedResource[]): PlanResource[] {
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    inputs: r.inputs,
    urn: r.urn,
    parentUrn: r.parentUrn ?? null,
    dependsOn: r.dependsOn,
  }));
}

/** The plan of one run: what the program registered and returned, and what the policy stage found. */
export function planFileOf(
  stack: string,
  captured: CaptureResult,
  judged: Pick<PlanFile, "violations" | "reachability" | "liveMigration" | "policyConfig">,
  schema?: SchemaSummary,
): PlanFile {
  return {
    stack,
    resources: planResources(captured.resources),
    outputs: captured.outputs as Record<string, unknown>,
    violations: judged.violations,
    reachability: judged.reachability,
    liveMigration: judged.liveMigration,
    policyConfig: judged.policyConfig,
    ...(schema ? { schema } : {}),
  };
}
