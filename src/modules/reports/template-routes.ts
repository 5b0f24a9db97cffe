import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { idSchema } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { callerOf } from '../../plugins/auth.js';
import { attachment } from '../exports/routes.js';
import { XLSX_TYPE } from '../exports/schemas.js';
import { PERIOD_PATTERN } from './period.js';
import type { ReportTemplates } from './template.js';
import { templateWorkbook } from './template-sheet.js';

interface TemplateRouteDeps {
  templates: ReportTemplates;
  now: () => Date;
}

const TemplateParams = Type.Object(
  { id: idSchema('The unit whose template it is (its id, see `GET /units`).') },
  { additionalProperties: false },
);

const TemplateQuery = Type.Object(
  {
    period: Type.String({
      pattern: PERIOD_PATTERN,
      description: 'The reporting period: a year (`2024`), a half (`2024-H1`), a quarter (`2024-Q3`) or a month (`2024-07`), within the plan’s years.',
      examples: ['2024'],
    }),
    plan: Type.Optional(Type.Integer({ minimum: 1, description: 'Plan id; default the first plan.' })),
  },
  { additionalProperties: false },
);

export function registerReportTemplateRoute(app: ApiInstance, deps: TemplateRouteDeps): void {
  app.get(
    '/units/:id/report-template.xlsx',
    {
      schema: {
        tags: ['reports'],
        operationId: 'getReportTemplate',
        summary: 'A unit’s report template for a period (xlsx)',
        description: [
          'The unit’s own progress-report sheet, prefilled: one row per obligation it owes for the period — those due in the period’s year that a report for the period answers (the year’s work, a one-off due that year), and those for shorter periods due within it (each quarter of a year template, reported for its own quarter). Withdrawn work is left out; one row per measure and period.',
          'Columns: 序号, 措施序号, 单位, 报告期 (which report the row is: locked), 具体实施措施, 工作目标, 完成时限, 指标 (what is owed: locked), then the columns to fill (unlocked, yellow): 状态 (a dropdown of the Chinese status words), 完成百分比 (a whole number 0–100), 进展情况, 佐证材料 (`title | url` per line), 指标值 (`indicatorId=value; …`, where the measure has indicators; 指标 lists their ids), 提交 (是/否). The sheet is protected without a password; the header row is frozen; a second sheet, 填写说明, says how to fill it in.',
          'Filled in and uploaded unchanged in structure to `POST /reports/bulk` (`Content-Type: ' + XLSX_TYPE + '`), it imports: the rows filled in become reports, untouched rows are left out.',
          'Needs the unit’s own reporter key, or an admin or coordinator key. A collective (各县(市、区)人民政府 …) owes nothing itself — its members each owe their share — so asking for its template is a 422 that says to ask for a member’s.',
        ].join('\n\n'),
        security: [{ bearerAuth: [] }],
        params: TemplateParams,
        querystring: TemplateQuery,
        response: {
          200: {
            description: 'The template workbook.',
            headers: {
              'content-disposition': Type.String({
                description: '`attachment` with an ASCII `filename` (`report-template-5-2024.xlsx`) and an RFC 5987 `filename*` carrying the Chinese name (市民政局-2024-进展报告.xlsx).',
              }),
            },
            content: { [XLSX_TYPE]: { schema: Type.String({ format: 'binary', description: 'An Office Open XML workbook (.xlsx): the sheet 进展报告 and 填写说明.' }) } },
          },
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const now = deps.now();
      const { unit, period, rows } = deps.templates.of(callerOf(request), request.params.id, request.query.period, request.query.plan, now);
      reply.header('content-disposition', attachment(`report-template-${unit.id}-${period.text}.xlsx`, `${unit.name}-${period.text}-进展报告.xlsx`));
      // The 200 schema documents binary; the reply carries the workbook's bytes.
      return (reply as FastifyReply).type(XLSX_TYPE).send(await templateWorkbook(rows, { unit: unit.name, period: period.text, created: now }));
    },
  );
}
