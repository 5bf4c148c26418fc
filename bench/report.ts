/**
 * Turns timed passes into the benchmark's figures (per-size spreads, overhead over the floor,
 * scaling exponents, targets) and the tables that print them. Pure: index.ts does the I/O.
 */
import { fitPowerLaw, linearFit, spread, type Spread } from "./stats";
import { MEASURED, type MeasuredName, type PassResult } from "./types";
import { sizeLabel, vmCount, type BenchSize } from "./synthetic-config";

const MB = 1024 * 1024;

export interface StageStats {
  ms: Spread;
  /** Median milliseconds per VM of the size. */
  msPerVm: number;
  peakRssMb: Spread;
  rssGrowthMb: Spread;
  /** Every measured run, in order, for anyone who wants to redo the statistics. */
  samplesMs: number[];
}

export interface SizeResult {
  size: string;
  tenants: number;
  vmsPerTenant: number;
  vms: number;
  resources: number;
  components: number;
  manifests: number;
  runs: number;
  violations: { mandatory: number; advisory: number };
  schemaErrors?: number;
  problems: string[];
  stages: Partial<Record<MeasuredName, StageStats>>;
  /** Median registration time over median floor time. */
  overhead: number;
  /** Median registration time over the median of the floor that carries the real inputs. */
  overheadOverInputs?: number;
  /** Highest process RSS seen in any measured stage of this size. */
  peakRssMb: number;
  /** That peak divided by the VM count (includes the runtime's fixed baseline). */
  peakRssPerVmKb: number;
}

export function sizeResult(size: BenchSize, passes: readonly PassResult[]): SizeResult {
  if (passes.length === 0) throw new Error(`size ${sizeLabel(size)}: no measured runs`);
  const vms = vmCount(size);
  const stages: SizeResult["stages"] = {};
  const names = Object.keys(passes[0].samples) as MeasuredName[];
  for (const stage of names) {
    const samples = passes.map((p) => p.samples[stage]!);
    const ms = spread(samples.map((s) => s.ms));
    stages[stage] = {
      ms,
      msPerVm: ms.median / vms,
      peakRssMb: spread(samples.map((s) => s.peakRssBytes / MB)),
      rssGrowthMb: spread(samples.map((s) => s.rssGrowthBytes / MB)),
      samplesMs: samples.map((s) => s.ms),
    };
  }
  const peakRssMb = Math.max(...passes.flatMap((p) => Object.values(p.samples).map((s) => s!.peakRssBytes / MB)));
  const first = passes[0];
  return {
    size: sizeLabel(size),
    tenants: size.tenants,
    vmsPerTenant: size.vmsPerTenant,
    vms,
    resources: first.resources,
    components: first.components,
    manifests: first.manifests,
    runs: passes.length,
    violations: first.violations,
    schemaErrors: first.schemaErrors,
    problems: first.problems,
    stages,
    overhead: stages.register!.ms.median / stages.floor!.ms.median,
    overheadOverInputs: stages.floorInputs ? stages.register!.ms.median / stages.floorInputs.ms.median : undefined,
    peakRssMb,
    peakRssPerVmKb: (peakRssMb * 1024) / vms,
  };
}

export interface StageExponent {
  stage: MeasuredName;
  exponent: number;
  r2: number;
}

/** Slope of log(median ms) against log(VMs) per stage; empty with fewer than two sizes. */
export function stageExponents(sizes: readonly SizeResult[]): StageExponent[] {
  if (new Set(sizes.map((s) => s.vms)).size < 2) return [];
  return MEASURED
    .filter((stage) => sizes.every((s) => s.stages[stage]))
    .map((stage) => {
      const fit = fitPowerLaw(sizes.map((s) => ({ x: s.vms, y: s.stages[stage]!.ms.median })));
      return { stage, exponent: fit.exponent, r2: fit.r2 };
    });
}

/** Extra peak RSS per extra VM (slope of peak RSS against VMs): the fixed runtime baseline left out. */
export function marginalRssPerVmKb(sizes: readonly SizeResult[]): number | undefined {
  if (new Set(sizes.map((s) => s.vms)).size < 2) return undefined;
  return linearFit(sizes.map((s) => ({ x: s.vms, y: s.peakRssMb * 1024 }))).slope;
}

export interface TargetResult {
  target: string;
  /** PASS / MISS, or REPORTED for figures without a threshold, N/A when not measurable. */
  verdict: "PASS" | "MISS" | "REPORTED" | "N/A";
  value: string;
}

export const OVERHEAD_LIMIT = 1.3;
export const EXPONENT_LIMIT = 1.15;
export const CHECKS_SHARE_LIMIT = 0.25;

