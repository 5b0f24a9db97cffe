/**
 * Where the measured reads spend their time: builds the app on a generated database with every SQL statement it
 * prepares timed, sends each request measure.ts times (through `inject`) a few times, and prints per request the
 * milliseconds per statement (calls, rows), the time outside SQL (routing, validation, services, serialisation),
 * and each statement's EXPLAIN QUERY PLAN with the parameters it was last run with.
 *
 *   npx tsx bench/monitoring/profile.ts --db FILE [--runs 5] [--only obligations]
 *
 * Statements are intercepted at better-sqlite3's `Database.prototype.prepare`, so every repository is covered
 * (src/modules/assignments/obligation-repository.ts, src/modules/monitoring/repository.ts and the rest) and this
 * stays true whatever the services are rebuilt into.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database, { type Statement } from 'better-sqlite3';
import { buildApp } from '../../src/app.js';
import { buildChecks, readCatalogue } from './measure.js';

interface StatementStats {
  sql: string;
  calls: number;
  rows: number;
  ms: number;
  lastParams: unknown[];
  db: Database.Database;
}

const compact = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const stats: StatementStats[] = [];
const originalPrepare = Database.prototype.prepare;

/** Every statement prepared from here on times its get, all and run. */
function instrument() {
  Database.prototype.prepare = function prepare(this: Database.Database, source: string) {
    const statement = originalPrepare.call(this, source) as Statement;
    const entry: StatementStats = { sql: compact(source), calls: 0, rows: 0, ms: 0, lastParams: [], db: this };
    stats.push(entry);
    const proxy: Statement = new Proxy(statement, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'get' || prop === 'all' || prop === 'run') {
          return (...params: unknown[]) => {
            const started = process.hrtime.bigint();
            const result = value.apply(target, params);
            entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
            entry.calls++;
            entry.rows += Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
            entry.lastParams = params;
            return result;
          };
        }
        // pluck(), raw(), expand() … return the statement itself: keep it timed.
        return (...args: unknown[]) => {
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  } as typeof Database.prototype.prepare;
}

function planOf(s: StatementStats): string {
  try {
    const rows = (originalPrepare.call(s.db, `EXPLAIN QUERY PLAN ${s.sql}`) as Statement<unknown[]>).all(...s.lastParams) as { id: number; parent: number; detail: string }[];
    const depth = new Map<number, number>([[0, 0]]);
    return rows.map((r) => (depth.set(r.id, (depth.get(r.parent) ?? 0) + 1), `${'  '.repeat(depth.get(r.id)!)}${r.detail}`)).join('\n');
  } catch (error) {
    return `  (no plan: ${(error as Error).message})`;
  }
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const databasePath = argument('db') ?? process.env.DATABASE_PATH;
  if (!databasePath || !fs.existsSync(databasePath)) {
    console.error('usage: profile.ts --db FILE [--runs N] [--only TEXT]');
    process.exit(2);
  }
  const runs = Number(argument('runs') ?? 5);
  const only = argument('only');
  const checks = buildChecks(readCatalogue(databasePath)).filter((c) => only === undefined || c.path.includes(only) || c.name.includes(only));
  instrument();
  const app = await buildApp({ databasePath, logLevel: 'silent' });
  await app.ready();
  const plans = new Map<string, string>();
  try {
    for (const check of checks) {
      for (let i = 0; i < 2; i++) await app.inject({ url: check.path });
      for (const s of stats) Object.assign(s, { calls: 0, rows: 0, ms: 0 });
      const started = process.hrtime.bigint();
      let status = 0;
      for (let i = 0; i < runs; i++) status = (await app.inject({ url: check.path })).statusCode;
      const total = Number(process.hrtime.bigint() - started) / 1e6 / runs;
      const used = stats.filter((s) => s.calls > 0).sort((a, b) => b.ms - a.ms);
      const sqlMs = used.reduce((sum, s) => sum + s.ms, 0) / runs;
      console.log(`\n${check.name} (${status}) GET ${check.path}`);
      console.log(`  ${total.toFixed(1)} ms per request (inject): SQL ${sqlMs.toFixed(1)} ms, outside SQL ${(total - sqlMs).toFixed(1)} ms`);
      console.log('  ms/req  calls/req  rows/req  statement');
      for (const s of used) {
        console.log(
          `  ${(s.ms / runs).toFixed(1).padStart(6)}  ${(s.calls / runs).toFixed(0).padStart(9)}  ${(s.rows / runs).toFixed(0).padStart(8)}  ${s.sql.slice(0, 150)}${s.sql.length > 150 ? '…' : ''}`,
        );
        if (s.ms / runs >= 0.5 && !plans.has(s.sql)) plans.set(s.sql, planOf(s));
      }
    }
  } finally {
    await app.close();
  }
  console.log('\nQuery plans (statements over 0.5 ms per request):');
  for (const [sql, plan] of plans) console.log(`\n${sql}\n${plan}`);
}
