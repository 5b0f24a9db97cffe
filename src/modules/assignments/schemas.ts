import { Type, type TSchema } from '@sinclair/typebox';
import { ASSIGNMENT_ORIGINS, SCHEDULE_KINDS } from '../../db/schema.js';
import { StringEnum } from '../../http/enum.js';
import { instantFilter, unitFilter, yearFilter } from '../../http/filters.js';
import { listQuery, pageOf } from '../../http/pagination.js';
import { idSchema } from '../../http/params.js';
import { freeText } from '../../http/text.js';
import { UnitRefSchema } from '../units/schemas.js';
import { LIGHTS, OBLIGATION_STATES } from './lights.js';
import { said } from '../../domain/said.js';
import { sayPattern } from '../../http/rule-words.js';

export const LightSchema = StringEnum(LIGHTS, {
  $id: 'Light',
  title: 'Light',
  description:
    'Traffic light (亮灯) at `asOf`. red: overdue, a report returned and not resubmitted, or an indicator not met; yellow: due within WARNING_DAYS (default 30) without a completed report, or an indicator at risk; green otherwise. Roll-ups take the worst.',
});

const lightFilter = StringEnum(LIGHTS, { description: 'Only items with this light at `asOf`.' });
const asOfFilter = instantFilter('Judge as things stood at this instant; default now.', 'day-end');
const yesNo = (description: string) => StringEnum(['true', 'false'] as const, { description });
const date = (description: string) => Type.String({ format: 'date', description });
const instant = (description: string) => Type.String({ format: 'date-time', description });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

// Examples from the loaded plan: 北林区's assignment on task 1's measure, judged on 2024-12-15.
const unitExample = { id: 48, name: '北林区人民政府', kind: 'county_government' };
const assignmentExample = {
  id: 49,
  planId: 1,
  measure: { id: 1, taskId: 1, taskNo: 1, no: null },
  unit: unitExample,
  via: { id: 59, name: '各县(市、区)人民政府', kind: 'collective' },
  origin: 'responsible',
  assignedAt: '2023-10-07T16:00:00.000Z',
  reason: null,
  acknowledged: { at: '2023-10-10T02:00:00.000Z', contactName: '王明', contactPhone: '0455-8888888' },
  signForBy: '2023-10-15',
  closed: null,
  withdrawn: null,
  light: 'red',
  obligations: { total: 3, pending: 1, reported: 0, completed: 1, overdue: 1, waived: 0 },
  next: { id: 146, period: '2024', dueDate: '2024-12-31', state: 'overdue', daysLeft: -14 },
  version: 2,
};
const obligationExample = {
  id: 146,
  assignmentId: 49,
  measure: {
    id: 1,
    taskNo: 1,
    no: null,
    text: '鼓励各级政府及其部门、公职人员结合自身工作职责,向社会公开作出依法行政、履职尽责政务诚信承诺,通过信用中国(黑龙江绥化)网站向社会公示。',
  },
  unit: unitExample,
  kind: 'yearly',
  period: '2024',
  periodStart: '2024-01-01',
  periodEnd: '2024-12-31',
  dueDate: '2024-12-31',
  target: '2024年底前不低于80%',
  state: 'pending',
  light: 'yellow',
  daysLeft: 16,
  completedAt: null,
  returnedAt: null,
};

const countsSchema = Type.Object(
  {
    total: Type.Integer({ minimum: 0 }),
    pending: Type.Integer({ minimum: 0 }),
    reported: Type.Integer({ minimum: 0 }),
    completed: Type.Integer({ minimum: 0 }),
    overdue: Type.Integer({ minimum: 0 }),
    waived: Type.Integer({ minimum: 0 }),
  },
  { description: 'Obligations by state at `asOf`.' },
);
const lightCounts = Type.Object(
  { green: Type.Integer({ minimum: 0 }), yellow: Type.Integer({ minimum: 0 }), red: Type.Integer({ minimum: 0 }) },
  { description: 'How many of the matching items (all pages) have each light.' },
);

