import { Type } from '@sinclair/typebox';
import { MESSAGE_STATES, REMINDER_CHANNELS, REMINDER_STAGES, ROBOT_KINDS } from '../../db/schema.js';
import { StringEnum } from '../../http/enum.js';
import { instantFilter, unitFilter } from '../../http/filters.js';
import { idSchema } from '../../http/params.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../http/pagination.js';
import { freeText } from '../../http/text.js';
import { UnitRefSchema } from '../units/schemas.js';
import { MAX_ROBOT_URL } from './robot-url.js';

const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const instant = (description: string) => Type.String({ format: 'date-time', description });

/* ── Contacts ─────────────────────────────────────────────────────────────────────────────────────── */

export const ContactParams = Type.Object({ id: idSchema('The unit.'), contactId: idSchema('The contact.') }, { additionalProperties: false });

const robotKind = StringEnum(ROBOT_KINDS, { description: 'wecom: 企业微信群机器人; dingtalk: 钉钉群机器人.' });

const contactExample = {
  id: 1,
  unitId: 5,
  name: '张伟（办公室）',
  email: 'zhangwei@mzj.suihua.gov.cn',
  phone: '0455-8301234',
  robot: { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****9f2c' },
  createdAt: '2024-03-01T02:00:00.000Z',
};

export const ContactSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    unitId: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    email: nullable(Type.String({ description: 'Where e-mail reminders go.' })),
    phone: nullable(Type.String({ description: 'For people to call; no reminder is sent to it.' })),
    robot: Type.Union(
      [
        Type.Object({
          kind: robotKind,
          url: Type.String({ description: 'The robot’s webhook address, its token hidden but for the last four characters: the token lets anyone post to the group.' }),
        }),
        Type.Null(),
      ],
      { description: 'The office’s group robot reminders are posted to, if any.' },
    ),
    createdAt: instant('When it was added.'),
  },
  { description: 'Someone in a unit who is told of its obligations coming due.', examples: [contactExample] },
);

