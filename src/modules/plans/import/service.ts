import { conflict, invalidFields, unprocessable, type FieldError } from '../../../domain/errors.js';
import { said } from '../../../domain/said.js';
import { readTasks, type ReadTasks } from '../../../seed/read/build.js';
import { collectProblems, UnreadableTable, type ReadProblem } from '../../../seed/read/problems.js';
import type { Corrections } from '../../../seed/read/types.js';
import { unitResolver } from '../../../seed/read/units.js';
import type { SeedIndicator } from '../../../seed/types.js';
import type { Principal } from '../../auth/principal.js';
import type { AuditRepository } from '../../audit/repository.js';
import type { RevisionRepository } from '../../revisions/repository.js';
import { indicatorsStated } from './indicators.js';
import { readTable, type UploadedTable } from './read-table.js';
import type { PlanImportRepository, PlanRecord } from './repository.js';

/** What the request says about the plan; what it leaves out comes from the table (its title row, the text's page header). */
export interface PlanFields {
  code: string;
  title?: string | undefined;
  issuer?: string | undefined;
  publishedOn?: string | undefined;
  startYear: number;
  endYear: number;
}

export interface ImportRequest {
  table: UploadedTable;
  plan: PlanFields;
  dryRun: boolean;
  replace: boolean;
  reason?: string | undefined;
  principal: Principal;
  requestId: string;
}

export interface ImportCounts {
  chapters: number;
  tasks: number;
  measures: number;
  milestones: number;
  indicators: number;
  assignments: number;
  obligations: number;
}

export interface ImportReport {
  dryRun: boolean;
  /** The plan written (null in a dry run). */
  planId: number | null;
  /** Whether a plan of the same code was (or would be) replaced. */
  replaced: boolean;
  plan: Omit<PlanRecord, 'sourceFile'>;
  counts: ImportCounts;
  warnings: ReadProblem[];
}

/** What the service reads the table with besides the database: the curated readings and indicators of seeds/. */
export interface Curated {
  corrections: Corrections;
  indicators: SeedIndicator[];
}

export interface PlanImportDeps {
  transaction: <T>(work: () => T) => T;
  imports: PlanImportRepository;
  /** The plan as GET /plans/{id} shows it: what a replaced plan was, for its revision. */
  describePlan: (planId: number) => unknown;
  /** Gives the new plan's measures to the units owing them (assignPlan); how many assignments it made. */
  assign: (planId: number) => number;
  revisions: RevisionRepository;
  audit: AuditRepository;
  curated: Curated;
  now: () => Date;
  /** The catalogue changed: cached answers must go. */
  onPlanChanged: (planId: number) => void;
}

/** Thrown inside a dry run's transaction once the counts are known: rolls back everything it wrote. */
class DryRunDone {
  constructor(
    readonly planId: number,
    readonly counts: ImportCounts,
  ) {}
}

const SOURCE_NAMES: Record<UploadedTable['format'], string> = { xlsx: 'xlsx', csv: 'CSV', text: '文本' };

function planRecord(
  fields: PlanFields,
  read: { title: string | undefined; issuer: string | undefined; publishedOn: string | undefined },
  format: UploadedTable['format'],
): PlanRecord {
  const missing: FieldError[] = [];
  const need = (field: 'title' | 'issuer' | 'publishedOn', zh: string): string => {
    const value = fields[field] ?? read[field];
    if (value === undefined || value.trim() === '') {
      missing.push({
        field: `/querystring/${field}`,
        message: said(`缺少${zh}：表格中没有，请用参数 ${field} 给出`, `is required: the table does not state the ${field}, give it as a query parameter`),
      });
    }
    return value?.trim() ?? '';
  };
  const record = {
    code: fields.code,
    title: need('title', '标题'),
    issuer: need('issuer', '发布单位'),
    publishedOn: need('publishedOn', '发布日期'),
    startYear: fields.startYear,
    endYear: fields.endYear,
    sourceFile: `POST /api/v1/plans/import (${SOURCE_NAMES[format]})`,
  };
  if (fields.endYear < fields.startYear) {
    missing.push({ field: '/querystring/endYear', message: said(`不能早于起始年份 ${fields.startYear}`, `must not be before startYear ${fields.startYear}`) });
  }
  if (missing.length > 0) throw invalidFields(missing);
  return record;
}

function countsOf(read: ReadTasks, indicators: SeedIndicator[]): Omit<ImportCounts, 'assignments' | 'obligations'> {
  const measures = read.tasks.flatMap((t) => t.measures);
  return {
    chapters: read.chapters.length,
    tasks: read.tasks.length,
    measures: measures.length,
    milestones: measures.reduce((n, m) => n + m.milestones.length, 0),
    indicators: indicators.length,
  };
}

