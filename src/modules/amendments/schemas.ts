import { Type } from '@sinclair/typebox';
import { COMPARATORS, DEADLINE_KINDS, MILESTONE_KINDS, SCHEDULE_KINDS } from '../../db/schema.js';
import { StringEnum } from '../../http/enum.js';
import { unitFilter } from '../../http/filters.js';
import { idSchema } from '../../http/params.js';
import { freeText } from '../../http/text.js';

const text = (description: string, maxLength = 10_000) => freeText({ minLength: 1, maxLength, description });
const year = Type.Integer({ minimum: 1900, maximum: 2100 });
const date = Type.String({ format: 'date' });
const units = (description: string) => Type.Array(unitFilter('A unit: id, name or alias.'), { maxItems: 100, description });

/** Every amendment says why, and may say from which day it counts (default: today, Asia/Shanghai). */
const terms = {
  reason: text('Why the plan changes (the leadership’s approval, the mid-term review, an institutional reform …).', 2000),
  effectiveOn: Type.Optional(
    Type.String({
      format: 'date',
      description: 'The day the change counts from: obligations due before it stay as they were. Default: today (Asia/Shanghai).',
    }),
  ),
};

const DeadlineInput = Type.Object(
  {
    kind: Type.Union([StringEnum(DEADLINE_KINDS), Type.Null()]),
    date: Type.Union([date, Type.Null()]),
    text: Type.Union([text('The deadline as printed.', 200), Type.Null()]),
  },
  { additionalProperties: false },
);

const SchedulePartInput = Type.Object(
  {
    kind: StringEnum(SCHEDULE_KINDS),
    dueDate: Type.Union([date, Type.Null()], { description: 'For `once`: the due date.' }),
    fromYear: Type.Union([year, Type.Null()]),
    untilYear: Type.Union([year, Type.Null()]),
    text: text('The words the part is read from.', 500),
  },
  { additionalProperties: false },
);

const TargetInput = Type.Object(
  {
    year,
    comparator: StringEnum(COMPARATORS),
    value: Type.Number(),
    sourceText: Type.Optional(text('The target as written.', 500)),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object(terms, { additionalProperties: false, examples: [{ reason: '经市信用办主任办公会研究同意' }] });

export const ChapterChange = Type.Object(
  { title: Type.Optional(text('Title.', 500)), ...terms },
  { additionalProperties: false, minProperties: 2, examples: [{ title: '主要任务指标', reason: '表述调整' }] },
);

export const TaskChange = Type.Object(
  {
    title: Type.Optional(text('Title as printed.', 2000)),
    leadUnits: Type.Optional(units('The lead units (牵头单位), in order.')),
    responsibleUnits: Type.Optional(units('The responsible units (责任单位), in order.')),
    leadsEachOwnPart: Type.Optional(Type.Boolean()),
    deadline: Type.Optional(DeadlineInput),
    ...terms,
  },
  { additionalProperties: false, minProperties: 2, examples: [{ title: '持续提升“双公示”工作水平', reason: '中期评估后表述调整' }] },
);

const measureFields = {
  no: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 999 }), Type.Null()])),
  text: Type.Optional(text('The measure’s text.')),
  targetsText: Type.Optional(text('The yearly targets as written.')),
  owners: Type.Optional(units('The units that own it (its closing parenthesis); empty: the task’s responsible units owe it.')),
  schedule: Type.Optional(Type.Array(SchedulePartInput, { minItems: 1, maxItems: 10, description: 'When its work is owed.' })),
  deadline: Type.Optional(DeadlineInput),
};

export const MeasureChange = Type.Object(
  { ...measureFields, ...terms },
  {
    additionalProperties: false,
    minProperties: 2,
    examples: [{ deadline: { kind: 'date', date: '2025-12-31', text: '2025年底前' }, reason: '经市领导批准延期', effectiveOn: '2025-01-01' }],
  },
);

export const MeasureCreate = Type.Object(
  { taskId: idSchema('The task it belongs to.'), ...measureFields, text: text('The measure’s text.'), ...terms },
  {
    additionalProperties: false,
    examples: [
      {
        taskId: 3,
        text: '按季度通报“双公示”合规率（市发改委）',
        owners: ['市发改委'],
        schedule: [{ kind: 'quarterly', dueDate: null, fromYear: 2024, untilYear: 2025, text: '每季度' }],
        reason: '市信用办会议决定',
      },
    ],
  },
);

