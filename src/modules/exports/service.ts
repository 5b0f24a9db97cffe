import { invalidField } from '../../domain/errors.js';
import { shanghaiDate, shanghaiYear } from '../../http/calendar.js';
import type { Light } from '../assignments/lights.js';
import type { AssignmentService } from '../assignments/service.js';
import type { Attainment } from '../monitoring/evaluation.js';
import type { FollowUpKind, FollowUpSubject } from '../monitoring/follow-ups.js';
import type { JudgedIndicator } from '../monitoring/indicator-figures.js';
import { measureProgress, type MeasureProgress, type MeasureStatus } from '../monitoring/rollup.js';
import type { MonitoringService } from '../monitoring/service.js';
import { PROGRESS_WORDS } from '../reports/progress-words.js';
import type { TaskFilters, TaskRepository } from '../tasks/repository.js';
import type { ExportRepository, LatestReport } from './repository.js';
import type { Column, Row, Table, Tone } from './table.js';
import { outsidePlanYears } from '../plans/said.js';

export const STATUS_WORDS: Record<MeasureStatus, string> = {
  completed: '已完成',
  on_track: '按计划推进',
  overdue: '逾期',
  not_reported: '未报告',
};
export const LIGHT_WORDS: Record<Light, string> = { green: '绿灯', yellow: '黄灯', red: '红灯' };
const LIGHT_TONES: Record<Light, Tone> = { green: 'green', yellow: 'amber', red: 'red' };

export const ATTAINMENT_WORDS: Record<Attainment, string> = {
  met: '已达标',
  not_met: '未达标',
  at_risk: '有风险',
  on_track: '进展正常',
  no_data: '无数据',
};
const ATTAINMENT_TONES: Record<Attainment, Tone> = { met: 'green', on_track: 'blue', at_risk: 'amber', not_met: 'red', no_data: 'grey' };
/** A cell holding several indicators takes the colour of the worst. */
const ATTAINMENT_SEVERITY: Attainment[] = ['not_met', 'at_risk', 'no_data', 'on_track', 'met'];

export const FOLLOW_UP_WORDS: Record<FollowUpKind, string> = {
  overdue_obligation: '逾期未完成',
  returned_report: '退回未重报',
  indicator_not_met: '指标未达标',
  unacknowledged: '逾期未签收',
  due_soon: '临近到期',
  indicator_at_risk: '指标有风险',
};
const FOLLOW_UP_TONES: Record<FollowUpKind, Tone> = {
  overdue_obligation: 'red',
  returned_report: 'amber',
  indicator_not_met: 'red',
  unacknowledged: 'amber',
  due_soon: 'amber',
  indicator_at_risk: 'amber',
};
const OBLIGATION_WORDS = { pending: '待办', reported: '已报告', completed: '已完成', overdue: '逾期', waived: '免于履行' } as const;

const COMPARATOR_SIGNS: Record<string, string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '=': '=' };

/** Characters of a report's narrative shown in the 最新报告 cell. */
export const NARRATIVE_CHARS = 80;

// Widths for A4 landscape: each table is printed scaled to the page width, so the widths together decide the size of
// the printed text (about 7 pt for the breakdown's twelve columns, 9 pt for the others); each column gets room in
// proportion to the text it usually holds, a Chinese character taking two units.
export const BREAKDOWN_COLUMNS: Column[] = [
  { header: '序号', width: 5 },
  { header: '规划章节', width: 9, wrap: true },
  { header: '规划任务', width: 30, wrap: true },
  { header: '牵头单位', width: 20, wrap: true },
  { header: '责任单位', width: 13, wrap: true },
  { header: '具体实施措施和可用来检查的工作成果', width: 30, wrap: true },
  { header: '各年度工作目标', width: 20, wrap: true },
  { header: '完成时限', width: 11, wrap: true },
  { header: '状态', width: 11, wrap: true },
  { header: '亮灯', width: 6 },
  { header: '最新报告', width: 20, wrap: true },
  { header: '指标达成', width: 20, wrap: true },
];
const STATUS_COLUMN = 8;
const LIGHT_COLUMN = 9;
const ATTAINMENT_COLUMN = 11;

/** `?by=assignment`: one row per unit owing a measure. */
export const ASSIGNMENT_COLUMNS: Column[] = [
  { header: '序号', width: 5 },
  { header: '规划任务', width: 40, wrap: true },
  { header: '具体实施措施', width: 32, wrap: true },
  { header: '责任单位', width: 16, wrap: true },
  { header: '签收', width: 11 },
  { header: '本年义务', width: 28, wrap: true },
  { header: '状态', width: 11 },
  { header: '亮灯', width: 6 },
  { header: '办结', width: 11 },
];
const ASSIGNMENT_STATE_COLUMN = 6;
const ASSIGNMENT_LIGHT_COLUMN = 7;

