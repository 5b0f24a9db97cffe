import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { rowHeight, textUnits, wrappedLines } from '../../src/modules/exports/print.js';
import { buildTestApp } from '../helpers/app.js';
import { readClient } from '../helpers/http.js';

// As of the end of 2024 nothing has been reported: plenty of follow-ups, each with a link.
const clock = new Date('2024-12-31T10:00:00+08:00');
const app = await buildTestApp(t, { now: () => clock });
const PUBLIC_BASE_URL = 'https://xy.suihua.gov.cn/plan-tracker';
const behindProxy = await buildTestApp(t, { now: () => clock, publicBaseUrl: PUBLIC_BASE_URL });

async function sheetOf(server: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await server.inject({ url, headers });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
  return book.worksheets[0]!;
}

/** The text of every wrapped cell of a row, the row's whole length in characters. */
const textLength = (row: ExcelJS.Row) => {
  let length = 0;
  row.eachCell((cell) => {
    length += String(cell.value ?? '').length;
  });
  return length;
};

const EXPORTS = [
  { url: '/api/v1/exports/breakdown.xlsx?year=2024', title: '2024年任务责任分工和实施措施分解表' },
  { url: '/api/v1/exports/breakdown.xlsx?year=2024&by=assignment', title: '2024年责任清单' },
  { url: '/api/v1/exports/follow-ups.xlsx', title: '督办事项-2024-12-31' },
];

