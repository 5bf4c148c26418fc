/**
 * `npm run bench`: times each stage of the offline plan on synthetic stacks of growing size
 * against the floor (the same resource tree registered with the same inputs and no program
 * code), fits how each stage scales, prints the three targets with PASS/MISS and writes
 * bench/results.json. See `--help`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseFlags, usageError } from "../lib/cli";
import { VENDORED_SCHEMAS_DIR } from "../lib/schema/vendored";
import {
  STAGE_TABLE_HEADER,
  SUMMARY_TABLE_HEADER,
  evaluateTargets,
  exponentRows,
  sizeResult,
  stageExponents,
  stageRows,
  summaryRows,
  textTable,
  type SizeResult,
} from "./report";
import { peakRss, runPass } from "./stages";
import { flatConfig, parseSizes, sizeLabel, syntheticConfig, vmCount, type BenchSize } from "./synthetic-config";
import pulumiPackage from "@pulumi/pulumi/package.json";

/** The CRDs the schema stage validates against: the one place to change when they move. */
const DEFAULT_SCHEMAS = VENDORED_SCHEMAS_DIR;
const DEFAULT_SIZES = "10x10,25x20,100x20";
/** Sizes from this many VMs get fewer runs, so the default bench stays within a few minutes. */
const LARGE_VMS = 1000;
const DEFAULT_RUNS = { small: 5, large: 3 };
const DEFAULT_OUT = path.join(__dirname, "results.json");
const STACK = "bench";

const USAGE = `usage: npm run bench -- [options]

Times each stage of the offline plan (config validation, the program under mocks, policy
evaluation, schema validation, manifest writing) on synthetic stacks of TENANTS x VMS, and the
floor: the same resource tree with the same inputs registered under the same mocks with no
program code, so register / floor is our own code's cost. Prints the tables and the targets,
writes a JSON report. npm run bench then times the route plugin (test/netns/route-plugin-latency.ts).

options:
  --sizes LIST   comma-separated TENANTSxVMS (default ${DEFAULT_SIZES}: 100, 500, 2,000 VMs)
  --runs K       measured runs per size, after one warm-up run
                 (default ${DEFAULT_RUNS.small}, or ${DEFAULT_RUNS.large} from ${LARGE_VMS} VMs)
  --out FILE     JSON report (default bench/results.json, not committed)
  --schemas DIR  CRDs for the schema stage (default ${path.relative(process.cwd(), DEFAULT_SCHEMAS)}); skipped when missing
  -h, --help     this text

For a CPU profile: node --expose-gc --cpu-prof --cpu-prof-dir bench/profiles --import tsx bench/index.ts --sizes 100x20 --runs 1
(open the .cpuprofile in Chrome DevTools > Performance, or VS Code).`;

interface Options {
  sizes: BenchSize[];
  runs?: number;
  out: string;
  schemasDir: string;
}

function parseOptions(): Options | number {
  const values = parseFlags(
    { sizes: { type: "string" }, runs: { type: "string" }, out: { type: "string" }, schemas: { type: "string" } },
    USAGE,
  );
  if (typeof values === "number") return values;
  let sizes: BenchSize[];
  try {
    sizes = parseSizes(values.sizes ?? DEFAULT_SIZES);
  } catch (error) {
    return usageError(`--sizes: ${(error as Error).message}`, USAGE);
  }
  if (sizes.length === 0) return usageError("--sizes names no size", USAGE);
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1))
    return usageError(`--runs ${values.runs}: expected a whole number of at least 1`, USAGE);
  return { sizes, runs, out: path.resolve(values.out ?? DEFAULT_OUT), schemasDir: path.resolve(values.schemas ?? DEFAULT_SCHEMAS) };
}

const progress = (text: string) => process.stderr.write(`${text}\n`);

async function benchSize(size: BenchSize, options: Options, schemasDir: string | undefined): Promise<SizeResult> {
  const label = sizeLabel(size);
  const input = { stack: STACK, flat: flatConfig(syntheticConfig(size)), schemasDir };
  const runs = options.runs ?? (vmCount(size) >= LARGE_VMS ? DEFAULT_RUNS.large : DEFAULT_RUNS.small);
  peakRss.reset();
  progress(`${label} (${vmCount(size)} VMs): warm-up`);
  const warmUp = await runPass(input);
  progress(`${label}: ${warmUp.resources} resources, ${warmUp.manifests} manifests; ${runs} measured runs`);
  const passes = [];
  for (let run = 1; run <= runs; run++) {
    const started = Date.now();
    passes.push(await runPass(input));
    progress(`${label}: run ${run}/${runs} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return sizeResult(size, passes, peakRss.bytes());
}

async function main(): Promise<number> {
  const started = process.hrtime.bigint();
  const options = parseOptions();
  if (typeof options === "number") return options;
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
    return usageError("node runs without --expose-gc: the bench collects garbage before each stage (npm run bench passes the flag)", USAGE);
  }

  const schemasDir = fs.existsSync(options.schemasDir) ? options.schemasDir : undefined;
  const schemaNote = schemasDir
    ? `schemas from ${schemasDir}`
    : `schema stage SKIPPED: ${options.schemasDir} does not exist (--schemas DIR)`;
  const cpu = `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`;
  console.log(`tenantnet bench: node ${process.version}, ${cpu}, ${schemaNote}; peak RSS: ${peakRss.method}`);

  const sizes: SizeResult[] = [];
  for (const size of [...options.sizes].sort((a, b) => vmCount(a) - vmCount(b))) sizes.push(await benchSize(size, options, schemasDir));
  const exponents = stageExponents(sizes);
  const targets = evaluateTargets(sizes, exponents);

  const tables: [string, string[], string[][], number][] = [
    ["Stages (median and range of the measured runs)", STAGE_TABLE_HEADER, stageRows(sizes), 2],
    ["Per size", SUMMARY_TABLE_HEADER, summaryRows(sizes), 1],
    ["Scaling exponents (slope of log time vs log VMs; 1.0 = linear)", ["stage", "exponent", "r2"], exponentRows(exponents), 1],
  ];
  for (const [title, header, rows, labels] of tables) if (rows.length > 0) console.log(`\n${title}\n${textTable(header, rows, labels)}`);
  for (const size of sizes) {
    if (size.violations.mandatory > 0 || (size.schemaErrors ?? 0) > 0) {
      console.log(
        `\nnote: ${size.size} has ${size.violations.mandatory} mandatory violation(s), ${size.schemaErrors ?? 0} schema error(s); the synthetic stack should be clean:\n  ${size.problems.join("\n  ")}`,
      );
    }
  }
  console.log(`\nTargets`);
  for (const t of targets) console.log(`  ${t.verdict.padEnd(4)} ${t.target}: ${t.value}`);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`\nbench wall time: ${wallSeconds.toFixed(1)} s`);

  const results = {
    generatedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      pulumi: pulumiPackage.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemoryMb: Math.round(os.totalmem() / 1024 / 1024),
      platform: `${os.platform()} ${os.release()}`,
      /** 1-minute load average at the end: above the CPU count, other work competed for the CPUs. */
      loadAverage: os.loadavg()[0],
    },
    method: {
      timing: "process.hrtime.bigint around each stage, after a full GC; one warm-up pass per size, then the measured runs",
      floor: "the resource tree the program registered, replayed with the same inputs and no program code (bench/floor.ts)",
      peakRss: peakRss.method,
      schema: schemaNote,
      exponent: "least-squares slope of log(median ms) against log(VMs) over the sizes",
    },
    sizes,
    exponents,
    targets,
    wallSeconds,
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), options.out)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(70);
  },
);
