/**
 * Offline, a tenant-only stack's StackReference is answered from the platform stack's outputs:
 * those of a plan.json written by `npm run plan` (`--platform-plan`), the platformFacts of a real
 * stack (`--facts`, from `pulumi stack output --json platformFacts`), or, when the repository
 * holds the platform stack's file, those of planning it first.
 */
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig, readStackFile } from "../config/load";
import { PLATFORM_FACTS_OUTPUT } from "../config/platform-facts";
import { ConfigError } from "../config/problems";
import { REPO_ROOT } from "../stack-file";

/** Outputs of the stacks a program references, keyed by the reference (`org/project/stack`). */
export type StackOutputs = Record<string, Record<string, unknown>>;

/** Why the outputs could not be had; the runner prints it and exits 2. */
export class PlatformOutputsError extends Error {}

/** The stack part of `org/project/stack`. */
export function stackPart(platformStack: string): string {
  return platformStack.slice(platformStack.lastIndexOf("/") + 1);
}

function fromPlanFile(platformStack: string, file: string): StackOutputs {
  let plan: { stack?: unknown; outputs?: unknown };
  try {
    plan = JSON.parse(fs.readFileSync(file, "utf8")) as typeof plan;
  } catch (error) {
    throw new PlatformOutputsError(`--platform-plan ${file}: ${(error as Error).message}`);
  }
  const expected = stackPart(platformStack);
  if (plan.stack !== expected) {
    throw new PlatformOutputsError(
      `--platform-plan ${file} is the plan of stack ${JSON.stringify(plan.stack)}, but tenantnet:platformStack names ${platformStack} (stack ${expected})`,
    );
  }
  if (typeof plan.outputs !== "object" || plan.outputs === null || Array.isArray(plan.outputs)) {
    throw new PlatformOutputsError(
      `--platform-plan ${file} has no "outputs"; plan the platform stack again with this tenantnet (npm run plan -- --stack ${expected})`,
    );
  }
  return { [platformStack]: plan.outputs as Record<string, unknown> };
}

function fromFactsFile(platformStack: string, file: string): StackOutputs {
  try {
    return { [platformStack]: { [PLATFORM_FACTS_OUTPUT]: JSON.parse(fs.readFileSync(file, "utf8")) as unknown } };
  } catch (error) {
    throw new PlatformOutputsError(`--facts ${file}: ${(error as Error).message}`);
  }
}

/** Where the platform's outputs come from: a plan.json, a platformFacts JSON file, or neither. */
export interface PlatformSource {
  platformPlan?: string;
  factsFile?: string;
}

/**
 * The outputs a tenant-only stack's reference to `platformStack` reads. `plan` runs a stack's
 * program offline and returns its outputs; it is passed in so this module needs no program.
 */
export async function platformOutputs(
  platformStack: string,
  source: PlatformSource,
  plan: (stack: string, flat: Record<string, unknown>) => Promise<unknown>,
): Promise<StackOutputs> {
  if (source.platformPlan !== undefined && source.factsFile !== undefined)
    throw new PlatformOutputsError("--platform-plan and --facts both give the platform's facts; give one");
  if (source.platformPlan !== undefined) return fromPlanFile(platformStack, source.platformPlan);
  if (source.factsFile !== undefined) return fromFactsFile(platformStack, source.factsFile);
  const stack = stackPart(platformStack);
  const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new PlatformOutputsError(
      `tenantnet:platformStack names ${platformStack}, and the repository has no Pulumi.${stack}.yaml to plan it from: pass --platform-plan PLAN, a plan.json of that stack (npm run plan -- --config <its stack file>), or --facts FILE (pulumi stack output --stack ${platformStack} --json ${PLATFORM_FACTS_OUTPUT})`,
    );
  }
  const flat = readStackFile(file);
  try {
    loadStackConfig(flat, stack);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new PlatformOutputsError(
        `the platform stack ${platformStack} (${path.relative(process.cwd(), file)}) does not validate:\n${error.message}`,
      );
    throw error;
  }
  const outputs = await plan(stack, flat);
  return { [platformStack]: outputs as Record<string, unknown> };
}
