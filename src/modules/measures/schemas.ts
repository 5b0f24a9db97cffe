import { Type } from '@sinclair/typebox';
import { DEADLINE_KINDS, MILESTONE_KINDS } from '../../db/schema.js';
import { lightFilters, textFilter, unitFilter, yearFilter } from '../../http/filters.js';
import { LIGHTS } from '../assignments/lights.js';
import { LightSchema } from '../assignments/schemas.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { UnitRefSchema } from '../units/schemas.js';
import { StringEnum } from '../../http/enum.js';
import { retiredAtField } from '../../http/retired.js';

export const DeadlineSchema = Type.Union(
  [
    Type.Object(
      {
        kind: StringEnum(DEADLINE_KINDS, {
          description: 'date: due by `date`; ongoing: continuous work (持续开展); annual: due at every year end (每年年底前).',
        }),
        date: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
          description: 'Due date (Asia/Shanghai), the end of the named year for 2025年底前 / 2025年前; null unless kind is date.',
        }),
        text: Type.String({ description: 'The 完成时限 cell as printed.' }),
      },
      { examples: [{ kind: 'date', date: '2025-12-31', text: '2025年底前' }] },
    ),
    Type.Null(),
  ],
  { $id: 'Deadline', title: 'Deadline', description: 'Completion deadline (完成时限); null when the source gives none.' },
);

const milestoneKind = StringEnum(MILESTONE_KINDS, {
  description: 'due: a target for the end of `year`; ongoing: continuous work from `year` on (2022年起持续推动); annual: repeats every year (每年…).',
});

export const milestoneFields = {
  id: Type.Integer({ minimum: 1 }),
  position: Type.Integer({ minimum: 1, description: 'Order within the measure.' }),
  kind: milestoneKind,
  year: Type.Union([Type.Integer(), Type.Null()], { description: 'Year the target is for, or the year ongoing work starts.' }),
  dueDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'End of `year` for due milestones.' }),
  text: Type.String({ description: 'The part of the 各年度工作目标 cell that states this target.' }),
};
const milestoneExample = { id: 1, position: 1, kind: 'due', year: 2022, dueDate: '2022-12-31', text: '2022年底前承诺不低于50%' };

export const MilestoneSchema = Type.Object(milestoneFields, {
  $id: 'Milestone',
  title: 'Milestone',
  description: 'An annual target (各年度工作目标) of a measure.',
  examples: [milestoneExample],
});

const measureExample = {
  id: 4,
  taskId: 4,
  taskNo: 4,
  position: 1,
  no: 1,
  text: '1.督促各地民政部门规范使用“全国基层政权建设和社区治理信息系统”。甄别市属社会组织重错码原因,注意校对解决重错码问题。(市民政局)',
  ownerUnits: [{ id: 7, name: '市民政局', kind: 'city_department' }],
  targetsText: '2025年底,社会组织重错码率降至1‰以下。',
  milestones: [{ id: 5, position: 1, kind: 'due', year: 2025, dueDate: '2025-12-31', text: '2025年底,社会组织重错码率降至1‰以下。' }],
  deadline: { kind: 'date', date: '2025-12-31', text: '2025年底前。' },
  sourceLine: 11,
  retiredAt: null,
};

export const MeasureSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    taskId: Type.Integer({ minimum: 1 }),
    taskNo: Type.Integer({ description: 'The task’s 序号 in the document.' }),
    position: Type.Integer({ minimum: 1, description: 'Order within the task.' }),
    no: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Number as printed (1., 2., …); null for an unnumbered measure. Gaps in the document stay gaps.',
    }),
    text: Type.String({ description: 'The measure as printed, including the owning unit in parentheses.' }),
    ownerUnits: Type.Array(Type.Ref(UnitRefSchema), {
      description: 'Units that own the measure: the unit in parentheses, else the task’s lead units.',
    }),
    targetsText: Type.String({ description: 'The 各年度工作目标 cell as printed.' }),
    milestones: Type.Array(Type.Ref(MilestoneSchema)),
    deadline: Type.Ref(DeadlineSchema),
    sourceLine: Type.Integer({ minimum: 1, description: 'Line of the source document where the measure starts.' }),
    retiredAt: retiredAtField,
    light: Type.Optional(Type.Ref(LightSchema, { description: 'With `light` or `asOf` in the query: the worst light of the measure’s obligations at that instant.' })),
  },
  {
    $id: 'Measure',
    title: 'Measure',
    description: 'An implementation measure (具体实施措施) with its owners, annual targets and deadline.',
    examples: [measureExample],
  },
);

export const MeasureListQuery = listQuery({
  task: Type.Optional(Type.Integer({ minimum: 1, description: 'Task id.' })),
  unit: Type.Optional(
    unitFilter('Measures the unit owes (it has a standing assignment): exactly the ones it may report on. A collective gives the measures any of its members owes.'),
  ),
  year: Type.Optional(yearFilter('Measures with work in this year: a milestone due that year, or ongoing work that has started and not ended.')),
  q: Type.Optional(textFilter(200, 'Text the measure contains.')),
  ...lightFilters(LIGHTS),
});

export const MeasureGetQuery = Type.Object({ asOf: lightFilters(LIGHTS).asOf }, { additionalProperties: false });

export const MeasurePageSchema = pageOf(Type.Ref(MeasureSchema), {
  description: 'A page of measures in document order.',
  itemExample: measureExample,
});
