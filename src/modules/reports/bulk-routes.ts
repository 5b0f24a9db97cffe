import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../../http/app-types.js';
import { charsetOf, decodeText } from '../../http/decode-text.js';
import { parseJsonInSlices } from '../../http/json-in-slices.js';
import { timeSlices } from '../../http/slices.js';
import { ProblemSchema, problemResponses } from '../../http/problem.js';
import { invalidField } from '../../domain/errors.js';
import { languageOf, sendProblem } from '../../plugins/errors.js';
import { said, type Language } from '../../domain/said.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { LongWrites } from '../../db/long-write.js';
import { IDEMPOTENCY_KEY_PATTERN, requestHashInSlices, type IdempotencyStore } from '../idempotency/store.js';
import { BULK_MAX_ROWS, type BulkImporter, type ImportSummary } from './bulk.js';

/** What an import works with: the importer and idempotency store on the long-write connection. */
export interface BulkImportContext {
  importRows: BulkImporter;
  idempotency: IdempotencyStore;
}
import { CSV_COLUMNS, parseReportsCsv } from './csv.js';
import { PRINTED_COLUMNS, REPORT_COLUMNS } from './columns.js';
import { readReportsXlsx } from './xlsx.js';
import { PROGRESS_WORDS } from './progress-words.js';
import { XLSX_TYPE } from '../exports/schemas.js';
import { StringEnum } from '../../http/enum.js';

/** 5,000 rows of the largest allowed reports would be far more; real files are a few MB at most. */
export const BULK_BODY_LIMIT = 32 * 1024 * 1024;

const outcome = StringEnum(['created', 'updated', 'unchanged', 'rejected']);

const summaryExample = {
  dryRun: false,
  atomic: false,
  status: 'partial',
  written: true,
  counts: { rows: 3, created: 1, updated: 0, unchanged: 1, rejected: 1 },
  rows: [
    { index: 0, outcome: 'created', reportId: 52 },
    { index: 1, outcome: 'unchanged', reportId: 41 },
    { index: 2, outcome: 'rejected', reportId: null },
  ],
  conflicts: [{ index: 2, field: '/body/reports/2/period', message: 'falls outside the plan’s years 2021–2025' }],
};

export const ImportSummarySchema = Type.Object(
  {
    dryRun: Type.Boolean(),
    atomic: Type.Boolean(),
    status: StringEnum(['imported', 'partial', 'rejected'], {
      description: 'imported: every row went through (or would, in a dry run); partial: the good rows were written, the rejected ones not; rejected: nothing was written.',
    }),
    written: Type.Boolean({ description: 'Whether anything was written (false for a dry run).' }),
    counts: Type.Object({
      rows: Type.Integer(),
      created: Type.Integer(),
      updated: Type.Integer(),
      unchanged: Type.Integer({ description: 'Rows identical to the report already there: re-posting a file changes nothing.' }),
      rejected: Type.Integer(),
    }),
    rows: Type.Array(
      Type.Object({
        index: Type.Integer({ description: 'Position of the row in the request, from 0.' }),
        line: Type.Optional(Type.Integer({ description: 'For CSV: the line the row starts on; for xlsx: its row in the sheet (the header is line or row 1).' })),
        outcome,
        reportId: Type.Union([Type.Integer(), Type.Null()], { description: 'The report written (null when nothing was).' }),
      }),
    ),
    conflicts: Type.Array(
      Type.Object({
        index: Type.Integer(),
        line: Type.Optional(Type.Integer()),
        field: Type.String({ description: 'JSON pointer of the offending value.' }),
        message: Type.String(),
      }),
      { description: 'One entry per rejected row: its index, the field and the reason.' },
    ),
  },
  { $id: 'ImportSummary', title: 'ImportSummary', description: 'What a bulk import did, row by row.', examples: [summaryExample] },
);

const BulkQuery = Type.Object(
  {
    dryRun: Type.Boolean({ default: false, description: 'Check every row and say what would happen, writing nothing.' }),
    atomic: Type.Boolean({ default: true, description: 'true: all rows or none; false: write the good rows, report the rejected ones.' }),
  },
  { additionalProperties: false },
);

/** The summary as the reader reads it: each conflict's message in their language (the stored one keeps both). */
function summaryIn(summary: ImportSummary, language: Language) {
  return { ...summary, conflicts: summary.conflicts.map((conflict) => ({ ...conflict, message: conflict.message[language] })) };
}

