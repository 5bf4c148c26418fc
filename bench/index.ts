/**
 * `npm run bench`: times the offline plan on synthetic stacks of growing size against the floor
 * (the same resource tree registered bare), fits how each stage scales, checks the performance
 * targets and writes bench/results.json. See `--help`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { REPO_ROOT } from "../lib/stack-file";
import { VENDORED_SCHEMAS_DIR } from "../lib/schema";
import { profilingHook, type StageProfile } from "./profile";
import {
  SUMMARY_TABLE_HEADER,
  STAGE_TABLE_HEADER,
  evaluateTargets,
  exponentRows,
  marginalRssPerVmKb,
  markdownTable,
  sizeResult,
  stageExponents,
  stageRows,
  summaryRows,
  textTable,
  type SizeResult,
  type TargetResult,
} from "./report";
import { peakRssMeter, runPass } from "./stages";
import { STAGE_DESCRIPTIONS, type PassResult } from "./types";
import { flatConfig, parseSizes, sizeLabel, syntheticConfig, vmCount, type BenchSize } from "./synthetic-config";

const DEFAULT_SIZES = "10x10,25x20,100x20";
/** Sizes from this many VMs get fewer runs, so the default bench stays within a few minutes. */
const LARGE_VMS = 1000;
const DEFAULT_RUNS = { small: 5, large: 3 };
const DEFAULT_SCHEMAS = VENDORED_SCHEMAS_DIR;
const PROFILE_DIR = path.join(__dirname, "profiles");
const STACK = "bench";

const FLOOR_DESCRIPTION =
  "The floor replays the resource tree the real program registered (same count, same type tokens, same " +
  "components vs custom resources, same parent links, created in the order the real resources reached the " +
  "mock monitor) as bare resources: components with no inputs, custom resources carrying only " +
  "apiVersion/kind/metadata.name; no dependsOn, no config, no program code. It runs in the same process " +
  "through the same captureProgram (mock runtime, monitor hook, RPC drain), so the SDK's per-resource cost " +
  "and the capture overhead are in both. floor+inputs is the same replay with each resource's real inputs: " +
  "floor+inputs - floor is the cost of marshalling the inputs; register - floor+inputs is the program's own " +
  "code (config loading, the builders, dependsOn edges).";

const USAGE = `usage: npm run bench -- [options]

Times each stage of the offline plan (config validation, the program under mocks, policy
evaluation, schema validation, manifest writing) on synthetic stacks of TENANTS x VMS, and the
floor: the same resource tree registered bare under the same mocks. Prints tables and targets,
writes a JSON report.

options:
  --sizes LIST         comma-separated TENANTSxVMS (default ${DEFAULT_SIZES}: 100, 500, 2,000 VMs)
  --runs K             measured runs per size, after one warm-up run
                       (default ${DEFAULT_RUNS.small}, or ${DEFAULT_RUNS.large} from ${LARGE_VMS} VMs)
  --out FILE           JSON report (default bench/results.json)
  --schemas DIR        CRDs for the schema stage (default: the vendored schemas/); skipped when missing
  --cpu-prof           after the measured runs, profile one more pass of the largest size, stage by
                       stage, into bench/profiles/<size>-<stage>.cpuprofile and print where the time
                       goes (self time by function and by file); profiled passes are not timed.
                       For a whole-process profile instead:
                         node --cpu-prof --cpu-prof-dir bench/profiles --import tsx bench/index.ts --sizes 100x20 --runs 1
  --skip-route-plugin  leave out the route plugin section (bench/route-plugin.ts)
  --markdown           also print the tables as markdown
  -h, --help           this text`;

interface Options {
  sizes: BenchSize[];
  runs?: number;
  out: string;
  schemasDir: string;
  cpuProf: boolean;
  skipRoutePlugin: boolean;
  markdown: boolean;
}

