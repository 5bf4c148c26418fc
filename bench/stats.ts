/**
 * The benchmark's statistics: the median of repeated runs and the power-law fit that turns
 * per-size medians into a scaling exponent. Pure, so the unit tests check the maths.
 */

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error("no samples: at least one run is needed");
  if (samples.some((x) => !Number.isFinite(x))) throw new Error(`samples must be finite numbers, got ${samples.join(", ")}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface Point {
  x: number;
  y: number;
}

export interface PowerLawFit {
  /** b in y = a * x^b: 1.0 is linear, 2.0 quadratic, 0 constant. */
  exponent: number;
  /** a in y = a * x^b. */
  coefficient: number;
  /** r2 of the fit in log-log space; 1 when every point lies on the curve. */
  r2: number;
}

/** Fits y = a * x^b by least squares on (log x, log y): the scaling exponent of a stage. */
export function fitPowerLaw(points: readonly Point[]): PowerLawFit {
  const bad = points.find((p) => !(p.x > 0 && p.y > 0));
  if (bad) throw new Error(`a power law needs positive x and y, got (${bad.x}, ${bad.y})`);
  const xs = new Set(points.map((p) => p.x));
  if (xs.size < 2)
    throw new Error(
      `a fit needs points at two or more distinct x values, got ${points.length} point(s) at ${[...xs].join(", ") || "none"}`,
    );
  const logs = points.map((p) => ({ x: Math.log(p.x), y: Math.log(p.y) }));
  const n = logs.length;
  const meanX = logs.reduce((s, p) => s + p.x, 0) / n;
  const meanY = logs.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const { x, y } of logs) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
    syy += (y - meanY) ** 2;
  }
  const slope = sxy / sxx;
  const residual = logs.reduce((s, p) => s + (p.y - (meanY + slope * (p.x - meanX))) ** 2, 0);
  return { exponent: slope, coefficient: Math.exp(meanY - slope * meanX), r2: syy === 0 ? 1 : 1 - residual / syy };
}
