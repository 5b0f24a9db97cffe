import { Type } from '@sinclair/typebox';
import { lightFilters, textFilter, unitFilter, yearFilter } from '../../http/filters.js';
import { LIGHTS } from '../assignments/lights.js';
import { LightSchema } from '../assignments/schemas.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { IndicatorSchema } from '../indicators/schemas.js';
import { DeadlineSchema, MeasureSchema } from '../measures/schemas.js';
import { UnitRefSchema } from '../units/schemas.js';
import { StringEnum } from '../../http/enum.js';
import { retiredAtField } from '../../http/retired.js';

const taskFields = {
  id: Type.Integer({ minimum: 1 }),
  retiredAt: retiredAtField,
  planId: Type.Integer({ minimum: 1 }),
  no: Type.Integer({ description: 'The task’s 序号 in the document; unique within a plan.' }),
  chapter: Type.Object(
    { id: Type.Integer({ minimum: 1 }), title: Type.String() },
    { description: 'The 规划章节 the task belongs to (inherited from the row above where the cell is empty).' },
  ),
  title: Type.String({ description: 'The 规划任务 cell as printed.' }),
  leadUnits: Type.Array(Type.Ref(UnitRefSchema), { description: '牵头单位: units that lead the task.' }),
  leadsEachOwnPart: Type.Boolean({
    description: 'True when the document says 按职责分别牵头: each lead unit leads its own part of the task.',
  }),
  responsibleUnits: Type.Array(Type.Ref(UnitRefSchema), {
    description: '责任单位: units that carry the task; often a collective such as 各县(市、区)人民政府.',
  }),
  deadline: Type.Ref(DeadlineSchema),
  measureCount: Type.Integer({ minimum: 0, description: 'Number of implementation measures.' }),
  source: Type.Object(
    {
      lines: Type.Array(Type.Integer({ minimum: 1 }), {
        description: 'Lines of the source document holding this task’s rows (page breaks repeat a row).',
      }),
      leadUnitsText: Type.String({ description: 'The 牵头单位 cell as printed.' }),
      responsibleUnitsText: Type.String({ description: 'The 责任单位 cell as printed.' }),
    },
    { description: 'Where the task came from in the source document.' },
  ),
  light: Type.Optional(Type.Ref(LightSchema, { description: 'With `light` or `asOf` in the query: the worst light of the task’s measures at that instant.' })),
};

const taskExample = {
  id: 4,
  planId: 1,
  no: 4,
  chapter: { id: 1, title: '主要任务指标' },
  title: '统一社会信用代码重错码率低于1‱',
  leadUnits: [
    { id: 3, name: '市市场监管局', kind: 'city_department' },
    { id: 7, name: '市民政局', kind: 'city_department' },
    { id: 1, name: '市营商环境局', kind: 'city_department' },
  ],
  leadsEachOwnPart: true,
  responsibleUnits: [
    { id: 2, name: '各县(市、区)人民政府', kind: 'collective' },
    { id: 20, name: '市经开区', kind: 'development_zone' },
  ],
  deadline: { kind: 'date', date: '2025-12-31', text: '2025年底前' },
  measureCount: 3,
  retiredAt: null,
  source: {
    lines: [11],
    leadUnitsText: '市市场监管局、市民政局、市营商环境局按职责分别牵头',
    responsibleUnitsText: '各县(市、区)人民政府、市经开区',
  },
};

export const TaskSummarySchema = Type.Object(taskFields, {
  $id: 'TaskSummary',
  title: 'TaskSummary',
  description: 'A task (规划任务) of the plan with its units and deadline.',
  examples: [taskExample],
});

export const TaskDetailSchema = Type.Object(
  {
    ...taskFields,
    measures: Type.Array(Type.Ref(MeasureSchema), { description: 'Implementation measures in document order.' }),
    indicators: Type.Array(Type.Ref(IndicatorSchema), { description: 'Quantitative targets stated by the task.' }),
  },
  {
    $id: 'TaskDetail',
    title: 'TaskDetail',
    description: 'A task with its measures (owners, milestones, deadlines) and indicators.',
    examples: [{ ...taskExample, measures: [], indicators: [] }],
  },
);

export const TaskListQuery = listQuery({
  plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id.' })),
  chapter: Type.Optional(Type.Integer({ minimum: 1, description: 'Chapter id (see `GET /chapters`).' })),
  unit: Type.Optional(unitFilter('Matches tasks where the unit — or a collective it belongs to — has `role`; any role when `role` is absent.')),
  role: Type.Optional(
    StringEnum(['lead', 'responsible', 'owner'], {
      description: 'With `unit`: lead (牵头单位), responsible (责任单位) or owner (owns one of the task’s measures).',
    }),
  ),
  deadlineYear: Type.Optional(yearFilter('Tasks whose deadline date falls in this year.')),
  q: Type.Optional(textFilter(200, 'Text contained in the task title or one of its measures.')),
  ...lightFilters(LIGHTS),
});

export const TaskGetQuery = Type.Object({ asOf: lightFilters(LIGHTS).asOf }, { additionalProperties: false });

export const TaskPageSchema = pageOf(Type.Ref(TaskSummarySchema), {
  description: 'A page of tasks ordered by plan and 序号.',
  itemExample: taskExample,
});