export const ObligationSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    assignmentId: Type.Integer({ minimum: 1 }),
    measure: Type.Object({
      id: Type.Integer({ minimum: 1 }),
      taskNo: Type.Integer(),
      no: Type.Union([Type.Integer(), Type.Null()], { description: 'Measure number as printed; null when unnumbered.' }),
      text: Type.String({ description: 'The measure as printed.' }),
    }),
    unit: Type.Ref(UnitRefSchema),
    kind: StringEnum(SCHEDULE_KINDS, { description: 'The part of the measure’s schedule this comes from.' }),
    period: Type.String({
      description: 'The period reports answering it name (2024, 2024-H1, 2024-Q3); a one-off names its due year and is answered by any report of the unit up to then.',
    }),
    periodStart: date('First day a report answering it may cover.'),
    periodEnd: date('Last day a report answering it may cover.'),
    dueDate: date('Due date (Asia/Shanghai).'),
    target: Type.String({ description: 'What is owed: the measure’s target for the due year (各年度工作目标), else its ongoing target.' }),
    state: StringEnum(OBLIGATION_STATES, {
      description:
        'At `asOf`: completed (an approved report of the unit within the period says completed), waived (the assignment was withdrawn), overdue (past the due date), reported (a report was sent), pending.',
    }),
    light: Type.Ref(LightSchema),
    daysLeft: Type.Integer({ description: 'Whole days from `asOf` to the end of the due date; negative once overdue.' }),
    completedAt: nullable(instant('When the completing report was approved.')),
    returnedAt: nullable(instant('Since when a report for it stands returned, not resubmitted.')),
  },
  { $id: 'Obligation', title: 'Obligation', description: 'One unit owing one measure for one due period.', examples: [obligationExample] },
);

