import { CELL_NOTE } from './milestones.js';
import type { Deadline, Milestone, SchedulePart } from './types.js';

/** The plan's years: recurring work with no year named starts at `startYear`; open-ended work runs to `endYear`. */
export interface PlanYears {
  startYear: number;
  endYear: number;
}

// Words that make undated work recurring rather than a one-off deliverable.
const QUARTERLY = /每季度|按季度/;
const HALF_YEARLY = /每半年|半年/;
const YEARLY = /每年/;
const CONTINUOUS = /持续|常态化|长期坚持|不断/;
// A figure stated in a clause: a yearly target is a run of such clauses in consecutive years.
const FIGURE = /\d+(?:\.\d+)?\s*(?:%|‰|‱|万|亿|个|户)|为0/;
// "2023年年底前合规率超过95%,并持续推动…": ongoing work after the dated clause, from the next year on.
const THEN_ONGOING = /[,,;;。]\s*(?=(?:并且?|并|同时)?(?:持续|长期坚持|常态化))/;
// A sentence of the measure cell itself that sets a rhythm ("每季度公开检察机关主要办案数据", task 46).
const MEASURE_RHYTHM = /[^。;;,,]*(每季度|每半年)[^。;;,,]*/g;
// "Y年M月底前" is due at the end of that month; otherwise a year's work is due at its end.
const MONTH = /^\D*\d{4}年(\d{1,2})月底/;

