import { forbidden, invalidField, notFound, THINGS, unprocessable } from '../../domain/errors.js';
import { said } from '../../domain/said.js';
import type { AssignmentService } from '../assignments/service.js';
import type { Principal } from '../auth/principal.js';
import type { MonitoringService } from '../monitoring/service.js';
import { outsidePlanYears } from '../plans/said.js';
import type { UnitRepository } from '../units/repository.js';
import type { MeasureNumbers, PrintedMeasure } from './measure-numbers.js';
import { parsePeriod, type Period } from './period.js';

/** An obligation as the template needs it (a subset of what GET /obligations answers). */
export interface OwedObligation {
  measure: { id: number; text: string };
  period: string;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  target: string;
  state: string;
}

/** One row of a unit's report template: where the report goes (keys), what is owed (to read), nothing filled in. */
export interface TemplateRow {
  taskNo: number;
  measureNo: number;
  unit: string;
  /** The period the row's report is for. */
  period: string;
  measureText: string;
  target: string;
  dueDate: string;
  indicators: PrintedMeasure['indicators'];
}

/**
 * The rows of a unit's report template for a period, from its obligations due in the period's year. A report for the
 * period answers every obligation whose period holds it (the year's work, a one-off due that year): those rows report
 * for the period asked. Obligations for shorter periods due within it (the quarters of a year) report for their own
 * period. Others (the first quarter, in a third-quarter template) are not asked for; nor is what was withdrawn.
 * One row per measure and period: two obligations a single report answers are one row, their targets together.
 */
export function templateRows(unit: string, period: Period, owed: OwedObligation[], printed: Map<number, PrintedMeasure>): TemplateRow[] {
  const rows = new Map<string, TemplateRow>();
  for (const o of owed) {
    if (o.state === 'waived') continue;
    const holdsPeriod = o.periodStart <= period.start && period.end <= o.periodEnd;
    const dueWithin = period.start <= o.dueDate && o.dueDate <= period.end;
    if (!holdsPeriod && !dueWithin) continue;
    const reportPeriod = holdsPeriod ? period.text : o.period;
    const key = `${o.measure.id}/${reportPeriod}`;
    const same = rows.get(key);
    if (same) {
      if (!same.target.split('\n').includes(o.target)) same.target = `${same.target}\n${o.target}`;
      continue;
    }
    const measure = printed.get(o.measure.id)!;
    rows.set(key, {
      taskNo: measure.taskNo,
      measureNo: measure.measureNo,
      unit,
      period: reportPeriod,
      measureText: o.measure.text,
      target: o.target,
      dueDate: o.dueDate,
      indicators: measure.indicators,
    });
  }
  // In the breakdown table's order; a measure's periods in time order.
  return [...rows.values()].sort((a, b) => a.taskNo - b.taskNo || a.measureNo - b.measureNo || a.dueDate.localeCompare(b.dueDate) || a.period.localeCompare(b.period));
}

interface TemplateDeps {
  units: UnitRepository;
  assignments: AssignmentService;
  monitoring: Pick<MonitoringService, 'planOf'>;
  measures: MeasureNumbers;
}

/** Who may have which unit's template, and what it holds. */
export function createReportTemplates({ units, assignments, monitoring, measures }: TemplateDeps) {
  return {
    /**
     * A unit's template for a period (a text matching PERIOD_PATTERN): for its own reporter, an admin or a coordinator.
     * A collective has none: it owes nothing itself, its members each owe their share.
     */
    of(principal: Principal, unitId: number, periodText: string, planId: number | undefined, asOf: Date) {
      const unit = units.get(unitId);
      if (!unit) throw notFound(THINGS.unit, unitId);
      const mayRead = principal.role === 'admin' || principal.role === 'coordinator' || (principal.role === 'reporter' && principal.unitId === unit.id);
      if (!mayRead) {
        throw forbidden(
          said(`只有${unit.name}的填报密钥或管理员、协调员可以下载该单位的报告模板。`, `Only ${unit.name}'s reporter key, an admin or a coordinator may download its report template.`),
        );
      }
      if (unit.kind === 'collective') {
        const members = unit.members.map((m) => m.name).slice(0, 3);
        throw unprocessable(
          '/params/id',
          said(
            `${unit.name}是集合单位，由成员单位各自填报：请下载成员单位的模板（如 ${members.join('、')}）`,
            `names a collective, ${unit.name}, whose member units report each for its own share: download a member's template (e.g. ${members.join(', ')})`,
          ),
        );
      }
      const period = parsePeriod(periodText)!;
      const plan = monitoring.planOf(planId);
      if (period.year < plan.startYear || period.year > plan.endYear) throw invalidField('/querystring/period', outsidePlanYears(plan.startYear, plan.endYear));
      const owed = assignments.obligations(plan.id, asOf, { unitIds: [unit.id], year: period.year }, { limit: Number.MAX_SAFE_INTEGER, offset: 0 }).items;
      return { unit, period, rows: templateRows(unit.name, period, owed, measures.printed([...new Set(owed.map((o) => o.measure.id))])) };
    },
  };
}

export type ReportTemplates = ReturnType<typeof createReportTemplates>;
