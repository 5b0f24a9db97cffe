import type { Supervision } from '../../config.js';
import { notFound, THINGS } from '../../domain/errors.js';
import { shanghaiDate } from '../../http/calendar.js';
import { countLights, worstLight, type IndicatorSignal, type Light } from '../assignments/lights.js';
import type { AssignmentService, JudgedObligation, SignalLookup } from '../assignments/service.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import type { Attainment } from './evaluation.js';
import { dueSoon, FOLLOW_UP_KINDS, indicatorFollowUps, overdueObligations, unacknowledged, worstFirst, daysSince, type FollowUp, type FollowUpKind } from './follow-ups.js';
import { createIndicatorJudge, type Figure, type IndicatorContext, type JudgedIndicator, type Target } from './indicator-figures.js';
import type { IndicatorRow, MonitoringRepository } from './repository.js';
import { groupOf, measureProgress, type MeasureProgress } from './rollup.js';

/** Lights of a plan's measures and tasks at an instant (a measure owing nothing is green). */
export interface PlanLights {
  measures: Map<number, Light>;
  tasks: Map<number, Light>;
}

export interface FollowUpQuery {
  /** Only items of these units (a unit, or a collective's members). */
  unitIds?: number[] | undefined;
  kind?: FollowUpKind | undefined;
  /** A window of the list; without it, the whole list. */
  page?: { limit: number; offset: number } | undefined;
}

/**
 * What is built from a plan's catalogue (measures, leads, indicators and their targets) is built once per plan, not
 * once per request, and built again after an amendment (`planChanged`).
 */
function oncePerPlan<T>(build: (planId: number) => T): ((planId: number) => T) & { forget: (planId: number) => void } {
  const built = new Map<number, T>();
  const get = (planId: number) => {
    if (!built.has(planId)) built.set(planId, build(planId));
    return built.get(planId)!;
  };
  return Object.assign(get, { forget: (planId: number) => built.delete(planId) });
}

/** An indicator's yearly targets, with its headline target (value by the target year) where no yearly one covers that year. */
function targetList(indicator: Pick<IndicatorRow, 'comparator' | 'value' | 'targetYear'>, rows: Target[]): Target[] {
  const own: Target[] = rows.map(({ year, comparator, value }) => ({ year, comparator, value }));
  if (indicator.targetYear !== null && !own.some((x) => x.year === indicator.targetYear)) {
    own.push({ year: indicator.targetYear, comparator: indicator.comparator, value: indicator.value });
  }
  return own.sort((a, b) => a.year - b.year);
}

const pick = ({ comparator, value, targetYear }: Pick<IndicatorRow, 'comparator' | 'value' | 'targetYear'>) => ({ comparator, value, targetYear });

const yearScope = (year: number) => ({ dueFrom: `${year}-01-01`, dueTo: `${year}-12-31` });

/**
 * Monitoring, computed from obligations: the plan, a chapter, a unit and the follow-ups for a year, as of an instant.
 * A measure is completed for a year when every unit owing it has completed its obligations due that year (k of n);
 * lights roll up worst first: obligation → measure → task → chapter → plan, and obligation → unit.
 */
