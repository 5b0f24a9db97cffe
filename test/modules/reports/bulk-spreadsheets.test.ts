import t from 'tap';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const { app, databasePath } = await buildTestAppWithDatabase(t);
const civil = issueKey(databasePath, 'reporter', '市民政局');

function bulk(body: Buffer | string, contentType: string, query = '') {
  return app.inject({ method: 'POST', url: `/api/v1/reports/bulk${query}`, headers: { ...civil.headers, 'content-type': contentType }, payload: body });
}
const reportOf = async (id: number) => (await app.inject({ url: `/api/v1/reports/${id}`, headers: civil.headers })).json();

// 市民政局 owes task 4's measure 1. (of three), task 72's 5., task 23's second unnumbered measure (措施序号 2) and task 1's
// only measure (措施序号 1, or left out).
const measureOf = async (taskNo: number, position: number) =>
  ((await app.inject(`/api/v1/tasks/${(await app.inject(`/api/v1/tasks?limit=500`)).json().items.find((x: { no: number }) => x.no === taskNo).id}`)).json().measures as { id: number; position: number }[]).find(
    (m) => m.position === position,
  )!.id;
const indicator = (await app.inject('/api/v1/indicators?task=1')).json().items[0] as { id: number };

async function workbook(rows: (string | number)[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('报告');
  rows.forEach((row) => sheet.addRow(row));
  return Buffer.from(await book.xlsx.writeBuffer());
}

t.test('CSV with Chinese headers and Chinese status words; measures named by their printed numbers', async (t) => {
  const csv = [
    '序号,措施序号,报告期,状态,进展情况,完成百分比,佐证材料,指标值,提交',
    `1,,2024,推进中,承诺书已公示,60,"承诺书 | https://example.gov.cn/c",${indicator.id}＝82.5,是`,
    '4,1,2024,已完成,重错码已甄别,100,,,否',
    '23,2,2024,推进中,,,,,',
    '4,9,2024,已完成,,,,,',
    '4,,2024,已完成,,,,,',
    '4,1,2024-H1,进行中,,,,,',
    '4,1,2024-H2,,,,,,',
  ].join('\r\n');
  const res = await bulk(csv, 'text/csv', '?atomic=false');
  t.equal(res.statusCode, 200, res.body);
  const summary = res.json();
  t.match(summary, { status: 'partial', counts: { rows: 6, created: 3, rejected: 3 } }, 'the last row fills nothing in: left out');
  t.same(
    summary.conflicts.map((c: { line: number; field: string }) => [c.line, c.field]),
    [
      [5, '/body/rows/3/measureNo'],
      [6, '/body/rows/4/measureNo'],
      [7, '/body/rows/5/status'],
    ],
  );
  t.match(summary.conflicts[0].message, /没有序号为 4-9 的措施/);
  t.match(summary.conflicts[1].message, /任务 4 有 3 项措施/);
  t.match(await reportOf(summary.rows[0].reportId), {
    measureId: await measureOf(1, 1),
    status: 'in_progress',
    state: 'submitted',
    percentComplete: 60,
    evidence: [{ title: '承诺书', url: 'https://example.gov.cn/c' }],
    indicatorValues: [{ indicatorId: indicator.id, value: 82.5 }],
  });
  t.match(await reportOf(summary.rows[1].reportId), { measureId: await measureOf(4, 1), status: 'completed', state: 'draft' });
  t.match(await reportOf(summary.rows[2].reportId), { measureId: await measureOf(23, 2), status: 'in_progress' }, 'an unnumbered measure by its place in the task');
});

t.test('English ids and Chinese words mix; a header no column has, or one named twice, is a 400', async (t) => {
  const measureId = await measureOf(4, 1);
  const res = await bulk(`measureId,单位,period,status,narrative\n${measureId},市民政局,2024-Q1,受阻,缺经费\n`, 'text/csv');
  t.equal(res.statusCode, 200, res.body);
  t.match(await reportOf(res.json().rows[0].reportId), { measureId, period: '2024-Q1', status: 'blocked' });
  for (const csv of ['序号,措施序号,报告期,状态,负责人\n1,1,2024,推进中,张三', '措施ID,measureId,报告期,状态\n1,1,2024,推进中', '措施序号,报告期,状态\n1,2024,推进中']) {
    const refused = await bulk(csv, 'text/csv');
    t.equal(refused.statusCode, 400, csv);
    t.match(refused.json(), { errors: [{ field: '/body' }] });
  }
});

t.test('xlsx with Chinese headers (not the template) imports; reading columns are passed over', async (t) => {
  const bytes = await workbook([
    ['序号', '措施序号', '具体实施措施', '报告期', '状态', '进展情况', '完成百分比'],
    [72, 5, '（措施原文，导入时不读）', '2024-Q2', '推进中', '已报送', 40],
    [72, 5, '', '2024-Q3', '', '', ''],
  ]);
  const res = await bulk(bytes, XLSX);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { counts: { rows: 1, created: 1 }, rows: [{ line: 2 }] });
  t.match(await reportOf(res.json().rows[0].reportId), { measureId: await measureOf(72, 5), period: '2024-Q2', status: 'in_progress', percentComplete: 40 });

  // Under an Idempotency-Key the workbook's bytes identify the request: the same file is replayed, another is refused.
  const keyed = (body: Buffer) =>
    app.inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: { ...civil.headers, 'content-type': XLSX, 'idempotency-key': 'xlsx-q2' }, payload: body });
  const first = await keyed(bytes);
  t.equal((await keyed(bytes)).headers['idempotent-replayed'], 'true');
  t.same((await keyed(bytes)).json(), first.json());
  t.equal((await keyed(await workbook([['序号', '措施序号', '报告期', '状态'], [72, 5, '2024-Q2', '受阻']]))).statusCode, 422, 'another file under the same key');
});

