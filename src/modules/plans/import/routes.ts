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
    // Text is decoded as it is parsed, in whatever encoding the office saved it in (strictly); a workbook is read into
    // rows there too, within its bounds: the only reading that awaits. The import itself then reads and writes in one
    // turn, in the group commit its answer waits for.
    const decoded = async (request: FastifyRequest, body: Buffer) => decodeText(body, charsetOf(request.headers['content-type'])).text;
    const options = { parseAs: 'buffer', bodyLimit: PLAN_IMPORT_BODY_LIMIT } as const;
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser('text/plain', options, decoded);
    scope.addContentTypeParser('text/csv', options, decoded);
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
          body: {
            content: {
              // CSV first: tools send the first media type's example.
              'text/csv': {
                schema: Type.String({
                  description: 'CSV with a header row (see the description for the columns).',
                  examples: [
                    '序号,规划章节,规划任务,牵头单位,责任单位,具体实施措施,各年度工作目标,完成时限\n1,政务诚信,公开作出政务诚信承诺,市营商环境局,中省市直各有关单位,向社会公开作出政务诚信承诺。(市民政局),2024年底前完成,2024年底前\n',
                  ],
                }),
              },
              'text/plain': {
                schema: Type.String({
                  description: 'The text form of the published document (as seeds/source/plan-breakdown.txt).',
                  examples: [
                    '北林区社会信用体系建设任务分解表\n发布时间:2024-03-01 | 来源:北林区营商环境局\n\n序号 规划章节 规划任务 牵头单位 责任单位 具体实施措施和可用来检查的工作成果 各年度工作目标 完成时限\n1 政务诚信 公开作出政务诚信承诺 市营商环境局 各县(市、区)人民政府 向社会公开作出政务诚信承诺。(市民政局) 2024年底前完成 2024年底前\n',
                  ],
                }),
              },
              // Bytes as OpenAPI 3.1 writes them (`contentMediaType`), without `type`: the parser has read the workbook's rows.
              [XLSX_TYPE]: { schema: Type.Unsafe<UploadedTable>({ contentMediaType: XLSX_TYPE, description: 'An .xlsx workbook; its first sheet is the table.' }) },
            },
          },
          response: { 200: Type.Ref(PlanImportReportSchema), ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
        },
      },
      async (request) => {
        const { code, title, issuer, publishedOn, startYear, endYear, dryRun, replace, reason } = request.query;
        const body = request.body as UploadedTable | string;
        const csv = (request.headers['content-type'] ?? '').startsWith('text/csv');
        const table: UploadedTable = typeof body !== 'string' ? body : csv ? csvTable(body) : { format: 'text', text: body };
        const report = deps.imports.importPlan({
          table,
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