export function evaluateTargets(sizes: readonly SizeResult[], exponents: readonly StageExponent[], marginalKb: number | undefined): TargetResult[] {
  const results: TargetResult[] = [];
  const worst = sizes.reduce((a, b) => (b.overhead > a.overhead ? b : a));
  results.push({
    target: `registration <= ${OVERHEAD_LIMIT}x the floor (every size)`,
    verdict: sizes.every((s) => s.overhead <= OVERHEAD_LIMIT) ? "PASS" : "MISS",
    value: sizes.map((s) => `${s.size}: ${s.overhead.toFixed(2)}x`).join(", ") + ` (worst ${worst.size})`,
  });

  const planExponents = exponents.filter((e) => e.stage !== "floor" && e.stage !== "floorInputs");
  results.push(
    planExponents.length === 0
      ? { target: `every stage's exponent <= ${EXPONENT_LIMIT}`, verdict: "N/A", value: "needs two or more sizes" }
      : {
          target: `every stage's exponent <= ${EXPONENT_LIMIT}`,
          verdict: planExponents.every((e) => e.exponent <= EXPONENT_LIMIT) ? "PASS" : "MISS",
          value: planExponents.map((e) => `${e.stage} ${e.exponent.toFixed(2)}`).join(", "),
        },
  );

  const largest = sizes.reduce((a, b) => (b.vms > a.vms ? b : a));
  const checksTarget = `policy + schema < ${CHECKS_SHARE_LIMIT * 100}% of registration at the largest size`;
  if (!largest.stages.schema) {
    results.push({ target: checksTarget, verdict: "N/A", value: "schema stage skipped" });
  } else {
    const share = (largest.stages.policy!.ms.median + largest.stages.schema.ms.median) / largest.stages.register!.ms.median;
    results.push({
      target: checksTarget,
      verdict: share < CHECKS_SHARE_LIMIT ? "PASS" : "MISS",
      value: `${(share * 100).toFixed(1)}% at ${largest.vms} VMs`,
    });
  }

  results.push({
    target: "peak RSS per VM",
    verdict: "REPORTED",
    value:
      sizes.map((s) => `${s.size}: ${s.peakRssMb.toFixed(0)} MB peak = ${s.peakRssPerVmKb.toFixed(0)} KB/VM`).join(", ") +
      (marginalKb === undefined ? "" : `; marginal ${marginalKb.toFixed(1)} KB per extra VM`),
  });
  return results;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** A plain-text table; the two label columns are left-aligned, the figures right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], i > 1)).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The same table as GitHub markdown, for the README. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map((_, i) => (i > 1 ? "---:" : "---"))), ...rows.map(line)].join("\n");
}

const fixed = (value: number, digits: number) => value.toFixed(digits);

export const STAGE_LABELS: Record<MeasuredName, string> = {
  validate: "validate",
  register: "register",
  policy: "policy",
  schema: "schema",
  write: "write",
  floorInputs: "floor+inputs",
  floor: "floor",
};

export const STAGE_TABLE_HEADER = ["size", "stage", "VMs", "median ms", "min-max ms", "IQR ms", "ms/VM", "peak RSS MB", "RSS growth MB"];

export function stageRows(sizes: readonly SizeResult[]): string[][] {
  const rows: string[][] = [];
  for (const size of sizes) {
    for (const stage of MEASURED) {
      const stats = size.stages[stage];
      if (!stats) continue;
      rows.push([
        size.size,
        STAGE_LABELS[stage],
        String(size.vms),
        fixed(stats.ms.median, 1),
        `${fixed(stats.ms.min, 1)}-${fixed(stats.ms.max, 1)}`,
        fixed(stats.ms.iqr, 1),
        fixed(stats.msPerVm, 3),
        fixed(stats.peakRssMb.median, 0),
        fixed(stats.rssGrowthMb.median, 1),
      ]);
    }
  }
  return rows;
}

export const SUMMARY_TABLE_HEADER = ["size", "VMs", "resources", "runs", "register / floor", "register / floor+inputs", "policy+schema / register", "peak RSS MB", "KB/VM"];

export function summaryRows(sizes: readonly SizeResult[]): string[][] {
  return sizes.map((s) => {
    const checks = s.stages.schema ? (s.stages.policy!.ms.median + s.stages.schema.ms.median) / s.stages.register!.ms.median : undefined;
    return [
      s.size,
      String(s.vms),
      String(s.resources),
      String(s.runs),
      `${fixed(s.overhead, 2)}x`,
      s.overheadOverInputs === undefined ? "n/a" : `${fixed(s.overheadOverInputs, 2)}x`,
      checks === undefined ? "n/a" : `${fixed(checks * 100, 1)}%`,
      fixed(s.peakRssMb, 0),
      fixed(s.peakRssPerVmKb, 0),
    ];
  });
}

export function exponentRows(exponents: readonly StageExponent[]): string[][] {
  return exponents.map((e) => [STAGE_LABELS[e.stage], fixed(e.exponent, 2), fixed(e.r2, 3)]);
}