export const FOLLOW_UP_COLUMNS: Column[] = [
  { header: '类型', width: 11 },
  { header: '事项', width: 50, wrap: true },
  { header: '序号', width: 5 },
  { header: '责任单位', width: 24, wrap: true },
  { header: '起始日期', width: 11 },
  { header: '持续天数', width: 9 },
  { header: '链接', width: 50, wrap: true, link: true },
];

function shorten(text: string, chars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const glyphs = [...flat];
  return glyphs.length <= chars ? flat : `${glyphs.slice(0, chars).join('')}…`;
}

/** `2024-Q3 市民政局 已完成:已甄别…` — period, unit, reported status, the narrative's beginning. */
function reportCell(report: LatestReport | undefined): string {
  if (!report) return '';
  const head = `${report.period} ${report.unitName} ${PROGRESS_WORDS[report.status]}`;
  const narrative = shorten(report.narrative, NARRATIVE_CHARS);
  return narrative ? `${head}:${narrative}` : head;
}

/** The attainments shown for an indicator: the city's figure, else its members' (each_member). */
const attainmentsOf = (j: JudgedIndicator): Attainment[] => (j.city ? [j.city.attainment!] : j.members.flatMap((m) => m.attainment ?? []));

/** `政务诚信承诺率 82.5% (≥80%) 已达标`, one line per indicator; an indicator judged per member counts those that met it. */
function attainmentLine(j: JudgedIndicator): string {
  const { indicator, target } = j;
  const goal = `(${COMPARATOR_SIGNS[target.comparator] ?? target.comparator}${target.value}${indicator.unit})`;
  if (!j.city) return `${indicator.name} ${goal} ${j.members.filter((m) => m.attainment === 'met').length}/${j.members.length} 个单位已达标`;
  const actual = j.city.actual === null ? '—' : `${j.city.actual}${indicator.unit}`;
  return `${indicator.name} ${actual} ${goal} ${ATTAINMENT_WORDS[j.city.attainment!]}`;
}

/** `按计划推进 9/72`: the status, and how many of the owing units have completed the year's work. */
function statusCell(p: MeasureProgress | undefined): string {
  return p ? `${STATUS_WORDS[p.status]} ${p.completed}/${p.owing}` : '本年无义务';
}

export interface BreakdownQuery {
  plan?: number | undefined;
  year?: number | undefined;
  asOf: Date;
  /** The `/tasks` filters, units already resolved. */
  filters: Omit<TaskFilters, 'plan'>;
  /** One row per measure (the document's table), or one per unit owing a measure. */
  by?: 'measure' | 'assignment' | undefined;
  /** With `by: 'assignment'`: only the rows of these units. */
  owingUnitIds?: number[] | undefined;
}

