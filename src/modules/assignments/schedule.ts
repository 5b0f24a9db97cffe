import type { SCHEDULE_KINDS } from '../../db/schema.js';

export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** One part of a measure's schedule (see measure_schedules in src/db/schema.ts). */
export interface SchedulePart {
  kind: ScheduleKind;
  dueDate: string | null;
  fromYear: number | null;
  untilYear: number | null;
}

/** One due period of a schedule: the period reports answering it fall in, and its due date. */
export interface DuePeriod {
  kind: ScheduleKind;
  /** As reports name periods: 2024, 2024-H1, 2024-Q3. */
  period: string;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthEnd = (year: number, month: number) => `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;

/** Periods of `months` months each through a year, labelled by `label(index)`. */
function splitYear(kind: ScheduleKind, year: number, months: number, label: (index: number) => string): DuePeriod[] {
  return Array.from({ length: 12 / months }, (_, i) => {
    const end = monthEnd(year, (i + 1) * months);
    return { kind, period: `${year}${label(i + 1)}`, periodStart: `${year}-${pad(i * months + 1)}-01`, periodEnd: end, dueDate: end };
  });
}

const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The due periods of a schedule within the plan's years. One-offs follow each other: the first is answered by any
 * report of the owing unit from the plan's first day to the end of its due year (work done early counts), each later
 * one by the reports after the one before fell due (a stepped target — 2023, 2024, 2025 — is owed step by step).
 * Recurring work is answered by the reports of each year, half or quarter. Two parts owing the same period by the
 * same date are one obligation.
 */
export function duePeriods(parts: SchedulePart[], plan: { startYear: number; endYear: number }): DuePeriod[] {
  const periods = new Map<string, DuePeriod>();
  const add = (p: DuePeriod) => periods.has(`${p.period}/${p.dueDate}`) || periods.set(`${p.period}/${p.dueDate}`, p);
  const onceDates = parts.flatMap((part) => (part.kind === 'once' ? [part.dueDate!] : [])).sort();
  onceDates.forEach((dueDate, i) => {
    const year = Number(dueDate.slice(0, 4));
    const periodStart = i === 0 ? `${Math.min(plan.startYear, year)}-01-01` : dayAfter(onceDates[i - 1]!);
    add({ kind: 'once', period: String(year), periodStart, periodEnd: `${year}-12-31`, dueDate });
  });
  for (const part of parts) {
    if (part.kind === 'once') continue;
    const from = Math.max(part.fromYear ?? plan.startYear, plan.startYear);
    const until = Math.min(part.untilYear ?? plan.endYear, plan.endYear);
    for (let year = from; year <= until; year++) {
      if (part.kind === 'quarterly') splitYear(part.kind, year, 3, (q) => `-Q${q}`).forEach(add);
      else if (part.kind === 'half_yearly') splitYear(part.kind, year, 6, (h) => `-H${h}`).forEach(add);
      else add({ kind: part.kind, period: String(year), periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, dueDate: `${year}-12-31` });
    }
  }
  return [...periods.values()].sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : a.period < b.period ? -1 : 1));
}

/**
 * What an assignment owes: every due period of its measure's schedule, except recurring periods that had ended
 * before the assignment was given (a year's work cannot be asked for after the year). One-offs stay owed whenever
 * they fell due: the document itself may set a deadline that had passed when it was published.
 */
export function owedPeriods(periods: DuePeriod[], assignedOn: string): DuePeriod[] {
  return periods.filter((p) => p.kind === 'once' || p.periodEnd >= assignedOn);
}
