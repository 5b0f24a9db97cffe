/**
 * A sweep while a bulk import writes on its own connection: the sweep waits for the import to commit (as other writes
 * do) instead of waiting for SQLite's lock on the event loop — which the import, on that same loop, could never let
 * go of — and then records its reminders.
 */
import fs from 'node:fs';
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { issueKey } from '../../helpers/keys.js';

const clock = new Date('2024-12-01T09:00:00+08:00');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock, databaseBusyTimeoutMs: 1000 });
const UNIT = '北林区';
const county = issueKey(databasePath, 'reporter', UNIT);
const measureIds = ((await app.inject(`/api/v1/measures?unit=${encodeURIComponent(UNIT)}&limit=500`)).json().items as { id: number }[]).map((m) => m.id);
const PERIODS = [2022, 2023, 2024].flatMap((y) => Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`));
const rowsOfImport = Array.from({ length: Math.min(2_000, measureIds.length * PERIODS.length) }, (_, i) => ({
  measureId: measureIds[i % measureIds.length]!,
  period: PERIODS[Math.floor(i / measureIds.length)]!,
  status: 'in_progress',
  narrative: `第${i}行：${'已按计划推进'.repeat(100)}`,
}));
const walBytes = () => fs.statSync(`${databasePath}-wal`).size;

t.test('the sweep waits for the import, then records the stages reached', async (t) => {
  t.ok(rowsOfImport.length >= 1_000, `a large import (${rowsOfImport.length} rows)`);
  const walBefore = walBytes();
  let imported = false;
  const importing = app
    .inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: county.headers, payload: { reports: rowsOfImport } as unknown as string })
    .finally(() => (imported = true));
  // Until the import's pages spill into the WAL it is still parsing: sweep once it is writing.
  while (walBytes() === walBefore && !imported) await new Promise((resolve) => setImmediate(resolve));
  t.notOk(imported, 'the import is writing when the sweep starts');
  const swept = await app.reminders.sweep();
  t.ok(imported, 'the sweep recorded its reminders after the import committed');
  t.equal((await importing).statusCode, 200);
  t.equal(swept.reminders, 1229, 'every annual obligation due 2024-12-31 turned yellow today');
  t.same(await app.reminders.deliver(), { sent: 0, retried: 0, failed: 0 });
});
