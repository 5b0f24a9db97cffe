import { startOfShanghaiYear } from '../../http/calendar.js';
import type { COMPARATORS, DIRECTIONS } from '../../db/schema.js';

export type Comparator = (typeof COMPARATORS)[number];
export type Direction = (typeof DIRECTIONS)[number];

/**
 * met: the value satisfies the target; not_met: the year is over and it does not; at_risk: the year is not over
 * and the value is behind the straight line from the previous year's value to the target; on_track: not met
 * yet but ahead of that line; no_data: no approved value for the year.
 */
export const ATTAINMENTS = ['met', 'not_met', 'at_risk', 'on_track', 'no_data'] as const;
export type Attainment = (typeof ATTAINMENTS)[number];

/** A quantity in a unit of measure (%, ‰, ‱, 个, 万户, 亿元 …); quantities in different units are never compared. */
export interface Quantity {
  value: number;
  unit: string;
}

export interface TargetCase {
  year: number;
  comparator: Comparator;
  target: Quantity;
  direction: Direction;
  /** The latest approved value reported for the year, as of `asOf`. */
  actual: Quantity | null;
  /** Where the year started: the previous year's value, else its target; null when neither is known. */
  baseline: Quantity | null;
  asOf: Date;
}

export interface Judgement {
  attainment: Attainment;
  /** Where the straight line stands at `asOf` (only while the year runs and a baseline is known). */
  expected: number | null;
}

export function satisfies(actual: number, comparator: Comparator, target: number): boolean {
  switch (comparator) {
    case '>=':
      return actual >= target;
    case '>':
      return actual > target;
    case '<=':
      return actual <= target;
    case '<':
      return actual < target;
    case '=':
      return actual === target;
  }
}

/** How much of calendar year `year` (Asia/Shanghai) has passed at `asOf`, from 0 to 1. */
export function yearElapsed(year: number, asOf: Date): number {
  const start = startOfShanghaiYear(year);
  const end = startOfShanghaiYear(year + 1);
  return Math.min(1, Math.max(0, (asOf.getTime() - start) / (end - start)));
}

function sameUnit(a: Quantity, b: Quantity): void {
  if (a.unit !== b.unit) throw new Error(`cannot compare ${a.value}${a.unit} with ${b.value}${b.unit}: different units`);
}

/** Judges one yearly target from the data (see ATTAINMENTS). */
export function judgeTarget(c: TargetCase): Judgement {
  if (c.actual === null) return { attainment: 'no_data', expected: null };
  sameUnit(c.actual, c.target);
  if (satisfies(c.actual.value, c.comparator, c.target.value)) return { attainment: 'met', expected: null };
  const elapsed = yearElapsed(c.year, c.asOf);
  if (elapsed >= 1) return { attainment: 'not_met', expected: null };
  // Without a starting point there is no line to be ahead of: an unmet target in its year is a risk.
  if (c.baseline === null) return { attainment: 'at_risk', expected: null };
  sameUnit(c.baseline, c.target);
  const expected = c.baseline.value + (c.target.value - c.baseline.value) * elapsed;
  const behind = c.direction === 'increase' ? c.actual.value < expected : c.actual.value > expected;
  return { attainment: behind ? 'at_risk' : 'on_track', expected };
}