function parseOptions(argv: string[]): Options | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      runs: { type: "string" },
      out: { type: "string" },
      schemas: { type: "string" },
      "cpu-prof": { type: "boolean" },
      "skip-route-plugin": { type: "boolean" },
      markdown: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const sizes = parseSizes(values.sizes ?? DEFAULT_SIZES);
  if (sizes.length === 0) throw new Error("--sizes names no size");
  let runs: number | undefined;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: expected a whole number of at least 1`);
  }
  return {
    sizes,
    runs,
    out: path.resolve(values.out ?? path.join(__dirname, "results.json")),
    schemasDir: path.resolve(values.schemas ?? DEFAULT_SCHEMAS),
    cpuProf: values["cpu-prof"] ?? false,
    skipRoutePlugin: values["skip-route-plugin"] ?? false,
    markdown: values.markdown ?? false,
  };
}

const progress = (text: string) => process.stderr.write(`${text}\n`);

/**
 * Other processes competing for the CPUs make every timing longer and noisier. The load average
 * counts the bench itself (about one CPU), so only load beyond all the CPUs means competition.
 */
const busy = (loadAverage: number[]) => loadAverage[0] > os.cpus().length;

function runsFor(size: BenchSize, options: Options): number {
  return options.runs ?? (vmCount(size) >= LARGE_VMS ? DEFAULT_RUNS.large : DEFAULT_RUNS.small);
}

interface RoutePluginSection {
  status: "measured" | "failed" | "skipped";
  reason?: string;
  result?: unknown;
  /** The plugin's own target for ADD latency over the reference tuning plugin, when it exports one. */
  targetRatio?: number;
}

/** The route plugin's verdict, when its result carries the ratio its target is about. */
function routePluginTarget(section: RoutePluginSection): TargetResult | undefined {
  const ratio = (section.result as { ratio?: unknown } | undefined)?.ratio;
  if (typeof ratio !== "number" || section.targetRatio === undefined) return undefined;
  return {
    target: `route plugin ADD <= ${section.targetRatio}x the reference tuning plugin`,
    verdict: ratio <= section.targetRatio ? "PASS" : "MISS",
    value: `${ratio.toFixed(2)}x`,
  };
}

/** bench/route-plugin.ts belongs to the route plugin; it needs root and /usr/lib/cni, so failures are recorded, not fatal. */
async function routePluginSection(skip: boolean): Promise<RoutePluginSection> {
  if (skip) return { status: "skipped", reason: "--skip-route-plugin" };
  const file = path.join(__dirname, "route-plugin.ts");
  if (!fs.existsSync(file)) return { status: "skipped", reason: `${path.relative(REPO_ROOT, file)} does not exist` };
  try {
    const module = require(file) as { benchRoutePlugin?: () => unknown; TARGET_RATIO?: number };
    if (typeof module.benchRoutePlugin !== "function") {
      return { status: "skipped", reason: `${path.relative(REPO_ROOT, file)} does not export benchRoutePlugin` };
    }
    return { status: "measured", result: await module.benchRoutePlugin(), targetRatio: module.TARGET_RATIO };
  } catch (error) {
    return { status: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
}

async function benchSize(size: BenchSize, options: Options, meter: ReturnType<typeof peakRssMeter>, schemasDir: string | undefined): Promise<PassResult[]> {
  const label = sizeLabel(size);
  const flat = flatConfig(syntheticConfig(size));
  const input = { stack: STACK, flat, schemasDir, meter };
  const runs = runsFor(size, options);
  progress(`${label} (${vmCount(size)} VMs): warm-up`);
  const warmUp = await runPass(input);
  progress(`${label}: ${warmUp.resources} resources, ${warmUp.manifests} manifests; ${runs} measured runs`);
  const passes: PassResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const started = Date.now();
    passes.push(await runPass(input));
    progress(`${label}: run ${run}/${runs} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return passes;
}

function printProfiles(profiles: readonly StageProfile[]): void {
  for (const { stage, file, summary } of profiles) {
    console.log(`\n--cpu-prof ${stage}: ${summary.totalMs.toFixed(0)} ms sampled, ${path.relative(process.cwd(), file)}`);
    const rows = (spots: typeof summary.selfTime) => spots.slice(0, 12).map((s) => [s.where, s.ms.toFixed(0), `${(s.share * 100).toFixed(1)}%`]);
    console.log(textTable(["self time: function file:line", "ms", "share"], rows(summary.selfTime)));
    console.log(textTable(["total time (incl. callees): function file:line", "ms", "share"], rows(summary.totalTime)));
    console.log(textTable(["self time by file / package", "ms", "share"], rows(summary.byFile)));
  }
}

