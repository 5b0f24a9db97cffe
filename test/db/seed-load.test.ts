import t from 'tap';
import { count } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { loadSeed, readSeedFiles } from '../../src/seed/load-seed.js';
import { tempDatabasePath } from '../helpers/app.js';

const tables = [
  schema.plans,
  schema.chapters,
  schema.tasks,
  schema.taskUnits,
  schema.measures,
  schema.measureOwners,
  schema.milestones,
  schema.units,
  schema.unitAliases,
  schema.unitMembers,
  schema.indicators,
  schema.indicatorTargets,
];
const rowCounts = (db: ReturnType<typeof openDatabase>) => tables.map((table) => db.select({ n: count() }).from(table).get()!.n);

t.test('loading twice into the same file changes nothing', async (t) => {
  const file = tempDatabasePath(t);
  const first = openDatabase(file);
  t.match(loadSeed(first), { loaded: true });
  const before = rowCounts(first);
  first.$client.close();

  const second = openDatabase(file);
  t.match(loadSeed(second), { loaded: false });
  t.same(rowCounts(second), before);
  second.$client.close();
});

t.test('the loaded rows are the seed’s rows', async (t) => {
  const db = openDatabase(tempDatabasePath(t));
  t.teardown(() => db.$client.close());
  loadSeed(db);
  const seed = readSeedFiles();
  const measures = seed.plan.tasks.flatMap((task) => task.measures);
  t.equal(db.select({ n: count() }).from(schema.tasks).get()!.n, seed.plan.tasks.length);
  t.equal(db.select({ n: count() }).from(schema.measures).get()!.n, measures.length);
  t.equal(db.select({ n: count() }).from(schema.milestones).get()!.n, measures.flatMap((m) => m.milestones).length);
  t.equal(db.select({ n: count() }).from(schema.measureOwners).get()!.n, measures.flatMap((m) => m.ownerUnits).length);
  t.equal(db.select({ n: count() }).from(schema.unitAliases).get()!.n, seed.units.flatMap((u) => u.aliases).length);
  t.equal(db.select({ n: count() }).from(schema.indicatorTargets).get()!.n, seed.indicators.flatMap((i) => i.targets).length);
});

t.test('a seed naming an unknown unit is refused whole', async (t) => {
  const db = openDatabase(tempDatabasePath(t));
  t.teardown(() => db.$client.close());
  const seed = readSeedFiles();
  const broken = structuredClone(seed);
  broken.plan.tasks[3]!.leadUnits = ['市不存在局'];
  t.throws(() => loadSeed(db, broken), /unknown unit "市不存在局"/);
  t.same(
    rowCounts(db),
    tables.map(() => 0),
    'the transaction left nothing behind',
  );
});

t.test('the database runs in WAL mode with foreign keys enforced', async (t) => {
  const db = openDatabase(tempDatabasePath(t));
  t.teardown(() => db.$client.close());
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.$client.pragma('foreign_keys', { simple: true }), 1);
  t.equal(db.$client.pragma('synchronous', { simple: true }), 2, 'FULL');
});

t.test('every measure gets its schedule, and whether it names its owners', async (t) => {
  const db = openDatabase(tempDatabasePath(t));
  t.teardown(() => db.$client.close());
  loadSeed(db);
  const measures = readSeedFiles().plan.tasks.flatMap((task) => task.measures);
  const parts = db.$client
    .prepare('SELECT kind, due_date AS dueDate, from_year AS fromYear, until_year AS untilYear, text FROM measure_schedules ORDER BY measure_id, position')
    .all();
  t.same(
    parts,
    measures.flatMap((m) => m.schedule),
  );
  const unnamed = db.$client.prepare('SELECT t.no, m.position FROM measures m JOIN tasks t ON t.id = m.task_id WHERE NOT m.owners_named ORDER BY t.no').all();
  // Task 1's measure ends with its targets, not with an owner in parentheses; task 4's first names 市民政局.
  t.match(unnamed, [{ no: 1, position: 1 }]);
  t.notOk(unnamed.some((m) => (m as { no: number }).no === 4));
});

t.test('a plan loaded before schedules existed gets them on the next start', async (t) => {
  const file = tempDatabasePath(t);
  const first = openDatabase(file);
  loadSeed(first);
  const parts = () => first.$client.prepare('SELECT * FROM measure_schedules ORDER BY measure_id, position').all();
  const scheduled = parts();
  first.$client.exec('DELETE FROM measure_schedules; UPDATE measures SET owners_named = 1');
  t.match(loadSeed(first), { loaded: false });
  t.same(parts(), scheduled);
  t.ok((first.$client.prepare('SELECT count(*) FROM measures WHERE NOT owners_named').pluck().get() as number) > 0);
  first.$client.close();
});
