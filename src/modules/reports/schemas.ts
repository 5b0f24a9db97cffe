import { Type, type Static } from '@sinclair/typebox';
import { PROGRESS_STATUSES, REPORT_ACTIONS, REPORT_STATES } from '../../db/schema.js';
import { instantFilter, textFilter, unitFilter } from '../../http/filters.js';
import { listQuery } from '../../http/pagination.js';
import { idSchema } from '../../http/params.js';
import { UnitRefSchema } from '../units/schemas.js';
import { PERIOD_PATTERN } from './period.js';
import { StringEnum } from '../../http/enum.js';
import { freeText } from '../../http/text.js';
import { SEED_EXAMPLES } from '../../http/seed-examples.js';
import { said } from '../../domain/said.js';
import { sayPattern } from '../../http/rule-words.js';

/** Documented limits on what a report may carry. */
export const REPORT_LIMITS = {
  narrative: 10_000,
  evidenceItems: 50,
  evidenceTitle: 500,
  evidenceUrl: 2_000,
  evidenceNote: 2_000,
  indicatorValues: 50,
  reviewNote: 2_000,
} as const;

const periodSchema = Type.String({
  pattern: PERIOD_PATTERN,
  description: 'Reporting period: a year (`2024`), a half (`2024-H1`), a quarter (`2024-Q3`) or a month (`2024-07`), within the plan’s years.',
  examples: ['2024-Q3'],
});

const statusSchema = StringEnum(PROGRESS_STATUSES, {
  description: 'What the unit says about the measure: not_started, in_progress, completed, delayed or blocked.',
});

const stateSchema = StringEnum(REPORT_STATES, {
  description:
    'Review state: draft → submitted → approved | returned (→ resubmitted …). An approved report is superseded when a newer one for the same measure, unit and period is approved. Only approved reports count.',
});

/**
 * Evidence as a client writes it (free text the exports can hold) and as the API answers it: whatever is stored,
 * text from before that rule included (and the serialiser's own Ajv does not know the `text` format).
 */
const evidenceSchema = (text: typeof freeText) =>
  Type.Object(
    {
      title: text({ minLength: 1, maxLength: REPORT_LIMITS.evidenceTitle, description: 'What the work result is.' }),
      url: Type.Optional(
        Type.String({ format: 'uri', pattern: sayPattern('^https?://', said('以 http:// 或 https:// 开头的网址', 'a URL starting with http:// or https://')), maxLength: REPORT_LIMITS.evidenceUrl, description: 'Where to check it.' }),
      ),
      note: Type.Optional(text({ maxLength: REPORT_LIMITS.evidenceNote })),
    },
    { additionalProperties: false, description: 'A checkable work result (可用来检查的工作成果).' },
  );

const IndicatorValueSchema = Type.Object(
  {
    indicatorId: idSchema('An indicator of the measure’s task (see `GET /indicators?task=`).'),
    value: Type.Number({ description: 'The value reached, in the indicator’s own unit (%, ‱, 户 …).' }),
  },
  { additionalProperties: false },
);

const reportFields = {
  status: statusSchema,
  narrative: freeText({ maxLength: REPORT_LIMITS.narrative, description: `What was done (at most ${REPORT_LIMITS.narrative} characters).` }),
  evidence: Type.Array(evidenceSchema(freeText), { maxItems: REPORT_LIMITS.evidenceItems }),
  percentComplete: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], {
    description: 'Share of the measure done, 0–100; null when not estimated.',
  }),
  indicatorValues: Type.Array(IndicatorValueSchema, {
    maxItems: REPORT_LIMITS.indicatorValues,
    description: 'Values reached for the task’s indicators; each indicator at most once.',
  }),
};

/** 市民政局's report on the 双公示 measure for 2023, the period its one obligation falls in (src/http/seed-examples.ts). */
const reportInputExample = {
  measureId: SEED_EXAMPLES.measure,
  unit: SEED_EXAMPLES.unit.name,
  period: SEED_EXAMPLES.period,
  status: 'in_progress',
  narrative: '已明确专人负责“双公示”信息填报，2023 年录入信用黑龙江“双公示”填报系统信息 1,204 条。',
  evidence: [{ title: '2023 年双公示填报台账', url: 'https://xy.suihua.gov.cn/reports/2023-shuanggongshi.pdf' }],
  percentComplete: 90,
  indicatorValues: [{ indicatorId: SEED_EXAMPLES.indicator, value: 99.2 }],
};

export const ReportInputSchema = Type.Object(
  {
    measureId: idSchema('The measure reported on.'),
    unit: Type.Optional(
      unitFilter('The reporting unit. A reporter key may leave it out (its own unit); an admin must name it.'),
    ),
    period: periodSchema,
    status: reportFields.status,
    narrative: Type.Optional(reportFields.narrative),
    evidence: Type.Optional(reportFields.evidence),
    percentComplete: Type.Optional(reportFields.percentComplete),
    indicatorValues: Type.Optional(reportFields.indicatorValues),
    submit: Type.Optional(Type.Boolean({ description: 'Submit for review at once instead of keeping a draft.' })),
  },
  {
    $id: 'ReportInput',
    title: 'ReportInput',
    additionalProperties: false,
    description: 'A progress report to create, or to merge into the open draft for the same measure, unit and period.',
    examples: [reportInputExample],
  },
);
export type ReportInput = Static<typeof ReportInputSchema>;