export function createExportService(deps: { exports: ExportRepository; monitoring: MonitoringService; assignments: AssignmentService; tasks: TaskRepository }) {
  const { exports, monitoring, assignments, tasks } = deps;

  /** The ids of the tasks `GET /tasks` would list for these filters (every page). */
  function taskIds(filters: TaskFilters): Set<number> {
    const ids = new Set<number>();
    for (let offset = 0; ; offset += 500) {
      const page = tasks.list(filters, { limit: 500, offset });
      for (const task of page.items) ids.add(task.id);
      if (page.items.length === 0 || ids.size >= page.total) return ids;
    }
  }

  /** The document's table, one row per measure, with its status (k of n), light, latest report and indicators for the year. */
  function measureTable(planId: number, year: number, selected: Set<number>, progress: Map<number, MeasureProgress>, asOf: Date): Table {
    const latest = exports.latestReports(planId, year, asOf.toISOString());
    const judged = monitoring.indicatorsFor(planId, year, asOf);
    const rows: Row[] = exports
      .rows(planId)
      .filter((r) => selected.has(r.taskId))
      .map((r) => {
        const measure = progress.get(r.measureId);
        // The measure's own indicators and those its task states as a whole.
        const indicators = judged.filter((j) => j.indicator.measureId === r.measureId || (j.indicator.measureId === null && j.indicator.taskId === r.taskId));
        const worst = ATTAINMENT_SEVERITY.find((a) => indicators.some((j) => attainmentsOf(j).includes(a)));
        return {
          cells: [
            r.taskNo,
            r.chapterTitle,
            r.taskTitle,
            r.leadUnitsText,
            r.responsibleUnitsText,
            r.measureNo === null ? r.measureText : `${r.measureNo}.${r.measureText}`,
            r.targetsText,
            r.deadlineText,
            statusCell(measure),
            measure ? LIGHT_WORDS[measure.light] : '',
            reportCell(latest.get(r.measureId)),
            indicators.map(attainmentLine).join('\n'),
          ],
          tones: {
            ...(measure ? { [STATUS_COLUMN]: LIGHT_TONES[measure.light], [LIGHT_COLUMN]: LIGHT_TONES[measure.light] } : {}),
            ...(worst ? { [ATTAINMENT_COLUMN]: ATTAINMENT_TONES[worst] } : {}),
          },
        };
      });
    return { sheetName: `${year}年分解表`, columns: BREAKDOWN_COLUMNS, rows };
  }

  /** One row per unit owing a measure: its sign-for, its obligations due in the year, its state and light, its close-out. */
  function assignmentTable(planId: number, year: number, selected: Set<number>, obligations: ReturnType<AssignmentService['judged']>, asOf: Date, owingUnitIds?: number[]): Table {
    const texts = new Map(exports.rows(planId).map((r) => [r.measureId, r]));
    const iso = asOf.toISOString();
    const rows: Row[] = assignments
      .standingAssignments(planId, asOf, owingUnitIds)
      .filter((a) => selected.has(a.taskId))
      .map((a) => {
        const r = texts.get(a.measureId)!;
        const owed = obligations.filter((o) => o.assignmentId === a.id);
        const light = owed.some((o) => o.light === 'red') ? 'red' : owed.some((o) => o.light === 'yellow') ? 'yellow' : 'green';
        const state =
          owed.length === 0
            ? '本年无义务'
            : owed.every((o) => o.state === 'completed' || o.state === 'waived')
              ? '已完成'
              : owed.some((o) => o.state === 'overdue')
                ? '逾期'
                : '办理中';
        return {
          cells: [
            r.taskNo,
            r.taskTitle,
            r.measureNo === null ? r.measureText : `${r.measureNo}.${r.measureText}`,
            monitoring.unitRef(a.unitId).name,
            a.acknowledgedAt !== null && a.acknowledgedAt <= iso ? shanghaiDate(new Date(a.acknowledgedAt)) : '未签收',
            owed.map((o) => `${o.period}（${o.dueDate}）${OBLIGATION_WORDS[o.state]}`).join('\n'),
            state,
            LIGHT_WORDS[light],
            a.closedAt !== null && a.closedAt <= iso ? shanghaiDate(new Date(a.closedAt)) : '',
          ],
          tones: { [ASSIGNMENT_STATE_COLUMN]: LIGHT_TONES[light], [ASSIGNMENT_LIGHT_COLUMN]: LIGHT_TONES[light] },
        };
      });
    return { sheetName: `${year}年责任清单`, columns: ASSIGNMENT_COLUMNS, rows };
  }

  return {
    /**
     * The breakdown table, one row per measure in document order, for the tasks the filters select, with each
     * measure's status for `year`, its latest approved report and the attainment of its indicators, as of `asOf`.
     * `year` defaults to asOf's year (Asia/Shanghai) kept within the plan's years; a year outside them is a 400.
     */
    breakdown(query: BreakdownQuery) {
      const plan = monitoring.planOf(query.plan);
      if (query.year !== undefined && (query.year < plan.startYear || query.year > plan.endYear)) {
        throw invalidField('/querystring/year', outsidePlanYears(plan.startYear, plan.endYear));
      }
      const year = query.year ?? Math.min(plan.endYear, Math.max(plan.startYear, shanghaiYear(query.asOf)));
      const selected = taskIds({ ...query.filters, plan: plan.id });
      const obligations = assignments.judged({ planId: plan.id, dueFrom: `${year}-01-01`, dueTo: `${year}-12-31` }, query.asOf);
      const progress = measureProgress(obligations);
      const table =
        query.by === 'assignment'
          ? assignmentTable(plan.id, year, selected, obligations, query.asOf, query.owingUnitIds)
          : measureTable(plan.id, year, selected, progress, query.asOf);
      return { plan, year, table };
    },

    /** The follow-ups (督办事项) as of `asOf`, worst first, of one unit (and its collectives) when given. */
    followUps(query: { plan?: number | undefined; asOf: Date; unitIds?: number[] | undefined }, linkOf: (subject: FollowUpSubject) => string) {
      const plan = monitoring.planOf(query.plan);
      const rows: Row[] = monitoring.followUps(plan.id, query.asOf, { unitIds: query.unitIds }).items.map((item) => ({
        cells: [
          FOLLOW_UP_WORDS[item.kind],
          item.title,
          item.taskNo,
          item.unitIds.map((id) => monitoring.unitRef(id).name).join('、'),
          item.since,
          item.daysOutstanding,
          linkOf(item.subject),
        ],
        tones: { 0: FOLLOW_UP_TONES[item.kind] },
      }));
      const table: Table = { sheetName: '督办事项', columns: FOLLOW_UP_COLUMNS, rows };
      return { plan, date: shanghaiDate(query.asOf), table };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
