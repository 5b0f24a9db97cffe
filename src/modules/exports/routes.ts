import { parseInstant } from '../../http/calendar.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { problemResponses } from '../../http/problem.js';
import { invalidField } from '../../domain/errors.js';
import { said } from '../../domain/said.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import { toCsv } from './csv.js';
import { followUpLink } from '../monitoring/routes.js';
import { BREAKDOWN_COLUMNS, FOLLOW_UP_COLUMNS, type ExportService } from './service.js';
import { BreakdownExportQuery, CSV_TYPE, csvResponse, FollowUpExportQuery, XLSX_TYPE, xlsxResponse } from './schemas.js';
import { toCsvText, toXlsx, type Table } from './table.js';
import { roleNeedsUnit } from '../units/said.js';

interface ExportRouteDeps {
  service: ExportService;
  unitResolver: UnitResolver;
  now: () => Date;
  /** PUBLIC_BASE_URL: the base of the links in the exports; null, the request's own scheme and host. */
  publicBaseUrl: string | null;
}

const tags = ['exports'];

/** `attachment` with an ASCII name for old clients and the Chinese one as RFC 5987 `filename*` (RFC 6266). */
export function attachment(asciiName: string, name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encoded}`;
}

async function send(reply: FastifyReply, format: 'xlsx' | 'csv', table: Table, names: { ascii: string; chinese: string }, asOf: Date) {
  reply.header('content-disposition', attachment(`${names.ascii}.${format}`, `${names.chinese}.${format}`));
  if (format === 'csv') return reply.type(CSV_TYPE).send(toCsvText(table));
  return reply.type(XLSX_TYPE).send(await toXlsx(table, { title: names.chinese, asOf }));
}

/** A Host header that is a host name or an IP literal with an optional port, and nothing a URL would read more into. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The base of the links an export writes: a file is read away from the API, where a path means nothing, so its links
 * are absolute — on PUBLIC_BASE_URL when set (behind a proxy, the address clients know), else on the scheme and host
 * this request came to. The JSON answers keep API paths.
 */
function linkBase(publicBaseUrl: string | null, request: FastifyRequest): string {
  if (publicBaseUrl !== null) return publicBaseUrl;
  const host = request.host as string | undefined;
  if (host === undefined || !HOST.test(host)) {
    throw invalidField(
      '/headers/host',
      said(
        '应为主机名及可选的端口（如 xy.suihua.gov.cn:3000），导出的链接以它开头',
        'must be a host name with an optional port (xy.suihua.gov.cn:3000): the exported links start with it',
      ),
    );
  }
  return `${request.protocol}://${host}`;
}

const BREAKDOWN_EXAMPLE = toCsv(
  BREAKDOWN_COLUMNS.map((c) => c.header),
  [
    [
      4,
      '主要任务指标',
      '统一社会信用代码重错码率低于1‱',
      '市市场监管局、市民政局、市营商环境局按职责分别牵头',
      '各县(市、区)人民政府、市经开区',
      '1.督促各地民政部门规范使用“全国基层政权建设和社区治理信息系统”。甄别市属社会组织重错码原因,注意校对解决重错码问题。(市民政局)',
      '2025年底,社会组织重错码率降至1‰以下。',
      '2025年底前。',
      '已完成 1/1',
      '绿灯',
      '2024-Q3 市民政局 已完成:已甄别市属社会组织重错码 12 条',
      '社会组织统一社会信用代码重错码率 0.5‰ (≤1‰) 已达标',
    ],
  ],
).slice(1);

const FOLLOW_UP_EXAMPLE = toCsv(
  FOLLOW_UP_COLUMNS.map((c) => c.header),
  [['逾期未完成', '任务1 2024 应于 2024-12-31 前完成，未见完成报告', 1, '北林区人民政府', '2024-12-31', 31, 'https://xy.suihua.gov.cn/api/v1/assignments/49']],
).slice(1);

const FORMAT_NOTES = {
  xlsx: 'One sheet, header row frozen with an autofilter, long text wrapped in rows tall enough to show it; opens in Excel and WPS. Prints on A4 landscape, fit to the page width, the header row repeated on every page, the title at the top of each page and 第 n 页 共 m 页 at the bottom.',
  csv: 'RFC 4180: UTF-8 with a byte-order mark (so Excel shows the Chinese text), CRLF line ends, fields quoted when they hold `"`, `,` or a line break. A cell starting with `=`, `+`, `-` or `@` gets a leading `\'` so no spreadsheet runs it as a formula (OWASP CSV injection).',
};

