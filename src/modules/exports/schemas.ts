import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../http/enum.js';
import { instantFilter, unitFilter, yearFilter } from '../../http/filters.js';
import { TaskListQuery } from '../tasks/schemas.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';

const plan = Type.Integer({ minimum: 1, description: 'Plan id; default the first plan.' });
const asOf = instantFilter('The picture as it stood at this instant; default now. Only reports approved by then count.', 'day-end');

// The `/tasks` filters, with the same names, schemas and meaning (paging aside: an export holds every row; the
// lights are in the rows, not a filter of them).
const { limit: _limit, offset: _offset, plan: _plan, light: _light, asOf: _asOf, ...taskFilters } = TaskListQuery.properties;

export const BreakdownExportQuery = Type.Object(
  {
    plan: Type.Optional(plan),
    year: Type.Optional(
      yearFilter(
        'The year the 状态 and 指标达成 columns judge; default the year of `asOf` in Asia/Shanghai, kept within the plan’s years. A year outside the plan’s years is a 400.',
      ),
    ),
    asOf: Type.Optional(asOf),
    by: Type.Optional(
      StringEnum(['measure', 'assignment'] as const, {
        description:
          'measure (default): the document’s table, one row per measure; assignment: one row per unit owing a measure (责任清单), with its sign-for, its obligations due in `year`, state, light and close-out.',
      }),
    ),
    ...taskFilters,
  },
  { additionalProperties: false },
);

export const FollowUpExportQuery = Type.Object(
  {
    plan: Type.Optional(plan),
    asOf: Type.Optional(asOf),
    unit: Type.Optional(unitFilter('Only items of this unit; a collective gives its members’.')),
  },
  { additionalProperties: false },
);

const contentDisposition = {
  'content-disposition': Type.String({
    description:
      '`attachment` with an ASCII `filename` (e.g. `breakdown-2024.xlsx`, `follow-ups-2025-01-31.csv`) and an RFC 5987 `filename*` carrying the Chinese name (2024年任务责任分工和实施措施分解表.xlsx, 督办事项-2025-01-31.csv).',
  }),
};

/** A 200 answered with a workbook: documented as binary; Fastify never serializes it (the handler sends a Buffer). */
export function xlsxResponse(description: string) {
  return {
    description,
    headers: contentDisposition,
    content: { [XLSX_TYPE]: { schema: Type.String({ format: 'binary', description: 'An Office Open XML workbook (.xlsx), one sheet.' }) } },
  };
}

/** A 200 answered with CSV text, with an example of its first lines. */
export function csvResponse(description: string, example: string) {
  return {
    description,
    headers: contentDisposition,
    content: { 'text/csv': { schema: Type.String({ description: 'RFC 4180 CSV, UTF-8 with a BOM, CRLF line ends, a header row.', examples: [example] }) } },
  };
}
