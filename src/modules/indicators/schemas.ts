import { Type } from '@sinclair/typebox';
import { COMPARATORS, DIRECTIONS } from '../../db/schema.js';
import { yearFilter } from '../../http/filters.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { StringEnum } from '../../http/enum.js';
import { retiredAtField } from '../../http/retired.js';

const comparator = StringEnum(COMPARATORS, {
  description: 'How an actual value is compared with the target value: actual `comparator` value.',
});

const indicatorExample = {
  id: 1,
  planId: 1,
  key: 'gov-integrity-commitment-rate',
  taskId: 1,
  taskNo: 1,
  measureId: 1,
  name: '政务诚信承诺率',
  sourceText: '承诺率达到100%',
  comparator: '>=',
  value: 100,
  unit: '%',
  direction: 'increase',
  targetYear: 2025,
  retiredAt: null,
  targets: [
    { year: 2022, comparator: '>=', value: 50, sourceText: '2022年底前承诺不低于50%' },
    { year: 2023, comparator: '>=', value: 60, sourceText: '2023年底前不低于60%' },
  ],
};

export const IndicatorSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    planId: Type.Integer({ minimum: 1 }),
    key: Type.String({ description: 'Stable identifier within the plan.' }),
    retiredAt: retiredAtField,
    taskId: Type.Integer({ minimum: 1 }),
    taskNo: Type.Integer({ description: 'The task’s 序号.' }),
    measureId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'The measure whose annual targets give the yearly targets; null when only the task states it.',
    }),
    name: Type.String(),
    sourceText: Type.String({ description: 'The words of the document that state the target.' }),
    comparator,
    value: Type.Number({ description: 'Target value, in `unit`.' }),
    unit: Type.String({
      description: 'Unit of measure as printed: %, ‰, ‱, 个, 户, 万户, 亿元 … Values are never converted between units.',
    }),
    direction: StringEnum(DIRECTIONS, {
      description: 'increase: a bigger value is better (coverage rate); decrease: a smaller one is (error rate).',
    }),
    targetYear: Type.Union([Type.Integer(), Type.Null()], { description: 'Year by which the final target is due.' }),
    targets: Type.Array(
      Type.Object({
        year: Type.Integer(),
        comparator,
        value: Type.Number(),
        sourceText: Type.String(),
      }),
      { description: 'Yearly targets the document gives, by year.' },
    ),
  },
  {
    $id: 'Indicator',
    title: 'Indicator',
    description: 'A quantitative target (指标) stated in a task or its annual targets.',
    examples: [indicatorExample],
  },
);

export const IndicatorListQuery = listQuery({
  task: Type.Optional(Type.Integer({ minimum: 1, description: 'Task id.' })),
  year: Type.Optional(yearFilter('Indicators with a target for this year.')),
});

export const IndicatorPageSchema = pageOf(Type.Ref(IndicatorSchema), {
  description: 'A page of indicators ordered by id.',
  itemExample: indicatorExample,
});