t.test('every workbook prints on A4 landscape, one page wide, the header row on every page, the title and page numbers on each', async (t) => {
  for (const { url, title } of EXPORTS) {
    const sheet = await sheetOf(app, url);
    t.match(
      sheet.pageSetup,
      { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
      `${url}: A4 landscape, fit to width`,
    );
    const margins = sheet.pageSetup.margins!;
    t.ok(margins.left > 0 && margins.left <= 0.5 && margins.right <= 0.5, `${url}: narrow side margins`);
    t.ok(margins.top > margins.header && margins.bottom > margins.footer, `${url}: the page header and footer clear of the table`);
    t.match(sheet.headerFooter.oddHeader, title, `${url}: the title at the top of every page`);
    t.match(sheet.headerFooter.oddFooter, '第 &P 页 共 &N 页', `${url}: page n of m at the bottom`);
    t.match(sheet.headerFooter.oddFooter, '2024-12-31', `${url}: and the date of the data`);
    t.match(sheet.views[0], { state: 'frozen', ySplit: 1 }, `${url}: the header row still frozen on screen`);
    t.equal(sheet.getRow(1).getCell(1).border?.bottom?.style, 'thin', `${url}: ruled, so the printed table has lines`);
  }
});

t.test('each row is as tall as its wrapped text: long text, tall rows', async (t) => {
  for (const { url } of EXPORTS) {
    const sheet = await sheetOf(app, url);
    const rows = sheet.getRows(2, sheet.rowCount - 1)!;
    t.ok(
      rows.every((row) => typeof row.height === 'number' && row.height > 0),
      `${url}: every row has a height`,
    );
    const byLength = [...rows].sort((a, b) => textLength(a) - textLength(b));
    const shortest = byLength[0]!;
    const longest = byLength.at(-1)!;
    t.ok(longest.height >= 3 * shortest.height, `${url}: the row with the most text (${longest.height} pt) is much taller than the one with the least (${shortest.height} pt)`);
  }
  // Task 5 names sixteen lead units; task 1 names one.
  const breakdown = await sheetOf(app, '/api/v1/exports/breakdown.xlsx?year=2024');
  const taskRow = (no: number) => breakdown.getRows(2, breakdown.rowCount - 1)!.find((row) => row.getCell(1).value === no)!;
  t.ok(taskRow(5).height > 2 * taskRow(1).height, 'the long list of lead units makes its rows taller');
  t.ok(breakdown.getRow(1).height > 0, 'the header row too has a height');
});

t.test('line estimates: a Chinese character takes two units, Latin runs and closing punctuation are not split', async (t) => {
  t.equal(textUnits('市民政局'), 8);
  t.equal(textUnits('2024-Q3'), 7);
  t.equal(textUnits('≥80%'), 5, 'a sign CJK faces draw full width counts two');
  t.equal(wrappedLines('', 10), 1, 'an empty cell is one line');
  t.equal(wrappedLines('一二三四五六七八九十', 21), 1, '20 units in a width of 21 (one unit of cell margin)');
  t.equal(wrappedLines('一二三四五六七八九十', 11), 2, 'five characters a line at a width of 11');
  t.equal(wrappedLines('一二三\n四', 40), 2, 'a line break starts a line');
  t.equal(wrappedLines('一二三2022-12-31一二三', 13), 3, 'a date is not split: it moves to the next line whole (22 units, yet three lines of 12)');
  t.equal(wrappedLines('一二三四五六。一二三四五', 13), 3, 'a full stop does not start a line: it takes the character before it along');
  t.equal(wrappedLines('x'.repeat(25), 11), 3, 'a run longer than a line is broken where the line ends');
  const columns = [
    { header: 'a', width: 11, wrap: true },
    { header: 'b', width: 11 },
  ];
  t.ok(rowHeight(['一二三四五六七八九十', ''], columns) > rowHeight(['', ''], columns), 'two lines are taller than one');
  t.equal(rowHeight(['一二', '一二三四五六七八九十'], columns), rowHeight(['', ''], columns), 'only wrapped columns grow a row');
  t.equal(rowHeight(['一'.repeat(10_000), ''], columns), 409, 'never above Excel’s highest row');
});

t.test('follow-up links are absolute and clickable: on the host the request came to', async (t) => {
  const sheet = await sheetOf(app, '/api/v1/exports/follow-ups.xlsx', { host: 'xy.suihua.gov.cn:8080' });
  const links = sheet.getColumn(7).values.slice(2) as ExcelJS.CellHyperlinkValue[];
  t.ok(links.length > 100, 'many follow-ups as of the end of 2024');
  t.ok(
    links.every((link) => link.hyperlink.startsWith('http://xy.suihua.gov.cn:8080/api/v1/') && link.text === link.hyperlink),
    'hyperlink cells showing their absolute URL',
  );
  const [first] = (await readClient(app).get<{ items: { link: string }[] }>('/api/v1/follow-ups?limit=1')).items;
  t.equal(links[0]!.hyperlink, `http://xy.suihua.gov.cn:8080${first!.link}`, 'the JSON link, made absolute');
  t.match(first!.link, /^\/api\/v1\//, 'the JSON answer keeps the API path');
  t.equal(sheet.getRow(2).getCell(7).font?.underline, true, 'styled as a link');

  const csv = await app.inject({ url: '/api/v1/exports/follow-ups.csv', headers: { host: '10.0.0.5:3000' } });
  const rows = parse(csv.body, { bom: true }) as string[][];
  t.ok(
    rows.slice(1).every((row) => row[6]!.startsWith('http://10.0.0.5:3000/api/v1/')),
    'the CSV too',
  );

  for (const host of ['evil.example/phish?', 'a b', 'xy.suihua.gov.cn:port']) {
    const res = await app.inject({ url: '/api/v1/exports/follow-ups.xlsx', headers: { host } });
    t.equal(res.statusCode, 400, `Host ${host}`);
    t.match(res.json(), { errors: [{ field: '/headers/host' }] });
  }
});

t.test('with PUBLIC_BASE_URL the links start with it, whatever host the request names', async (t) => {
  const sheet = await sheetOf(behindProxy, '/api/v1/exports/follow-ups.xlsx', { host: '127.0.0.1:3000' });
  const links = sheet.getColumn(7).values.slice(2) as ExcelJS.CellHyperlinkValue[];
  t.ok(links.length > 100);
  t.ok(
    links.every((link) => link.hyperlink.startsWith(`${PUBLIC_BASE_URL}/api/v1/`)),
    'on the configured base, its path prefix kept',
  );
  const odd = await behindProxy.inject({ url: '/api/v1/exports/follow-ups.csv', headers: { host: 'a b' } });
  t.equal(odd.statusCode, 200, 'the Host header is not used, so not checked');
});