export async function registerBulkImportRoutes(
  app: ApiInstance,
  deps: { imports: LongWrites<BulkImportContext>; now: () => Date },
): Promise<void> {
  await app.register(async (scope) => {
    // CSV bodies arrive as bytes in the encoding the office saved them in (UTF-8, GBK, UTF-16) and are decoded
    // strictly; rows are parsed and checked one by one in the handler. JSON is parsed in slices (up to 32 MiB:
    // JSON.parse would hold the event loop for a third of a second).
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: BULK_BODY_LIMIT }, async (request: FastifyRequest, body: Buffer) => {
      return decodeText(body, charsetOf(request.headers['content-type'])).text;
    });
    // A workbook is read in the handler (zip bounds first, then exceljs); the parser only collects its bytes.
    scope.addContentTypeParser(XLSX_TYPE, { parseAs: 'buffer', bodyLimit: BULK_BODY_LIMIT }, async (_request: FastifyRequest, body: Buffer) => body);
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BULK_BODY_LIMIT }, async (_request: FastifyRequest, body: Buffer) => parseJsonInSlices(body));
    const bulk = scope as unknown as ApiInstance;
    bulk.post(
      '/reports/bulk',
      {
        onRequest: allow(['admin', 'reporter']),
        bodyLimit: BULK_BODY_LIMIT,
        schema: {
          tags: ['reports'],
          operationId: 'importReports',
          summary: 'Import many reports at once',
          description: [
            `Up to ${BULK_MAX_ROWS} reports, as JSON \`{ "reports": [ReportInput, …] }\` or as CSV (\`Content-Type: text/csv\`, header row) in UTF-8 (a byte-order mark allowed), GBK/GB18030 (as Excel and WPS save it on Chinese Windows: declared with \`charset=gbk\`, or recognised when the bytes are not UTF-8) or UTF-16 with a byte-order mark; bytes that are not text in the encoding are a 400 naming the line, an unknown \`charset\` a 415. Each row is written as \`POST /reports\` would write it: it creates a draft, updates the open one, or changes nothing when the content is already there — so re-posting the same file reports every row as unchanged.`,
            `As an .xlsx workbook (\`Content-Type: ${XLSX_TYPE}\`): the unit's template from \`GET /units/{id}/report-template.xlsx\` filled in, or any workbook whose first sheet has a header row of the CSV columns. Rows that fill nothing in (no status, narrative, percentage, evidence, values or submit) are left out, in CSV too; a rejected row is named by its sheet row. A file that is not a workbook is a 400; so is a sheet of more than ${BULK_MAX_ROWS} rows.`,
            `CSV and xlsx columns, by English id or Chinese header: ${[...REPORT_COLUMNS, ...PRINTED_COLUMNS].map((c) => `${c.field} (${[c.header, ...(c.aliases ?? [])].join(' / ')})`).join(', ')}; in the order a CSV lists them: ${CSV_COLUMNS.join(', ')}. A row names its measure by \`measureId\` or as the breakdown table prints it: \`taskNo\` (序号) and \`measureNo\` (措施序号: the measure's number, or its place in a task whose measures are unnumbered; may be left out when the task has one measure). \`status\` takes the ids or the Chinese words the exports print (${Object.values(PROGRESS_WORDS).join(', ')}); \`evidence\` holds one \`title | url\` per line; \`indicatorValues\` is \`indicatorId=value; …\`; \`submit\` is true/false or 是/否.`,
            '`dryRun=true` checks every row and writes nothing. `atomic=true` (default) writes all rows or none; `atomic=false` writes the good rows. Every rejected row is listed with its index (and CSV line or sheet row), the field and the reason. When nothing could be written because of rejected rows the answer is 422 problem+json carrying the same summary in `importSummary`.',
            'Honours `Idempotency-Key`. Needs a reporter key (rows for its own unit) or an admin key (rows name `unit`).',
          ].join('\n\n'),
          security: [{ bearerAuth: [] }],
          querystring: BulkQuery,
          headers: Type.Object({
            'idempotency-key': Type.Optional(Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN })),
          }),
          body: {
            content: {
              'application/json': {
                schema: Type.Object(
                  { reports: Type.Array(Type.Unknown(), { minItems: 1, maxItems: BULK_MAX_ROWS, description: 'ReportInput rows.' }) },
                  {
                    additionalProperties: false,
                    examples: [
                      {
                        reports: [
                          // 市民政局's own measures (4: 社会组织重错码, 127: 婚姻介绍、养老服务诚信建设), as src/http/seed-examples.ts says.
                          {
                            measureId: 4,
                            unit: '市民政局',
                            period: '2025-H1',
                            status: 'in_progress',
                            narrative: '已甄别市属社会组织重错码 12 条',
                            percentComplete: 60,
                            indicatorValues: [{ indicatorId: 6, value: 1.2 }],
                            submit: true,
                          },
                          {
                            measureId: 127,
                            unit: '市民政局',
                            period: '2024',
                            status: 'completed',
                            evidence: [{ title: '养老服务机构诚信建设台账', url: 'https://example.gov.cn/2024-yanglao.xlsx' }],
                          },
                        ],
                      },
                    ],
                  },
                ),
              },
              [XLSX_TYPE]: {
                // Bytes as OpenAPI 3.1 writes them (`contentMediaType`), without `type`: the body reaches validation as a
                // Buffer, which a JSON Schema string is not.
                schema: Type.Unsafe<Buffer>({
                  contentMediaType: XLSX_TYPE,
                  description: 'An .xlsx workbook: the sheet of `GET /units/{id}/report-template.xlsx` filled in, or any sheet with a header row of the CSV columns.',
                }),
              },
              'text/csv': {
                schema: Type.String({
                  description: 'CSV with a header row; see the description for the columns.',
                  examples: [
                    'measureId,period,status,narrative,percentComplete,evidence,indicatorValues,submit\n1,2024,completed,承诺书已公示,100,"承诺书 | https://example.gov.cn/c",1=82.5,true\n',
                  ],
                }),
              },
            },
          },
          response: {
            200: Type.Ref(ImportSummarySchema),
            422: {
              description: 'Rows were rejected and nothing was written (atomic import, or every row rejected); `importSummary` says which and why.',
              content: {
                'application/problem+json': {
                  schema: Type.Intersect([Type.Ref(ProblemSchema), Type.Object({ importSummary: Type.Optional(Type.Ref(ImportSummarySchema)) })]),
                },
              },
            },
            ...problemResponses(400, 401, 403, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const actor = { principal: callerOf(request), requestId: request.id };
        const body = request.body as { reports: unknown[] } | string | Buffer;
        // A spreadsheet (CSV or xlsx) gives rows with the line or sheet row each is on.
        const sheet = typeof body === 'string' ? await parseReportsCsv(body, timeSlices()) : Buffer.isBuffer(body) ? await readReportsXlsx(body) : undefined;
        const rows = sheet ? sheet.rows : (body as { reports: unknown[] }).reports;
        // A workbook's bytes are identified by their digest (hashing them as JSON would walk every byte).
        const hashed = Buffer.isBuffer(body) ? createHash('sha256').update(body).digest('hex') : body;
        if (rows.length === 0) throw invalidField('/body', said('没有任何数据行', 'holds no rows'));
        if (rows.length > BULK_MAX_ROWS) throw invalidField('/body', said(`有 ${rows.length} 行，每次最多导入 ${BULK_MAX_ROWS} 行`, `holds ${rows.length} rows; at most ${BULK_MAX_ROWS} per import`));
        const { dryRun, atomic } = request.query;
        const idempotencyKey = request.headers['idempotency-key'];
        // A long write: other requests are served while it runs, and it commits (or rolls back) as one transaction.
        const result = await deps.imports.run(async ({ context: { importRows, idempotency }, pause, savepoint }) => {
          const route = `POST /reports/bulk?dryRun=${dryRun}&atomic=${atomic}`;
          const pending =
            idempotencyKey === undefined
              ? undefined
              : idempotency.begin({ keyId: actor.principal.keyId, idempotencyKey, route, requestHash: await requestHashInSlices(route, hashed, pause), now: deps.now() });
          if (pending?.replay) return pending.replay;
          const summary = await importRows(actor, rows, { dryRun, atomic, pointer: (index) => (sheet ? `/body/rows/${index}` : `/body/reports/${index}`), lines: sheet?.lines }, { pause, savepoint });
          const response = { status: summary.status === 'rejected' ? 422 : 200, body: summary };
          return pending ? pending.remember(response) : { ...response, replayed: false };
        });
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        const summary = result.body as ImportSummary;
        const told = summaryIn(summary, languageOf(request));
        if (result.status === 422) {
          const { rejected, rows: all } = summary.counts;
          return sendProblem(request, reply, {
            status: 422,
            slug: 'import-rejected',
            detail: said(`${all} 行中有 ${rejected} 行被拒绝，没有写入任何内容。`, `${rejected} of ${all} rows were rejected; nothing was written.`),
            errors: summary.conflicts.map(({ field, message }) => ({ field, message })),
            extensions: { importSummary: told },
          });
        }
        return told;
      },
    );
  });
}
