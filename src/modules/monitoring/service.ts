import { endOfShanghaiDay, shanghaiDate } from '../../http/calendar.js';
import { notFound } from '../../domain/errors.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import { judgeTarget, type Attainment, type Comparator, type Direction } from './evaluation.js';
import type { MeasureActivity, MeasureRow, MonitoringRepository } from './repository.js';

type ReturnedReport = ReturnType<MonitoringRepository['returnedPage']>[number];

export const MEASURE_STATUSES = ['completed', 'on_track', 'overdue', 'not_reported'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];
export type StatusCounts = Record<MeasureStatus, number> & { total: number; shareCompleted: number };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from the end of `date` (Asia/Shanghai) to `asOf`. */
function daysSince(date: string, asOf: Date): number {
  return Math.max(0, Math.floor((asOf.getTime() - endOfShanghaiDay(date)) / DAY_MS));
}

export function countStatuses(statuses: MeasureStatus[]): StatusCounts {
  const counts = { completed: 0, on_track: 0, overdue: 0, not_reported: 0 };
  for (const status of statuses) counts[status]++;
  const total = statuses.length;
  return { ...counts, total, shareCompleted: total === 0 ? 0 : Math.round((counts.completed / total) * 1000) / 1000 };
}

/**
 * Completed in a year: an approved report for the year says so; or the measure's deadline falls in this year or an
 * earlier one and it was reported completed in an earlier year (finished work stays finished; before the deadline
 * year a completed report is that year's annual target, which does not carry over).
 */
export function isCompleted(
  measure: Pick<MeasureRow, 'deadlineKind' | 'deadlineDate'>,
  activity: Pick<MeasureActivity, 'completedInYear' | 'completedBefore'> | undefined,
  year: number,
): boolean {
  if (activity?.completedInYear) return true;
  return measure.deadlineKind === 'date' && Number(measure.deadlineDate!.slice(0, 4)) <= year && !!activity?.completedBefore;
}

/**
 * A measure's status for a year, from its approved reports and its milestones: completed (see isCompleted); overdue (a milestone of the year or the
 * deadline has passed without that); on track (approved reports, nothing overdue); not reported.
 */
export function measureStatus(
  measure: Pick<MeasureRow, 'deadlineKind' | 'deadlineDate'>,
  dueDates: string[],
  activity: Pick<MeasureActivity, 'approvedInYear' | 'completedInYear' | 'completedBefore'> | undefined,
  year: number,
  today: string,
): { status: MeasureStatus; overdueSince: string | null } {
  if (isCompleted(measure, activity, year)) return { status: 'completed', overdueSince: null };
  const passed = dueDates.filter((date) => date.startsWith(`${year}-`) && date < today);
  if (measure.deadlineDate && measure.deadlineDate.slice(0, 4) <= String(year) && measure.deadlineDate < today) {
    passed.push(measure.deadlineDate);
  }
  if (passed.length > 0) return { status: 'overdue', overdueSince: passed.sort()[0]! };
  return { status: activity?.approvedInYear ? 'on_track' : 'not_reported', overdueSince: null };
}

export const FOLLOW_UP_KINDS = [
  'overdue_deadline',
  'overdue_milestone',
  'indicator_not_met',
  'indicator_at_risk',
  'returned_report',
  'missing_report',
] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

export interface FollowUpQuery {
  /** Only items of this unit or of a collective it belongs to. */
  unitId?: number | undefined;
  kind?: FollowUpKind | undefined;
  /** A window of the list; without it, the whole list. */
  page?: { limit: number; offset: number } | undefined;
}

const rank = (kind: FollowUpKind) => FOLLOW_UP_KINDS.indexOf(kind);
/** Worst first: by kind (in FOLLOW_UP_KINDS order), then outstanding longest (earliest `since`), then by measure. */
const worstFirst = (a: FollowUp, b: FollowUp) =>
  rank(a.kind) - rank(b.kind) || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) || (a.measureId ?? 0) - (b.measureId ?? 0);

