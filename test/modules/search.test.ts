import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { openDatabase, type Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { cutSnippet, HIT_END, HIT_START, markMatches, SNIPPET_LENGTH } from '../../src/modules/search/snippet.js';
import { loadSeed } from '../../src/seed/load-seed.js';
import { buildTestApp, buildTestAppWithDatabase, tempDatabasePath } from '../helpers/app.js';
import { copyCatalogueInto, migrationsBefore, rows } from '../helpers/db.js';
import { readClient, type Page } from '../helpers/http.js';
import { seed } from '../helpers/seed.js';
import type { SearchHit } from '../../src/modules/search/repository.js';

type Hit = SearchHit;

const { app, databasePath } = await buildTestAppWithDatabase(t);
const { get, all } = readClient(app);
const search = (q: string, extra = '') => all<Hit>(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);

/** Matching is substring matching that folds ASCII letters (as LIKE and the trigram tokenizer do). */
const fold = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const contains = (text: string, q: string) => fold(text).includes(fold(q));

const seedMeasures = seed.plan.tasks.flatMap((task) => task.measures.map((m) => ({ ...m, taskNo: task.no })));

/** What the endpoint must find, from the seed files alone: one key per item, sorted. */
function expectedKeys(q: string, types = ['task', 'measure', 'unit']): string[] {
  return [
    ...(types.includes('task') ? seed.plan.tasks.filter((task) => contains(task.title, q)).map((task) => `task ${task.no} ${task.title}`) : []),
    ...(types.includes('measure') ? seedMeasures.filter((m) => contains(m.text, q) || contains(m.targetsText, q)).map((m) => `measure ${m.taskNo} ${m.text}`) : []),
    ...(types.includes('unit') ? seed.units.filter((u) => contains(u.name, q) || u.aliases.some((a) => contains(a, q))).map((u) => `unit - ${u.name}`) : []),
  ].sort();
}
const keysOf = (hits: Hit[]) => hits.map((h) => `${h.type} ${h.taskNo ?? '-'} ${h.title}`).sort();

const TYPE_ORDER = ['task', 'measure', 'unit'];
/** Hits come by rank (descending), then type, then id. */
function inOrder(hits: Hit[]): boolean {
  return hits.every((hit, i) => {
    const prev = hits[i - 1];
    if (!prev) return true;
    if (prev.rank !== hit.rank) return prev.rank > hit.rank;
    const byType = TYPE_ORDER.indexOf(prev.type) - TYPE_ORDER.indexOf(hit.type);
    return byType !== 0 ? byType < 0 : prev.id < hit.id;
  });
}

const TERMS = ['信易贷', '双公示', '码上诚信'];
const SHORT = ['营商', '公示', 'a级'];
// FTS5 query syntax in user input must be plain text: no syntax error, no 500, literal substring semantics.
const SYNTAX = [
  '"',
  '*',
  'OR',
  'NEAR(',
  '-',
  '"信易贷" OR "双公示"',
  'NEAR(信易贷 双公示)',
  '信易贷*',
  '-信易贷',
  '承诺+社会',
  '(市营商环境局)',
  'a级以上',
  'lrp改革',
  '1‱',
  '%',
  '_',
  '\\',
  '{title}: 信易贷',
  'title:信易贷',
  '^信易贷',
];

t.test('finds exactly the tasks, measures and units that mention a term, with the term highlighted', async (t) => {
  for (const q of [...TERMS, ...SHORT, ...SYNTAX]) {
    const hits = await search(q);
    t.same(keysOf(hits), expectedKeys(q), `q=${q}: every item that contains it, nothing else`);
    t.ok(inOrder(hits), `q=${q}: ordered by rank, type, id`);
    for (const hit of hits) {
      t.ok(fold(hit.snippet).includes(fold(`【${q}】`)), `q=${q}: ${hit.type} ${hit.id} snippet highlights it: ${hit.snippet}`);
      const long = [...q].length >= 3;
      t.ok(long ? hit.rank > 0 : hit.rank === 0, `q=${q}: rank ${hit.rank} (${long ? 'bm25' : 'LIKE fallback'})`);
      t.equal(hit.link, `/api/v1/${hit.type}s/${hit.id}`);
      if (hit.type === 'unit') t.notOk('taskNo' in hit || 'taskId' in hit, 'a unit belongs to no task');
      else t.equal(hit.link === `/api/v1/tasks/${hit.taskId}`, hit.type === 'task', `${hit.type} ${hit.id} names its task`);
    }
  }
  for (const q of TERMS) {
    const hits = await search(q);
    t.ok(hits.some((h) => h.type === 'task') && hits.some((h) => h.type === 'measure'), `${q} is in tasks and measures`);
  }
  t.ok(
    (await search('营商')).some((h) => h.type === 'unit'),
    '营商 also finds 市营商环境局',
  );
  const alias = await search('市营商局');
  t.same(
    alias.map((h) => [h.type, h.title, h.snippet]),
    [['unit', '市营商环境局', '【市营商局】']],
    'an alias finds its unit',
  );
});

t.test('the links lead to the items found', async (t) => {
  for (const hit of [...(await search('码上诚信')), ...(await search('营商环境'))]) {
    const item = await get<{ id: number; title?: string; text?: string; name?: string; no?: number; taskId?: number; taskNo?: number }>(hit.link);
    t.equal(item.id, hit.id);
    t.equal(hit.type === 'task' ? item.title : hit.type === 'measure' ? item.text : item.name, hit.title);
    if (hit.type === 'task') t.same([item.id, item.no], [hit.taskId, hit.taskNo]);
    if (hit.type === 'measure') t.same([item.taskId, item.taskNo], [hit.taskId, hit.taskNo]);
  }
});

t.test('types narrows the search', async (t) => {
  for (const types of [['unit'], ['task'], ['measure'], ['task', 'measure'], ['measure', 'unit']]) {
    for (const q of ['营商', '营商环境', '信易贷']) {
      const hits = await search(q, `&types=${types.join(',')}`);
      t.same(keysOf(hits), expectedKeys(q, types), `q=${q} types=${types.join(',')}`);
    }
  }
  t.same(keysOf(await search('信用', '&types=unit,task,unit')), expectedKeys('信用', ['unit', 'task']), 'repeated types are harmless');
});

t.test('pages through the ranked list', async (t) => {
  const everything = await search('信用');
  t.ok(everything.length > 100);
  const page = await get<Page<Hit>>(`/api/v1/search?q=${encodeURIComponent('信用')}&limit=7&offset=20`);
  t.same(page.items, everything.slice(20, 27));
  t.same([page.total, page.limit, page.offset], [everything.length, 7, 20]);
  const ranked = await get<Page<Hit>>(`/api/v1/search?q=${encodeURIComponent('信用信息')}&limit=500`);
  t.same(ranked.items, await search('信用信息'));
  t.ok(ranked.items.length > 1 && ranked.items[0]!.rank > ranked.items.at(-1)!.rank, 'ranks differ');
  t.equal((await get<Page<Hit>>(`/api/v1/search?q=${encodeURIComponent('没有这个词语')}`)).total, 0);
});

t.test('bad input is a 400 problem naming the parameter', async (t) => {
  for (const [query, field] of [
    ['', '/querystring'],
    ['q=', '/querystring/q'],
    [`q=${'信'.repeat(201)}`, '/querystring/q'],
    ['q=%01abc', '/querystring/q'],
    ['q=abc&types=tasks', '/querystring/types'],
    ['q=abc&types=task,', '/querystring/types'],
    ['q=abc&types=', '/querystring/types'],
    ['q=abc&limit=0', '/querystring/limit'],
    ['q=abc&offset=-1', '/querystring/offset'],
    ['q=abc&sort=rank', '/querystring'],
  ] as const) {
    const res = await app.inject(`/api/v1/search?${query}`);
    t.equal(res.statusCode, 400, query);
    t.match(res.headers['content-type'], /^application\/problem\+json/, query);
    t.match(res.json().errors?.[0]?.field ?? '', field, query);
  }
});

t.test('GET /tasks and /measures q: the same literal matching through the index, in document order', async (t) => {
  const taskNos = (q: string) => seed.plan.tasks.filter((task) => contains(task.title, q) || task.measures.some((m) => contains(m.text, q))).map((task) => task.no);
  for (const q of [...TERMS, ...SHORT, ...SYNTAX]) {
    const tasks = await all<{ no: number }>(`/api/v1/tasks?q=${encodeURIComponent(q)}`);
    t.same(
      tasks.map((task) => task.no),
      taskNos(q),
      `tasks q=${q}`,
    );
    const measures = await all<{ text: string }>(`/api/v1/measures?q=${encodeURIComponent(q)}`);
    t.same(
      measures.map((m) => m.text),
      seedMeasures.filter((m) => contains(m.text, q)).map((m) => m.text),
      `measures q=${q}`,
    );
  }
});

t.test('a fresh database: the seed filled every index through the triggers', async (t) => {
  const count = (sql: string) => rows<{ n: number }>(databasePath, sql)[0]!.n;
  t.equal(count('SELECT count(*) AS n FROM tasks_fts f JOIN tasks s ON s.id = f.rowid AND s.title = f.title'), seed.plan.tasks.length);
  t.equal(count('SELECT count(*) AS n FROM measures_fts f JOIN measures s ON s.id = f.rowid AND s.text = f.text AND s.targets_text = f.targets'), seedMeasures.length);
  t.equal(count('SELECT count(*) AS n FROM units_fts f JOIN units s ON s.id = f.rowid AND s.name = f.name'), seed.units.length);
  t.equal(count(`SELECT count(*) AS n FROM units_fts WHERE aliases <> ''`), seed.units.filter((u) => u.aliases.length > 0).length, 'aliases indexed');
});

t.test('writes through SQL keep the index in step (triggers)', async (t) => {
  // Rows change behind the server here, which it never expects of the plan catalogue: it keeps answers in memory
  // (src/plugins/catalogue-cache.ts). Bounds no answer fits in make every search reach the index.
  const { app, databasePath } = await buildTestAppWithDatabase(t, { catalogueCache: { maxEntries: 1, maxBytes: 1 } });
  const { all } = readClient(app);
  const find = (q: string) => all<Hit>(`/api/v1/search?q=${encodeURIComponent(q)}`);
  const sqlite = new Database(databasePath);
  t.teardown(() => sqlite.close());
  const measure = sqlite.prepare(`SELECT id, task_id AS taskId, text FROM measures WHERE text LIKE '%码上诚信%' ORDER BY id LIMIT 1`).get() as {
    id: number;
    taskId: number;
    text: string;
  };
  const before = (await find('码上诚信')).length;

  sqlite.prepare(`UPDATE measures SET text = replace(text, '码上诚信', '诚信码测试词'), targets_text = replace(targets_text, '码上诚信', '') WHERE id = ?`).run(measure.id);
  t.equal((await find('码上诚信')).length, before - 1, 'the old text is gone from the index');
  t.same(
    (await find('诚信码测试词')).map((h) => [h.type, h.id, h.snippet.includes('【诚信码测试词】')]),
    [['measure', measure.id, true]],
  );
  t.same(
    (await all<{ id: number }>(`/api/v1/measures?q=${encodeURIComponent('诚信码测试词')}`)).map((m) => m.id),
    [measure.id],
  );
  t.same(
    (await all<{ id: number }>(`/api/v1/tasks?q=${encodeURIComponent('诚信码测试词')}`)).map((task) => task.id),
    [measure.taskId],
  );

  sqlite.prepare('UPDATE measures SET targets_text = ? WHERE id = ?').run('2025年底前完成目标校验词', measure.id);
  t.same(
    (await find('目标校验词')).map((h) => h.id),
    [measure.id],
    'targets are indexed too',
  );

  sqlite.prepare('UPDATE tasks SET title = title || ? WHERE id = ?').run('任务校验词', measure.taskId);
  t.same(
    (await find('任务校验词')).map((h) => [h.type, h.id]),
    [['task', measure.taskId]],
  );

  const unit = sqlite.prepare(`SELECT id FROM units WHERE name = '市民政局'`).get() as { id: number };
  sqlite.prepare('INSERT INTO unit_aliases (alias, unit_id) VALUES (?, ?)').run('民政局别名甲', unit.id);
  sqlite.prepare('INSERT INTO unit_aliases (alias, unit_id) VALUES (?, ?)').run('民政局别名乙', unit.id);
  t.same(
    (await find('别名甲')).map((h) => [h.type, h.id, h.snippet]),
    [['unit', unit.id, '民政局别名乙；民政局【别名甲】']],
    'aliases in order',
  );
  t.same((await find('甲；民')).length, 0, 'no match spans two aliases');
  sqlite.prepare('UPDATE unit_aliases SET alias = ? WHERE alias = ?').run('民政局别名丙', '民政局别名甲');
  t.same((await find('别名甲')).length, 0);
  t.same(
    (await find('别名丙')).map((h) => h.id),
    [unit.id],
  );
  sqlite.prepare('DELETE FROM unit_aliases WHERE unit_id = ? AND alias LIKE ?').run(unit.id, '民政局别名%');
  t.same((await find('民政局别名')).length, 0, 'deleted aliases leave the index');
  sqlite.prepare('UPDATE units SET name = ? WHERE id = ?').run('市民政局(改名校验)', unit.id);
  t.same(
    (await find('改名校验')).map((h) => h.id),
    [unit.id],
  );

  sqlite.pragma('foreign_keys = OFF');
  sqlite.prepare('DELETE FROM measures WHERE id = ?').run(measure.id);
  t.same((await find('诚信码测试词')).length, 0, 'a deleted measure leaves the index');
  t.equal((sqlite.prepare('SELECT count(*) AS n FROM measures_fts').get() as { n: number }).n, (sqlite.prepare('SELECT count(*) AS n FROM measures').get() as { n: number }).n);
});

t.test('a database created before the search migration upgrades and indexes its rows', async (t) => {
  // The migrations as they were before 0003_search, applied to a new file, with the seed loaded.
  const before = migrationsBefore(t, '_search');
  const databasePath = tempDatabasePath(t);
  const sqlite = new Database(databasePath);
  const old = drizzle(sqlite, { schema }) as unknown as Db;
  migrate(old, { migrationsFolder: before });
  const current = openDatabase(tempDatabasePath(t));
  t.equal(loadSeed(current).loaded, true);
  current.$client.close();
  copyCatalogueInto(sqlite, current.$client.name);
  t.equal((sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%_fts'`).get() as { n: number }).n, 0, 'no index yet');
  sqlite.close();

  const app = await buildApp({ databasePath, logLevel: 'silent' });
  t.teardown(() => app.close());
  const count = (sql: string) => rows<{ n: number }>(databasePath, sql)[0]!.n;
  t.equal(count('SELECT count(*) AS n FROM tasks_fts'), seed.plan.tasks.length);
  t.equal(count('SELECT count(*) AS n FROM measures_fts'), seedMeasures.length);
  t.equal(count('SELECT count(*) AS n FROM units_fts'), seed.units.length);
  t.equal(count(`SELECT count(*) AS n FROM units_fts WHERE aliases <> ''`), seed.units.filter((u) => u.aliases.length > 0).length);
  const { all } = readClient(app);
  for (const q of TERMS) {
    t.same(keysOf(await all<Hit>(`/api/v1/search?q=${encodeURIComponent(q)}`)), expectedKeys(q), `q=${q} after the upgrade`);
  }
});

t.test('reads need a key when REQUIRE_AUTH_FOR_READS is on', async (t) => {
  const locked = await buildTestApp(t, { requireAuthForReads: true });
  const res = await locked.inject(`/api/v1/search?q=${encodeURIComponent('信易贷')}`);
  t.equal(res.statusCode, 401);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
});

t.test('snippets: a window around the first match, every match marked, cuts marked', async (t) => {
  const snippet = (text: string, q: string) => cutSnippet(markMatches(text, q));
  t.equal(snippet('推进信易贷平台', '易贷'), '推进信【易贷】平台');
  t.equal(snippet('A级景区和a级饭店', 'a级'), '【A级】景区和【a级】饭店', 'ASCII letters fold, as LIKE does');
  const long = `${'甲'.repeat(100)}信用${'乙'.repeat(100)}`;
  t.match(snippet(long, '信用'), /^…甲+【信用】乙+…$/);
  t.equal([...snippet(long, '信用').replace(/[…【】]/g, '')].length, SNIPPET_LENGTH);
  t.equal(snippet(`信用${'乙'.repeat(100)}`, '信用'), `【信用】${'乙'.repeat(SNIPPET_LENGTH - 2)}…`, 'no … before the start');
  t.equal(snippet(`${'甲'.repeat(100)}信用`, '信用'), `…${'甲'.repeat(SNIPPET_LENGTH - 2)}【信用】`, 'no … after the end');
  t.equal(snippet('😀信用', '😀信'), '【😀信】用', 'counts characters, not UTF-16 units');
  t.equal(snippet('没有', '信用'), '没有', 'no match: the text as it is');
  t.equal(snippet('【信用】', '信用'), '【【信用】】', 'brackets in the text are text');
  const edge = `${HIT_START}信用${HIT_END}${'甲'.repeat(SNIPPET_LENGTH - 4)}${HIT_START}乙乙乙乙${HIT_END}${'丙'.repeat(10)}`;
  t.equal(cutSnippet(edge), `【信用】${'甲'.repeat(SNIPPET_LENGTH - 4)}【乙乙乙乙】…`, 'a match at the edge is kept whole');
});
