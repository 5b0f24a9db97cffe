/** Latency percentiles from the raw response times the bench records itself. */

export interface LatencySummary {
  requests: number;
  /** null when nothing was answered: an empty sample has no percentiles, and 0 would read as "fast". */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** Nearest-rank percentile of ascending values: the smallest value with at least `fraction` of them at or below it. */
export function percentile(ascending: ArrayLike<number>, fraction: number): number {
  if (ascending.length === 0) throw new Error('no values');
  const rank = Math.min(ascending.length, Math.max(1, Math.ceil(fraction * ascending.length)));
  return ascending[rank - 1]!;
}

export function summariseLatencies(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) return { requests: 0, p50Ms: null, p99Ms: null, maxMs: null };
  // A typed array sorts numerically (a plain array's default sort compares strings).
  const ascending = Float64Array.from(latenciesMs).sort();
  return {
    requests: ascending.length,
    p50Ms: percentile(ascending, 0.5),
    p99Ms: percentile(ascending, 0.99),
    maxMs: ascending[ascending.length - 1]!,
  };
}
