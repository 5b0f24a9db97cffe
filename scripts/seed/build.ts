import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDeadline, taskDeadline } from './deadline.js';
import { parseMilestones } from './milestones.js';
import { parse } from './parse.js';
import { parseSchedule, type PlanYears } from './schedule.js';
import type { Corrections, Measure, Plan, Task, Unit } from './types.js';
import { trailingParenthesis, unitResolver } from './units.js';

export const SOURCE_FILE = 'seeds/source/plan-breakdown.txt';
/** The five-year plan's years (十四五: 2021–2025). */
export const PLAN_YEARS: PlanYears = { startYear: 2021, endYear: 2025 };

export interface SeedInputs {
  source: string;
  units: Unit[];
  corrections: Corrections;
}

export function loadSeedInputs(root: string): SeedInputs {
  const json = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));
  return {
    source: readFileSync(join(root, SOURCE_FILE), 'utf8'),
    units: json('seeds/units.json') as Unit[],
    corrections: json('seeds/corrections.json') as Corrections,
  };
}

/** The whole plan from the source table, unit list and corrections. Pure and deterministic. */
export function buildPlan({ source, units, corrections }: SeedInputs): Plan {
  const raw = parse(source, corrections);
  const resolver = unitResolver(units, corrections);
  const usedClauses = new Set<Corrections['clauses'][number]>();

  const tasks = raw.tasks.map((t): Task => {
    const firstLine = t.sourceLines[0] ?? 0;
    const lead = resolver.resolveCell(t.leadUnitsText, firstLine);
    const measures = t.measures.map((m, k): Measure => {
      const deadline = m.deadlineText === null ? null : (parseDeadline(m.deadlineText) ?? null);
      const owner = trailingParenthesis(m.text);
      const targetsText = m.targetsLines.join('\n');
      const clauses = corrections.clauses.filter((c) => c.measureLine === m.sourceLine);
      clauses.forEach((c) => usedClauses.add(c));
      const milestones = parseMilestones(targetsText, deadline, clauses);
      return {
        position: k + 1,
        no: m.no,
        text: m.text,
        ownerUnits: owner === undefined ? lead.units : resolver.resolveCell(owner, m.sourceLine).units,
        targetsText,
        milestones,
        deadline,
        schedule: parseSchedule(targetsText, milestones, deadline, PLAN_YEARS, m.text),
        sourceLine: m.sourceLine,
      };
    });
    return {
      no: t.no,
      chapter: t.chapter,
      title: t.title,
      leadUnitsText: t.leadUnitsText,
      leadUnits: lead.units,
      leadsEachOwnPart: lead.eachOwnPart,
      responsibleUnitsText: t.responsibleUnitsText,
      responsibleUnits: resolver.resolveCell(t.responsibleUnitsText, firstLine).units,
      deadline: taskDeadline(measures.map((m) => m.deadline)),
      sourceLines: t.sourceLines,
      measures,
    };
  });

  const staleClauses = corrections.clauses.filter((c) => !usedClauses.has(c)).map((c) => c.startsWith);
  if (staleClauses.length > 0) throw new Error(`corrections.json: clauses never used: ${staleClauses.join(' | ')}`);
  const stale = resolver.unusedCorrections();
  if (stale.length > 0) throw new Error(`corrections.json: unitCells never used: ${stale.join(' | ')}`);

  const chapters = [...new Set(tasks.map((t) => t.chapter))].map((title, k) => ({ position: k + 1, title }));
  return {
    plan: {
      code: 'suihua-social-credit-14th-fyp',
      title: raw.title,
      issuer: raw.issuer,
      publishedOn: raw.publishedOn,
      startYear: PLAN_YEARS.startYear,
      endYear: PLAN_YEARS.endYear,
      sourceFile: SOURCE_FILE,
    },
    chapters,
    tasks,
  };
}

export const renderPlan = (plan: Plan): string => `${JSON.stringify(plan, null, 2)}\n`;
