// Small statistics over latency samples (milliseconds).

export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (xs) => percentile(xs, 50);

export function round(x, digits = 3) {
  if (x == null || Number.isNaN(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** a / b, or null when either is missing. */
export function ratio(a, b) {
  return a == null || b == null || Number.isNaN(a) || Number.isNaN(b) || b === 0 ? null : a / b;
}
