import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../../http/app-types.js';
import { charsetOf, decodeText } from '../../../http/decode-text.js';
import { problemResponses } from '../../../http/problem.js';
import { allow, callerOf } from '../../../plugins/auth.js';
import { languageOf } from '../../../plugins/errors.js';
import { TABLE_COLUMNS } from '../../../seed/read/columns.js';
import { XLSX_TYPE } from '../../exports/schemas.js';
import { csvTable, workbookTable, type UploadedTable } from './read-table.js';
import { PLAN_IMPORT_BODY_LIMIT, PlanImportQuery, PlanImportReportSchema } from './schemas.js';
import type { PlanImportService } from './service.js';

const HEADERS = Object.values(TABLE_COLUMNS)
  .map((variants) => variants.join(' / '))
  .join('; ');

const DESCRIPTION = [
  `Loads a breakdown table (任务责任分工和实施措施分解表) as a new plan. The body is an .xlsx workbook (\`${XLSX_TYPE}\`, its first sheet), CSV (\`text/csv\`) or the text form of the published document (\`text/plain\`, as seeds/source/plan-breakdown.txt: the page header with 发布时间 and 来源, then a 序号 … header line and one line per row), CSV and text in UTF-8, GBK/GB18030 or UTF-16 with a byte-order mark.`,
  `xlsx and CSV columns are found by their headers, in any order, other columns passed over: ${HEADERS}. 序号, 规划任务, 牵头单位, 责任单位 and 具体实施措施 are required. One row per measure, the task's cells repeated or left blank (merged); header rows printed again at page breaks are passed over; rows above the header may hold the title. The breakdown export (\`GET /exports/breakdown.xlsx\`, \`.csv\`) imports as it is.`,
  'Cells are read by the code that builds the seed plan: measure numbers (`3.`), owners (the closing parenthesis of a measure, else the task’s lead units), deadlines, milestones and schedules; units by canonical name or alias. Indicators are those of the curated list whose words the table prints. Measures are then assigned as the seed’s are (交办 on `publishedOn`).',
  'The answer counts what was created and lists every warning by row and column; warnings do not stop the import — send `dryRun=true` first, which writes nothing. A `code` already used is a 409, unless `replace=true` and nobody has reported on that plan (it is then replaced, keeping its id; with reports, 409). A body that is not a table (no header row, not a workbook) is a 400 or 422. Recorded as a plan revision (`imported`) and in the audit trail (`plan.import`). Needs an admin or coordinator key.',
].join('\n\n');

export async function registerPlanImportRoute(app: ApiInstance, deps: { imports: PlanImportService }): Promise<void> {
  await app.register(async (scope) => {
    // The body is read into rows (or text) as it is parsed: text in whatever encoding the office saved it in, decoded
    // strictly; a workbook within its bounds. The import then runs in one turn, in the group commit it answers after.
    const decoded = (request: FastifyRequest, body: Buffer) => decodeText(body, charsetOf(request.headers['content-type'])).text;
    const options = { parseAs: 'buffer', bodyLimit: PLAN_IMPORT_BODY_LIMIT } as const;
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser('text/plain', options, async (request: FastifyRequest, body: Buffer): Promise<UploadedTable> => ({ format: 'text', text: decoded(request, body) }));
    scope.addContentTypeParser('text/csv', options, async (request: FastifyRequest, body: Buffer) => csvTable(decoded(request, body)));
    scope.addContentTypeParser(XLSX_TYPE, options, async (_request: FastifyRequest, body: Buffer) => workbookTable(body));
    (scope as unknown as ApiInstance).post(
      '/plans/import',
      {
        onRequest: allow(['admin', 'coordinator']),
        bodyLimit: PLAN_IMPORT_BODY_LIMIT,
        schema: {
          tags: ['plans'],
          operationId: 'importPlan',
          summary: 'Load a breakdown table as a plan',
          description: DESCRIPTION,
          security: [{ bearerAuth: [] }],
          querystring: PlanImportQuery,
          // The parsers have read each body into rows or text already: the schemas say what is sent, without `type`
          // (a JSON Schema string the parsed body is not), as OpenAPI 3.1 writes bytes and text (`contentMediaType`).
          body: {
            content: {
              [XLSX_TYPE]: { schema: Type.Unsafe<UploadedTable>({ contentMediaType: XLSX_TYPE, description: 'An .xlsx workbook; its first sheet is the table.' }) },
              'text/csv': {
                schema: Type.Unsafe<UploadedTable>({
                  contentMediaType: 'text/csv',
                  description: 'CSV with a header row (see the description for the columns).',
                  examples: [
                    '序号,规划章节,规划任务,牵头单位,责任单位,具体实施措施,各年度工作目标,完成时限\n1,政务诚信,公开作出政务诚信承诺,市营商环境局,中省市直各有关单位,向社会公开作出政务诚信承诺。(市民政局),2024年底前完成,2024年底前\n',
                  ],
                }),
              },
              'text/plain': {
                schema: Type.Unsafe<UploadedTable>({
                  contentMediaType: 'text/plain',
                  description: 'The text form of the published document (as seeds/source/plan-breakdown.txt).',
                }),
              },
            },
          },
          response: { 200: Type.Ref(PlanImportReportSchema), ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
        },
      },
      async (request) => {
        const { code, title, issuer, publishedOn, startYear, endYear, dryRun, replace, reason } = request.query;
        const report = deps.imports.importPlan({
          table: request.body as UploadedTable,
          plan: { code, title, issuer, publishedOn, startYear, endYear },
          dryRun,
          replace,
          reason,
          principal: callerOf(request),
          requestId: request.id,
        });
        const language = languageOf(request);
        return { ...report, warnings: report.warnings.map((w) => ({ ...w, message: w.message[language] })) };
      },
    );
  });
}
