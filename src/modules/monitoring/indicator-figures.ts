import { judgeTarget, type Attainment, type Comparator, type Direction } from './evaluation.js';
import type { IndicatorRow, IndicatorValueRow, MonitoringRepository } from './repository.js';

export interface Target {
  year: number;
  comparator: string;
  value: number;
}

/** One figure of an indicator for a year: the city's, or one unit's own. */
export interface Figure {
  /** null for the city's figure. */
  unitId: number | null;
  actual: number | null;
  /** The report the value comes from; null for a figure derived from several. */
  reportId: number | null;
  /** null for a member's share of a sum or a count: not judged against the city's target on its own. */
  attainment: Attainment | null;
  expected: number | null;
}

export interface JudgedIndicator {
  indicator: IndicatorRow;
  year: number;
  target: Target;
  /** The city's figure: reported by a lead unit (scope city), derived from the members' (derived); null for each_member. */
  city: Figure | null;
  /** Each owing unit's own figure (each_member and derived). */
  members: Figure[];
}

/** What judging an indicator needs from the plan besides values: which measures it is stated on, who leads, who owes. */
export interface IndicatorContext {
  measuresOf: (indicator: IndicatorRow) => number[];
  leadsOf: (taskId: number) => number[];
  /** Units owing one of the measures in the year. */
  owingUnits: (measureIds: number[], year: number) => number[];
}

const combineValues = (combine: IndicatorRow['combine'], values: number[]): number => {
  if (combine === 'count_meeting') return values.filter((v) => v > 0).length;
  const sum = values.reduce((a, b) => a + b, 0);
  return combine === 'mean' ? sum / values.length : sum;
};

/**
 * Indicators judged by what they are measured over. A value in a report is the reporting unit's own: the city's
 * figure of a city-wide indicator is what its lead unit reports (the latest of the leads' values); a derived figure
 * is the sum, the mean, or the count of members reporting a value above 0 (count_meeting: a member reports 1 when it
 * meets the criterion) of the owing units' own figures; each member's figure is judged against the target on its own
 * (each_member, and a mean). A county's value never stands for the city's.
 */
export function createIndicatorJudge(repository: MonitoringRepository, targetsOf: (planId: number, year: number) => { indicator: IndicatorRow; targets: Target[] }[]) {
  /** The plan's indicators with a target in `year` judged as of `asOf` (only those `only` keeps, when given). */
  return function judgeYear(planId: number, year: number, asOf: Date, context: IndicatorContext, only?: (indicator: IndicatorRow) => boolean): JudgedIndicator[] {
    const iso = asOf.toISOString();
    const latest = new Map<string, IndicatorValueRow | undefined>();
    /** A unit's latest value across the indicator's measures for a year (each read once per call). */
    const valueOf = (indicator: IndicatorRow, unitId: number, y: number) => {
      const key = `${indicator.id}/${unitId}/${y}`;
      if (!latest.has(key)) {
        const candidates = context.measuresOf(indicator).flatMap((measureId) => repository.latestValue(indicator.id, measureId, unitId, y, iso) ?? []);
        latest.set(key, candidates.sort((a, b) => (a.periodEnd + a.reviewedAt < b.periodEnd + b.reviewedAt ? 1 : -1))[0]);
      }
      return latest.get(key);
    };
    const cityValue = (indicator: IndicatorRow, y: number): { value: number; reportId: number | null } | undefined => {
      if (indicator.scope === 'city') {
        const values = context.leadsOf(indicator.taskId).flatMap((unitId) => valueOf(indicator, unitId, y) ?? []);
        const newest = values.sort((a, b) => (a.periodEnd + a.reviewedAt < b.periodEnd + b.reviewedAt ? 1 : -1))[0];
        return newest && { value: newest.value, reportId: newest.reportId };
      }
      if (indicator.scope === 'each_member') return undefined;
      const values = context.owingUnits(context.measuresOf(indicator), y).flatMap((unitId) => valueOf(indicator, unitId, y)?.value ?? []);
      return values.length === 0 ? undefined : { value: combineValues(indicator.combine, values), reportId: null };
    };
    const judge = (
      indicator: IndicatorRow,
      target: Target,
      previousTarget: Target | undefined,
      unitId: number | null,
      value: { value: number; reportId: number | null } | undefined,
      baseline: number | undefined,
    ): Figure => {
      const quantity = (v: number) => ({ value: v, unit: indicator.unit });
      const judgement = judgeTarget({
        year: target.year,
        comparator: target.comparator as Comparator,
        target: quantity(target.value),
        direction: indicator.direction as Direction,
        actual: value ? quantity(value.value) : null,
        baseline: (baseline ?? previousTarget?.value) === undefined ? null : quantity((baseline ?? previousTarget?.value)!),
        asOf,
      });
      return { unitId, actual: value?.value ?? null, reportId: value?.reportId ?? null, ...judgement };
    };

    return targetsOf(planId, year).flatMap(({ indicator, targets }) => {
      if (only && !only(indicator)) return [];
      const index = targets.findIndex((x) => x.year === year);
      if (index === -1) return [];
      const target = targets[index]!;
      const previousTarget = targets[index - 1];
      const city = indicator.scope === 'each_member' ? null : judge(indicator, target, previousTarget, null, cityValue(indicator, year), cityValue(indicator, year - 1)?.value);
      const judgedMembers = indicator.scope === 'each_member' || indicator.combine === 'mean';
      const members =
        indicator.scope === 'city'
          ? []
          : context.owingUnits(context.measuresOf(indicator), year).map((unitId) => {
              const own = valueOf(indicator, unitId, year);
              const figure = judge(indicator, target, previousTarget, unitId, own, valueOf(indicator, unitId, year - 1)?.value);
              // A member's share of a sum or a count is not judged against the city's target: its value is shown, no more.
              return judgedMembers ? figure : { ...figure, attainment: null, expected: null };
            });
      return [{ indicator, year, target, city, members }];
    });
  };
}

export type IndicatorJudge = ReturnType<typeof createIndicatorJudge>;
