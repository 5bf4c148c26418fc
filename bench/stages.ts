/**
 * One timed pass of the offline plan over a stack config, stage by stage, with the floor
 * registered right after it in the same process. Each stage is the function `npm run plan`
 * calls (lib/plan/run.ts), so the benchmark measures the plan, not a copy of it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { manifestsOf } from "../lib/plan/manifests";
import { planFileOf } from "../lib/plan/plan-file";
import { policyStage, registerStage, schemaStage, validateStage, writeStage } from "../lib/plan/run";
import { tenantnet } from "../program";
import { floorShape, registerFloor, type FloorNode } from "./floor";
import type { MeasuredName, PassResult } from "./types";

/**
 * A full garbage collection before each stage, so that one stage's garbage is neither timed in
 * the next one nor counted in its memory. `npm run bench` starts node with --expose-gc.
 */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("global.gc is missing: run the bench with node --expose-gc (npm run bench does)");
  gc();
}

/**
 * The process's peak resident memory. Linux keeps a high-water mark (VmHWM) that writing 5 to
 * /proc/self/clear_refs resets, so each size gets its own peak; elsewhere the lifetime maxRSS
 * (sizes run smallest first, so it is still the largest size's peak).
 */
export const peakRss = {
  method: fs.existsSync("/proc/self/clear_refs") ? "VmHWM, reset per size" : "process maxRSS (lifetime high-water mark)",
  reset(): void {
    if (fs.existsSync("/proc/self/clear_refs")) fs.writeFileSync("/proc/self/clear_refs", "5");
  },
  bytes(): number {
    const match = fs.existsSync("/proc/self/status") ? /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8")) : null;
    return Math.max(match ? Number(match[1]) * 1024 : 0, process.resourceUsage().maxRSS * 1024, process.memoryUsage.rss());
  },
};

export interface PassInput {
  stack: string;
  /** Flat `tenantnet:*` config, as a stack file holds it. */
  flat: Record<string, unknown>;
  /** CRD directory for the schema stage; undefined skips it. */
  schemasDir?: string;
}

type Timed = <T>(stage: MeasuredName, run: () => T | Promise<T>) => Promise<T>;

/**
 * The plan's stages in runPlan's order (schema before write). Returns plain data, so nothing of
 * this scope (the captured resources, the manifests) stays reachable once it returns.
 */
async function planStages(input: PassInput, timed: Timed): Promise<{ facts: Omit<PassResult, "ms">; shape: FloorNode[] }> {
  const config = await timed("validate", () => validateStage(input.stack, input.flat));
  const captured = await timed("register", () => registerStage(tenantnet, input.stack, input.flat));
  const { policyConfig, violations, reachability, liveMigration } = await timed("policy", () => policyStage(config, captured.resources));
  // runPlan renders the manifests once for schema and write; here the write stage renders them
  // again so that their (small) cost is timed with writing, where it belongs.
  const manifestCount = manifestsOf(captured.resources).size;
  const schema =
    input.schemasDir === undefined
      ? undefined
      : await timed("schema", () => schemaStage(input.schemasDir!, [...manifestsOf(captured.resources).values()]));
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-bench-"));
  try {
    await timed("write", () => {
      const manifests = manifestsOf(captured.resources);
      writeStage(outDir, planFileOf(input.stack, captured, { violations, reachability, liveMigration, policyConfig }, schema), manifests);
    });
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }

  const mandatory = violations.filter((v) => v.level === "mandatory");
  return {
    shape: floorShape(captured.resources),
    facts: {
      resources: captured.resources.length,
      manifests: manifestCount,
      violations: { mandatory: mandatory.length, advisory: violations.length - mandatory.length },
      schemaErrors: schema?.errors.length,
      problems: [...mandatory.map((v) => `${v.policy} ${v.resource}: ${v.message}`), ...(schema?.errors ?? [])].slice(0, 5),
    },
  };
}

/**
 * One pass: the plan's stages, then the floor, replaying the tree the register stage captured
 * with its inputs. The floor holds those inputs from its start while the real registration
 * builds them as it goes, so the comparison slightly favours the real registration.
 */
export async function runPass(input: PassInput): Promise<PassResult> {
  const ms: PassResult["ms"] = {};
  const timed: Timed = async (stage, run) => {
    collectGarbage();
    const start = process.hrtime.bigint();
    const result = await run();
    ms[stage] = Number(process.hrtime.bigint() - start) / 1e6;
    return result;
  };
  const { facts, shape } = await planStages(input, timed);
  const floor = await timed("floor", () => registerFloor(shape));
  if (floor.resources.length !== facts.resources) {
    throw new Error(
      `the floor registered ${floor.resources.length} resources, the program ${facts.resources}: the comparison would be unfair`,
    );
  }
  return { ms, ...facts };
}
