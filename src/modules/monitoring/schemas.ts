import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../http/enum.js';
import { instantFilter, unitFilter, yearFilter } from '../../http/filters.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { UnitRefSchema } from '../units/schemas.js';
import { ATTAINMENTS } from './evaluation.js';
import { FOLLOW_UP_KINDS, MEASURE_STATUSES } from './service.js';

const asOf = instantFilter('See the picture as it stood at this instant; default now. Only reports approved by then count.', 'the end of that day');
const year = yearFilter('The year judged; default the current year (Asia/Shanghai), within the plan’s years.');

export const MonitoringQuery = Type.Object(
  { plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id; default the first plan.' })), year: Type.Optional(year), asOf: Type.Optional(asOf) },
  { additionalProperties: false },
);
export const AsOfQuery = Type.Object({ asOf: Type.Optional(asOf) }, { additionalProperties: false });
export const YearAsOfQuery = Type.Object({ year: Type.Optional(year), asOf: Type.Optional(asOf) }, { additionalProperties: false });

const status = StringEnum(MEASURE_STATUSES, {
  description: 'completed: an approved report says so; overdue: a milestone of the year or the deadline passed without that; on_track: approved reports and nothing overdue; not_reported: no approved report in the year.',
});
const attainment = StringEnum(ATTAINMENTS, {
  description: 'met; not_met (the year is over); at_risk (behind the straight line from last year’s value to the target); on_track (not met yet, ahead of that line); no_data.',
});

const countFields = {
  completed: Type.Integer(),
  on_track: Type.Integer(),
  overdue: Type.Integer(),
  not_reported: Type.Integer(),
  total: Type.Integer(),
  shareCompleted: Type.Number({ description: 'completed / total, 0–1.' }),
};
const countsExample = { completed: 12, on_track: 40, overdue: 9, not_reported: 87, total: 148, shareCompleted: 0.081 };
const StatusCounts = Type.Object(countFields, { description: 'Measures per status.' });

const IndicatorJudgement = Type.Object({
  indicatorId: Type.Integer(),
  key: Type.String(),
  name: Type.String(),
  taskId: Type.Integer(),
  taskNo: Type.Integer(),
  measureId: Type.Union([Type.Integer(), Type.Null()]),
  unit: Type.String(),
  year: Type.Integer(),
  comparator: Type.String(),
  target: Type.Number(),
  actual: Type.Union([Type.Number(), Type.Null()], { description: 'The latest approved value for the year, in `unit`.' }),
  actualReportId: Type.Union([Type.Integer(), Type.Null()]),
  attainment,
  expected: Type.Union([Type.Number(), Type.Null()], { description: 'Where the straight line stands at asOf (at_risk/on_track only).' }),
});
const judgementExample = {
  indicatorId: 1, key: 'gov-integrity-commitment-rate', name: '政务诚信承诺率', taskId: 1, taskNo: 1, measureId: 1, unit: '%',
  year: 2024, comparator: '>=', target: 80, actual: 72, actualReportId: 31, attainment: 'at_risk', expected: 74.5,
};

export const DashboardSchema = Type.Object(
  {
    plan: Type.Object({ id: Type.Integer(), title: Type.String() }),
    year: Type.Integer(),
    asOf: Type.String({ format: 'date-time' }),
    measures: StatusCounts,
    chapters: Type.Array(Type.Object({ chapterId: Type.Integer(), ...countFields }), { description: 'The same counts per chapter.' }),
    indicators: Type.Object({
      met: Type.Integer(), on_track: Type.Integer(), at_risk: Type.Integer(), not_met: Type.Integer(), no_data: Type.Integer(), total: Type.Integer(),
      items: Type.Array(IndicatorJudgement, { description: 'Every indicator with a target in the year, judged.' }),
    }),
    overdue: Type.Array(
      Type.Object({ measureId: Type.Integer(), taskNo: Type.Integer(), measureNo: Type.Union([Type.Integer(), Type.Null()]), since: Type.String({ format: 'date' }), daysOverdue: Type.Integer(), ownerUnits: Type.Array(Type.Ref(UnitRefSchema)) }),
      { description: 'Overdue measures, longest overdue first.' },
    ),
  },
  {
    description: 'The plan for a year: measure statuses overall and per chapter, indicator attainment, and what is overdue.',
    examples: [
      {
        plan: { id: 1, title: '绥化市…分解表' }, year: 2024, asOf: '2024-10-08T00:00:00.000Z', measures: countsExample,
        chapters: [{ chapterId: 1, ...countsExample }],
        indicators: { met: 3, on_track: 2, at_risk: 1, not_met: 0, no_data: 8, total: 14, items: [judgementExample] },
        overdue: [{ measureId: 9, taskNo: 5, measureNo: 7, since: '2024-12-31', daysOverdue: 30, ownerUnits: [{ id: 12, name: '市住建局', kind: 'city_department' }] }],
      },
    ],
  },
);

const MeasureStatusItem = Type.Object({ measureId: Type.Integer(), taskNo: Type.Integer(), measureNo: Type.Union([Type.Integer(), Type.Null()]), status });

export const ScorecardSchema = Type.Object(
  {
    unit: Type.Ref(UnitRefSchema),
    year: Type.Integer(),
    asOf: Type.String({ format: 'date-time' }),
    carried: Type.Object({ ...countFields, measures: Type.Array(MeasureStatusItem) }, {
      description: 'Measures the unit owns or is responsible for (directly or through a collective), judged from its own reports.',
    }),
    led: Type.Object({ ...countFields, measures: Type.Array(MeasureStatusItem) }, {
      description: 'Measures of the tasks the unit leads, judged from every unit’s reports.',
    }),
    members: Type.Array(Type.Object({ unit: Type.Ref(UnitRefSchema), ...countFields }), {
      description: 'For a collective: each member’s record on the measures the collective carries (county by county).',
    }),
  },
  {
    description: 'A unit’s year, as owner/responsible unit and as lead, with a member-by-member breakdown for collectives.',
    examples: [{ unit: { id: 5, name: '市民政局', kind: 'city_department' }, year: 2024, asOf: '2024-10-08T00:00:00.000Z', carried: { ...countsExample, measures: [{ measureId: 4, taskNo: 4, measureNo: 1, status: 'on_track' }] }, led: { ...countsExample, measures: [] }, members: [] }],
  },
);

export const ChapterProgressSchema = Type.Object(
  {
    chapterId: Type.Integer(),
    year: Type.Integer(),
    asOf: Type.String({ format: 'date-time' }),
    ...countFields,
    tasks: Type.Array(
      Type.Object({
        taskId: Type.Integer(),
        taskNo: Type.Integer(),
        ...countFields,
        measures: Type.Array(Type.Object({ measureId: Type.Integer(), measureNo: Type.Union([Type.Integer(), Type.Null()]), status, lastApprovedAt: Type.Union([Type.String(), Type.Null()]) })),
      }),
    ),
  },
  {
    description: 'A chapter’s tasks for a year, each with its measures’ statuses.',
    examples: [{ chapterId: 1, year: 2024, asOf: '2024-10-08T00:00:00.000Z', ...countsExample, tasks: [{ taskId: 4, taskNo: 4, ...countsExample, measures: [{ measureId: 4, measureNo: 1, status: 'completed', lastApprovedAt: '2024-10-01T02:00:00.000Z' }] }] }],
  },
);

export const SeriesSchema = Type.Object(
  {
    indicatorId: Type.Integer(),
    name: Type.String(),
    unit: Type.String(),
    direction: Type.String(),
    asOf: Type.String({ format: 'date-time' }),
    years: Type.Array(
      Type.Object({
        year: Type.Integer(),
        target: Type.Union([Type.Object({ comparator: Type.String(), value: Type.Number() }), Type.Null()], { description: 'The target for the year, if the document gives one.' }),
        actual: Type.Union([Type.Number(), Type.Null()]),
        attainment: Type.Union([attainment, Type.Null()], { description: 'Null in years without a target.' }),
        expected: Type.Union([Type.Number(), Type.Null()]),
        reports: Type.Array(
          Type.Object({ reportId: Type.Integer(), unitId: Type.Integer(), period: Type.String(), periodEnd: Type.String(), value: Type.Number(), reviewedAt: Type.String() }),
          { description: 'Every approved value for the year, oldest period first; the last one is the actual.' },
        ),
      }),
    ),
  },
  {
    description: 'An indicator year by year: target, actual, judgement and the approved reports behind it.',
    examples: [{ indicatorId: 1, name: '政务诚信承诺率', unit: '%', direction: 'increase', asOf: '2024-10-08T00:00:00.000Z', years: [{ year: 2022, target: { comparator: '>=', value: 50 }, actual: 55, attainment: 'met', expected: null, reports: [{ reportId: 3, unitId: 1, period: '2022', periodEnd: '2022-12-31', value: 55, reviewedAt: '2023-01-10T02:00:00.000Z' }] }] }],
  },
);

const followUpExample = {
  kind: 'overdue_milestone', title: 'Milestone due 2023-12-31 has no completed report: 2023年底前…', taskNo: 3, measureId: 3, reportId: null, indicatorId: null,
  units: [{ id: 1, name: '市营商环境局', kind: 'city_department' }], since: '2023-12-31', daysOutstanding: 282, link: '/api/v1/measures/3',
};
export const FollowUpSchema = Type.Object(
  {
    kind: StringEnum(FOLLOW_UP_KINDS, { description: 'In order of severity, worst first.' }),
    title: Type.String(),
    taskNo: Type.Union([Type.Integer(), Type.Null()]),
    measureId: Type.Union([Type.Integer(), Type.Null()]),
    reportId: Type.Union([Type.Integer(), Type.Null()]),
    indicatorId: Type.Union([Type.Integer(), Type.Null()]),
    units: Type.Array(Type.Ref(UnitRefSchema), { description: 'The units to chase.' }),
    since: Type.String({ format: 'date', description: 'Outstanding since (Asia/Shanghai date).' }),
    daysOutstanding: Type.Integer(),
    link: Type.String({ description: 'The API resource to look at.' }),
  },
  { $id: 'FollowUp', title: 'FollowUp', description: 'One thing to chase (督办).', examples: [followUpExample] },
);

export const FollowUpQuery = listQuery({
  plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id; default the first plan.' })),
  asOf: Type.Optional(asOf),
  unit: Type.Optional(unitFilter('Items whose units include this unit or a collective it belongs to.')),
  kind: Type.Optional(StringEnum(FOLLOW_UP_KINDS)),
});
export const FollowUpPageSchema = pageOf(Type.Ref(FollowUpSchema), { description: 'Follow-ups, worst first.', itemExample: followUpExample });
