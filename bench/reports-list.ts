/**
 * Times GET /api/v1/reports (page and total) per kind of request, in process through app.inject.
 *
 *   npx tsx bench/reports-list.ts --db <file>      an existing database (keys are added to it: use a copy)
 *   npx tsx bench/reports-list.ts --fresh 20000    a fresh seeded database filled with the bulk import
 *
 * Prints the median milliseconds per request kind and the total each answered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { openDatabase } from '../src/db/client.js';
import type { Role } from '../src/modules/auth/principal.js';
import { createApiKeyRepository } from '../src/modules/auth/repository.js';
import { loadSeed } from '../src/seed/load-seed.js';
import { bulkRows } from './lib/report-bodies.js';

const { values: args } = parseArgs({
  options: { db: { type: 'string' }, fresh: { type: 'string' }, runs: { type: 'string', default: '30' } },
});
if (!args.db === !args.fresh) throw new Error('usage: reports-list.ts --db <file> | --fresh <reports>');
const runs = Number(args.runs);

const scratch = args.fresh ? fs.mkdtempSync(path.join(os.tmpdir(), 'reports-list-')) : undefined;
const databasePath = args.db ?? path.join(scratch!, 'reports.db');

/** A fresh database: the seed, then bulk imports by county reporters, every other row submitted. */
async function fill(reports: number) {
  const db = openDatabase(databasePath);
  loadSeed(db);
  const counties = db.$client.prepare(`SELECT id FROM units WHERE kind = 'county_government' ORDER BY id`).all() as { id: number }[];
  // The measures the counties owe (each county owes the same ones).
  const measureIds = (db.$client.prepare('SELECT measure_id AS id FROM assignments WHERE unit_id = ? ORDER BY measure_id').all(counties[0]!.id) as { id: number }[]).map(
    (m) => m.id,
  );
  const tokens = counties.map((u) => createApiKeyRepository(db).create({ name: `bulk ${u.id}`, role: 'reporter', unitId: u.id, expiresAt: null }, new Date()).token);
  db.$client.close();
  const app = await buildApp({ databasePath, logLevel: 'silent' });
  const perFile = 4500; // a county owes 50 measures × 95 periods
  for (let i = 0; i * perFile < reports; i++) {
    if (i >= tokens.length) throw new Error(`${tokens.length} counties hold at most ${tokens.length * perFile} reports`);
    const rows = bulkRows(measureIds, Math.min(perFile, reports - i * perFile)).map((row, n) => ({ ...row, submit: n % 2 === 0 }));
    const reply = await app.inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: { authorization: `Bearer ${tokens[i]}` }, payload: { reports: rows } });
    if (reply.statusCode >= 300) throw new Error(reply.body.slice(0, 300));
  }
  await app.close();
}

/** Keys for each kind of reader, and filter values that select a typical share of the reports. */
function prepare() {
  const db = openDatabase(databasePath);
  try {
    const sql = db.$client;
    const one = <T>(query: string) => sql.prepare(query).get() as T;
    // The unit with the most drafts: its reporter sees them, everyone else (but coordinators) must not.
    const unit = one<{ unitId: number }>(`SELECT unit_id AS unitId FROM progress_reports WHERE state = 'draft' GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1`);
    const measure = one<{ measureId: number; taskId: number }>(
      `SELECT measure_id AS measureId, task_id AS taskId FROM progress_reports JOIN measures ON measures.id = measure_id WHERE progress_reports.id = (SELECT max(id) FROM progress_reports)`,
    );
    const { period } = one<{ period: string }>(`SELECT period FROM progress_reports WHERE id = (SELECT max(id) FROM progress_reports)`);
    // A poller catching up on the last 1,000 changes.
    const { since } = one<{ since: string }>(`SELECT updated_at AS since FROM progress_reports ORDER BY updated_at DESC, id DESC LIMIT 1 OFFSET 1000`);
    const keys = createApiKeyRepository(db);
    const key = (role: Role, unitId: number | null = null) => ({
      authorization: `Bearer ${keys.create({ name: `reports-list ${role}`, role, unitId, expiresAt: null }, new Date()).token}`,
    });
    return { coordinator: key('coordinator'), reporter: key('reporter', unit!.unitId), reader: key('reader'), unitId: unit!.unitId, ...measure!, period, since };
  } finally {
    db.$client.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (args.fresh) await fill(Number(args.fresh));
const f = prepare();
const app = await buildApp({ databasePath, logLevel: 'silent' });
const list = async (query: string, headers: Record<string, string>) => {
  const reply = await app.inject({ url: `/api/v1/reports?limit=50${query}`, headers });
  if (reply.statusCode !== 200) throw new Error(`${query}: ${reply.statusCode} ${reply.body.slice(0, 300)}`);
  return reply.json() as { total: number; nextCursor: string | null };
};
const sincePage = await list(`&updatedSince=${f.since}`, f.coordinator);

const kinds: [string, string, Record<string, string>][] = [
  ['no filter (coordinator)', '', f.coordinator],
  ['no filter (reporter)', '', f.reporter],
  ['no filter (reader)', '', f.reader],
  ['unit=', `&unit=${f.unitId}`, f.reader],
  ['measure=', `&measure=${f.measureId}`, f.reporter],
  ['task=', `&task=${f.taskId}`, f.reporter],
  ['period=', `&period=${f.period}`, f.reporter],
  ...(['draft', 'submitted', 'returned', 'approved'] as const).map((state): [string, string, Record<string, string>] => [`state=${state}`, `&state=${state}`, f.reporter]),
  ['unit= & state=submitted', `&unit=${f.unitId}&state=submitted`, f.reader],
  ['updatedSince= & after=', `&updatedSince=${f.since}&after=${sincePage.nextCursor}`, f.reader],
  ['offset=5000', '&offset=5000', f.reader],
];

console.log(`${databasePath}: median of ${runs} requests (limit=50)\n`);
console.log(`${'request'.padEnd(28)} ${'ms'.padStart(8)} ${'total'.padStart(9)}`);
for (const [name, query, headers] of kinds) {
  for (let i = 0; i < 3; i++) await list(query, headers);
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    total = (await list(query, headers)).total;
    times.push(performance.now() - start);
  }
  console.log(`${name.padEnd(28)} ${median(times).toFixed(2).padStart(8)} ${String(total).padStart(9)}`);
}
await app.close();
if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