/** Measure numbers printed twice in one task: the second is reported (the measure is kept: its place tells them apart). */
function duplicateMeasureNumbers(read: ReadTasks): ReadProblem[] {
  return read.tasks.flatMap((task) =>
    task.measures
      .filter((m, k) => m.no !== null && task.measures.findIndex((other) => other.no === m.no) < k)
      .map((m) => ({
        line: m.sourceLine,
        column: '具体实施措施',
        kind: 'duplicate_number' as const,
        message: said(`任务 ${task.no} 中措施序号 ${m.no} 出现了两次`, `measure number ${m.no} appears twice in task ${task.no}`),
      })),
  );
}

/**
 * Loads a breakdown table as a plan (POST /plans/import): read with the seed's reader, written as the seed is, its
 * measures assigned, recorded as a revision and in the audit trail. A dry run does all of it in a transaction it rolls
 * back, so its counts are the real ones. A plan code already taken is refused unless the caller asks to replace it
 * and nobody has reported on it.
 */
export function createPlanImportService(deps: PlanImportDeps) {
  const { transaction, imports, describePlan, assign, revisions, audit, curated, now, onPlanChanged } = deps;

  function read(request: ImportRequest) {
    const problems = collectProblems();
    let raw;
    try {
      raw = readTable(request.table, problems, curated.corrections);
    } catch (error) {
      if (error instanceof UnreadableTable) throw unprocessable('/body', error.reason);
      throw error;
    }
    const plan = planRecord(request.plan, raw, request.table.format);
    const known = imports.units();
    const reading = { units: unitResolver(known, curated.corrections, problems), clauses: curated.corrections.clauses, years: plan, problems };
    const tasks = readTasks(raw.tasks, reading);
    problems.found.push(...duplicateMeasureNumbers(tasks));
    const warnings = problems.found.sort((a, b) => a.line - b.line);
    return { plan, known, tasks, indicators: indicatorsStated(tasks.tasks, curated.indicators), warnings };
  }

  /** The plan the code names, if the import may take its place; refuses when it may not. */
  function planToReplace(code: string, replace: boolean): number | undefined {
    const existing = imports.idOfCode(code);
    if (existing === undefined) return undefined;
    if (!replace) {
      throw conflict(
        said(`已有代码为“${code}”的规划（编号 ${existing}）：要替换它，请加上 replace=true`, `a plan with code "${code}" exists (id ${existing}): add replace=true to replace it`),
      );
    }
    const reports = imports.reportCount(existing);
    if (reports > 0) {
      throw conflict(
        said(
          `代码为“${code}”的规划（编号 ${existing}）已有 ${reports} 份进展报告，不能替换：请改用修订接口修改它，或用新的代码导入`,
          `the plan with code "${code}" (id ${existing}) has ${reports} progress reports and cannot be replaced: amend it instead, or import under a new code`,
        ),
      );
    }
    return existing;
  }

  return {
    importPlan(request: ImportRequest): ImportReport {
      const { plan, known, tasks, indicators, warnings } = read(request);
      const at = now().toISOString();
      const { principal, requestId } = request;
      let written: { planId: number; counts: ImportCounts; replaced: boolean };
      try {
        written = transaction(() => {
          const replacing = planToReplace(plan.code, request.replace);
          const before = replacing === undefined ? null : describePlan(replacing);
          const planId = replacing ?? imports.insert(plan);
          if (replacing !== undefined) imports.replace(replacing, plan);
          imports.writeContent(planId, tasks, indicators, known);
          const counts = { ...countsOf(tasks, indicators), assignments: assign(planId), obligations: imports.obligationCount(planId) };
          if (request.dryRun) throw new DryRunDone(planId, counts);
          const { sourceFile: _, ...after } = plan;
          const summary = { ...after, counts, warnings: warnings.length };
          const reason = request.reason ?? `导入分解表（${SOURCE_NAMES[request.table.format]}）`;
          revisions.record({
            planId,
            entity: 'plan',
            entityId: planId,
            action: 'imported',
            at,
            effectiveOn: plan.publishedOn,
            keyId: principal.keyId,
            reason,
            before,
            after: summary,
            requestId,
            unitIds: [],
          });
          audit.record({ at: new Date(at), principal, action: 'plan.import', entityType: 'plan', entityId: planId, before, after: summary, requestId });
          return { planId, counts, replaced: replacing !== undefined };
        });
      } catch (error) {
        if (!(error instanceof DryRunDone)) throw error;
        const { sourceFile: _, ...shown } = plan;
        return { dryRun: true, planId: null, replaced: imports.idOfCode(plan.code) !== undefined, plan: shown, counts: error.counts, warnings };
      }
      onPlanChanged(written.planId);
      const { sourceFile: _, ...shown } = plan;
      return { dryRun: false, planId: written.planId, replaced: written.replaced, plan: shown, counts: written.counts, warnings };
    },
  };
}

export type PlanImportService = ReturnType<typeof createPlanImportService>;