export interface FollowUp {
  kind: FollowUpKind;
  title: string;
  taskNo: number | null;
  measureId: number | null;
  reportId: number | null;
  indicatorId: number | null;
  units: UnitRef[];
  since: string;
  daysOutstanding: number;
  link: string;
}

/** The last calendar quarter that ended before `today`, as [start, end] dates. */
export function lastClosedQuarter(today: string): { label: string; year: number; start: string; end: string } {
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3); // the current one, 0-based
  const [y, q] = quarter === 0 ? [year - 1, 4] : [year, quarter];
  const endMonth = q * 3;
  const end = new Date(Date.UTC(y, endMonth, 0)).toISOString().slice(0, 10);
  return { label: `${y}-Q${q}`, year: y, start: `${y}-${String(endMonth - 2).padStart(2, '0')}-01`, end };
}

/**
 * A plan's catalogue (measures, milestones, units, indicators and their targets) is loaded from the seed at start
 * and has no write API, so what is built from it is built once per plan, not once per request.
 */
function oncePerPlan<T>(build: (planId: number) => T): (planId: number) => T {
  const built = new Map<number, T>();
  return (planId) => {
    if (!built.has(planId)) built.set(planId, build(planId));
    return built.get(planId)!;
  };
}

export function createMonitoringService(repository: MonitoringRepository, units: UnitRepository) {
  function planOf(planId: number | undefined) {
    const id = planId ?? repository.defaultPlanId();
    const plan = id === undefined ? undefined : repository.plan(id);
    if (!plan) throw notFound('plan', planId ?? '(none loaded)');
    return plan;
  }

  /** The catalogue of a plan, grouped the way the roll-ups need it. */
  const catalogue = oncePerPlan((planId: number) => {
    const measures = repository.measures(planId);
    const milestones = repository.milestones(planId);
    const dueDates = new Map<number, string[]>();
    for (const m of milestones) {
      if (m.kind === 'due' && m.dueDate) dueDates.set(m.measureId, [...(dueDates.get(m.measureId) ?? []), m.dueDate]);
    }
    const byId = new Map(measures.map((m) => [m.id, m]));
    const milestonesOf = new Map<number, typeof milestones>();
    for (const m of milestones) milestonesOf.set(m.measureId, [...(milestonesOf.get(m.measureId) ?? []), m]);
    const owners = new Map<number, number[]>();
    for (const o of repository.owners(planId)) owners.set(o.measureId, [...(owners.get(o.measureId) ?? []), o.unitId]);
    const leads = new Map<number, number[]>();
    const responsible = new Map<number, number[]>();
    for (const tu of repository.taskUnits(planId)) {
      const map = tu.role === 'lead' ? leads : responsible;
      map.set(tu.taskId, [...(map.get(tu.taskId) ?? []), tu.unitId]);
    }
    return { measures, byId, milestonesOf, dueDates, owners, leads, responsible };
  });
  type Catalogue = ReturnType<typeof catalogue>;

  /** Every measure's status for the year as of `asOf`, from all units' reports or from one unit's. */
  function statuses(planId: number, cat: Catalogue, year: number, asOf: Date, unitId?: number) {
    const activity = new Map(repository.activity(planId, year, asOf.toISOString(), unitId).map((a) => [a.measureId, a]));
    const today = shanghaiDate(asOf);
    return cat.measures.map((measure) => {
      const { status, overdueSince } = measureStatus(measure, cat.dueDates.get(measure.id) ?? [], activity.get(measure.id), year, today);
      return { measure, status, overdueSince };
    });
  }

  /** Yearly targets of an indicator: the rows the document gives, plus the final target in its year. */
  const targetsByIndicator = oncePerPlan((planId: number) => {
    const indicators = repository.indicators(planId);
    const rows = repository.targets(planId);
    return indicators.map((indicator) => {
      const targets = rows.filter((r) => r.indicatorId === indicator.id).map(({ year, comparator, value }) => ({ year, comparator, value }));
      if (indicator.targetYear !== null && !targets.some((x) => x.year === indicator.targetYear)) {
        targets.push({ year: indicator.targetYear, comparator: indicator.comparator, value: indicator.value });
      }
      return { indicator, targets: targets.sort((a, b) => a.year - b.year) };
    });
  });

  type ValueLookup = (indicatorId: number, year: number) => ReturnType<MonitoringRepository['latestValue']>;
  /** Latest approved values as of one instant; a year's value is also the next year's baseline, so each is read once. */
  function valuesAsOf(asOf: Date): ValueLookup {
    const seen = new Map<string, ReturnType<MonitoringRepository['latestValue']>>();
    return (indicatorId, year) => {
      const key = `${indicatorId}/${year}`;
      if (!seen.has(key)) seen.set(key, repository.latestValue(indicatorId, year, asOf.toISOString()));
      return seen.get(key);
    };
  }

  function judge(
    indicator: ReturnType<MonitoringRepository['indicators']>[number],
    target: { year: number; comparator: string; value: number },
    previousTarget: { value: number } | undefined,
    asOf: Date,
    latestValue: ValueLookup,
  ) {
    const actual = latestValue(indicator.id, target.year);
    const previous = latestValue(indicator.id, target.year - 1);
    const baselineValue = previous?.value ?? previousTarget?.value;
    const judgement = judgeTarget({
      year: target.year,
      comparator: target.comparator as Comparator,
      target: { value: target.value, unit: indicator.unit },
      direction: indicator.direction as Direction,
      actual: actual ? { value: actual.value, unit: indicator.unit } : null,
      baseline: baselineValue === undefined ? null : { value: baselineValue, unit: indicator.unit },
      asOf,
    });
    return { year: target.year, comparator: target.comparator, target: target.value, actual: actual?.value ?? null, actualReportId: actual?.reportId ?? null, ...judgement };
  }

  /** Each indicator judged against its target for `year` (indicators with no target that year are left out). */
  function indicatorAttainment(planId: number, year: number, asOf: Date, latestValue = valuesAsOf(asOf)) {
    return targetsByIndicator(planId).flatMap(({ indicator, targets }) => {
      const index = targets.findIndex((x) => x.year === year);
      if (index === -1) return [];
      const judged = judge(indicator, targets[index]!, targets[index - 1], asOf, latestValue);
      return [{ indicatorId: indicator.id, key: indicator.key, name: indicator.name, taskNo: indicator.taskNo, unit: indicator.unit, measureId: indicator.measureId, taskId: indicator.taskId, ...judged }];
    });
  }

  // Units only come from the seed, so they are read once, not once per follow-up item.
  const unitById = new Map<number, UnitRef>();
  const unitRefs = (ids: number[]): UnitRef[] =>
    ids.flatMap((id) => {
      if (!unitById.has(id)) {
        const unit = units.resolve(String(id));
        if (unit) unitById.set(id, unit);
      }
      return unitById.get(id) ?? [];
    });

  return {
    planOf,
    catalogue,
    statuses,
    indicatorAttainment,

    /** The whole plan for a year: measure statuses, per chapter, and indicator attainment. */
    dashboard(planId: number | undefined, year: number, asOf: Date) {
      const plan = planOf(planId);
      const cat = catalogue(plan.id);
      const all = statuses(plan.id, cat, year, asOf);
      const chapterIds = [...new Set(cat.measures.map((m) => m.chapterId))];
      const indicators = indicatorAttainment(plan.id, year, asOf);
      const attainment: Record<Attainment, number> = { met: 0, on_track: 0, at_risk: 0, not_met: 0, no_data: 0 };
      for (const judged of indicators) attainment[judged.attainment]++;
      return {
        plan: { id: plan.id, title: plan.title },
        year,
        asOf: asOf.toISOString(),
        measures: countStatuses(all.map((s) => s.status)),
        chapters: chapterIds.map((chapterId) => ({ chapterId, ...countStatuses(all.filter((s) => s.measure.chapterId === chapterId).map((s) => s.status)) })),
        indicators: { ...attainment, total: indicators.length, items: indicators },
        overdue: all
          .filter((s) => s.status === 'overdue')
          .map((s) => ({ measureId: s.measure.id, taskNo: s.measure.taskNo, measureNo: s.measure.no, since: s.overdueSince!, daysOverdue: daysSince(s.overdueSince!, asOf), ownerUnits: unitRefs(cat.owners.get(s.measure.id) ?? []) }))
          .sort((a, b) => b.daysOverdue - a.daysOverdue || a.measureId - b.measureId),
      };
    },

    /**
     * A unit's year: the measures it owns and those of tasks it is responsible for, judged from its own reports;
     * the measures of tasks it leads, judged from everyone's; for a collective, each member's record on the
     * measures the collective carries.
     */
    scorecard(unitId: number, planId: number | undefined, year: number, asOf: Date) {
      const plan = planOf(planId);
      const unit = units.resolve(String(unitId));
      if (!unit) throw notFound('unit', unitId);
      const cat = catalogue(plan.id);
      const shares = units.withCollectives(unit.id);
      const carries = (m: MeasureRow, unitIds: number[]) =>
        (cat.owners.get(m.id) ?? []).some((o) => unitIds.includes(o)) || (cat.responsible.get(m.taskId) ?? []).some((r) => unitIds.includes(r));
      const own = statuses(plan.id, cat, year, asOf, unit.id).filter((s) => carries(s.measure, shares));
      const everyone = statuses(plan.id, cat, year, asOf);
      const led = everyone.filter((s) => (cat.leads.get(s.measure.taskId) ?? []).includes(unit.id));
      const members = unit.kind === 'collective' ? units.get(unit.id)?.members ?? [] : [];
      const item = (s: (typeof own)[number]) => ({ measureId: s.measure.id, taskNo: s.measure.taskNo, measureNo: s.measure.no, status: s.status });
      return {
        unit,
        year,
        asOf: asOf.toISOString(),
        carried: { ...countStatuses(own.map((s) => s.status)), measures: own.map(item) },
        led: { ...countStatuses(led.map((s) => s.status)), measures: led.map(item) },
        members: members.map((member) => {
          const record = statuses(plan.id, cat, year, asOf, member.id).filter((s) => carries(s.measure, [unit.id]));
          return { unit: member, ...countStatuses(record.map((s) => s.status)) };
        }),
      };
    },

    /**
     * What to chase (督办) as of `asOf`, worst first: deadlines and milestones passed without a completed report,
     * indicators not met or at risk, returned reports not resubmitted, and measures with no report for the last
     * closed quarter — each with its units, how long it has been outstanding and a link to the item.
     */
    followUps(planId: number | undefined, asOf: Date, query: FollowUpQuery = {}): { items: FollowUp[]; total: number } {
      const plan = planOf(planId);
      const cat = catalogue(plan.id);
      const today = shanghaiDate(asOf);
      const asOfIso = asOf.toISOString();
      const currentYear = Math.min(Number(today.slice(0, 4)), plan.endYear);
      const items: FollowUp[] = [];
      const carriers = (m: MeasureRow) => [...new Set([...(cat.owners.get(m.id) ?? []), ...(cat.responsible.get(m.taskId) ?? [])])];
      const measureItem = (m: MeasureRow, kind: FollowUpKind, title: string, since: string, unitIds = cat.owners.get(m.id) ?? []): FollowUp => ({
        kind,
        title,
        taskNo: m.taskNo,
        measureId: m.id,
        reportId: null,
        indicatorId: null,
        units: unitRefs(unitIds),
        since,
        daysOutstanding: daysSince(since, asOf),
        link: `/api/v1/measures/${m.id}`,
      });

      const years = Array.from({ length: currentYear - plan.startYear + 1 }, (_, i) => plan.startYear + i);
      const activityByYear = new Map(years.map((year) => [year, new Map(repository.activity(plan.id, year, asOfIso).map((a) => [a.measureId, a]))]));
      // A target met late is no longer chased: completed in its year, or in any later year by asOf.
      const doneSince = (m: MeasureRow, year: number) => years.some((y) => y >= year && isCompleted(m, activityByYear.get(y)!.get(m.id), y));
      for (const year of years) {
        for (const m of cat.measures) {
          if (doneSince(m, year)) continue;
          for (const milestone of (cat.milestonesOf.get(m.id) ?? []).filter((x) => x.kind === 'due' && x.year === year && x.dueDate! < today)) {
            items.push(measureItem(m, 'overdue_milestone', `年度目标（${milestone.dueDate}）未见完成报告：${milestone.text}`, milestone.dueDate!));
          }
          if (m.deadlineDate?.startsWith(`${year}-`) && m.deadlineDate < today) {
            items.push(measureItem(m, 'overdue_deadline', `完成时限 ${m.deadlineDate} 已过，未见完成报告`, m.deadlineDate));
          }
        }
      }

      const values = valuesAsOf(asOf);
      for (const year of [currentYear - 1, currentYear]) {
        for (const judged of indicatorAttainment(plan.id, year, asOf, values)) {
          if (judged.attainment !== 'not_met' && judged.attainment !== 'at_risk') continue;
          const measure = judged.measureId === null ? undefined : cat.byId.get(judged.measureId);
          const unitIds = measure ? cat.owners.get(measure.id) ?? [] : cat.leads.get(judged.taskId) ?? [];
          items.push({
            kind: judged.attainment === 'not_met' ? 'indicator_not_met' : 'indicator_at_risk',
            title: `${judged.name}：${year}年实际 ${judged.actual}${judged.unit}，目标 ${judged.comparator} ${judged.target}${judged.unit}`,
            taskNo: judged.taskNo,
            measureId: judged.measureId,
            reportId: judged.actualReportId,
            indicatorId: judged.indicatorId,
            units: unitRefs(unitIds),
            since: judged.attainment === 'not_met' ? `${year}-12-31` : `${year}-01-01`,
            daysOutstanding: daysSince(judged.attainment === 'not_met' ? `${year}-12-31` : `${year}-01-01`, asOf),
            link: `/api/v1/indicators/${judged.indicatorId}/series`,
          });
        }
      }

      const returnedItem = (report: ReturnedReport): FollowUp => ({
        ...measureItem(cat.byId.get(report.measureId)!, 'returned_report', `${report.period} 报告已退回未重报${report.reviewNote ? `：${report.reviewNote}` : ''}`, report.since, [report.unitId]),
        reportId: report.id,
        link: `/api/v1/reports/${report.id}`,
      });

      const quarter = lastClosedQuarter(today);
      if (quarter.year >= plan.startYear) {
        // After the plan's last year, the last quarter that matters is its final one.
        const q = quarter.year > plan.endYear ? lastClosedQuarter(`${plan.endYear + 1}-01-01`) : quarter;
        const reported = repository.reportedIn(plan.id, q.start, q.end, asOfIso);
        const year = q.year;
        const hasWork = (m: MeasureRow) =>
          (cat.milestonesOf.get(m.id) ?? []).some(
            (x) => (x.kind === 'due' ? x.year === year : (x.year ?? year) <= year && (m.deadlineDate ?? '9999') >= `${year}-01-01`),
          );
        const completed = new Set(statuses(plan.id, cat, year, asOf).filter((s) => s.status === 'completed').map((s) => s.measure.id));
        for (const m of cat.measures) {
          if (!reported.has(m.id) && !completed.has(m.id) && hasWork(m)) {
            items.push(measureItem(m, 'missing_report', `${q.label} 未报告`, q.end, carriers(m)));
          }
        }
      }

      // Returned reports can run to thousands: they are counted and paged in SQL, in the list's order, and only
      // the page's are built; the other kinds are a few hundred at most and are built, filtered and sorted here.
      const { unitId, kind, page } = query;
      const shares = unitId === undefined ? undefined : units.withCollectives(unitId);
      const listed = items
        .filter((item) => (kind === undefined || item.kind === kind) && (shares === undefined || item.units.some((u) => shares.includes(u.id))))
        .sort(worstFirst);
      const before = listed.filter((item) => rank(item.kind) < rank('returned_report'));
      const after = listed.filter((item) => rank(item.kind) > rank('returned_report'));
      const returnedTotal = kind === undefined || kind === 'returned_report' ? repository.returnedCount(plan.id, asOfIso, shares) : 0;
      const total = before.length + returnedTotal + after.length;
      const { limit, offset } = page ?? { limit: total, offset: 0 };
      const window = before.slice(offset, offset + limit);
      const returnedOffset = Math.max(0, offset - before.length);
      const returnedLimit = Math.min(limit - window.length, returnedTotal - returnedOffset);
      if (returnedLimit > 0) {
        window.push(...repository.returnedPage(plan.id, asOfIso, { limit: returnedLimit, offset: returnedOffset }, shares).map(returnedItem));
      }
      const afterOffset = Math.max(0, offset - before.length - returnedTotal);
      window.push(...after.slice(afterOffset, afterOffset + limit - window.length));
      return { items: window, total };
    },

    /** A chapter's tasks for a year: each task's measure statuses, and the chapter's totals. */
    chapterProgress(chapterId: number, year: number, asOf: Date) {
      const planId = repository.chapterPlan(chapterId);
      if (planId === undefined) throw notFound('chapter', chapterId);
      const cat = catalogue(planId);
      const inChapter = statuses(planId, cat, year, asOf).filter((s) => s.measure.chapterId === chapterId);
      const lastApproved = repository.lastApproved(chapterId, year, asOf.toISOString());
      const taskNos = [...new Set(inChapter.map((s) => s.measure.taskNo))];
      return {
        chapterId,
        year,
        asOf: asOf.toISOString(),
        ...countStatuses(inChapter.map((s) => s.status)),
        tasks: taskNos.map((taskNo) => {
          const ofTask = inChapter.filter((s) => s.measure.taskNo === taskNo);
          return {
            taskId: ofTask[0]!.measure.taskId,
            taskNo,
            ...countStatuses(ofTask.map((s) => s.status)),
            measures: ofTask.map((s) => ({ measureId: s.measure.id, measureNo: s.measure.no, status: s.status, lastApprovedAt: lastApproved.get(s.measure.id) ?? null })),
          };
        }),
      };
    },

    /** An indicator's target and actual per year of the plan, with the judgement and the reports behind it. */
    series(indicatorId: number, asOf: Date) {
      const planId = repository.indicatorPlan(indicatorId);
      const entry = planId === undefined ? undefined : targetsByIndicator(planId).find((e) => e.indicator.id === indicatorId);
      if (planId === undefined || !entry) throw notFound('indicator', indicatorId);
      const { indicator, targets } = entry;
      const plan = planOf(planId);
      const years = Array.from({ length: plan.endYear - plan.startYear + 1 }, (_, i) => plan.startYear + i);
      const values = valuesAsOf(asOf);
      return {
        indicatorId,
        name: indicator.name,
        unit: indicator.unit,
        direction: indicator.direction,
        asOf: asOf.toISOString(),
        years: years.map((year) => {
          const index = targets.findIndex((x) => x.year === year);
          const judged = index === -1 ? null : judge(indicator, targets[index]!, targets[index - 1], asOf, values);
          const reports = repository.valuesInYear(indicatorId, year, asOf.toISOString());
          return {
            year,
            target: judged ? { comparator: judged.comparator, value: judged.target } : null,
            actual: judged?.actual ?? reports.at(-1)?.value ?? null,
            attainment: judged?.attainment ?? null,
            expected: judged?.expected ?? null,
            reports,
          };
        }),
      };
    },
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
