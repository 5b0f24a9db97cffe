import type { PROGRESS_STATUSES } from '../../db/schema.js';
import { invalidField } from '../../domain/errors.js';
import type { Attainment } from '../monitoring/evaluation.js';
import { shanghaiDate, shanghaiYear } from '../../http/calendar.js';
import type { FollowUpKind, MeasureStatus, MonitoringService } from '../monitoring/service.js';
import type { TaskFilters, TaskRepository } from '../tasks/repository.js';
import type { ExportRepository, LatestReport } from './repository.js';
import type { Column, Row, Table, Tone } from './table.js';

export const STATUS_WORDS: Record<MeasureStatus, string> = {
  completed: '已完成',
  on_track: '按计划推进',
  overdue: '逾期',
  not_reported: '未报告',
};
const STATUS_TONES: Record<MeasureStatus, Tone> = { completed: 'green', on_track: 'blue', overdue: 'red', not_reported: 'grey' };

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
  overdue_deadline: '逾期完成时限',
  overdue_milestone: '逾期年度目标',
  indicator_not_met: '指标未达标',
  indicator_at_risk: '指标有风险',
  returned_report: '退回未重报',
  missing_report: '未按期报告',
};
const FOLLOW_UP_TONES: Record<FollowUpKind, Tone> = {
  overdue_deadline: 'red',
  overdue_milestone: 'red',
  indicator_not_met: 'red',
  indicator_at_risk: 'amber',
  returned_report: 'amber',
  missing_report: 'grey',
};

const PROGRESS_WORDS: Record<(typeof PROGRESS_STATUSES)[number], string> = {
  not_started: '未开始',
  in_progress: '推进中',
  completed: '已完成',
  delayed: '滞后',
  blocked: '受阻',
};
const COMPARATOR_SIGNS: Record<string, string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '=': '=' };

/** Characters of a report's narrative shown in the 最新报告 cell. */
export const NARRATIVE_CHARS = 80;

export const BREAKDOWN_COLUMNS: Column[] = [
  { header: '序号', width: 6 },
  { header: '规划章节', width: 16, wrap: true },
  { header: '规划任务', width: 32, wrap: true },
  { header: '牵头单位', width: 22, wrap: true },
  { header: '责任单位', width: 22, wrap: true },
  { header: '具体实施措施和可用来检查的工作成果', width: 56, wrap: true },
  { header: '各年度工作目标', width: 40, wrap: true },
  { header: '完成时限', width: 12, wrap: true },
  { header: '状态', width: 12 },
  { header: '最新报告', width: 40, wrap: true },
  { header: '指标达成', width: 36, wrap: true },
];
const STATUS_COLUMN = 8;
const ATTAINMENT_COLUMN = 10;

export const FOLLOW_UP_COLUMNS: Column[] = [
  { header: '类型', width: 14 },
  { header: '事项', width: 60, wrap: true },
  { header: '序号', width: 6 },
  { header: '责任单位', width: 32, wrap: true },
  { header: '起始日期', width: 12 },
  { header: '逾期天数', width: 10 },
  { header: '链接', width: 34 },
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

type Judged = ReturnType<MonitoringService['indicatorAttainment']>[number];

/** `政务诚信承诺率 82.5% (≥80%) 已达标`, one line per indicator. */
function attainmentLine(j: Judged): string {
  const actual = j.actual === null ? '—' : `${j.actual}${j.unit}`;
  return `${j.name} ${actual} (${COMPARATOR_SIGNS[j.comparator] ?? j.comparator}${j.target}${j.unit}) ${ATTAINMENT_WORDS[j.attainment]}`;
}

export interface BreakdownQuery {
  plan?: number | undefined;
  year?: number | undefined;
  asOf: Date;
  /** The `/tasks` filters, units already resolved. */
  filters: Omit<TaskFilters, 'plan'>;
}

export function createExportService(deps: { exports: ExportRepository; monitoring: MonitoringService; tasks: TaskRepository }) {
  const { exports, monitoring, tasks } = deps;

  /** The ids of the tasks `GET /tasks` would list for these filters (every page). */
  function taskIds(filters: TaskFilters): Set<number> {
    const ids = new Set<number>();
    for (let offset = 0; ; offset += 500) {
      const page = tasks.list(filters, { limit: 500, offset });
      for (const task of page.items) ids.add(task.id);
      if (page.items.length === 0 || ids.size >= page.total) return ids;
    }
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
        throw invalidField('/querystring/year', `must be within the plan’s years ${plan.startYear}–${plan.endYear}`);
      }
      const year = query.year ?? Math.min(plan.endYear, Math.max(plan.startYear, shanghaiYear(query.asOf)));
      const selected = taskIds({ ...query.filters, plan: plan.id });
      const statuses = new Map(
        monitoring.statuses(plan.id, monitoring.catalogue(plan.id), year, query.asOf).map((s) => [s.measure.id, s.status]),
      );
      const latest = exports.latestReports(plan.id, year, query.asOf.toISOString());
      const judged = monitoring.indicatorAttainment(plan.id, year, query.asOf);

      const rows: Row[] = exports
        .rows(plan.id)
        .filter((r) => selected.has(r.taskId))
        .map((r) => {
          const status = statuses.get(r.measureId) ?? 'not_reported';
          // The measure's own indicators and those its task states as a whole.
          const indicators = judged.filter((j) => j.measureId === r.measureId || (j.measureId === null && j.taskId === r.taskId));
          const worst = ATTAINMENT_SEVERITY.find((a) => indicators.some((j) => j.attainment === a));
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
              STATUS_WORDS[status],
              reportCell(latest.get(r.measureId)),
              indicators.map(attainmentLine).join('\n'),
            ],
            tones: { [STATUS_COLUMN]: STATUS_TONES[status], ...(worst ? { [ATTAINMENT_COLUMN]: ATTAINMENT_TONES[worst] } : {}) },
          };
        });
      const table: Table = { sheetName: `${year}年分解表`, columns: BREAKDOWN_COLUMNS, rows };
      return { plan, year, table };
    },

    /** The follow-ups (督办事项) as of `asOf`, worst first, of one unit (and its collectives) when given. */
    followUps(query: { plan?: number | undefined; asOf: Date; unitId?: number | undefined }) {
      const plan = monitoring.planOf(query.plan);
      const rows: Row[] = monitoring.followUps(plan.id, query.asOf, { unitId: query.unitId }).items.map((item) => ({
        cells: [
          FOLLOW_UP_WORDS[item.kind],
          item.title,
          item.taskNo,
          item.units.map((u) => u.name).join('、'),
          item.since,
          item.daysOutstanding,
          item.link,
        ],
        tones: { 0: FOLLOW_UP_TONES[item.kind] },
      }));
      const table: Table = { sheetName: '督办事项', columns: FOLLOW_UP_COLUMNS, rows };
      return { plan, date: shanghaiDate(query.asOf), table };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
