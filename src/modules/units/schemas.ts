import { Type } from '@sinclair/typebox';
import { UNIT_KINDS } from '../../db/schema.js';
import { textFilter, unitFilter } from '../../http/filters.js';
import { freeText } from '../../http/text.js';
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
    retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When the unit was retired or merged into another (and left the lists); null while it stands. It stays readable here.',
    }),
    mergedInto: Type.Union([Type.Ref(UnitRefSchema), Type.Null()], {
      description: 'For a merged unit: the unit that carries its work, names and aliases now. Null while it stands.',
    }),
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
        retiredAt: null,
        mergedInto: null,
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

const reasonText = freeText({ minLength: 1, maxLength: 2000, description: 'Why (the decision or document behind it): kept with the revision.' });

export const RenameUnitBody = Type.Object(
  {
    name: freeText({ minLength: 1, maxLength: 100, description: 'The new canonical name; the current one becomes an alias.' }),
    reason: reasonText,
  },
  { additionalProperties: false, examples: [{ name: '国家金融监督管理总局绥化监管分局', reason: '机构改革：市银保监局更名为国家金融监督管理总局绥化监管分局' }] },
);

export const MergeUnitBody = Type.Object(
  {
    into: unitFilter('The unit that takes this one in: it keeps its name and gains this unit’s work, name and aliases.'),
    reason: reasonText,
  },
  { additionalProperties: false, examples: [{ into: '市银保监局', reason: '黑龙江银保监局与市银保监局为同一单位的两种写法' }] },
);

const outcome = StringEnum(['updated', 'unchanged'] as const, { description: 'unchanged: the unit already stood so (a retry is safe).' });
const revisionId = Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The plan revision that records the change; null when unchanged.' });

/** 市银保监局 and 黑龙江银保监局 as the contract's rename and merge examples leave them. */
const bankingExample = (aliases: string[], leadTasks: number) => ({
  id: 45,
  name: '国家金融监督管理总局绥化监管分局',
  kind: 'stationed_unit',
  aliases,
  retiredAt: null,
  mergedInto: null,
  members: [],
  memberOf: [{ id: 60, name: '中省市直各有关单位', kind: 'collective' }],
  counts: { leadTasks, responsibleTasks: 0, ownedMeasures: 4 },
});

export const UnitRenameSchema = Type.Object(
  { outcome, unit: Type.Ref(UnitDetailSchema), revisionId },
  {
    description: 'What the rename did, and the unit as it now stands (its new ETag in the `ETag` header).',
    examples: [{ outcome: 'updated', unit: bankingExample(['市银保监局'], 3), revisionId: 1 }],
  },
);

const count = (description: string) => Type.Integer({ minimum: 0, description });
const ids = (description: string) => Type.Array(Type.Integer({ minimum: 1 }), { description });

