import { endOfShanghaiDay } from '../../http/calendar.js';
import type { AssignmentRow } from '../assignments/repository.js';
import type { JudgedObligation } from '../assignments/service.js';
import type { JudgedIndicator } from './indicator-figures.js';

/** Worst first; the list is ordered by kind in this order. */
export const FOLLOW_UP_KINDS = ['overdue_obligation', 'returned_report', 'indicator_not_met', 'unacknowledged', 'due_soon', 'indicator_at_risk'] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** What a follow-up points at; the edge turns it into a link. */
export interface FollowUpSubject {
  type: 'assignment' | 'report' | 'indicator';
  id: number;
}

export interface FollowUp {
  kind: FollowUpKind;
  title: string;
  taskNo: number | null;
  measureId: number | null;
  assignmentId: number | null;
  reportId: number | null;
  indicatorId: number | null;
  unitIds: number[];
  since: string;
  daysOutstanding: number;
  subject: FollowUpSubject;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from the end of `date` (Asia/Shanghai) to `asOf`. */
export function daysSince(date: string, asOf: Date): number {
  return Math.max(0, Math.floor((asOf.getTime() - endOfShanghaiDay(date)) / DAY_MS));
}

const rank = (kind: FollowUpKind) => FOLLOW_UP_KINDS.indexOf(kind);
/** Worst first: by kind, then outstanding longest (earliest `since`), then by measure and unit. */
export const worstFirst = (a: FollowUp, b: FollowUp) =>
  rank(a.kind) - rank(b.kind) || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) || (a.measureId ?? 0) - (b.measureId ?? 0) || (a.unitIds[0] ?? 0) - (b.unitIds[0] ?? 0);

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

interface MeasureLabel {
  taskNo: number;
  no: number | null;
}
/** What an obligation owes, for its title. */
type TargetOf = (o: JudgedObligation) => string;
const measureLabel = (m: MeasureLabel) => `任务${m.taskNo}${m.no === null ? '' : `第${m.no}项措施`}`;

/** A follow-up about one obligation: chased with its unit, pointing at its assignment. */
function obligationItem(kind: FollowUpKind, o: JudgedObligation, measure: MeasureLabel, title: string, since: string, asOf: Date): FollowUp {
  return {
    kind,
    title: `${measureLabel(measure)} ${o.period} ${title}`,
    taskNo: measure.taskNo,
    measureId: o.measureId,
    assignmentId: o.assignmentId,
    reportId: null,
    indicatorId: null,
    unitIds: [o.unitId],
    since,
    daysOutstanding: daysSince(since, asOf),
    subject: { type: 'assignment', id: o.assignmentId },
  };
}

/** 催办: every overdue obligation of an open assignment, from its due date. */
export function overdueObligations(obligations: JudgedObligation[], measures: Map<number, MeasureLabel>, targetOf: TargetOf, asOf: Date): FollowUp[] {
  return obligations
    .filter((o) => o.state === 'overdue')
    .map((o) => obligationItem('overdue_obligation', o, measures.get(o.measureId)!, `应于 ${o.dueDate} 前完成，未见完成报告：${targetOf(o)}`, o.dueDate, asOf));
}

/** 提醒: obligations falling due within the warning days, not yet completed; outstanding since the warning began. */
export function dueSoon(obligations: JudgedObligation[], measures: Map<number, MeasureLabel>, targetOf: TargetOf, asOf: Date, today: string, warningDays: number): FollowUp[] {
  return obligations
    .filter((o) => (o.state === 'pending' || o.state === 'reported') && o.dueDate >= today && o.dueDate <= addDays(today, warningDays))
    .map((o) => obligationItem('due_soon', o, measures.get(o.measureId)!, `将于 ${o.dueDate} 到期：${targetOf(o)}`, addDays(o.dueDate, -warningDays), asOf));
}

/** 签收: assignments not signed for by their sign-for date. */
export function unacknowledged(assignments: (AssignmentRow & { signForBy: string })[], today: string, asOf: Date): FollowUp[] {
  const iso = asOf.toISOString();
  return assignments
    .filter((a) => (a.acknowledgedAt === null || a.acknowledgedAt > iso) && a.signForBy < today)
    .map((a) => ({
      kind: 'unacknowledged',
      title: `${measureLabel({ taskNo: a.taskNo, no: a.measureNo })} 交办后未签收（应于 ${a.signForBy} 前签收）`,
      taskNo: a.taskNo,
      measureId: a.measureId,
      assignmentId: a.id,
      reportId: null,
      indicatorId: null,
      unitIds: [a.unitId],
      since: a.signForBy,
      daysOutstanding: daysSince(a.signForBy, asOf),
      subject: { type: 'assignment', id: a.id },
    }));
}

/** Indicators not met (after their year) or at risk (during it): the city's figure, chased with the leads; a member's own, with the member. */
export function indicatorFollowUps(judged: JudgedIndicator[], leadsOf: (taskId: number) => number[], asOf: Date): FollowUp[] {
  return judged.flatMap(({ indicator, year, target, city, members }) =>
    [...(city ? [{ figure: city, unitIds: leadsOf(indicator.taskId) }] : []), ...members.map((figure) => ({ figure, unitIds: [figure.unitId!] }))].flatMap(
      ({ figure, unitIds }) => {
        if (figure.attainment !== 'not_met' && figure.attainment !== 'at_risk') return [];
        const since = figure.attainment === 'not_met' ? `${year}-12-31` : `${year}-01-01`;
        const whose = figure.unitId === null ? '全市' : '本单位';
        return [
          {
            kind: figure.attainment === 'not_met' ? ('indicator_not_met' as const) : ('indicator_at_risk' as const),
            title: `${indicator.name}（${whose}）：${year}年实际 ${figure.actual}${indicator.unit}，目标 ${target.comparator} ${target.value}${indicator.unit}`,
            taskNo: indicator.taskNo,
            measureId: indicator.measureId,
            assignmentId: null,
            reportId: figure.reportId,
            indicatorId: indicator.id,
            unitIds,
            since,
            daysOutstanding: daysSince(since, asOf),
            subject: { type: 'indicator', id: indicator.id },
          },
        ];
      },
    ),
  );
}
