/**
 * One timed pass of the offline plan over a stack config, stage by stage, with the floor
 * registered right after it in the same process. Each stage is the function `npm run plan`
 * calls (lib/plan/run.ts), so the benchmark measures the plan, not a copy of it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as v8 from "v8";
import * as vm from "vm";
import { manifestsOf } from "../lib/plan/manifests";
import { planResources, type PlanFile } from "../lib/plan/plan-file";
import { policyStage, registerStage, schemaStage, validateStage, writeStage } from "../lib/plan/run";
import { tenantnet } from "../program";
import { floorShape, registerFloor, type FloorNode } from "./floor";
import type { MeasuredName, PassResult, StageSample } from "./types";

/** Peak resident memory of the process during a stretch of work. */
export interface PeakRssMeter {
  /** How the peak is obtained, for the report. */
  readonly method: string;
  reset(): void;
  peakBytes(): number;
}

/**
 * Linux keeps the process's RSS high-water mark (VmHWM) and lets a process reset it by writing
 * 5 to /proc/self/clear_refs: an exact per-stage peak, with no sampling thread to miss the
 * peak of synchronous work.
 */
class VmHwmMeter implements PeakRssMeter {
  readonly method = "VmHWM from /proc/self/status, reset per stage via /proc/self/clear_refs (exact per-stage peak)";
  reset(): void {
    fs.writeFileSync("/proc/self/clear_refs", "5");
  }
  peakBytes(): number {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (!match) throw new Error("/proc/self/status has no VmHWM line");
    return Number(match[1]) * 1024;
  }
}

/** Elsewhere: getrusage's maxRSS, which only ever grows, so a stage's peak is the peak so far. */
class MaxRssMeter implements PeakRssMeter {
  readonly method = "process.resourceUsage().maxRSS (process-lifetime high-water mark, not reset per stage: a stage's peak is the peak so far)";
  reset(): void {}
  peakBytes(): number {
    return process.resourceUsage().maxRSS * 1024;
  }
}

export function peakRssMeter(): PeakRssMeter {
  try {
    const meter = new VmHwmMeter();
    meter.reset();
    meter.peakBytes();
    return meter;
  } catch {
    return new MaxRssMeter();
  }
}

/**
 * A full garbage collection before each stage, so that one stage's garbage is neither timed nor
 * counted in the next one's memory. `npm run bench` starts node without --expose-gc; V8 lets
 * the flag be set at run time and a fresh context then sees `gc`.
 */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
})();

/** Wraps a stage, e.g. to record a CPU profile of it; the default runs it as is. */
export type StageHook = <T>(stage: MeasuredName, run: () => Promise<T>) => Promise<T>;
const unhooked: StageHook = (_stage, run) => run();

export async function measureStage<T>(
  meter: PeakRssMeter,
  run: () => T | Promise<T>,
): Promise<{ result: T; sample: StageSample }> {
  collectGarbage();
  const rssBefore = process.memoryUsage.rss();
  meter.reset();
  const start = process.hrtime.bigint();
  const result = await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peakRssBytes = Math.max(meter.peakBytes(), process.memoryUsage.rss());
  return { result, sample: { ms, peakRssBytes, rssGrowthBytes: peakRssBytes - rssBefore } };
}

export interface PassInput {
  stack: string;
  /** Flat `tenantnet:*` config, as a stack file holds it. */
  flat: Record<string, unknown>;
  /** CRD directory for the schema stage; undefined skips it. */
  schemasDir?: string;
  meter: PeakRssMeter;
  hook?: StageHook;
}

type Timed = <T>(stage: MeasuredName, run: () => T | Promise<T>) => Promise<T>;

interface Planned {
  facts: Omit<PassResult, "samples">;
  /** The tree the bare floor replays. */
  shape: FloorNode[];
  /** The tree with the real inputs; handed out once, so that nothing here keeps the inputs alive. */
  takeLoadedShape(): FloorNode[];
}

/**
 * A getter that hands `value` out once and then forgets it. Defined out here because a closure
 * made inside planStages would share its scope and keep the captured resources alive.
 */
function handOnce<T>(value: T): () => T {
  let held: T | undefined = value;
  return () => {
    if (held === undefined) throw new Error("already handed out");
    const taken = held;
    held = undefined;
    return taken;
  };
}

/** The plan's stages in runPlan's order (schema before write), and the trees the floors replay. */
async function planStages(input: PassInput, timed: Timed): Promise<Planned> {
  const config = await timed("validate", () => validateStage(input.stack, input.flat));
  const captured = await timed("register", () => registerStage(tenantnet, input.stack, input.flat));
  const { policyConfig, violations, liveMigration } = await timed("policy", () => policyStage(config, captured.resources));
  // runPlan renders the manifests once for schema and write; here the write stage renders them
  // again so that their (small) cost is timed with writing, where it belongs.
  const manifestCount = manifestsOf(captured.resources).size;
  const schema = input.schemasDir === undefined
    ? undefined
    : await timed("schema", () => schemaStage(input.schemasDir!, [...manifestsOf(captured.resources).values()]));

  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantnet-bench-"));
  try {
    await timed("write", () => {
      const manifests = manifestsOf(captured.resources);
      const plan: PlanFile = { stack: input.stack, resources: planResources(captured.resources), outputs: captured.outputs as Record<string, unknown>, violations, liveMigration, policyConfig, schema };
      writeStage(outDir, plan, manifests);
    });
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }

  const mandatory = violations.filter((v) => v.level === "mandatory");
  return {
    shape: floorShape(captured.resources),
    takeLoadedShape: handOnce(floorShape(captured.resources, { withInputs: true })),
    facts: {
      resources: captured.resources.length,
      components: captured.resources.filter((r) => !r.custom).length,
      manifests: manifestCount,
      violations: { mandatory: mandatory.length, advisory: violations.length - mandatory.length },
      schemaErrors: schema?.errors.length,
      problems: [...mandatory.map((v) => `${v.policy} ${v.resource}: ${v.message}`), ...(schema?.errors ?? [])].slice(0, 5),
    },
  };
}

/**
 * One pass: the plan's stages, then the floor with real inputs, then the bare floor. The bare
 * floor starts when nothing refers to the captured resources any more, so its heap is as small
 * as the real registration's was at its start: neither pays for the other's garbage collection.
 * (The loaded floor holds the captured inputs it replays from its start; the real registration
 * builds them as it goes, so that comparison slightly favours the real registration.)
 */
export async function runPass(input: PassInput): Promise<PassResult> {
  const hook = input.hook ?? unhooked;
  const samples: PassResult["samples"] = {};
  const timed: Timed = async (stage, run) => {
    const { result, sample } = await hook(stage, () => measureStage(input.meter, run));
    samples[stage] = sample;
    return result;
  };
  const planned = await planStages(input, timed);
  const timeFloor = async (stage: "floor" | "floorInputs", shape: FloorNode[]) => {
    const { resources } = await timed(stage, () => registerFloor(shape));
    if (resources.length !== planned.facts.resources) {
      throw new Error(`${stage} registered ${resources.length} resources, the program ${planned.facts.resources}: the comparison would be unfair`);
    }
  };
  await timeFloor("floorInputs", planned.takeLoadedShape());
  await timeFloor("floor", planned.shape);
  return { samples, ...planned.facts };
}