export function registerExportRoutes(app: ApiInstance, { service, unitResolver, now, publicBaseUrl }: ExportRouteDeps): void {
  for (const format of ['xlsx', 'csv'] as const) {
    app.get(
      `/exports/breakdown.${format}`,
      {
        schema: {
          tags,
          operationId: format === 'xlsx' ? 'exportBreakdownXlsx' : 'exportBreakdownCsv',
          summary: `The breakdown table as ${format === 'xlsx' ? 'an Excel workbook' : 'CSV'}`,
          description: [
            'The responsibility breakdown table (任务责任分工和实施措施分解表), one row per implementation measure in document order, with the document’s columns — 序号, 规划章节, 规划任务, 牵头单位, 责任单位 (cells as printed), 具体实施措施和可用来检查的工作成果 (with its printed `N.`), 各年度工作目标, 完成时限 — followed by 状态 (the measure’s status for `year` from the obligations due in it — 已完成, 按计划推进, 逾期, 未报告 — and k/n, how many of the n units owing it have completed; 本年无义务 when nothing is due that year), 亮灯 (红灯, 黄灯, 绿灯; the 状态 and 亮灯 cells are coloured with it), 最新报告 (the latest approved report for a period starting by the end of `year`: period, unit, reported status, the narrative’s first 80 characters) and 指标达成 (each indicator of the measure or of its whole task with a target in `year`: the city’s figure, target, 已达标 / 未达标 / 有风险 / 进展正常 / 无数据; an indicator judged unit by unit shows how many units met it). With `by=assignment`, one row per unit owing a measure instead (责任清单): 序号, 规划任务, 具体实施措施, 责任单位, 签收, 本年义务 (each obligation due in `year` with its due date and state), 状态, 亮灯, 办结.',
            'Filters are those of `GET /tasks` (`chapter`, `unit` + `role`, `deadlineYear`, `q`): they select tasks, and every measure of a selected task is exported. An unknown unit, `role` without `unit`, or a `year` outside the plan’s years is a 400.',
            format === 'xlsx'
              ? `${FORMAT_NOTES.xlsx} 状态 cells are coloured (green completed, blue on track, red overdue, grey not reported); 指标达成 cells take the colour of their worst indicator (red not met, amber at risk, grey no data, blue on track, green met).`
              : FORMAT_NOTES.csv,
          ].join('\n\n'),
          querystring: BreakdownExportQuery,
          response: {
            200:
              format === 'xlsx'
                ? xlsxResponse('The breakdown table as an .xlsx workbook (`Content-Disposition: attachment; filename="breakdown-2024.xlsx"`).')
                : csvResponse(
                    'The breakdown table as CSV (`Content-Disposition: attachment; filename="breakdown-2024.csv"`); the example omits the leading BOM.',
                    BREAKDOWN_EXAMPLE,
                  ),
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { plan, year, asOf, unit, role, by, ...filters } = request.query;
        if (role && unit === undefined) throw invalidField('/querystring/role', roleNeedsUnit);
        const unitIds = unitResolver.unitFilter('unit', unit);
        const at = asOf === undefined ? now() : parseInstant(asOf, 'day-end');
        // One row per assignment: a unit's list is its own rows (a collective's, its members').
        const owingUnitIds = by === 'assignment' ? unitResolver.owingUnits('unit', unit) : undefined;
        const result = service.breakdown({ plan, year, asOf: at, filters: { ...filters, unitIds, role }, by, owingUnitIds });
        const names =
          by === 'assignment'
            ? { ascii: `assignments-${result.year}`, chinese: `${result.year}年责任清单` }
            : { ascii: `breakdown-${result.year}`, chinese: `${result.year}年任务责任分工和实施措施分解表` };
        return send(reply, format, result.table, names, at);
      },
    );

    app.get(
      `/exports/follow-ups.${format}`,
      {
        schema: {
          tags,
          operationId: format === 'xlsx' ? 'exportFollowUpsXlsx' : 'exportFollowUpsCsv',
          summary: `What to chase (督办) as ${format === 'xlsx' ? 'an Excel workbook' : 'CSV'}`,
          description: [
            'The rows of `GET /follow-ups` (every one, worst first) with Chinese headers: 类型 (逾期未完成, 退回未重报, 指标未达标, 逾期未签收, 临近到期, 指标有风险), 事项, 序号 (task), 责任单位, 起始日期 (since), 持续天数 (days since it became a follow-up, as of `asOf`: a 临近到期 item is not yet overdue), 链接 (the absolute URL of the assignment, report or indicator series: `PUBLIC_BASE_URL` followed by the API path, else the scheme and host the request came to; a clickable link in the workbook). Without `PUBLIC_BASE_URL`, a `Host` header that is not a host name with an optional port is a 400.',
            'Filter by `unit` (id, name or alias; a collective gives its members’ items); an unknown unit is a 400.',
            format === 'xlsx' ? `${FORMAT_NOTES.xlsx} 类型 cells are coloured: red overdue or not met, amber at risk, returned, unsigned or due soon.` : FORMAT_NOTES.csv,
          ].join('\n\n'),
          querystring: FollowUpExportQuery,
          response: {
            200:
              format === 'xlsx'
                ? xlsxResponse('The follow-ups as an .xlsx workbook (`Content-Disposition: attachment; filename="follow-ups-2025-01-31.xlsx"`, the date of `asOf`).')
                : csvResponse(
                    'The follow-ups as CSV (`Content-Disposition: attachment; filename="follow-ups-2025-01-31.csv"`); the example omits the leading BOM.',
                    FOLLOW_UP_EXAMPLE,
                  ),
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { plan, asOf, unit } = request.query;
        const unitIds = unitResolver.owingUnits('unit', unit);
        const at = asOf === undefined ? now() : parseInstant(asOf, 'day-end');
        const base = linkBase(publicBaseUrl, request);
        const result = service.followUps({ plan, asOf: at, unitIds }, (subject) => base + followUpLink(subject));
        return send(reply, format, result.table, { ascii: `follow-ups-${result.date}`, chinese: `督办事项-${result.date}` }, at);
      },
    );
  }
}
