import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { said } from '../../domain/said.js';
import { parseDeadline, taskDeadline } from './deadline.js';
import { parseMilestones } from './milestones.js';
import { parse, type RawMeasure, type RawPlan, type RawTask } from './parse.js';
import { stopAtFirstProblem, type Problems } from './problems.js';
import { parseSchedule, type PlanYears } from './schedule.js';
import type { Corrections, Deadline, Measure, Milestone, Plan, SchedulePart, Task, Unit } from './types.js';
import { trailingParenthesis, unitResolver, type UnitResolver } from './units.js';

export const SOURCE_FILE = 'seeds/source/plan-breakdown.txt';
/** The five-year plan's years (十四五: 2021–2025). */
export const PLAN_YEARS: PlanYears = { startYear: 2021, endYear: 2025 };

export interface SeedInputs {
  source: string;
  units: Unit[];
  corrections: Corrections;
}

const json = (root: string, file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));

/** How the document's wording is read where the heuristics cannot tell (seeds/corrections.json). */
export const readCorrections = (root: string): Corrections => json(root, 'seeds/corrections.json') as Corrections;

export function loadSeedInputs(root: string): SeedInputs {
  return {
    source: readFileSync(join(root, SOURCE_FILE), 'utf8'),
    units: json(root, 'seeds/units.json') as Unit[],
    corrections: readCorrections(root),
  };
}

/** How a table's cells are read into a plan: against which units, with which readings of clauses, over which years. */
export interface TableReading {
  units: UnitResolver;
  /** Clauses whose wording does not show their year or kind: each applies to the targets cell that holds its words. */
  clauses: Corrections['clauses'];
  years: PlanYears;
  problems: Problems;
}

export interface ReadTasks {
  chapters: Plan['chapters'];
  tasks: Task[];
  /** The clause readings some targets cell held. */
  usedClauses: Set<Corrections['clauses'][number]>;
}

/** Milestones and schedule of a measure's targets and deadline cells; cells they cannot be read from are reported. */
function whenOwed(m: RawMeasure, targetsText: string, deadline: Deadline | null, reading: TableReading, used: ReadTasks['usedClauses']) {
  const clauses = reading.clauses.filter((c) => targetsText.includes(c.startsWith));
  clauses.forEach((c) => used.add(c));
  try {
    const milestones = parseMilestones(targetsText, deadline, clauses);
    return { milestones, schedule: parseSchedule(targetsText, milestones, deadline, reading.years, m.text) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    reading.problems.report({
      line: m.sourceLine,
      column: '各年度工作目标',
      kind: 'unreadable_targets',
      message: said(`读不出各年度工作目标（${why}）：这项措施没有年度目标和履行期`, `cannot read the targets (${why}): the measure gets no milestones and owes nothing`),
    });
    return { milestones: [] as Milestone[], schedule: [] as SchedulePart[] };
  }
}

function readMeasure(m: RawMeasure, k: number, leadUnits: string[], reading: TableReading, used: ReadTasks['usedClauses']): Measure {
  let deadline: Deadline | null = null;
  if (m.deadlineText !== null) {
    deadline = parseDeadline(m.deadlineText) ?? null;
    if (deadline === null) {
      reading.problems.report({
        line: m.sourceLine,
        column: '完成时限',
        kind: 'unreadable_deadline',
        message: said(
          `读不出完成时限“${m.deadlineText}”（可写 2025年底前、2025年前、持续开展、每年年底前）：这项措施没有完成时限`,
          `cannot read the deadline "${m.deadlineText}" (write 2025年底前, 2025年前, 持续开展 or 每年年底前): the measure gets none`,
        ),
      });
    }
  }
  const owner = trailingParenthesis(m.text);
  const targetsText = m.targetsLines.join('\n');
  const place = { line: m.sourceLine, column: '具体实施措施' };
  const { milestones, schedule } = whenOwed(m, targetsText, deadline, reading, used);
  // In the order plan.json has always listed them.
  return {
    position: k + 1,
    no: m.no,
    text: m.text,
    ownerUnits: owner === undefined ? leadUnits : reading.units.resolveCell(owner, place).units,
    targetsText,
    milestones,
    deadline,
    schedule,
    sourceLine: m.sourceLine,
  };
}

/** Chapters and tasks of a table as read (its text or its rows): units resolved, deadlines, milestones and schedules read. */
export function readTasks(raw: RawTask[], reading: TableReading): ReadTasks {
  const usedClauses: ReadTasks['usedClauses'] = new Set();
  const tasks = raw.map((t): Task => {
    const line = t.sourceLines[0] ?? 0;
    const lead = reading.units.resolveCell(t.leadUnitsText, { line, column: '牵头单位' });
    const measures = t.measures.map((m, k) => readMeasure(m, k, lead.units, reading, usedClauses));
    return {
      no: t.no,
      chapter: t.chapter,
      title: t.title,
      leadUnitsText: t.leadUnitsText,
      leadUnits: lead.units,
      leadsEachOwnPart: lead.eachOwnPart,
      responsibleUnitsText: t.responsibleUnitsText,
      responsibleUnits: reading.units.resolveCell(t.responsibleUnitsText, { line, column: '责任单位' }).units,
      deadline: taskDeadline(measures.map((m) => m.deadline)),
      sourceLines: t.sourceLines,
      measures,
    };
  });
  const chapters = [...new Set(tasks.map((t) => t.chapter))].map((title, k) => ({ position: k + 1, title }));
  return { chapters, tasks, usedClauses };
}

/** The whole plan from the source table, unit list and corrections. Pure and deterministic; stops at the first problem. */
export function buildPlan({ source, units, corrections }: SeedInputs): Plan {
  const raw: RawPlan = parse(source, corrections, stopAtFirstProblem);
  const resolver = unitResolver(units, corrections, stopAtFirstProblem);
  const { chapters, tasks, usedClauses } = readTasks(raw.tasks, { units: resolver, clauses: corrections.clauses, years: PLAN_YEARS, problems: stopAtFirstProblem });

  const staleClauses = corrections.clauses.filter((c) => !usedClauses.has(c)).map((c) => c.startsWith);
  if (staleClauses.length > 0) throw new Error(`corrections.json: clauses never used: ${staleClauses.join(' | ')}`);
  const stale = resolver.unusedCorrections();
  if (stale.length > 0) throw new Error(`corrections.json: unitCells never used: ${stale.join(' | ')}`);
  const { title, issuer, publishedOn } = raw;
  if (!title || !issuer || !publishedOn) throw new Error('source: page header (title, 发布时间, 来源) not found');

  return {
    plan: {
      code: 'suihua-social-credit-14th-fyp',
      title,
      issuer,
      publishedOn,
      startYear: PLAN_YEARS.startYear,
      endYear: PLAN_YEARS.endYear,
      sourceFile: SOURCE_FILE,
    },
    chapters,
    tasks,
  };
}

export const renderPlan = (plan: Plan): string => `${JSON.stringify(plan, null, 2)}\n`;