export function createMonitoringService(repository: MonitoringRepository, assignments: AssignmentService, units: UnitRepository, supervision: Supervision) {
  function planOf(planId: number | undefined) {
    const id = planId ?? repository.defaultPlanId();
    const plan = id === undefined ? undefined : repository.plan(id);
    if (!plan) throw notFound(THINGS.plan, planId ?? '—');
    return plan;
  }

  const catalogue = oncePerPlan((planId: number) => {
    const measures = repository.measures(planId);
    const leads = new Map<number, number[]>();
    const eachOwnPart = new Set<number>();
    for (const lead of repository.leads(planId)) {
      leads.set(lead.taskId, [...(leads.get(lead.taskId) ?? []), lead.unitId]);
      if (lead.leadsEachOwnPart) eachOwnPart.add(lead.taskId);
    }
    const owners = new Map<number, number[]>();
    for (const o of repository.owners(planId)) owners.set(o.measureId, [...(owners.get(o.measureId) ?? []), o.unitId]);
    const targets = repository.targets(planId);
    const indicators = repository.indicators(planId).map((indicator) => ({
      indicator,
      targets: targetList(
        indicator,
        targets.filter((r) => r.indicatorId === indicator.id),
      ),
    }));
    return { measures, byId: new Map(measures.map((m) => [m.id, m])), leads, eachOwnPart, owners, indicators, amendments: repository.indicatorAmendments(planId) };
  });

  /**
   * The plan's indicators with the targets in force in `year`: an amendment that counts from a later day (a target
   * re-baselined in 2025) does not change how an earlier year is judged. Each indicator's targets are those it had
   * before its first amendment effective after the year's end.
   */
  function indicatorsInForce(planId: number, year: number) {
    const { indicators, amendments } = catalogue(planId);
    const later = amendments.filter((a) => a.effectiveOn > `${year}-12-31` && a.before !== null);
    if (later.length === 0) return indicators;
    return indicators.map((entry) => {
      const first = later.find((a) => a.indicatorId === entry.indicator.id);
      if (!first) return entry;
      const then = JSON.parse(first.before!) as Pick<IndicatorRow, 'comparator' | 'value' | 'targetYear'> & { targets: Target[] };
      return { indicator: { ...entry.indicator, ...pick(then) }, targets: targetList({ ...entry.indicator, ...pick(then) }, then.targets) };
    });
  }

  const leadsOf = (planId: number) => (taskId: number) => catalogue(planId).leads.get(taskId) ?? [];
  const judgeIndicators = createIndicatorJudge(repository, indicatorsInForce);
  function indicatorContext(planId: number, asOf: Date): IndicatorContext {
    const cat = catalogue(planId);
    return {
      measuresOf: (indicator: IndicatorRow) => (indicator.measureId !== null ? [indicator.measureId] : cat.measures.filter((m) => m.taskId === indicator.taskId).map((m) => m.id)),
      leadsOf: leadsOf(planId),
      owingUnits: (measureIds, year) => repository.owingUnits(measureIds, year, asOf.toISOString()),
    };
  }
  const indicatorsFor = (planId: number, year: number, asOf: Date) => judgeIndicators(planId, year, asOf, indicatorContext(planId, asOf));

  /**
   * How indicators colour obligations: a member's own figure colours its obligations on the indicator's measures,
   * the city's figure those of the task's leads.
   */
  function signalsOf(planId: number, judged: JudgedIndicator[], asOf: Date): SignalLookup {
    const signals = new Map<string, IndicatorSignal>();
    const note = (measureIds: number[], unitId: number, year: number, attainment: Attainment | null) => {
      if (attainment !== 'not_met' && attainment !== 'at_risk') return;
      for (const measureId of measureIds) {
        const key = `${measureId}/${unitId}/${year}`;
        const signal = signals.get(key) ?? { notMet: false, atRisk: false };
        signals.set(key, { notMet: signal.notMet || attainment === 'not_met', atRisk: signal.atRisk || attainment === 'at_risk' });
      }
    };
    const context = indicatorContext(planId, asOf);
    for (const { indicator, year, city, members } of judged) {
      const measureIds = context.measuresOf(indicator);
      if (city) for (const lead of context.leadsOf(indicator.taskId)) note(measureIds, lead, year, city.attainment);
      for (const member of members) note(measureIds, member.unitId!, year, member.attainment);
    }
    return (measureId: number, unitId: number, year: number) => signals.get(`${measureId}/${unitId}/${year}`);
  }

  /** Signals for some years; with `measureIds`, only of the indicators stated on those measures (those in scope). */
  const indicatorSignals = (planId: number, years: number[], asOf: Date, measureIds?: number[]) => {
    const context = indicatorContext(planId, asOf);
    const concerns = measureIds === undefined ? undefined : (indicator: IndicatorRow) => context.measuresOf(indicator).some((id) => measureIds.includes(id));
    return signalsOf(
      planId,
      years.flatMap((year) => judgeIndicators(planId, year, asOf, context, concerns)),
      asOf,
    );
  };

  const unitRef = (id: number): UnitRef => assignments.unitRef(id);
  const progressItem = (p: MeasureProgress, planId: number) => {
    const m = catalogue(planId).byId.get(p.measureId)!;
    return { measureId: m.id, taskNo: m.taskNo, measureNo: m.no, status: p.status, light: p.light, owing: p.owing, completed: p.completed };
  };
  const figureView = (figure: Figure) => ({
    unit: figure.unitId === null ? null : unitRef(figure.unitId),
    actual: figure.actual,
    reportId: figure.reportId,
    attainment: figure.attainment,
    expected: figure.expected,
  });
  const indicatorView = ({ indicator, year, target, city, members }: JudgedIndicator) => ({
    indicatorId: indicator.id,
    key: indicator.key,
    name: indicator.name,
    taskId: indicator.taskId,
    taskNo: indicator.taskNo,
    measureId: indicator.measureId,
    unit: indicator.unit,
    scope: indicator.scope,
    combine: indicator.combine,
    year,
    comparator: target.comparator,
    target: target.value,
    city: city ? figureView(city) : null,
    members: members.map(figureView),
  });

  /** Units a scorecard covers: the unit itself, or a collective's members. */
  const unitsOf = (unitId: number) => {
    const unit = units.get(unitId);
    if (!unit) throw notFound(THINGS.unit, unitId);
    return {
      unit: { id: unit.id, name: unit.name, kind: unit.kind } as UnitRef,
      owing: unit.members.length > 0 ? unit.members.map((m) => m.id) : [unit.id],
      members: unit.members,
    };
  };

  return {
    planOf,
    /** The plan was amended: what was built from its catalogue is built again on the next request. */
    planChanged: (planId: number) => catalogue.forget(planId),
    indicatorSignals,
    indicatorsFor,

    /** Every measure's and task's light at `asOf`: the worst of all their obligations (any due date); none for no plan. */
    lights(planId: number | undefined, asOf: Date): PlanLights {
      const id = planId ?? repository.defaultPlanId();
      const plan = id === undefined ? undefined : repository.plan(id);
      if (!plan) return { measures: new Map(), tasks: new Map() };
      const cat = catalogue(plan.id);
      const measures = new Map([...measureProgress(assignments.judged({ planId: plan.id }, asOf)).values()].map((p) => [p.measureId, p.light]));
      const tasks = new Map<number, Light>();
      for (const m of cat.measures) tasks.set(m.taskId, worstLight([tasks.get(m.taskId) ?? 'green', measures.get(m.id) ?? 'green']));
      return { measures, tasks };
    },

    /** The whole plan for a year: obligations by state and light, measures (k of n) overall and per chapter, indicators, what is overdue. */
    dashboard(planId: number | undefined, year: number, asOf: Date) {
      const plan = planOf(planId);
      const indicators = indicatorsFor(plan.id, year, asOf);
      const obligations = assignments.judged({ planId: plan.id, ...yearScope(year) }, asOf, signalsOf(plan.id, indicators, asOf));
      const progress = [...measureProgress(obligations).values()];
      const cat = catalogue(plan.id);
      const chapterOf = (p: MeasureProgress) => cat.byId.get(p.measureId)!.chapterId;
      const chapters = repository.chapters(plan.id);
      const attainment: Record<Attainment, number> = { met: 0, on_track: 0, at_risk: 0, not_met: 0, no_data: 0 };
      for (const judged of indicators) if (judged.city?.attainment) attainment[judged.city.attainment]++;
      const states = { pending: 0, reported: 0, completed: 0, overdue: 0, waived: 0 };
      for (const o of obligations) states[o.state]++;
      return {
        plan: { id: plan.id, title: plan.title },
        year,
        asOf: asOf.toISOString(),
        light: groupOf(progress).light,
        obligations: { total: obligations.length, ...states, lights: countLights(obligations.filter((o) => o.state !== 'waived').map((o) => o.light)) },
        measures: { ...groupOf(progress), lights: countLights(progress.map((p) => p.light)) },
        chapters: chapters.map((c) => ({ chapterId: c.id, title: c.title, ...groupOf(progress.filter((p) => chapterOf(p) === c.id)) })),
        indicators: { ...attainment, total: indicators.length, items: indicators.map(indicatorView) },
        overdue: progress
          .filter((p) => p.status === 'overdue')
          .map((p) => ({ ...progressItem(p, plan.id), since: p.overdueSince!, daysOverdue: daysSince(p.overdueSince!, asOf), overdueUnits: p.overdueUnitIds.map(unitRef) }))
          .sort((a, b) => b.daysOverdue - a.daysOverdue || a.measureId - b.measureId),
      };
    },

    /**
     * A unit's year: its own obligations (a collective: its members'), measure by measure; the measures of the
     * tasks it leads (only its own part where the leads each lead theirs), k of n across every owing unit; and for a
     * collective, each member's record.
     */
    scorecard(unitId: number, planId: number | undefined, year: number, asOf: Date) {
      const plan = planOf(planId);
      const { unit, owing, members } = unitsOf(unitId);
      const cat = catalogue(plan.id);
      const leads = (measureId: number) => {
        const m = cat.byId.get(measureId)!;
        return (cat.leads.get(m.taskId) ?? []).includes(unit.id) && (!cat.eachOwnPart.has(m.taskId) || (cat.owners.get(measureId) ?? []).includes(unit.id));
      };
      const signals = signalsOf(plan.id, indicatorsFor(plan.id, year, asOf), asOf);
      const own = assignments.judged({ planId: plan.id, unitIds: owing, ...yearScope(year) }, asOf, signals);
      const ledMeasures = cat.measures.filter((m) => leads(m.id)).map((m) => m.id);
      const led = ledMeasures.length === 0 ? [] : assignments.judged({ planId: plan.id, measureIds: ledMeasures, ...yearScope(year) }, asOf, signals);
      const ownProgress = [...measureProgress(own).values()];
      const ledProgress = [...measureProgress(led).values()];
      const record = (obligations: JudgedObligation[]) => {
        const progress = [...measureProgress(obligations).values()];
        return { ...groupOf(progress), obligations: countLights(obligations.filter((o) => o.state !== 'waived').map((o) => o.light)) };
      };
      return {
        unit,
        year,
        asOf: asOf.toISOString(),
        light: groupOf(ownProgress).light,
        carried: { ...record(own), measures: ownProgress.map((p) => progressItem(p, plan.id)) },
        led: { ...groupOf(ledProgress), measures: ledProgress.map((p) => progressItem(p, plan.id)) },
        members: members.map((member) => ({ unit: member, ...record(own.filter((o) => o.unitId === member.id)) })),
      };
    },

    /** A chapter's tasks for a year: each measure with k of n, its status and light; the tasks' and the chapter's roll-ups. */
    chapterProgress(chapterId: number, year: number, asOf: Date) {
      const planId = repository.chapterPlan(chapterId);
      if (planId === undefined) throw notFound(THINGS.chapter, chapterId);
      const cat = catalogue(planId);
      const inChapter = [...measureProgress(assignments.judged({ planId, ...yearScope(year) }, asOf)).values()].filter((p) => cat.byId.get(p.measureId)!.chapterId === chapterId);
      const taskIds = [...new Set(inChapter.map((p) => cat.byId.get(p.measureId)!.taskId))];
      return {
        chapterId,
        year,
        asOf: asOf.toISOString(),
        ...groupOf(inChapter),
        tasks: taskIds.map((taskId) => {
          const ofTask = inChapter.filter((p) => cat.byId.get(p.measureId)!.taskId === taskId);
          return { taskId, taskNo: cat.byId.get(ofTask[0]!.measureId)!.taskNo, ...groupOf(ofTask), measures: ofTask.map((p) => progressItem(p, planId)) };
        }),
      };
    },

    /** An indicator year by year: target, the city's figure and the members', and how many approved values lie behind them. */
    series(indicatorId: number, asOf: Date) {
      const planId = repository.indicatorPlan(indicatorId);
      const entry = planId === undefined ? undefined : catalogue(planId).indicators.find((e) => e.indicator.id === indicatorId);
      if (planId === undefined || !entry) throw notFound(THINGS.indicator, indicatorId);
      const { indicator } = entry;
      const plan = planOf(planId);
      const years = Array.from({ length: plan.endYear - plan.startYear + 1 }, (_, i) => plan.startYear + i);
      const context = indicatorContext(planId, asOf);
      return {
        indicatorId,
        name: indicator.name,
        unit: indicator.unit,
        direction: indicator.direction,
        scope: indicator.scope,
        combine: indicator.combine,
        asOf: asOf.toISOString(),
        years: years.map((year) => {
          const [judged] = judgeIndicators(planId, year, asOf, context, (indicator) => indicator.id === indicatorId);
          return {
            year,
            target: judged ? { comparator: judged.target.comparator, value: judged.target.value } : null,
            city: judged?.city ? figureView(judged.city) : null,
            members: judged?.members.map(figureView) ?? [],
            values: repository.valuesCount(indicatorId, year, asOf.toISOString()),
          };
        }),
      };
    },

    /** A page of the approved values of an indicator for a year (of one unit, if given), oldest period first. */
    values(indicatorId: number, year: number, asOf: Date, page: { limit: number; offset: number }, unitId?: number) {
      if (repository.indicatorPlan(indicatorId) === undefined) throw notFound(THINGS.indicator, indicatorId);
      const iso = asOf.toISOString();
      return { items: repository.valuesPage(indicatorId, year, iso, page, unitId), total: repository.valuesCount(indicatorId, year, iso, unitId) };
    },

    /**
     * What to chase (督办) as of `asOf`, worst first (FOLLOW_UP_KINDS order): overdue obligations, returned reports
     * not resubmitted, indicators not met, assignments not signed for in time, obligations due soon, indicators at
     * risk. Closed and withdrawn assignments are not chased.
     */
    followUps(planId: number | undefined, asOf: Date, query: FollowUpQuery = {}): { items: FollowUp[]; total: number } {
      const plan = planOf(planId);
      const cat = catalogue(plan.id);
      const today = shanghaiDate(asOf);
      const currentYear = Math.min(Number(today.slice(0, 4)), plan.endYear);
      const open = assignments.openAssignments(plan.id, asOf, query.unitIds);
      const openIds = new Set(open.map((a) => a.id));
      const indicators = [currentYear - 1, currentYear].flatMap((year) => indicatorsFor(plan.id, year, asOf));
      // Only what is overdue or falls due within the warning days is chased: later obligations are not read.
      const dueTo = shanghaiDate(new Date(asOf.getTime() + supervision.warningDays * 86_400_000));
      const obligations = assignments.judged({ planId: plan.id, unitIds: query.unitIds, dueTo }, asOf, () => undefined, true).filter((o) => openIds.has(o.assignmentId));
      const measures = new Map(cat.measures.map((m) => [m.id, { taskNo: m.taskNo, no: m.no }]));
      const targetOf = (o: JudgedObligation) => assignments.targetOf(plan.id, o.measureId, o.dueDate);
      const items = [
        ...overdueObligations(obligations, measures, targetOf, asOf),
        ...indicatorFollowUps(indicators, leadsOf(plan.id), asOf),
        ...unacknowledged(open, today, asOf),
        ...dueSoon(obligations, measures, targetOf, asOf, today, supervision.warningDays),
      ];

      // Returned reports can run to thousands: they are counted and paged in SQL, in the list's order, and only
      // the page's are built; the other kinds are built, filtered and sorted here.
      const { unitIds, kind, page } = query;
      const rank = (k: FollowUpKind) => FOLLOW_UP_KINDS.indexOf(k);
      const listed = items
        .filter((item) => (kind === undefined || item.kind === kind) && (unitIds === undefined || item.unitIds.some((u) => unitIds.includes(u))))
        .sort(worstFirst);
      const before = listed.filter((item) => rank(item.kind) < rank('returned_report'));
      const after = listed.filter((item) => rank(item.kind) > rank('returned_report'));
      const returnedTotal = kind === undefined || kind === 'returned_report' ? repository.returnedCount(plan.id, asOf.toISOString(), unitIds) : 0;
      const total = before.length + returnedTotal + after.length;
      const { limit, offset } = page ?? { limit: total, offset: 0 };
      const window = before.slice(offset, offset + limit);
      const returnedOffset = Math.max(0, offset - before.length);
      const returnedLimit = Math.min(limit - window.length, returnedTotal - returnedOffset);
      if (returnedLimit > 0) {
        for (const report of repository.returnedPage(plan.id, asOf.toISOString(), { limit: returnedLimit, offset: returnedOffset }, unitIds)) {
          const m = cat.byId.get(report.measureId)!;
          window.push({
            kind: 'returned_report',
            title: `任务${m.taskNo}${m.no === null ? '' : `第${m.no}项措施`} ${report.period} 报告已退回未重报${report.reviewNote ? `：${report.reviewNote}` : ''}`,
            taskNo: m.taskNo,
            measureId: m.id,
            assignmentId: null,
            reportId: report.id,
            indicatorId: null,
            unitIds: [report.unitId],
            since: report.since,
            daysOutstanding: daysSince(report.since, asOf),
            subject: { type: 'report', id: report.id },
          });
        }
      }
      const afterOffset = Math.max(0, offset - before.length - returnedTotal);
      window.push(...after.slice(afterOffset, afterOffset + limit - window.length));
      return { items: window, total };
    },

    unitRef,
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