export const NewContactBody = Type.Object(
  {
    name: freeText({ minLength: 1, maxLength: 50, description: 'Who (a person or an office), as the unit calls them.' }),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: 'An e-mail address (like zhangwei@mzj.suihua.gov.cn).' })),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{2,29}$', description: 'A telephone number (digits, spaces, hyphens, a leading +).' })),
    robot: Type.Optional(
      Type.Object(
        {
          kind: robotKind,
          url: Type.String({
            minLength: 1,
            maxLength: MAX_ROBOT_URL,
            description:
              'The robot’s webhook address as the group settings show it: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… or https://oapi.dingtalk.com/robot/send?access_token=…',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'At least one of `email` and `robot`.',
    examples: [
      {
        name: '张伟（办公室）',
        email: 'zhangwei@mzj.suihua.gov.cn',
        phone: '0455-8301234',
        robot: { kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa9f2c' },
      },
    ],
  },
);

export const ContactListSchema = Type.Object(
  { items: Type.Array(ContactSchema) },
  { description: 'The unit’s contacts now (removed ones are not listed).', examples: [{ items: [contactExample] }] },
);

export const RemovedContactSchema = Type.Object(
  { ...ContactSchema.properties, removedAt: instant('When it was removed.') },
  { description: 'The contact removed: no new reminder reaches it.', examples: [{ ...contactExample, removedAt: '2024-06-01T02:00:00.000Z' }] },
);

/* ── Reminders ────────────────────────────────────────────────────────────────────────────────────── */

const reminderExample = {
  id: 12,
  stage: 'overdue',
  stageKey: 'overdue',
  week: null,
  createdAt: '2024-01-01T00:01:00.000Z',
  obligation: {
    id: 311,
    assignmentId: 74,
    period: '2023',
    dueDate: '2023-12-31',
    measure: { id: 3, taskNo: 3, no: 1, text: '各有关部门明确专人负责“双公示”信息填报工作…' },
  },
  unit: { id: 5, name: '市民政局', kind: 'city_department' },
  report: null,
  subject: '【到期催办】市民政局：任务3 措施1（2023，截止 2023-12-31）',
  text: '### 到期催办\n**单位**：市民政局\n…',
  messages: [
    {
      id: 31,
      channel: 'email',
      contact: { id: 1, name: '张伟（办公室）' },
      recipient: 'z***@mzj.suihua.gov.cn',
      state: 'sent',
      attempts: 1,
      nextAttemptAt: '2024-01-01T00:01:00.000Z',
      sentAt: '2024-01-01T00:01:02.000Z',
      lastError: null,
    },
  ],
};

export const ReminderSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, description: 'Larger for every later reminder: the cursor to resume after.' }),
    stage: StringEnum(REMINDER_STAGES, {
      description:
        'due_soon: 临近提醒 (the obligation turned yellow, or came to be owed already yellow: assigned, reinstated or re-dated inside its warning window); overdue: 到期催办 (the day after its due date); still_overdue: 逾期第N周催办 (weekly while overdue); returned: 报告被退回.',
    }),
    stageKey: Type.String({ description: 'Unique per obligation: due_soon, overdue, still_overdue:<week>, returned:<reportId>:<nth return>.' }),
    week: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'For still_overdue: whole weeks since the obligation became overdue.' }),
    createdAt: instant('When the sweep saw the stage reached.'),
    obligation: Type.Object({
      id: Type.Integer({ minimum: 1 }),
      assignmentId: Type.Integer({ minimum: 1 }),
      period: Type.String(),
      dueDate: Type.String({ format: 'date' }),
      measure: Type.Object({ id: Type.Integer({ minimum: 1 }), taskNo: Type.Integer(), no: Type.Union([Type.Integer(), Type.Null()]), text: Type.String() }),
    }),
    unit: Type.Ref(UnitRefSchema),
    report: Type.Union([Type.Object({ id: Type.Integer({ minimum: 1 }), note: Type.Union([Type.String(), Type.Null()]) }), Type.Null()], {
      description: 'For returned: the report and the reviewer’s note.',
    }),
    subject: Type.String({ description: 'The e-mail subject.' }),
    text: Type.String({ description: 'The message (markdown, as the robots post it; e-mail sends it as text).' }),
    messages: Type.Array(
      Type.Object({
        id: Type.Integer({ minimum: 1 }),
        channel: StringEnum(REMINDER_CHANNELS),
        contact: Type.Object({ id: Type.Integer({ minimum: 1 }), name: Type.String() }),
        recipient: Type.String({ description: 'The address: an e-mail address (masked unless the caller is an admin), or the robot’s address with its token hidden.' }),
        state: StringEnum(MESSAGE_STATES, { description: 'pending (to be sent or retried), sent, failed (given up).' }),
        attempts: Type.Integer({ minimum: 0 }),
        nextAttemptAt: instant('When it is (or was) next to be tried.'),
        sentAt: Type.Union([instant('When it was delivered.'), Type.Null()]),
        lastError: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed.' }),
      }),
      {
        description:
          'One per recipient and channel among the contacts the unit had when the stage was reached (none when it had no contact): a robot or mailbox two contacts share (an e-mail address compared regardless of case) is told once, under the first of them.',
      },
    ),
  },
  { description: 'A reminder: an obligation reached a stage, and the unit’s contacts were told.', examples: [reminderExample] },
);

export const RemindersQuery = Type.Object(
  {
    unit: Type.Optional(unitFilter('Only reminders to this unit.')),
    stage: Type.Optional(StringEnum(REMINDER_STAGES, { description: 'Only reminders of this stage.' })),
    since: Type.Optional(instantFilter('Only reminders made at or after this instant.', 'day-start')),
    after: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Cursor: reminders with a larger id (the `nextCursor` of the page before).' }),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  },
  { additionalProperties: false },
);

export const ReminderPageSchema = Type.Object(
  {
    items: Type.Array(ReminderSchema),
    limit: Type.Integer(),
    nextCursor: Type.Integer({ description: 'Pass as `after` next time: the last reminder on this page, or `after` itself when there is none.' }),
    hasMore: Type.Boolean({ description: 'More reminders follow now.' }),
  },
  { description: 'Reminders, oldest first.', examples: [{ items: [reminderExample], limit: 50, nextCursor: 12, hasMore: false }] },
);
