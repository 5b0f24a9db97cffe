import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../../http/enum.js';
import { freeText } from '../../../http/text.js';
import { READ_PROBLEM_KINDS } from '../../../seed/read/problems.js';

/** A breakdown table of a few hundred measures is well under a megabyte as xlsx or CSV; this leaves room for a county's. */
export const PLAN_IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

const year = (description: string, example: number) => Type.Integer({ minimum: 1900, maximum: 2100, description, examples: [example] });

export const PlanImportQuery = Type.Object(
  {
    code: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$',
      description: 'The plan’s stable identifier, unique among plans (letters, digits, `.`, `_`, `-`; 2–100 characters), e.g. `suihua-social-credit-14th-fyp`.',
      examples: ['beilin-social-credit-14th-fyp'],
    }),
    title: Type.Optional(
      freeText({
        minLength: 1,
        maxLength: 500,
        description: 'The plan’s title. Default: the first text above the table’s header row (a title row), or the document’s title line (text form).',
        examples: ['北林区社会信用体系建设任务分解表'],
      }),
    ),
    issuer: Type.Optional(
      freeText({
        minLength: 1,
        maxLength: 200,
        description: 'Who published the table. Default: the text form’s `来源:`; required for xlsx and CSV.',
        examples: ['北林区营商环境局'],
      }),
    ),
    publishedOn: Type.Optional(
      Type.String({
        format: 'date',
        description: 'When the table was published: its measures are assigned (交办) on that day. Default: the text form’s `发布时间:`; required for xlsx and CSV.',
        examples: ['2024-03-01'],
      }),
    ),
    startYear: year('First year of the plan period: recurring work naming no year starts then.', 2021),
    endYear: year('Last year of the plan period: open-ended work runs to it.', 2025),
    dryRun: Type.Boolean({ default: false, description: 'Read and check everything, count what would be created, write nothing.' }),
    replace: Type.Boolean({ default: false, description: 'Replace the plan with the same `code`, if nobody has reported on it (its id is kept).' }),
    reason: Type.Optional(freeText({ minLength: 1, maxLength: 2000, description: 'Why the table is loaded, for the plan’s revisions. Default: 导入分解表（xlsx / CSV / 文本）.' })),
  },
  { additionalProperties: false },
);

const warningExample = {
  line: 7,
  column: '具体实施措施',
  kind: 'unknown_unit',
  message: 'unit "市发改局" in cell "市发改局" is not a known unit name or alias; closest: 市发改委',
  suggestions: ['市发改委'],
};
const reportExample = {
  dryRun: false,
  planId: 2,
  replaced: false,
  plan: { code: 'beilin-social-credit-14th-fyp', title: '北林区社会信用体系建设任务分解表', issuer: '北林区营商环境局', publishedOn: '2024-03-01', startYear: 2021, endYear: 2025 },
  counts: { chapters: 2, tasks: 3, measures: 5, milestones: 7, indicators: 0, assignments: 9, obligations: 31 },
  warnings: [warningExample],
};

export const PlanImportReportSchema = Type.Object(
  {
    dryRun: Type.Boolean(),
    planId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The plan written; null in a dry run.' }),
    replaced: Type.Boolean({ description: 'Whether a plan of the same code was (in a dry run: would be) replaced.' }),
    plan: Type.Object({
      code: Type.String(),
      title: Type.String(),
      issuer: Type.String(),
      publishedOn: Type.String({ format: 'date' }),
      startYear: Type.Integer(),
      endYear: Type.Integer(),
    }),
    counts: Type.Object(
      {
        chapters: Type.Integer({ minimum: 0 }),
        tasks: Type.Integer({ minimum: 0 }),
        measures: Type.Integer({ minimum: 0 }),
        milestones: Type.Integer({ minimum: 0 }),
        indicators: Type.Integer({ minimum: 0, description: 'Curated indicators (seeds/indicators.json) whose words the table prints.' }),
        assignments: Type.Integer({ minimum: 0, description: 'Units owing a measure (交办), collectives expanded to their members.' }),
        obligations: Type.Integer({ minimum: 0, description: 'Periods owed by those assignments.' }),
      },
      { description: 'What was created (in a dry run: what would be).' },
    ),
    warnings: Type.Array(
      Type.Object({
        line: Type.Integer({ description: 'The sheet row (xlsx), the CSV line or the text line.' }),
        column: Type.Union([Type.String(), Type.Null()], {
          description: 'The column’s header as the document names it (序号, 规划任务, 牵头单位, 责任单位, 具体实施措施, 各年度工作目标, 完成时限); null for a whole row.',
        }),
        kind: StringEnum(READ_PROBLEM_KINDS, {
          description:
            'unknown_unit: a name no unit or alias has (left out; `suggestions` has the closest names); unreadable_deadline: the measure gets no deadline; unreadable_targets: the measure gets no milestones or schedule; duplicate_number: a task number already used by another task (row left out), or a measure number twice in a task (kept); empty_measure: a row with targets but no measure, or a task without measures; garbled_row: a row that cannot be read (no number, not a number, mojibake), left out.',
        }),
        message: Type.String(),
        suggestions: Type.Optional(Type.Array(Type.String())),
      }),
      { description: 'Everything the import could not use, in table order. Warnings do not stop an import: read them in a dry run first.' },
    ),
  },
  {
    $id: 'PlanImportReport',
    title: 'PlanImportReport',
    description: 'What importing a breakdown table created, or would create, and what it could not read.',
    examples: [reportExample],
  },
);
