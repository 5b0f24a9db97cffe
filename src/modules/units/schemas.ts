import { Type } from '@sinclair/typebox';
import { UNIT_KINDS } from '../../db/schema.js';
import { textFilter } from '../../http/filters.js';
import { pageOf, listQuery } from '../../http/pagination.js';
import { StringEnum } from '../../http/enum.js';

const unitKind = StringEnum(UNIT_KINDS, {
  description:
    'city_department: a city department or organ (市民政局, 市委宣传部, 市法院 …); stationed_unit: a central or provincial unit in the city (绥化海关, 市税务局 …); county_government: one of the ten county-level governments; development_zone: 市经开区; collective: a name that stands for a set of member units (各县(市、区)人民政府, 中省市直各有关单位).',
});

export const UnitRefSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    name: Type.String({ description: 'Canonical name.' }),
    kind: unitKind,
  },
  { $id: 'UnitRef', title: 'UnitRef', description: 'A reference to a unit.' },
);

const unitExample = { id: 1, name: '市营商环境局', kind: 'city_department', aliases: ['市营商局'] };

export const UnitSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    name: Type.String({ description: 'Canonical name.' }),
    kind: unitKind,
    aliases: Type.Array(Type.String(), {
      description: 'Other spellings found in the source document; every `unit` filter accepts them.',
    }),
  },
  { $id: 'Unit', title: 'Unit', description: 'A unit that leads, carries or owns work in the plan.', examples: [unitExample] },
);

export const UnitDetailSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    kind: unitKind,
    aliases: Type.Array(Type.String()),
    members: Type.Array(Type.Ref(UnitRefSchema), { description: 'For a collective: the units it stands for.' }),
    memberOf: Type.Array(Type.Ref(UnitRefSchema), { description: 'Collectives this unit belongs to.' }),
    counts: Type.Object(
      {
        leadTasks: Type.Integer({ minimum: 0, description: 'Tasks this unit leads (named directly).' }),
        responsibleTasks: Type.Integer({ minimum: 0, description: 'Tasks this unit is responsible for (named directly).' }),
        ownedMeasures: Type.Integer({ minimum: 0, description: 'Measures this unit owns (named directly).' }),
      },
      { description: 'Counts of direct assignments; duties shared through a collective are not included.' },
    ),
  },
  {
    $id: 'UnitDetail',
    title: 'UnitDetail',
    description: 'A unit with its aliases, collective membership and how much of the plan it carries.',
    examples: [
      {
        ...unitExample,
        members: [],
        memberOf: [],
        counts: { leadTasks: 40, responsibleTasks: 0, ownedMeasures: 12 },
      },
    ],
  },
);

export const UnitListQuery = listQuery({
  kind: Type.Optional(unitKind),
  q: Type.Optional(textFilter(100, 'Substring of the canonical name or of any alias.')),
});

export const UnitPageSchema = pageOf(Type.Ref(UnitSchema), {
  description: 'A page of units ordered by id.',
  itemExample: unitExample,
});
