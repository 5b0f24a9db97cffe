import { Type } from '@sinclair/typebox';
import { MILESTONE_KINDS } from '../../db/schema.js';
import { unitFilter, yearFilter } from '../../http/filters.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { milestoneFields } from '../measures/schemas.js';
import { UnitRefSchema } from '../units/schemas.js';
import { StringEnum } from '../../http/enum.js';
import { retiredAtField } from '../../http/retired.js';

const milestoneExample = {
  id: 1,
  position: 1,
  kind: 'due',
  year: 2022,
  dueDate: '2022-12-31',
  text: '2022年底前承诺不低于50%',
  measureId: 1,
  measureNo: null,
  taskId: 1,
  taskNo: 1,
  retiredAt: null,
  ownerUnits: [{ id: 1, name: '市营商环境局', kind: 'city_department' }],
};

export const MilestoneListItemSchema = Type.Object(
  {
    ...milestoneFields,
    measureId: Type.Integer({ minimum: 1 }),
    retiredAt: retiredAtField,
    measureNo: Type.Union([Type.Integer(), Type.Null()]),
    taskId: Type.Integer({ minimum: 1 }),
    taskNo: Type.Integer(),
    ownerUnits: Type.Array(Type.Ref(UnitRefSchema), { description: 'Owners of the measure.' }),
  },
  {
    $id: 'MilestoneListItem',
    title: 'MilestoneListItem',
    description: 'A milestone with the measure and task it belongs to.',
    examples: [milestoneExample],
  },
);

export const MilestoneListQuery = listQuery({
  year: Type.Optional(yearFilter('Milestones whose `year` is this year.')),
  unit: Type.Optional(unitFilter('Milestones of the measures the unit owes: the ones it may report on. A collective gives its members’.')),
  task: Type.Optional(Type.Integer({ minimum: 1, description: 'Task id.' })),
  kind: Type.Optional(StringEnum(MILESTONE_KINDS)),
});

export const MilestonePageSchema = pageOf(Type.Ref(MilestoneListItemSchema), {
  description: 'A page of milestones in document order.',
  itemExample: milestoneExample,
});
