/**
 * The offline plan: validate a stack file, run the real program under mocks, check policies
 * (and schemas when asked), then write manifests and plan.json. Each stage is its own function
 * so the benchmark can time them; `runPlan` strings them together with the documented exit codes.
 */
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig, platformStackOf } from "../config/load";
import { PLATFORM_FACTS_OUTPUT } from "../config/platform-facts";
import { ConfigError } from "../config/problems";
import type { StackConfig } from "../config/schema";
import {
  evaluateStack,
  liveMigration,
  policyConfigFromStackConfig,
  reachabilityTable,
  StackView,
  type LiveMigrationVerdict,
  type ReachabilityTable,
  type PolicyConfig,
  type Violation,
} from "../policy";
import { formatSchemaError, loadSchemaDir, validateManifests } from "../schema";
import { PLAN_EXIT as EXIT } from "../exit-codes";
import { captureProgram, type CapturedResource, type CaptureResult } from "./capture";
import { platformOutputs, PlatformOutputsError, type PlatformSource, type StackOutputs } from "./platform-outputs";
import type { K8sObject } from "../k8s/object";
import { manifestsOf, manifestYaml } from "./manifests";
import { planFileOf, type PlanFile, type SchemaSummary } from "./plan-file";
import { planSummary } from "./summary";

export { EXIT };

/** The Pulumi program to plan: what index.ts exports (tenantnet's), or a test's own. */
export type Program = () => unknown;

export interface PlanOptions {
  program: Program;
  stack: string;
  /** Flat `tenantnet:*` config, as read from a stack file. */
  config: Record<string, unknown>;
  outDir: string;
  /** Directory of CRDs / OpenAPI definitions to validate manifests against. */
  schemasDir?: string;
  /** What the stack's StackReferences read: the platform stack's outputs on a tenant-only stack. */
  stackOutputs?: StackOutputs;
}

export interface PlanOutcome {
  exitCode: number;
  /** Printed summary, or the config problems when the config is invalid. */
  report: string;
  plan?: PlanFile;
}

/** The `platformFacts` a tenant-only stack's reference reads among `stackOutputs`, if given. */
export function referencedFacts(flat: Record<string, unknown>, stackOutputs: StackOutputs | undefined): unknown {
  const platformStack = platformStackOf(flat);
  return platformStack === undefined ? undefined : stackOutputs?.[platformStack]?.[PLATFORM_FACTS_OUTPUT];
}

export function validateStage(stack: string, flat: Record<string, unknown>, stackOutputs?: StackOutputs): StackConfig {
  return loadStackConfig(flat, stack, referencedFacts(flat, stackOutputs));
}

/** Runs the program under the mock runtime. */
export function registerStage(
  program: Program,
  stack: string,
  flat: Record<string, unknown>,
  stackOutputs?: StackOutputs,
): Promise<CaptureResult> {
  return captureProgram({ project: "tenantnet", stack, config: flat, program, stackOutputs });
}

/**
 * What a stack's StackReferences read offline: nothing on a platform stack; on a tenant-only
 * stack, its platform's outputs from `source` or from planning the platform stack's file in the
 * repository. Throws PlatformOutputsError saying what is missing, or that a platform stack was
 * given facts it does not read.
 */
export async function referencedOutputs(
  program: Program,
  flat: Record<string, unknown>,
  source: PlatformSource = {},
): Promise<StackOutputs | undefined> {
  const platformStack = platformStackOf(flat);
  if (platformStack === undefined) {
    const given = source.platformPlan !== undefined ? "--platform-plan" : source.factsFile !== undefined ? "--facts" : undefined;
    if (given) throw new PlatformOutputsError(`${given} is for tenant-only stacks, and this one names no tenantnet:platformStack`);
    return undefined;
  }
  return platformOutputs(platformStack, source, async (stack, platformFlat) => (await registerStage(program, stack, platformFlat)).outputs);
}

/** The policy facts of a validated stack, every rule's findings over what it registered, the underlay reachability table, and which VMs can live-migrate. */
export function policyStage(
  config: StackConfig,
  resources: CapturedResource[],
): { policyConfig: PolicyConfig; violations: Violation[]; reachability: ReachabilityTable; liveMigration: LiveMigrationVerdict[] } {
  const policyConfig = policyConfigFromStackConfig(config);
  const stack = new StackView(resources, policyConfig);
  return {
    policyConfig,
    violations: evaluateStack(stack),
    reachability: reachabilityTable(stack),
    liveMigration: liveMigration(resources, policyConfig, stack),
  };
}

export function schemaStage(schemasDir: string, manifests: K8sObject[]): SchemaSummary {
  const report = validateManifests(loadSchemaDir(schemasDir), manifests);
  return { checked: report.checked, unchecked: report.unchecked, errors: report.errors.map(formatSchemaError) };
}

/** Replaces the output directory's manifests and plan.json; nothing stale survives. */
export function writeStage(outDir: string, plan: PlanFile, manifests: Map<string, K8sObject>): void {
  const manifestDir = path.join(outDir, "manifests");
  fs.rmSync(manifestDir, { recursive: true, force: true });
  fs.mkdirSync(manifestDir, { recursive: true });
  for (const [file, manifest] of manifests) fs.writeFileSync(path.join(manifestDir, file), manifestYaml(manifest));
  fs.writeFileSync(path.join(outDir, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
}

export async function runPlan(options: PlanOptions): Promise<PlanOutcome> {
  let config: StackConfig;
  try {
    config = validateStage(options.stack, options.config, options.stackOutputs);
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: EXIT.invalidConfig, report: error.message };
    throw error;
  }
  const captured = await registerStage(options.program, options.stack, options.config, options.stackOutputs);
  const judged = policyStage(config, captured.resources);
  const manifests = manifestsOf(captured.resources);
  const schema = options.schemasDir ? schemaStage(options.schemasDir, [...manifests.values()]) : undefined;
  const plan = planFileOf(options.stack, captured, judged, schema);
  writeStage(options.outDir, plan, manifests);

  const exitCode = plan.schema?.errors.length
    ? EXIT.schemaError
    : judged.violations.some((v) => v.level === "mandatory")
      ? EXIT.mandatoryViolation
      : EXIT.clean;
  return { exitCode, report: planSummary(plan, [...manifests.values()], options.outDir), plan };
}