/** A zip file of the given entries, by hand: stored or deflated, with the sizes it declares set as a test needs. */
function zipOf(entries: { name: string; data: Buffer; deflate?: boolean; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const packed = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const name = Buffer.from(entry.name);
    const header = (signature: number, size: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      return b;
    };
    const local = header(0x04034b50, 30);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(entry.declaredSize ?? entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = header(0x02014b50, 46);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(entry.declaredSize ?? entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    directory.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const size = directory.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...directory, end]);
}

t.test('a body that is not a workbook, or one too large once unpacked, is a 400 problem, never a 500', async (t) => {
  const before = writeFingerprint(databasePath);
  const zeros = Buffer.alloc(50 * 1024 * 1024);
  const tooManyRows = await workbook([['measureId', 'period', 'status'], ...Array.from({ length: 5001 }, () => [1, '2024', 'in_progress'])]);
  // Each refused for its own reason, before exceljs holds the file in memory where the reason is its size.
  const cases: [string, Buffer | string, RegExp][] = [
    ['a CSV sent as xlsx', '序号,措施序号,报告期,状态\n1,1,2024,推进中\n', /找不到 zip 目录/],
    ['an empty body', Buffer.alloc(0), /找不到 zip 目录/],
    ['zip garbage', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2000, 7)]), /找不到 zip 目录/],
    ['a zip holding no workbook', zipOf([{ name: 'readme.txt', data: Buffer.from('不是工作簿') }]), /工作簿|工作表/],
    ['a zip bomb declaring its size', zipOf([{ name: 'xl/worksheets/sheet1.xml', data: zeros, deflate: true }, { name: 'b.xml', data: zeros, deflate: true }]), /解压后超过/],
    ['a zip bomb lying about its size', zipOf([{ name: 'xl/worksheets/sheet1.xml', data: zeros, deflate: true, declaredSize: 1000 }]), /无法解压为其声明的大小/],
    ['a sheet of 5,002 rows', tooManyRows, /工作表超过 5001 行/],
  ];
  for (const [name, body, reason] of cases) {
    const res = await bulk(body, XLSX);
    t.equal(res.statusCode, 400, name);
    t.match(res.headers['content-type'], /application\/problem\+json/, name);
    t.match(res.json(), { errors: [{ field: '/body', message: reason }] }, name);
  }
  t.equal(writeFingerprint(databasePath), before, 'nothing written');
});
