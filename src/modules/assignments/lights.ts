import { endOfShanghaiDay } from '../../http/calendar.js';
import type { ObligationFacts } from './obligation-repository.js';

export const OBLIGATION_STATES = ['pending', 'reported', 'completed', 'overdue', 'waived'] as const;
export type ObligationState = (typeof OBLIGATION_STATES)[number];
/** How a clerk says an obligation stands (as the predicate of a sentence about it). */
export const OBLIGATION_STATE_WORDS: Record<ObligationState, string> = { pending: '未到期', reported: '已报待审', completed: '已完成', overdue: '已逾期', waived: '已免除' };
export const LIGHTS = ['green', 'yellow', 'red'] as const;
export type Light = (typeof LIGHTS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** What judging an obligation at an instant needs besides its facts. */
export interface LightRules {
  asOf: Date;
  /** Asia/Shanghai date at `asOf`. */
  today: string;
  /** An obligation due within this many days without a completed report is yellow. */
  warningDays: number;
}

/**
 * An obligation's state at an instant: completed (an approved report of its unit within its period says so), waived
 * (the assignment was withdrawn), overdue (its due date has passed), reported (a report was sent), else pending.
 * Completion wins over everything: work done late is done.
 */
export function obligationState(o: ObligationFacts, rules: LightRules): ObligationState {
  if (o.completedAt !== null) return 'completed';
  if (o.withdrawnAt !== null) return 'waived';
  if (o.dueDate < rules.today) return 'overdue';
  return o.reported ? 'reported' : 'pending';
}

/** Whole days from `asOf` to the end of the due date (0 on the day itself). */
export function daysUntilDue(dueDate: string, asOf: Date): number {
  return Math.floor((endOfShanghaiDay(dueDate) - 1 - asOf.getTime()) / DAY_MS);
}

/** Indicator judgements that colour an obligation (the owing unit's own figure, or the city's for the lead). */
export interface IndicatorSignal {
  notMet: boolean;
  atRisk: boolean;
}

/**
 * Red: overdue, a report returned and not resubmitted, or an indicator it answers for not met. Yellow: due within the
 * warning days without a completed report, or an indicator at risk. Green otherwise (completed and waived included).
 */
export function obligationLight(o: ObligationFacts, state: ObligationState, rules: LightRules, indicators?: IndicatorSignal): Light {
  if (state === 'waived') return 'green';
  if (indicators?.notMet) return 'red';
  if (state === 'completed') return indicators?.atRisk ? 'yellow' : 'green';
  if (state === 'overdue' || o.returnedAt !== null) return 'red';
  if (indicators?.atRisk || daysUntilDue(o.dueDate, rules.asOf) <= rules.warningDays) return 'yellow';
  return 'green';
}

/** Worst wins: any red makes red, else any yellow makes yellow; nothing to judge is green. */
export function worstLight(lights: Iterable<Light>): Light {
  let worst: Light = 'green';
  for (const light of lights) {
    if (light === 'red') return 'red';
    if (light === 'yellow') worst = 'yellow';
  }
  return worst;
}

export interface LightCounts {
  green: number;
  yellow: number;
  red: number;
}

export function countLights(lights: Iterable<Light>): LightCounts {
  const counts = { green: 0, yellow: 0, red: 0 };
  for (const light of lights) counts[light]++;
  return counts;
}
