/**
 * Where the monitoring reads spend their time: runs the monitoring service (no HTTP) on a generated database
 * with every statement the monitoring repository prepares timed, then prints per request kind the time per
 * statement (calls, rows, ms per request) and the rest (service loops, unit look-ups), and the query plan of
 * each statement.
 *
 *   npx tsx bench/monitoring/profile.ts --db FILE [--runs 10]
 *
 * The statements are the repository's own (its `prepare` calls are intercepted), so this stays true when
 * src/modules/monitoring/repository.ts changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type Db } from '../../src/db/client.js';
import { createMonitoringRepository } from '../../src/modules/monitoring/repository.js';
import { createMonitoringService } from '../../src/modules/monitoring/service.js';
import { createUnitRepository } from '../../src/modules/units/repository.js';

interface StatementStats {
  sql: string;
  calls: number;
  rows: number;
  ms: number;
  lastParams: unknown[];
}

const compact = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** A Db whose `$client.prepare` returns statements that time their `get` and `all`. */
function instrumented(db: Db, stats: StatementStats[]): Db {
  const raw = db.$client;
  const wrap = (statement: Statement, sql: string) => {
    const entry: StatementStats = { sql: compact(sql), calls: 0, rows: 0, ms: 0, lastParams: [] };
    stats.push(entry);
    const timed =
      (method: 'get' | 'all') =>
      (...params: unknown[]) => {
        const started = process.hrtime.bigint();
        const result = (statement[method] as (...p: unknown[]) => unknown)(...params);
        entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
        entry.calls++;
        entry.rows += Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
        entry.lastParams = params;
        return result;
      };
    return new Proxy(statement, { get: (target, prop) => (prop === 'get' || prop === 'all' ? timed(prop) : Reflect.get(target, prop, target)) });
  };
  const client = new Proxy(raw, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(db, { get: (target, prop) => (prop === '$client' ? client : Reflect.get(target, prop, target)) });
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databasePath = argument('db') ?? process.env.DATABASE_PATH;
  if (!databasePath || !fs.existsSync(databasePath)) {
    console.error('usage: profile.ts --db FILE [--runs N]');
    process.exit(2);
  }
  const runs = Number(argument('runs') ?? 10);
  const db = openDatabase(databasePath);
  const stats: StatementStats[] = [];
  const units = createUnitRepository(db);
  const service = createMonitoringService(createMonitoringRepository(instrumented(db, stats)), units);
  const planId = service.planOf(undefined).id;
  const past = new Date('2024-10-08T00:00:00+08:00');
  // The first page, as GET /follow-ups?limit=50 asks for it (measure.ts times that request).
  const FIRST_PAGE = { limit: 50, offset: 0 };
  const scenarios: [string, () => unknown][] = [
    ['dashboard 2024 as of 2024-10-08', () => service.dashboard(planId, 2024, past)],
    ['dashboard 2025 as of now', () => service.dashboard(planId, 2025, new Date())],
    ['follow-ups as of 2024-10-08', () => service.followUps(planId, past, { page: FIRST_PAGE })],
    ['follow-ups as of now', () => service.followUps(planId, new Date(), { page: FIRST_PAGE })],
  ];
  const plans = new Map<string, string>();
  for (const [name, run] of scenarios) {
    for (let i = 0; i < 2; i++) run();
    for (const s of stats) Object.assign(s, { calls: 0, rows: 0, ms: 0 });
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) run();
    const total = Number(process.hrtime.bigint() - started) / 1e6 / runs;
    const used = stats.filter((s) => s.calls > 0).sort((a, b) => b.ms - a.ms);
    const sqlMs = used.reduce((sum, s) => sum + s.ms, 0) / runs;
    console.log(`\n${name}: ${total.toFixed(1)} ms per request (service, no HTTP), SQL ${sqlMs.toFixed(1)} ms, the rest ${(total - sqlMs).toFixed(1)} ms`);
    console.log('  ms/req  calls/req  rows/req  statement');
    for (const s of used) {
      console.log(
        `  ${(s.ms / runs).toFixed(1).padStart(6)}  ${(s.calls / runs).toFixed(0).padStart(9)}  ${(s.rows / runs).toFixed(0).padStart(8)}  ${s.sql.slice(0, 150)}${s.sql.length > 150 ? '…' : ''}`,
      );
      if (!plans.has(s.sql)) {
        const explain = db.$client.prepare(`EXPLAIN QUERY PLAN ${s.sql}`);
        const rows = explain.all(...(s.lastParams as [])) as { id: number; parent: number; detail: string }[];
        const depth = new Map<number, number>([[0, 0]]);
        plans.set(s.sql, rows.map((r) => (depth.set(r.id, (depth.get(r.parent) ?? 0) + 1), `${'  '.repeat(depth.get(r.id)!)}${r.detail}`)).join('\n'));
      }
    }
  }
  console.log('\nQuery plans:');
  for (const [sql, plan] of plans) console.log(`\n${sql.slice(0, 200)}${sql.length > 200 ? '…' : ''}\n${plan}`);
  db.$client.close();
}
