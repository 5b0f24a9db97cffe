import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../http/enum.js';
import { instantFilter, unitFilter, yearFilter } from '../../http/filters.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { UnitRefSchema } from '../units/schemas.js';
import { INDICATOR_COMBINES, INDICATOR_SCOPES } from '../../db/schema.js';
import { LightSchema } from '../assignments/schemas.js';
import { ATTAINMENTS } from './evaluation.js';
import { FOLLOW_UP_KINDS } from './follow-ups.js';
import { MEASURE_STATUSES } from './rollup.js';

const asOf = instantFilter('See the picture as it stood at this instant; default now. Only reports approved by then count.', 'day-end');
const year = yearFilter('The year judged; default the current year (Asia/Shanghai), within the plan’s years.');

export const MonitoringQuery = Type.Object(
  { plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id; default the first plan.' })), year: Type.Optional(year), asOf: Type.Optional(asOf) },
  { additionalProperties: false },
);
export const AsOfQuery = Type.Object({ asOf: Type.Optional(asOf) }, { additionalProperties: false });
export const YearAsOfQuery = Type.Object({ year: Type.Optional(year), asOf: Type.Optional(asOf) }, { additionalProperties: false });

const status = StringEnum(MEASURE_STATUSES, {
  description:
    'For the year, from the obligations due in it: completed (every unit owing the measure has completed), overdue (some unit has an obligation past its due date), on_track (some unit has reported or completed), not_reported.',
});
const attainment = StringEnum(ATTAINMENTS, {
  description: 'met; not_met (the year is over); at_risk (behind the straight line from last year’s value to the target); on_track (not met yet, ahead of that line); no_data.',
});
const light = Type.Ref(LightSchema);
const lightCounts = Type.Object({ green: Type.Integer(), yellow: Type.Integer(), red: Type.Integer() }, { description: 'How many have each light.' });

const countFields = {
  completed: Type.Integer(),
  on_track: Type.Integer(),
  overdue: Type.Integer(),
  not_reported: Type.Integer(),
  total: Type.Integer({ description: 'Measures with an obligation due in the year.' }),
  shareCompleted: Type.Number({ description: 'completed / total, 0–1.' }),
  light,
};
const countsExample = { completed: 12, on_track: 40, overdue: 9, not_reported: 87, total: 148, shareCompleted: 0.081, light: 'red' };
const MeasureProgressItem = Type.Object({
  measureId: Type.Integer(),
  taskNo: Type.Integer(),
  measureNo: Type.Union([Type.Integer(), Type.Null()]),
  status,
  light,
  owing: Type.Integer({ description: 'n: units owing the measure in the year.' }),
  completed: Type.Integer({ description: 'k: those that have completed every obligation due in the year.' }),
});
const progressExample = { measureId: 1, taskNo: 1, measureNo: null, status: 'on_track', light: 'yellow', owing: 72, completed: 9 };

const figure = Type.Object({
  unit: Type.Union([Type.Ref(UnitRefSchema), Type.Null()], { description: 'null: the city’s figure.' }),
  actual: Type.Union([Type.Number(), Type.Null()], { description: 'The latest approved value for the year (derived: combined from the members’).' }),
  reportId: Type.Union([Type.Integer(), Type.Null()], { description: 'The report the value comes from; null when derived.' }),
  attainment: Type.Union([attainment, Type.Null()], { description: 'null for a member’s share of a sum or a count (not judged on its own).' }),
  expected: Type.Union([Type.Number(), Type.Null()], { description: 'Where the straight line stands at asOf (at_risk/on_track only).' }),
});
const IndicatorJudgement = Type.Object({
  indicatorId: Type.Integer(),
  key: Type.String(),
  name: Type.String(),
  taskId: Type.Integer(),
  taskNo: Type.Integer(),
  measureId: Type.Union([Type.Integer(), Type.Null()]),
  unit: Type.String(),
  scope: StringEnum(INDICATOR_SCOPES, {
    description:
      'city: one figure for the city, reported by the task’s lead; each_member: every owing unit judged on its own figure; derived: the city’s figure combined from the members’.',
  }),
  combine: Type.Union([StringEnum(INDICATOR_COMBINES), Type.Null()], { description: 'derived only: sum, mean, or count of members reporting a value above 0.' }),
  year: Type.Integer(),
  comparator: Type.String({ description: '以上/以下/以内/不低于/不超过 include the figure (>=, <=); 超过/低于 exclude it.' }),
  target: Type.Number(),
  city: Type.Union([figure, Type.Null()], { description: 'The city’s figure, judged; null for each_member.' }),
  members: Type.Array(figure, { description: 'Each owing unit’s own figure (each_member and derived).' }),
});
const judgementExample = {
  indicatorId: 1,
  key: 'gov-integrity-commitment-rate',
  name: '政务诚信承诺率',
  taskId: 1,
  taskNo: 1,
  measureId: 1,
  unit: '%',
  scope: 'city',
  combine: null,
  year: 2024,
  comparator: '>=',
  target: 80,
  city: { unit: null, actual: 72, reportId: 31, attainment: 'at_risk', expected: 74.5 },
  members: [],
};

export const DashboardSchema = Type.Object(
  {
    plan: Type.Object({ id: Type.Integer(), title: Type.String() }),
    year: Type.Integer(),
    asOf: Type.String({ format: 'date-time' }),
    light,
    obligations: Type.Object(
      {
        total: Type.Integer(),
        pending: Type.Integer(),
        reported: Type.Integer(),
        completed: Type.Integer(),
        overdue: Type.Integer(),
        waived: Type.Integer(),
        lights: lightCounts,
      },
      { description: 'Obligations due in the year, by state and light.' },
    ),
    measures: Type.Object({ ...countFields, lights: lightCounts }, { description: 'Measures with an obligation due in the year, by status and light.' }),
    chapters: Type.Array(Type.Object({ chapterId: Type.Integer(), title: Type.String(), ...countFields }), { description: 'The same per chapter.' }),
    indicators: Type.Object({
      met: Type.Integer(),
      on_track: Type.Integer(),
      at_risk: Type.Integer(),
      not_met: Type.Integer(),
      no_data: Type.Integer(),
      total: Type.Integer({ description: 'Indicators with a target in the year; the counts are of the city’s figures.' }),
      items: Type.Array(IndicatorJudgement, { description: 'Every indicator with a target in the year, judged: the city’s figure and each member’s.' }),
    }),
    overdue: Type.Array(
      Type.Object({ ...MeasureProgressItem.properties, since: Type.String({ format: 'date' }), daysOverdue: Type.Integer(), overdueUnits: Type.Array(Type.Ref(UnitRefSchema)) }),
      { description: 'Measures with an overdue obligation, longest overdue first, with the units that are late.' },
    ),
  },
  {
    description:
      'The plan for a year, from the obligations due in it: their states and lights, measures (k of n units) overall and per chapter, indicator attainment, and what is overdue.',
    examples: [
      {
        plan: { id: 1, title: '绥化市…分解表' },
        year: 2024,
        asOf: '2024-10-08T00:00:00.000Z',
        light: 'red',
        obligations: { total: 1450, pending: 900, reported: 200, completed: 300, overdue: 40, waived: 10, lights: { green: 1200, yellow: 200, red: 40 } },
        measures: { ...countsExample, lights: { green: 90, yellow: 40, red: 18 } },
        chapters: [{ chapterId: 1, title: '推进政务诚信建设', ...countsExample }],
        indicators: { met: 3, on_track: 2, at_risk: 1, not_met: 0, no_data: 8, total: 14, items: [judgementExample] },
        overdue: [
          { ...progressExample, status: 'overdue', light: 'red', since: '2024-06-30', daysOverdue: 100, overdueUnits: [{ id: 12, name: '市住建局', kind: 'city_department' }] },
        ],
      },
    ],
  },
);

export const ScorecardSchema = Type.Object(
  {
    unit: Type.Ref(UnitRefSchema),
    year: Type.Integer(),
    asOf: Type.String({ format: 'date-time' }),
    light,
    carried: Type.Object(
      { ...countFields, obligations: lightCounts, measures: Type.Array(MeasureProgressItem) },
      {
        description: 'What the unit owes (a collective: what its members owe), measure by measure, from its own obligations due in the year.',
      },
    ),
    led: Type.Object(
      { ...countFields, measures: Type.Array(MeasureProgressItem) },
      {
        description: 'The measures of the tasks the unit leads — only its own part where the leads each lead theirs (按职责分别牵头) — k of n across every owing unit.',
      },
    ),
    members: Type.Array(Type.Object({ unit: Type.Ref(UnitRefSchema), ...countFields, obligations: lightCounts }), {
      description: 'For a collective: each member’s own record (county by county).',
    }),
  },
  {
    description: 'A unit’s year: what it owes and what it leads, with a member-by-member breakdown for collectives.',
    examples: [
      {
        unit: { id: 5, name: '市民政局', kind: 'city_department' },
        year: 2024,
        asOf: '2024-10-08T00:00:00.000Z',
        light: 'yellow',
        carried: { ...countsExample, obligations: { green: 20, yellow: 3, red: 0 }, measures: [progressExample] },
        led: { ...countsExample, measures: [] },
        members: [],
      },
    ],
  },
);

export const ChapterProgressSchema = Type.Object(
  {
    chapterId: Type.Integer(),
    year: Type.Integer(),
    asOf: Type.String({ format: 'date-time' }),
    ...countFields,
    tasks: Type.Array(Type.Object({ taskId: Type.Integer(), taskNo: Type.Integer(), ...countFields, measures: Type.Array(MeasureProgressItem) })),
  },
  {
    description: 'A chapter’s tasks for a year, each with its measures (k of n units), statuses and lights.',
    examples: [{ chapterId: 1, year: 2024, asOf: '2024-10-08T00:00:00.000Z', ...countsExample, tasks: [{ taskId: 1, taskNo: 1, ...countsExample, measures: [progressExample] }] }],
  },
);

export const SeriesSchema = Type.Object(
  {
    indicatorId: Type.Integer(),
    name: Type.String(),
    unit: Type.String(),
    direction: Type.String(),
    scope: StringEnum(INDICATOR_SCOPES),
    combine: Type.Union([StringEnum(INDICATOR_COMBINES), Type.Null()]),
    asOf: Type.String({ format: 'date-time' }),
    years: Type.Array(
      Type.Object({
        year: Type.Integer(),
        target: Type.Union([Type.Object({ comparator: Type.String(), value: Type.Number() }), Type.Null()], { description: 'The target for the year, if the document gives one.' }),
        city: Type.Union([figure, Type.Null()], { description: 'The city’s figure, judged (null without a target, or for each_member).' }),
        members: Type.Array(figure, { description: 'Each owing unit’s own figure (each_member and derived).' }),
        values: Type.Integer({ description: 'How many approved values lie behind the year’s figures: list them, paged, at /indicators/{id}/values?year=.' }),
      }),
    ),
  },
  {
    description:
      'An indicator year by year: target, the city’s figure and each member’s, judged, and how many approved values lie behind them. Bounded however many reports there are.',
    examples: [
      {
        indicatorId: 1,
        name: '政务诚信承诺率',
        unit: '%',
        direction: 'increase',
        scope: 'city',
        combine: null,
        asOf: '2024-10-08T00:00:00.000Z',
        years: [{ year: 2022, target: { comparator: '>=', value: 50 }, city: { unit: null, actual: 55, reportId: 3, attainment: 'met', expected: null }, members: [], values: 4 }],
      },
    ],
  },
);

const valueExample = { reportId: 3, unitId: 1, period: '2022', periodEnd: '2022-12-31', value: 55, reviewedAt: '2023-01-10T02:00:00.000Z' };
export const IndicatorValuesQuery = listQuery({
  year: yearFilter('The year whose values to list (the year the report’s period ends in).'),
  unit: Type.Optional(unitFilter('Only values reported by this unit.')),
  asOf: Type.Optional(asOf),
});
export const IndicatorValuePageSchema = pageOf(
  Type.Object({
    reportId: Type.Integer(),
    unitId: Type.Integer(),
    period: Type.String(),
    periodEnd: Type.String({ format: 'date' }),
    value: Type.Number(),
    reviewedAt: Type.String({ format: 'date-time' }),
  }),
  { description: 'Approved values of an indicator for a year, oldest period first.', itemExample: valueExample },
);

const followUpExample = {
  kind: 'overdue_obligation',
  title: '任务1 2023 应于 2023-12-31 前完成，未见完成报告',
  taskNo: 1,
  measureId: 1,
  assignmentId: 49,
  reportId: null,
  indicatorId: null,
  units: [{ id: 48, name: '北林区人民政府', kind: 'county_government' }],
  since: '2023-12-31',
  daysOutstanding: 282,
  link: '/api/v1/assignments/49',
};
export const FollowUpSchema = Type.Object(
  {
    kind: StringEnum(FOLLOW_UP_KINDS, {
      description:
        'In order of severity, worst first: overdue_obligation (催办), returned_report, indicator_not_met, unacknowledged (not signed for within SIGN_FOR_DAYS), due_soon (提醒: due within WARNING_DAYS), indicator_at_risk.',
    }),
    title: Type.String(),
    taskNo: Type.Union([Type.Integer(), Type.Null()]),
    measureId: Type.Union([Type.Integer(), Type.Null()]),
    assignmentId: Type.Union([Type.Integer(), Type.Null()]),
    reportId: Type.Union([Type.Integer(), Type.Null()]),
    indicatorId: Type.Union([Type.Integer(), Type.Null()]),
    units: Type.Array(Type.Ref(UnitRefSchema), { description: 'The units to chase.' }),
    since: Type.String({ format: 'date', description: 'Outstanding since (Asia/Shanghai date).' }),
    daysOutstanding: Type.Integer(),
    link: Type.String({ description: 'The API resource to look at: the assignment, the report or the indicator’s series.' }),
  },
  { $id: 'FollowUp', title: 'FollowUp', description: 'One thing to chase (督办).', examples: [followUpExample] },
);

export const FollowUpQuery = listQuery({
  plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id; default the first plan.' })),
  asOf: Type.Optional(asOf),
  unit: Type.Optional(unitFilter('Items of this unit; a collective gives its members’.')),
  kind: Type.Optional(StringEnum(FOLLOW_UP_KINDS)),
});
export const FollowUpPageSchema = pageOf(Type.Ref(FollowUpSchema), { description: 'Follow-ups, worst first.', itemExample: followUpExample });
