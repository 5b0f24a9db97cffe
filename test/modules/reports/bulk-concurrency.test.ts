/**
 * A large import runs in slices on a connection of its own: other requests are answered while it runs, reads never
 * see its uncommitted rows, other writes wait for it and then go through, and it still commits or rolls back whole.
 */
import fs from 'node:fs';
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { issueKey } from '../../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const UNIT = '北林区';
const county = issueKey(databasePath, 'reporter', UNIT);
// The measures the county owes (its share of 各县(市、区)人民政府's work): the ones it may report on.
const measureIds = ((await app.inject(`/api/v1/measures?unit=${encodeURIComponent(UNIT)}&limit=500`)).json().items as { id: number }[]).map((m) => m.id);
const PERIODS = [2021, 2022, 2023, 2024, 2025].flatMap((y) => [String(y), ...[1, 2, 3, 4].map((q) => `${y}-Q${q}`), ...Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`)]);
const ROWS = Math.min(3_000, measureIds.length * PERIODS.length);
const rowsOfImport = Array.from({ length: ROWS }, (_, i) => ({
  measureId: measureIds[i % measureIds.length]!,
  period: PERIODS[Math.floor(i / measureIds.length)]!,
  status: 'in_progress',
  narrative: `第${i}行：${'已按计划推进'.repeat(100)}`,
}));

const unitReports = async () =>
  (await app.inject({ url: `/api/v1/reports?unit=${encodeURIComponent(UNIT)}&limit=1`, headers: county.headers })).json().total as number;

const walBytes = () => fs.statSync(`${databasePath}-wal`).size;

/**
 * Starts an import and, until it is answered, reads the unit's report count over and over, noting how large the WAL
 * was: it grows as the import's uncommitted pages spill into it, so a read answered after it grew was answered while
 * the import was writing.
 */
async function importWhileReading(body: unknown, query = '') {
  let answered = false;
  const walBefore = walBytes();
  const importing = app
    .inject({ method: 'POST', url: `/api/v1/reports/bulk${query}`, headers: county.headers, payload: body as string })
    .finally(() => (answered = true));
  const seenWhileImporting: number[] = [];
  let readsWhileWriting = 0;
  while (!answered) {
    const total = await unitReports();
    if (answered) break;
    seenWhileImporting.push(total);
    if (walBytes() > walBefore) readsWhileWriting++;
  }
  return { response: await importing, seenWhileImporting, readsWhileWriting };
}

t.test('reads are answered while an import runs, and see only what was committed', async (t) => {
  t.ok(ROWS >= 2_000, `a large import (${ROWS} rows)`);
  const { response, seenWhileImporting, readsWhileWriting } = await importWhileReading({ reports: rowsOfImport });
  t.equal(response.statusCode, 200);
  t.match(response.json(), { status: 'imported', counts: { created: ROWS } });
  t.ok(readsWhileWriting >= 3, `reads were answered while the import was writing (${readsWhileWriting} of ${seenWhileImporting.length})`);
  t.same([...new Set(seenWhileImporting)], [0], 'none of them saw a row the import had not committed');
  t.equal(await unitReports(), ROWS, 'after the answer, all of it');
});

t.test('a write sent while an import runs is answered once the import has committed, and stands', async (t) => {
  const changed = rowsOfImport.map((row) => ({ ...row, narrative: `${row.narrative}（更新）` }));
  let answered = false;
  const importing = app
    .inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: county.headers, payload: { reports: changed } as unknown as string })
    .finally(() => (answered = true));
  // Some reads into the import, a single write on a row the import also changes.
  for (let reads = 0; reads < 20 && !answered; reads++) await unitReports();
  const single = app
    .inject({ method: 'POST', url: '/api/v1/reports', headers: county.headers, payload: { ...rowsOfImport[0]!, narrative: '单条' } as unknown as string })
    .then((response) => ({ response, importDone: answered }));
  const [imported, { response, importDone }] = await Promise.all([importing, single]);
  t.match(imported.json(), { counts: { rows: ROWS, rejected: 0 } });
  t.equal(response.statusCode, 200, 'the single write updated the draft (never a 503 for a busy database)');
  const stored = (await app.inject({ url: `/api/v1/reports/${response.json().id}`, headers: county.headers })).json();
  // Sent during the import's parsing it goes first and the import overwrites it; sent while the import writes it waits.
  t.equal(stored.narrative, importDone ? '单条' : changed[0]!.narrative, 'whichever came last stands');
});

t.test('an atomic import rejected at its last row takes back every row, and nobody saw them', async (t) => {
  const before = await unitReports();
  const rows = [...rowsOfImport.slice(0, 1_500).map((row) => ({ ...row, status: 'completed' })), { ...rowsOfImport[0]!, period: '1999' }];
  const { response, seenWhileImporting } = await importWhileReading({ reports: rows });
  t.equal(response.statusCode, 422);
  t.match(response.json(), { importSummary: { written: false, counts: { rejected: 1 } } });
  t.same([...new Set(seenWhileImporting)], [before]);
  const completed = (await app.inject({ url: `/api/v1/reports?unit=${encodeURIComponent(UNIT)}&limit=500`, headers: county.headers })).json().items.filter((r: { status: string }) => r.status === 'completed');
  t.same(completed, [], 'no row of it is stored');
});