export const ReportPatchSchema = Type.Object(
  {
    status: Type.Optional(reportFields.status),
    narrative: Type.Optional(reportFields.narrative),
    evidence: Type.Optional(reportFields.evidence),
    percentComplete: Type.Optional(reportFields.percentComplete),
    indicatorValues: Type.Optional(reportFields.indicatorValues),
  },
  {
    $id: 'ReportPatch',
    title: 'ReportPatch',
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields to change in a draft or returned report; the ones left out keep their value.',
    examples: [{ status: 'completed', percentComplete: 100 }],
  },
);
export type ReportPatch = Static<typeof ReportPatchSchema>;

const reportExample = {
  id: SEED_EXAMPLES.report,
  measureId: SEED_EXAMPLES.measure,
  taskId: SEED_EXAMPLES.task,
  unit: { id: SEED_EXAMPLES.unit.id, name: SEED_EXAMPLES.unit.name, kind: 'city_department' },
  period: SEED_EXAMPLES.period,
  periodStart: '2023-01-01',
  periodEnd: '2023-12-31',
  state: 'submitted',
  status: 'in_progress',
  narrative: reportInputExample.narrative,
  evidence: reportInputExample.evidence,
  percentComplete: 90,
  indicatorValues: reportInputExample.indicatorValues,
  version: 2,
  etag: '"1.2"',
  createdAt: '2024-10-08T02:15:00.000Z',
  updatedAt: '2024-10-08T02:16:30.000Z',
  createdByKeyId: 7,
  submittedAt: '2024-10-08T02:16:30.000Z',
  reviewedAt: null,
  reviewedByKeyId: null,
  reviewNote: null,
  supersededById: null,
};

const nullableTimestamp = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

export const ReportSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    measureId: Type.Integer({ minimum: 1 }),
    taskId: Type.Integer({ minimum: 1 }),
    unit: Type.Ref(UnitRefSchema),
    period: Type.String(),
    periodStart: Type.String({ format: 'date' }),
    periodEnd: Type.String({ format: 'date' }),
    state: stateSchema,
    status: reportFields.status,
    narrative: Type.String(),
    evidence: Type.Array(evidenceSchema(Type.String)),
    percentComplete: reportFields.percentComplete,
    indicatorValues: Type.Array(IndicatorValueSchema),
    version: Type.Integer({ minimum: 1, description: 'Bumped by every change.' }),
    etag: Type.String({ description: 'The value to send in `If-Match` to change this version (also the `ETag` header).' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    createdByKeyId: Type.Integer(),
    submittedAt: nullableTimestamp('Last submission.'),
    reviewedAt: nullableTimestamp('Last approval or return.'),
    reviewedByKeyId: Type.Union([Type.Integer(), Type.Null()]),
    reviewNote: Type.Union([Type.String(), Type.Null()], { description: 'The reviewer’s note (why it was returned).' }),
    supersededById: Type.Union([Type.Integer(), Type.Null()], { description: 'The approved report that replaced this one.' }),
  },
  { $id: 'Report', title: 'Report', description: 'A unit’s progress report on a measure for a period.', examples: [reportExample] },
);

export const ReportEventSchema = Type.Object(
  {
    id: Type.Integer(),
    action: StringEnum(REPORT_ACTIONS),
    fromState: Type.Union([stateSchema, Type.Null()]),
    toState: stateSchema,
    at: Type.String({ format: 'date-time' }),
    keyId: Type.Union([Type.Integer(), Type.Null()], { description: 'The API key that acted.' }),
    note: Type.Union([Type.String(), Type.Null()]),
  },
  {
    $id: 'ReportEvent',
    title: 'ReportEvent',
    description: 'One step in a report’s history.',
    examples: [{ id: 3, action: 'returned', fromState: 'submitted', toState: 'returned', at: '2024-10-09T01:00:00.000Z', keyId: 2, note: '请补充台账链接' }],
  },
);

export const ReportHistorySchema = Type.Object(
  { items: Type.Array(Type.Ref(ReportEventSchema)) },
  { description: 'Every step of the report, oldest first.', examples: [{ items: [ReportEventSchema.examples[0]] }] },
);

export const ReviewSchema = Type.Object(
  { note: Type.Optional(freeText({ minLength: 1, maxLength: REPORT_LIMITS.reviewNote })) },
  { additionalProperties: false, examples: [{ note: '数据与台账一致' }] },
);
export const ReturnSchema = Type.Object(
  { note: freeText({ minLength: 1, maxLength: REPORT_LIMITS.reviewNote, description: 'What the unit must fix.' }) },
  { additionalProperties: false, examples: [{ note: '请补充第三季度台账链接' }] },
);

export const ReportListQuery = listQuery({
    measure: Type.Optional(Type.Integer({ minimum: 1, description: 'Measure id.' })),
    task: Type.Optional(Type.Integer({ minimum: 1, description: 'Task id.' })),
    unit: Type.Optional(unitFilter('The reporting unit (exactly this unit).')),
    period: Type.Optional(Type.String({ pattern: PERIOD_PATTERN, description: 'Exactly this period.' })),
    state: Type.Optional(stateSchema),
    updatedSince: Type.Optional(instantFilter('Only reports changed at or after this instant.', 'day-start')),
    after: Type.Optional(
      textFilter(200, 'Cursor: the `nextCursor` of the previous page. Pages follow the change order (updatedAt, id).'),
    ),
});

export const ReportPageSchema = Type.Object(
  {
    items: Type.Array(Type.Ref(ReportSchema)),
    total: Type.Integer({ minimum: 0, description: 'Reports matching the filters (all pages).' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page; null on the last.' }),
  },
  {
    description: 'A page of reports in change order (oldest change first), so a client can follow new changes with `after`.',
    examples: [{ items: [reportExample], total: 1, limit: 50, offset: 0, nextCursor: null }],
  },
);