const assignmentFields = {
  id: Type.Integer({ minimum: 1 }),
  planId: Type.Integer({ minimum: 1 }),
  measure: Type.Object({
    id: Type.Integer({ minimum: 1 }),
    taskId: Type.Integer({ minimum: 1 }),
    taskNo: Type.Integer(),
    no: Type.Union([Type.Integer(), Type.Null()]),
  }),
  unit: Type.Ref(UnitRefSchema),
  via: Type.Union([Type.Ref(UnitRefSchema), Type.Null()], { description: 'The collective the unit owes the measure through (各县(市、区)人民政府 …); null when named itself.' }),
  origin: StringEnum(ASSIGNMENT_ORIGINS, {
    description: 'owner: the measure names the unit (or its collective); responsible: the measure names none, the task’s 责任单位 owe it; added: a coordinator added it.',
  }),
  assignedAt: instant('When it was given (交办): the plan’s publication, or when it was added.'),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was added, reinstated or reopened.' }),
  acknowledged: Type.Union(
    [
      Type.Object({
        at: instant('Signed for (签收).'),
        contactName: Type.Union([Type.String(), Type.Null()]),
        contactPhone: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ],
    { description: 'Who signed for it and whom to call; null until signed for.' },
  ),
  signForBy: date('Sign for by this date (SIGN_FOR_DAYS after it was given); later, it is followed up.'),
  closed: Type.Union([Type.Object({ at: instant('Closed out (办结).'), note: Type.String() }), Type.Null()]),
  withdrawn: Type.Union([Type.Object({ at: instant('Withdrawn.'), reason: Type.String() }), Type.Null()]),
  light: Type.Ref(LightSchema),
  obligations: countsSchema,
  next: Type.Union(
    [
      Type.Object({
        id: Type.Integer({ minimum: 1 }),
        period: Type.String(),
        dueDate: date('Due date.'),
        state: StringEnum(OBLIGATION_STATES),
        daysLeft: Type.Integer({ description: 'Negative once overdue.' }),
      }),
      Type.Null(),
    ],
    { description: 'The earliest obligation not completed nor waived.' },
  ),
  version: Type.Integer({ minimum: 1 }),
};

export const AssignmentSchema = Type.Object(assignmentFields, {
  $id: 'Assignment',
  title: 'Assignment',
  description: 'One unit owing one measure (交办), its sign-for, close-out and light at `asOf`.',
  examples: [assignmentExample],
});

export const AssignmentDetailSchema = Type.Object(
  {
    ...assignmentFields,
    dueObligations: Type.Array(Type.Ref(ObligationSchema), { description: 'Every obligation, due date first.' }),
    reports: Type.Object(
      {
        total: Type.Integer({ minimum: 0, description: 'Reports the unit has sent on the measure.' }),
        recent: Type.Array(
          Type.Object({
            id: Type.Integer({ minimum: 1 }),
            period: Type.String(),
            state: Type.String(),
            status: Type.String(),
            updatedAt: instant('Last change.'),
          }),
          { description: 'The latest ten, newest first.' },
        ),
        link: Type.String({ description: 'The whole list, paged: the reports of this unit on this measure.' }),
      },
      { description: 'The reports behind it, counted and linked.' },
    ),
  },
  {
    $id: 'AssignmentDetail',
    title: 'AssignmentDetail',
    description: 'An assignment with its obligations and the reports answering them.',
    examples: [{ ...assignmentExample, dueObligations: [obligationExample], reports: { total: 0, recent: [], link: '/api/v1/reports?measure=1&unit=48' } }],
  },
);

export const AssignmentListQuery = listQuery({
  unit: Type.Optional(unitFilter('Assignments of the unit; a collective gives its members’.')),
  task: Type.Optional(idSchema('Task id.')),
  measure: Type.Optional(idSchema('Measure id.')),
  light: Type.Optional(lightFilter),
  acknowledged: Type.Optional(yesNo('Signed for (true) or not (false) by `asOf`.')),
  closed: Type.Optional(yesNo('Closed out (true) or not (false) by `asOf`.')),
  asOf: Type.Optional(asOfFilter),
});

/** A page of items judged at an instant: the list envelope, the instant, and how many of all matching items have each light. */
function judgedPageOf<T extends TSchema>(item: T, description: string, itemExample: { light: string }) {
  const lights = { green: 0, yellow: 0, red: 0, [itemExample.light]: 1 };
  return Type.Composite([pageOf(item, { description, itemExample }), Type.Object({ asOf: instant('The instant judged.'), lights: lightCounts })], {
    examples: [{ items: [itemExample], total: 1, limit: 50, offset: 0, asOf: '2024-12-15T04:00:00.000Z', lights }],
  });
}

export const AssignmentPageSchema = judgedPageOf(Type.Ref(AssignmentSchema), 'Assignments in document order (task, measure, unit).', assignmentExample);

export const AssignmentGetQuery = Type.Object({ asOf: Type.Optional(asOfFilter) }, { additionalProperties: false });

export const ObligationListQuery = listQuery({
  unit: Type.Optional(unitFilter('What the unit owes; a collective gives its members’.')),
  year: Type.Optional(yearFilter('Due in this year.')),
  state: Type.Optional(StringEnum(OBLIGATION_STATES, { description: 'Only obligations in this state at `asOf`.' })),
  light: Type.Optional(lightFilter),
  dueAfter: Type.Optional(date('Due on or after this date.')),
  dueBefore: Type.Optional(date('Due on or before this date.')),
  asOf: Type.Optional(asOfFilter),
});

export const ObligationPageSchema = judgedPageOf(Type.Ref(ObligationSchema), 'Obligations, earliest due first.', obligationExample);

const contact = (description: string) => freeText({ minLength: 1, maxLength: 100, description });
const reasonText = (description: string) => freeText({ minLength: 1, maxLength: 2000, description });

export const AcknowledgeBody = Type.Object(
  {
    contactName: Type.Optional(contact('Who handles it in the unit (联系人).')),
    contactPhone: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 30,
        pattern: sayPattern('^[0-9+() -]+$', said('电话号码（数字、+、括号、空格和连字符）', 'a phone number (digits, +, brackets, spaces and hyphens)')),
        description: 'Their phone number (联系电话).',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ contactName: '王明', contactPhone: '0455-8888888' }] },
);
export const CloseBody = Type.Object({ note: reasonText('Why it is closed out (办结说明).') }, { additionalProperties: false, examples: [{ note: '已全部完成，材料已归档' }] });
export const ReasonBody = Type.Object({ reason: reasonText('Why.') }, { additionalProperties: false, examples: [{ reason: '经市营商环境局协调，重新确定责任范围' }] });
export const AddAssignmentBody = Type.Object(
  {
    measureId: idSchema('The measure the unit owes from now on.'),
    unit: unitFilter('The unit (not a collective).'),
    reason: reasonText('Why it owes the measure.'),
  },
  { additionalProperties: false, examples: [{ measureId: 4, unit: '市营商环境局', reason: '会议决定由市营商环境局共同负责' }] },
);

export const AssignmentWriteSchema = Type.Object(
  {
    outcome: StringEnum(['created', 'updated', 'unchanged'] as const, { description: 'unchanged: the assignment already stood so (a retry is safe).' }),
    assignment: Type.Ref(AssignmentSchema),
  },
  { description: 'What the write did, and the assignment as it now stands.', examples: [{ outcome: 'updated', assignment: assignmentExample }] },
);
