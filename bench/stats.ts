/**
 * Small statistics for the benchmark: order statistics of repeated runs and the power-law fit
 * that turns per-size medians into a scaling exponent. Pure, so the unit tests check the maths.
 */

export interface Spread {
  /** Number of samples. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (linear interpolation between order statistics). */
  q1: number;
  q3: number;
  iqr: number;
}

function sortedCopy(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new Error("no samples: at least one run is needed");
  if (samples.some((x) => !Number.isFinite(x))) throw new Error(`samples must be finite numbers, got ${samples.join(", ")}`);
  return [...samples].sort((a, b) => a - b);
}

/**
 * The q-quantile (0..1) by linear interpolation between closest ranks (R's type 7, numpy's
 * default), so the median of an even count is the mean of the middle two.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q} is outside 0..1`);
  const sorted = sortedCopy(samples);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export function spread(samples: readonly number[]): Spread {
  const sorted = sortedCopy(samples);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  return { n: sorted.length, median: quantile(sorted, 0.5), min: sorted[0], max: sorted[sorted.length - 1], q1, q3, iqr: q3 - q1 };
}

export interface Point {
  x: number;
  y: number;
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination; 1 when every point lies on the line. */
  r2: number;
}

/** Ordinary least squares y = intercept + slope * x; needs two or more distinct x values. */
export function linearFit(points: readonly Point[]): LinearFit {
  const xs = new Set(points.map((p) => p.x));
  if (xs.size < 2) throw new Error(`a line needs points at two or more distinct x values, got ${points.length} point(s) at ${[...xs].join(", ") || "none"}`);
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const { x, y } of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
    syy += (y - meanY) ** 2;
  }
  const slope = sxy / sxx;
  const residual = points.reduce((s, p) => s + (p.y - (meanY + slope * (p.x - meanX))) ** 2, 0);
  return { slope, intercept: meanY - slope * meanX, r2: syy === 0 ? 1 : 1 - residual / syy };
}

export interface PowerLawFit {
  /** b in y = a * x^b: 1.0 is linear, 2.0 quadratic, 0 constant. */
  exponent: number;
  /** a in y = a * x^b. */
  coefficient: number;
  /** r2 of the fit in log-log space. */
  r2: number;
}

/** Fits y = a * x^b by least squares on (log x, log y): the scaling exponent of a stage. */
export function fitPowerLaw(points: readonly Point[]): PowerLawFit {
  const bad = points.find((p) => !(p.x > 0 && p.y > 0));
  if (bad) throw new Error(`a power law needs positive x and y, got (${bad.x}, ${bad.y})`);
  const fit = linearFit(points.map((p) => ({ x: Math.log(p.x), y: Math.log(p.y) })));
  return { exponent: fit.slope, coefficient: Math.exp(fit.intercept), r2: fit.r2 };
}