export const UnitMergeSchema = Type.Object(
  {
    outcome,
    unit: Type.Ref(UnitDetailSchema, { description: 'The merged unit: retired, pointing at the unit it was merged into.' }),
    into: Type.Ref(UnitDetailSchema, { description: 'The unit that took it in, with its new aliases.' }),
    moved: Type.Union(
      [
        Type.Object({
          taskRoles: count('Lead and responsible roles on tasks (one the target had already is kept once).'),
          measureOwners: count('Measures the merged unit owned.'),
          assignments: ids('Assignments that now belong to the target, with their obligations, sign-for and close-out.'),
          withdrawnAssignments: ids('The merged unit’s assignments on measures the target owed already: withdrawn (the target’s stands; the reports moved onto it).'),
          reinstatedAssignments: ids('The target’s withdrawn assignments on measures only the merged unit still owed: owed again.'),
          reports: count('Progress reports (with their indicator values and returns) now filed by the target.'),
          apiKeys: ids('Keys (not revoked) that now act for the target.'),
          memberships: count('Collectives the merged unit belonged to (the target belongs to them now).'),
        }),
        Type.Null(),
      ],
      { description: 'What moved to the target; null when unchanged. Audit events and revisions keep the unit they named.' },
    ),
    revisionId,
  },
  {
    description: 'What the merge did: the merged unit, the unit that took it in and what moved.',
    examples: [
      {
        outcome: 'updated',
        unit: {
          id: 46,
          name: '黑龙江银保监局',
          kind: 'stationed_unit',
          aliases: [],
          retiredAt: '2024-07-01T02:00:00.000Z',
          mergedInto: { id: 45, name: '国家金融监督管理总局绥化监管分局', kind: 'stationed_unit' },
          members: [],
          memberOf: [],
          counts: { leadTasks: 0, responsibleTasks: 0, ownedMeasures: 0 },
        },
        into: bankingExample(['市银保监局', '黑龙江银保监局'], 4),
        moved: {
          taskRoles: 1,
          measureOwners: 0,
          assignments: [],
          withdrawnAssignments: [47, 115, 197, 255, 320, 378, 436, 495, 553, 611, 669, 727, 809, 941, 999, 1060, 1217],
          reinstatedAssignments: [],
          reports: 0,
          apiKeys: [],
          memberships: 1,
        },
        revisionId: 2,
      },
    ],
  },
);

const aliasList = (description: string) => Type.Array(freeText({ minLength: 1, maxLength: 100 }), { maxItems: 50, description });
const memberList = Type.Array(unitFilter('A member unit.'), {
  minItems: 1,
  maxItems: 500,
  description: 'For a collective only: the units it stands for (ids, names or aliases), each standing and none a collective.',
});

export const NewUnitBody = Type.Object(
  {
    name: freeText({ minLength: 1, maxLength: 100, description: 'The canonical name: no other unit may have it as its name or alias.' }),
    kind: unitKind,
    aliases: Type.Optional(aliasList('Other spellings; every lookup by name accepts them. None may be another unit’s name or alias.')),
    members: Type.Optional(memberList),
    reason: reasonText,
  },
  {
    additionalProperties: false,
    examples: [{ name: '市数据局', kind: 'city_department', aliases: ['绥化市数据局'], reason: '机构改革：新组建市数据局' }],
  },
);

export const UnitChangeBody = Type.Object(
  {
    kind: Type.Optional(unitKind),
    aliases: Type.Optional(aliasList('Replaces the alias list (the canonical name stays; rename with POST /units/{id}/rename). Names of units merged into this one stay.')),
    members: Type.Optional(memberList),
    reason: reasonText,
  },
  { additionalProperties: false, minProperties: 2, examples: [{ aliases: ['绥化市数据局', '市数据管理局'], reason: '补充常用简称' }] },
);

export const UnitReasonBody = Type.Object({ reason: reasonText }, { additionalProperties: false, examples: [{ reason: '机构改革：职责已划转，单位撤销' }] });

/** 市数据局 as the contract's create, change, retire and restore examples leave it (the first unit after the seed's 60). */
const createdExample = (aliases: string[]) => ({
  id: 61,
  name: '市数据局',
  kind: 'city_department',
  aliases,
  retiredAt: null,
  mergedInto: null,
  members: [],
  memberOf: [],
  counts: { leadTasks: 0, responsibleTasks: 0, ownedMeasures: 0 },
});

const unitWrite = (example: object) =>
  Type.Object(
    {
      outcome: StringEnum(['created', 'updated', 'unchanged'] as const, { description: 'unchanged: the unit already stood so (a retry is safe).' }),
      unit: Type.Ref(UnitDetailSchema),
      revisionId,
    },
    { description: 'What the change did, and the unit as it now stands (its new ETag in the `ETag` header).', examples: [example] },
  );

export const UnitCreatedSchema = unitWrite({ outcome: 'created', unit: createdExample(['绥化市数据局']), revisionId: 3 });
export const UnitWriteSchema = unitWrite({ outcome: 'updated', unit: createdExample(['市数据管理局', '绥化市数据局']), revisionId: 4 });