const pad = (n: number): string => String(n).padStart(2, '0');
const monthEnd = (year: number, month: number): string => `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;

const once = (year: number, text: string): SchedulePart => {
  const month = MONTH.exec(text)?.[1];
  const dueDate = month === undefined ? `${year}-12-31` : monthEnd(year, Number(month));
  return { kind: 'once', dueDate, fromYear: null, untilYear: null, text };
};
const recurring = (kind: SchedulePart['kind'], fromYear: number, untilYear: number, text: string): SchedulePart => ({
  kind,
  dueDate: null,
  fromYear,
  untilYear,
  text,
});

/** Undated work: its words say how often it is owed; plain words are one deliverable at the deadline. */
function undated(text: string, dueYear: number | null, from: number, until: number): SchedulePart {
  if (QUARTERLY.test(text)) return recurring('quarterly', from, until, text);
  if (HALF_YEARLY.test(text)) return recurring('half_yearly', from, until, text);
  if (YEARLY.test(text)) return recurring('yearly', from, until, text);
  if (CONTINUOUS.test(text) || dueYear === null) return recurring('continuous', from, until, text);
  return once(dueYear, text);
}

interface Clause {
  kind: Milestone['kind'];
  years: number[];
  text: string;
  start: number;
}

/** Milestones of one cell as clauses: a range ("2023年至2025年") gives one milestone per year, one clause. */
function clauses(targetsText: string, milestones: Milestone[]): Clause[] {
  const out: Clause[] = [];
  let cursor = 0;
  for (const m of milestones) {
    const last = out.at(-1);
    if (last !== undefined && last.text === m.text && m.kind === 'due' && last.kind === 'due') {
      if (m.year !== null) last.years.push(m.year);
      continue;
    }
    const start = targetsText.indexOf(m.text, cursor);
    if (start < 0) throw new Error(`milestone "${m.text}" is not in its targets cell`);
    cursor = start + m.text.length;
    out.push({ kind: m.kind, years: m.year === null ? [] : [m.year], text: m.text, start });
  }
  return out;
}

/**
 * When a measure's work is owed, read from its targets cell (as cut into milestones) and its deadline cell:
 * - a dated clause is `once`, due at that year's (or month's) end; a clause naming no year is due at the deadline,
 *   unless its words make it recurring (每季度, 半年, 每年, 持续/常态化/长期坚持/不断);
 * - "Y年起/期/启动…" is `continuous` from Y; "Y年至Z年" is `yearly` Y..Z; "每年…" is `yearly` from the plan's first year,
 *   or from the year after a dated clause before it, or merged with a "Y年起" clause before it (from Y);
 * - a dated clause followed by ",并持续…" is two parts: `once` in Y and `continuous` from Y+1;
 * - a run of two or more dated clauses in consecutive years, each stating a figure (50%, 60%, …), is one `yearly` part;
 * - a sentence of the measure cell with 每季度 / 每半年 adds a quarterly / half-yearly part beside the targets' work;
 * - recurring work runs to the deadline's year (the plan's last year when the deadline is not dated); a 每年年底前
 *   deadline makes continuous work `yearly`.
 */
export function parseSchedule(targetsText: string, milestones: Milestone[], deadline: Deadline | null, years: PlanYears, measureText = ''): SchedulePart[] {
  const until = deadline?.kind === 'date' ? Number(deadline.date.slice(0, 4)) : years.endYear;
  const deadlineYear = deadline?.kind === 'date' ? until : null;
  const namesYear = /\d{4}年/.test(targetsText);
  const parts: { part: SchedulePart; start: number; figure: boolean }[] = [];

  for (const clause of clauses(targetsText, milestones)) {
    const [first] = clause.years;
    const previous = parts.at(-1)?.part;
    const add = (part: SchedulePart, start = clause.start, figure = false): void => {
      parts.push({ part, start, figure });
    };
    if (clause.kind === 'annual') {
      if (previous?.kind === 'continuous' && parts.length > 0) {
        // "2022年起…,每年…": one yearly part from the year the ongoing clause names.
        const merged = parts.pop()!;
        const text = targetsText.slice(merged.start, clause.start + clause.text.length);
        add(recurring('yearly', previous.fromYear ?? years.startYear, until, text), merged.start);
      } else {
        const from = previous?.kind === 'once' ? Number(previous.dueDate?.slice(0, 4)) + 1 : years.startYear;
        add(recurring('yearly', from, until, clause.text));
      }
    } else if (clause.kind === 'ongoing') {
      add(undated(clause.text, null, first ?? years.startYear, until));
    } else if (clause.years.length > 1 && first !== undefined) {
      add(recurring('yearly', first, clause.years.at(-1) ?? first, clause.text));
    } else if (!namesYear) {
      add(undated(clause.text, deadlineYear ?? first ?? until, years.startYear, until));
    } else if (first !== undefined) {
      const split = THEN_ONGOING.exec(clause.text);
      if (split === null) {
        add(once(first, clause.text), clause.start, FIGURE.test(clause.text));
      } else {
        const dated = clause.text.slice(0, split.index);
        const ongoing = clause.text.slice(split.index + split[0].length);
        add(once(first, dated), clause.start, FIGURE.test(dated));
        add(recurring('continuous', first + 1, until, ongoing), clause.start + split.index + split[0].length);
      }
    }
  }

  if (deadline?.kind === 'annual') {
    for (const p of parts) {
      if (p.part.kind === 'continuous') p.part = { ...p.part, kind: 'yearly', text: deadline.text };
    }
  }
  const schedule = mergeYearlyTargets(targetsText, parts);
  // A rhythm the measure cell sets runs beside the targets' work, from the year that work starts.
  const from = schedule.find((p) => p.fromYear !== null)?.fromYear ?? years.startYear;
  for (const [text, rhythm] of measureText.matchAll(MEASURE_RHYTHM)) {
    schedule.push(recurring(rhythm === '每季度' ? 'quarterly' : 'half_yearly', from, until, text));
  }
  return schedule;
}

/** Two or more dated clauses with a figure each, in consecutive years, are one yearly target. */
function mergeYearlyTargets(targetsText: string, parts: { part: SchedulePart; start: number; figure: boolean }[]): SchedulePart[] {
  const out: SchedulePart[] = [];
  const yearOf = (p: SchedulePart): number => Number(p.dueDate?.slice(0, 4));
  for (let k = 0; k < parts.length;) {
    let end = k;
    const isTarget = (i: number): boolean => parts[i]?.part.kind === 'once' && parts[i]?.figure === true;
    while (isTarget(end) && isTarget(end + 1) && yearOf(parts[end + 1]!.part) === yearOf(parts[end]!.part) + 1) end++;
    const first = parts[k]!;
    if (end > k) {
      const last = parts[end]!;
      const lastEnd = last.start + last.part.text.length;
      // A note closing the cell ("(不含涉密部门)") holds for every year of the target.
      const note = CELL_NOTE.test(targetsText.slice(lastEnd - 1)) ? targetsText.length : lastEnd;
      const text = targetsText.slice(first.start, note);
      out.push(recurring('yearly', yearOf(first.part), yearOf(last.part), text));
    } else {
      out.push(first.part);
    }
    k = end + 1;
  }
  for (const part of out) {
    if (part.fromYear !== null && part.untilYear !== null && part.fromYear > part.untilYear) {
      throw new Error(`schedule "${part.text}": from ${part.fromYear} is after until ${part.untilYear}`);
    }
  }
  return out;
}