async function main(argv: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  let options: Options | "help";
  try {
    options = parseOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }

  const meter = peakRssMeter();
  const loadBefore = os.loadavg();
  const schemasDir = fs.existsSync(options.schemasDir) ? options.schemasDir : undefined;
  const schemaNote = schemasDir
    ? `schemas from ${schemasDir}`
    : `schema stage SKIPPED: ${options.schemasDir} does not exist (pass --schemas DIR with CRDs to include it)`;
  console.log(`tenantnet bench: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${schemaNote}`);
  console.log(`RSS: ${meter.method}`);

  const sizes: SizeResult[] = [];
  const profiles: StageProfile[] = [];
  const bySize = [...options.sizes].sort((a, b) => vmCount(a) - vmCount(b));
  for (const size of bySize) sizes.push(sizeResult(size, await benchSize(size, options, meter, schemasDir)));
  if (options.cpuProf) {
    const largest = bySize[bySize.length - 1];
    progress(`${sizeLabel(largest)}: profiled pass (--cpu-prof)`);
    const hook = profilingHook(PROFILE_DIR, sizeLabel(largest), REPO_ROOT, profiles);
    await runPass({ stack: STACK, flat: flatConfig(syntheticConfig(largest)), schemasDir, meter, hook });
  }

  const exponents = stageExponents(sizes);
  const marginalKb = marginalRssPerVmKb(sizes);
  const routePlugin = await routePluginSection(options.skipRoutePlugin);
  const routeTarget = routePluginTarget(routePlugin);
  const targets = [...evaluateTargets(sizes, exponents, marginalKb), ...(routeTarget ? [routeTarget] : [])];
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const tables: [string, string[], string[][]][] = [
    ["Stages (median of the measured runs; peak RSS = process high-water mark during the stage)", STAGE_TABLE_HEADER, stageRows(sizes)],
    ["Per size", SUMMARY_TABLE_HEADER, summaryRows(sizes)],
    ["Scaling exponents (slope of log time vs log VMs; 1.0 = linear)", ["stage", "exponent", "r2"], exponentRows(exponents)],
  ];
  for (const [title, header, rows] of tables) {
    if (rows.length === 0) continue;
    console.log(`\n${title}\n${textTable(header, rows)}`);
  }
  for (const size of sizes) {
    if (size.violations.mandatory > 0 || (size.schemaErrors ?? 0) > 0) {
      console.log(`\nnote: ${size.size} has ${size.violations.mandatory} mandatory violation(s), ${size.schemaErrors ?? 0} schema error(s); the synthetic stack should be clean:\n  ${size.problems.join("\n  ")}`);
    }
  }
  console.log(`\nTargets`);
  for (const t of targets) console.log(`  ${t.verdict.padEnd(8)} ${t.target}: ${t.value}`);
  console.log(`\nRoute plugin: ${routePlugin.status}${routePlugin.reason ? ` (${routePlugin.reason})` : ""}`);
  if (routePlugin.result !== undefined) console.log(JSON.stringify(routePlugin.result, null, 2));
  if (busy(loadBefore) || busy(os.loadavg())) {
    console.log(`\nwarning: the machine was busy (load average ${loadBefore[0].toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end, ${os.cpus().length} CPUs): timings are inflated and noisy`);
  }
  if (options.markdown) {
    for (const [title, header, rows] of tables) if (rows.length > 0) console.log(`\n${title}\n\n${markdownTable(header, rows)}`);
  }
  printProfiles(profiles);
  console.log(`\nfloor: ${FLOOR_DESCRIPTION}`);
  console.log(`bench wall time: ${wallSeconds.toFixed(1)} s`);

  const results = {
    generatedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      pulumi: (require("@pulumi/pulumi/package.json") as { version: string }).version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
      platform: `${os.platform()} ${os.release()}`,
      /** 1-minute load average before and after: above the CPU count, other work competed for the CPUs. */
      loadAverage: { start: loadBefore[0], end: os.loadavg()[0] },
    },
    method: {
      rss: `${meter.method}. RSS growth is counted from the RSS at the stage's start; V8 keeps freed heap pages for a while, so a stage that follows a hungrier one shows little growth: the register stage's peak is the plan's peak`,
      timing: "process.hrtime.bigint around each stage, after a full GC; one warm-up pass per size, then the measured runs",
      floor: FLOOR_DESCRIPTION,
      stages: STAGE_DESCRIPTIONS,
      schema: schemaNote,
      exponent: "least-squares slope of log(median ms) against log(VMs) over the sizes",
      peakRssPerVm: "peak RSS of the size divided by its VMs (includes the runtime's baseline); marginal = slope of peak RSS against VMs",
    },
    sizes,
    exponents,
    marginalRssPerVmKb: marginalKb,
    targets,
    routePlugin,
    profiles: profiles.map((p) => ({ stage: p.stage, file: path.relative(REPO_ROOT, p.file), summary: p.summary })),
    wallSeconds,
  };
  // Written next to the target and renamed, so an interrupted run never leaves half a report.
  const temporary = `${options.out}.tmp`;
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  fs.renameSync(temporary, options.out);
  console.log(`wrote ${path.relative(process.cwd(), options.out)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(70);
  },
);