export const MilestoneChange = Type.Object(
  {
    text: Type.Optional(text('The milestone as written.', 2000)),
    kind: Type.Optional(StringEnum(MILESTONE_KINDS)),
    year: Type.Optional(Type.Union([year, Type.Null()])),
    dueDate: Type.Optional(Type.Union([date, Type.Null()])),
    ...terms,
  },
  { additionalProperties: false, minProperties: 2, examples: [{ dueDate: '2025-12-31', reason: '经市领导批准延期', effectiveOn: '2025-01-01' }] },
);

export const IndicatorChange = Type.Object(
  {
    name: Type.Optional(text('Name.', 500)),
    targets: Type.Optional(
      Type.Array(TargetInput, { minItems: 1, maxItems: 20, description: 'Targets by year: each replaces the target of its year (a re-baseline), others stay.' }),
    ),
    ...terms,
  },
  {
    additionalProperties: false,
    minProperties: 2,
    examples: [{ targets: [{ year: 2025, comparator: '>=', value: 90 }], reason: '中期评估后调整目标', effectiveOn: '2025-01-01' }],
  },
);

export const AmendmentResultSchema = Type.Object(
  {
    outcome: StringEnum(['created', 'updated', 'unchanged'] as const),
    id: Type.Integer(),
    revisionId: Type.Union([Type.Integer(), Type.Null()], { description: 'The plan revision recorded (null when nothing changed).' }),
    etag: Type.String({ description: 'The version now: send it as If-Match with the next change.' }),
  },
  {
    $id: 'AmendmentResult',
    title: 'AmendmentResult',
    description: 'What an amendment did.',
    examples: [{ outcome: 'updated', id: 3, revisionId: 1, etag: '"measure-3.1"' }],
  },
);

export const ChapterCreate = Type.Object(
  { planId: idSchema('The plan it belongs to.'), title: text('Title.', 500), ...terms },
  { additionalProperties: false, examples: [{ planId: 1, title: '补充任务', reason: '中期评估新增' }] },
);

export const TaskCreate = Type.Object(
  {
    chapterId: idSchema('The chapter it belongs to.'),
    no: Type.Integer({ minimum: 1, maximum: 9999, description: 'Its 序号: unique within the plan.' }),
    title: text('Title.', 2000),
    leadUnits: units('The lead units (牵头单位), in order.'),
    responsibleUnits: Type.Optional(units('The responsible units (责任单位), in order.')),
    leadsEachOwnPart: Type.Optional(Type.Boolean()),
    deadline: Type.Optional(DeadlineInput),
    ...terms,
  },
  { additionalProperties: false, examples: [{ chapterId: 1, no: 76, title: '推进信用修复“一网通办”', leadUnits: ['市发改委'], reason: '中期评估新增任务' }] },
);

export const MilestoneCreate = Type.Object(
  {
    measureId: idSchema('The measure it belongs to.'),
    kind: StringEnum(MILESTONE_KINDS),
    year: Type.Optional(Type.Union([year, Type.Null()])),
    dueDate: Type.Optional(Type.Union([date, Type.Null()])),
    text: text('The milestone as written.', 2000),
    ...terms,
  },
  { additionalProperties: false, examples: [{ measureId: 3, kind: 'due', year: 2025, dueDate: '2025-12-31', text: '2025年底前合规率保持100%', reason: '中期评估新增目标' }] },
);

export const IndicatorCreate = Type.Object(
  {
    taskId: idSchema('The task that states it.'),
    measureId: Type.Optional(Type.Union([idSchema('The measure it belongs to, if one.'), Type.Null()])),
    name: text('Name.', 500),
    comparator: StringEnum(COMPARATORS),
    value: Type.Number(),
    unit: text('Its unit (%, 家, 万户 …).', 50),
    direction: StringEnum(['increase', 'decrease'] as const),
    targetYear: Type.Optional(Type.Union([year, Type.Null()])),
    targets: Type.Optional(Type.Array(TargetInput, { maxItems: 20 })),
    ...terms,
  },
  {
    additionalProperties: false,
    examples: [{ taskId: 3, name: '“双公示”上报及时率', comparator: '>=', value: 95, unit: '%', direction: 'increase', targetYear: 2025, reason: '中期评估新增指标' }],
  },
);
