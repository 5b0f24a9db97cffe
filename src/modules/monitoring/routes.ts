import type { ApiInstance } from '../../http/app-types.js';
import { parseInstant, shanghaiYear } from '../../http/calendar.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField } from '../../domain/errors.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { FollowUp, FollowUpSubject } from './follow-ups.js';
import {
  AsOfQuery,
  ChapterProgressSchema,
  DashboardSchema,
  FollowUpPageSchema,
  FollowUpQuery,
  IndicatorValuePageSchema,
  IndicatorValuesQuery,
  MonitoringQuery,
  ScorecardSchema,
  SeriesSchema,
  YearAsOfQuery,
} from './schemas.js';
import type { MonitoringService } from './service.js';
import { outsidePlanYears } from '../plans/said.js';

const LINKS: Record<FollowUpSubject['type'], (id: number) => string> = {
  assignment: (id) => `/api/v1/assignments/${id}`,
  report: (id) => `/api/v1/reports/${id}`,
  indicator: (id) => `/api/v1/indicators/${id}/series`,
};

/** The API path of what a follow-up is about. */
export const followUpLink = (subject: FollowUpSubject) => LINKS[subject.type](subject.id);

interface MonitoringRouteDeps {
  monitoring: MonitoringService;
  unitResolver: UnitResolver;
  now: () => Date;
}

const tags = ['monitoring'];

export function registerMonitoringRoutes(app: ApiInstance, { monitoring, unitResolver, now }: MonitoringRouteDeps): void {
  /** asOf defaults to now; the year to asOf's year, kept within the plan's years. */
  function when(query: { plan?: number | undefined; year?: number | undefined; asOf?: string | undefined }) {
    const asOf = query.asOf === undefined ? now() : parseInstant(query.asOf, 'day-end');
    const plan = monitoring.planOf(query.plan);
    if (query.year !== undefined && (query.year < plan.startYear || query.year > plan.endYear)) {
      throw invalidField('/querystring/year', outsidePlanYears(plan.startYear, plan.endYear));
    }
    const year = query.year ?? Math.min(plan.endYear, Math.max(plan.startYear, shanghaiYear(asOf)));
    return { asOf, plan, year };
  }

  app.get(
    '/dashboard',
    {
      schema: {
        tags,
        operationId: 'getDashboard',
        summary: 'The whole plan’s status for a year',
        description:
          'From the obligations due in the year: their states and lights; measures (completed when every owing unit has completed: k of n) overall and per chapter, with lights rolled up worst first; every indicator with a target in the year, the city’s figure and each member’s judged; and the overdue measures with the units that are late. `asOf` shows the picture as it stood on a past date.',
        querystring: MonitoringQuery,
        response: { 200: DashboardSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { plan, year, asOf } = when(request.query);
      return monitoring.dashboard(plan.id, year, asOf);
    },
  );

  app.get(
    '/units/:id/scorecard',
    {
      schema: {
        tags,
        operationId: 'getUnitScorecard',
        summary: 'A unit’s scorecard for a year',
        description:
          'What a unit owes in the year (its own obligations, measure by measure), the measures of tasks it leads (its own part where the leads each lead theirs) with k of n across every owing unit, and for a collective such as 各县(市、区)人民政府 each member’s own record.',
        params: IdParams,
        querystring: MonitoringQuery,
        response: { 200: ScorecardSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { plan, year, asOf } = when(request.query);
      return monitoring.scorecard(request.params.id, plan.id, year, asOf);
    },
  );

  app.get(
    '/chapters/:id/progress',
    {
      schema: {
        tags,
        operationId: 'getChapterProgress',
        summary: 'A chapter’s progress for a year',
        description: 'Each task of the chapter with its measures for the year (k of n owing units, status, light), and the roll-ups.',
        params: IdParams,
        querystring: YearAsOfQuery,
        response: { 200: ChapterProgressSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { year, asOf } = when(request.query);
      return monitoring.chapterProgress(request.params.id, year, asOf);
    },
  );

  app.get(
    '/indicators/:id/series',
    {
      schema: {
        tags,
        operationId: 'getIndicatorSeries',
        summary: 'An indicator year by year',
        description:
          'For every year of the plan: the target the document gives, the city’s figure and each member’s (by the indicator’s scope), judged (met, not_met, at_risk, on_track, no_data), and how many approved values lie behind them (listed, paged, at `/indicators/{id}/values`). Returned or draft reports never count; a unit’s value is its own.',
        params: IdParams,
        querystring: AsOfQuery,
        response: { 200: SeriesSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => monitoring.series(request.params.id, when(request.query).asOf),
  );

  app.get(
    '/indicators/:id/values',
    {
      schema: {
        tags,
        operationId: 'listIndicatorValues',
        summary: 'The approved values behind an indicator’s figures',
        description: 'Every approved value of the indicator for `year` as of `asOf`, oldest period first, paged; `unit` gives one unit’s.',
        params: IdParams,
        querystring: IndicatorValuesQuery,
        response: { 200: IndicatorValuePageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { limit, offset, year, unit, asOf: asOfText } = request.query;
      const asOf = asOfText === undefined ? now() : parseInstant(asOfText, 'day-end');
      const unitId = unitResolver.owingUnits('unit', unit)?.[0];
      return { ...monitoring.values(request.params.id, year, asOf, { limit, offset }, unitId), limit, offset };
    },
  );

  app.get(
    '/follow-ups',
    {
      schema: {
        tags,
        operationId: 'listFollowUps',
        summary: 'What to chase (督办)',
        description:
          'From the open assignments (closed and withdrawn ones are not chased): every overdue obligation (催办), every returned report not resubmitted, every indicator figure not met, every assignment not signed for within SIGN_FOR_DAYS, every obligation due within WARNING_DAYS (提醒), every indicator figure at risk — each with its units, how long it has been outstanding and a link. Worst first: by kind (in the order of `kind`’s values), then longest outstanding (earliest `since`), then by measure. Filter by `unit` (id, name or alias; a collective gives its members’) and `kind`.',
        querystring: FollowUpQuery,
        response: { 200: FollowUpPageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { limit, offset, unit, kind, ...rest } = request.query;
      const { plan, asOf } = when(rest);
      const unitIds = unitResolver.owingUnits('unit', unit);
      const { items, total } = monitoring.followUps(plan.id, asOf, { unitIds, kind, page: { limit, offset } });
      return { items: items.map((item) => followUpView(item, monitoring)), total, limit, offset };
    },
  );
}

/** A follow-up as the API shows it: its units named, and a link to what it is about. */
export function followUpView({ unitIds, subject, ...item }: FollowUp, monitoring: MonitoringService) {
  return { ...item, units: unitIds.map(monitoring.unitRef), link: followUpLink(subject) };
}
