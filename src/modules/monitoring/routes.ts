import type { ApiInstance } from '../../http/app-types.js';
import { parseInstant, shanghaiYear } from '../../http/calendar.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField } from '../../domain/errors.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import { ChapterProgressSchema, DashboardSchema, FollowUpPageSchema, FollowUpQuery, MonitoringQuery, ScorecardSchema, SeriesSchema, YearAsOfQuery, AsOfQuery } from './schemas.js';
import type { MonitoringService } from './service.js';

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
      throw invalidField('/querystring/year', `falls outside the plan's years ${plan.startYear}–${plan.endYear}`);
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
          'Measure statuses (completed, on track, overdue, not reported) overall and per chapter, every indicator with a target in the year judged against the latest approved value, and the overdue measures. `asOf` shows the picture as it stood on a past date.',
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
          'The measures a unit carries (owns, or is responsible for their task — directly or through a collective) judged from its own reports, the measures of tasks it leads judged from everyone’s, and for a collective such as 各县(市、区)人民政府 a county-by-county breakdown.',
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
        description: 'Each task of the chapter with its measures’ statuses for the year, and the chapter’s totals.',
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
          'For every year of the plan: the target the document gives, the latest approved value, the judgement (met, not_met, at_risk, on_track, no_data) and every approved report value behind it. Returned or draft reports never count.',
        params: IdParams,
        querystring: AsOfQuery,
        response: { 200: SeriesSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => monitoring.series(request.params.id, when(request.query).asOf),
  );

  app.get(
    '/follow-ups',
    {
      schema: {
        tags,
        operationId: 'listFollowUps',
        summary: 'What to chase (督办)',
        description:
          'Every deadline or milestone passed without a completed report, every indicator not met or at risk, every returned report not resubmitted, and every measure with no report for the last closed quarter — each with its units, how long it has been outstanding and a link. Worst first: by kind (in the order of `kind`’s values), then longest outstanding (earliest `since`), then by measure. Filter by `unit` (id, name or alias; includes its collectives) and `kind`.',
        querystring: FollowUpQuery,
        response: { 200: FollowUpPageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { limit, offset, unit, kind, ...rest } = request.query;
      const { plan, asOf } = when(rest);
      const unitId = unitResolver.unitFilter('unit', unit)?.[0];
      const { items, total } = monitoring.followUps(plan.id, asOf, { unitId, kind, page: { limit, offset } });
      return { items, total, limit, offset };
    },
  );
}
