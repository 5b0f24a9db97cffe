/**
 * A collective (中省市直各有关单位, 各县(市、区)人民政府) stands for its member units; the members report and review,
 * each for itself. No key is bound to a collective, one stored before that rule acts on nothing, and no unit
 * reviews a report of its own, however it is related to the task (directly, or through a collective).
 */
import { execFile } from 'node:child_process';
import Database from 'better-sqlite3';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../../../src/db/client.js';
import { buildTestAppWithDatabase, tempDatabasePath } from '../../helpers/app.js';
import { childEnv } from '../../helpers/child-env.js';
import { rows, writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const CITY_UNITS = '中省市直各有关单位';
const COUNTIES = '各县(市、区)人民政府';

/** The first measure of task `no`; `owner` names the unit that must own it (the test relies on who carries it). */
async function measureOf(app: FastifyInstance, no: number, owner: string): Promise<number> {
  const tasks = (await app.inject('/api/v1/tasks?limit=500')).json().items as { id: number; no: number }[];
  const task = tasks.find((candidate) => candidate.no === no)!;
  const measures = (await app.inject(`/api/v1/measures?task=${task.id}`)).json().items as { id: number; ownerUnits: { name: string }[] }[];
  const measure = measures.find((m) => m.ownerUnits.some((u) => u.name === owner));
  if (!measure) throw new Error(`setup: task ${no} has no measure owned by ${owner}`);
  return measure.id;
}

type Key = ReturnType<typeof issueKey>;

/** A submitted report of `key`'s unit on `measureId`; its id. */
async function submitted(app: FastifyInstance, key: Key, measureId: number, period: string): Promise<number> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: key.headers,
    payload: { measureId, period, status: 'in_progress', narrative: 'setup', submit: true },
  });
  if (res.statusCode !== 201) throw new Error(`setup: POST /reports answered ${res.statusCode}: ${res.body}`);
  return res.json().id as number;
}

const stateOf = (databasePath: string, id: number) => rows<{ state: string }>(databasePath, 'SELECT state FROM progress_reports WHERE id = ?', id)[0]!.state;
const unitId = (databasePath: string, name: string) => rows<{ id: number }>(databasePath, 'SELECT id FROM units WHERE name = ?', name)[0]!.id;

t.test('no key is issued for a collective, through the API or the apikey command', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const admin = issueKey(databasePath, 'admin');
  // By name, by alias and by id: every way of naming the unit.
  for (const unit of [CITY_UNITS, '市直各有关单位', String(unitId(databasePath, COUNTIES))]) {
    const before = writeFingerprint(databasePath);
    const res = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin.headers, payload: { name: 'x', role: 'reporter', unit } });
    t.equal(res.statusCode, 422, unit);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.match(res.json(), {
      errors: [
        {
          field: '/body/unit',
          message: /^“(中省市直各有关单位|各县\(市、区\)人民政府)”是统称，由其成员单位各自填报和审核；请为其中一个成员单位签发密钥$/,
        },
      ],
    });
    t.equal(writeFingerprint(databasePath), before, `${unit}: nothing written`);
  }

  const cliDatabase = tempDatabasePath(t);
  const run = promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'apikey.ts'), '--role', 'reporter', '--unit', COUNTIES, '--name', 'x'],
    {
      cwd: projectRoot,
      env: childEnv({ DATABASE_PATH: cliDatabase }),
    },
  );
  await t.rejects(run, {
    code: 64,
    stderr:
      /^apikey: --unit names a collective, 各县\(市、区\)人民政府: its member units report and review, each for itself; issue the key to one of them\n\(npm run apikey -- --help for usage\)\n$/,
  });
  t.same(rows(cliDatabase, 'SELECT * FROM api_keys'), [], 'the command stored no key');
});

t.test('a key stored bound to a collective before this rule is refused on every request, like a revoked key', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const collective = issueKey(databasePath, 'reporter', CITY_UNITS); // as the API issued it before
  const member = issueKey(databasePath, 'reporter', '市民政局');
  const task23 = await measureOf(app, 23, CITY_UNITS); // owned by the collective: each member owes its share
  const report = await submitted(app, member, task23, '2024');
  const before = writeFingerprint(databasePath);

  for (const [name, request] of [
    ['reading its own key', { url: '/api/v1/api-keys/current' }],
    ['reading the plan', { url: '/api/v1/tasks?limit=1' }],
    ['reporting for the collective', { method: 'POST', url: '/api/v1/reports', payload: { measureId: task23, period: '2025', status: 'in_progress' } }],
    ['approving a member’s report on a task the collective leads', { method: 'POST', url: `/api/v1/reports/${report}/approve` }],
  ] as const) {
    const res = await app.inject({ ...request, headers: { ...collective.headers, 'accept-language': 'en' } });
    t.equal(res.statusCode, 401, name);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.equal(res.headers['www-authenticate'], 'Bearer', `${name}: a new key is needed`);
    t.match(
      res.json().detail,
      /^The key "reporter 中省市直各有关单位" is bound to a collective, 中省市直各有关单位, whose member units report and review, each for itself: ask an admin to revoke it and issue a key to a member unit\.$/,
      name,
    );
  }
  t.equal(stateOf(databasePath, report), 'submitted', 'the member’s report is not approved');
  t.equal(writeFingerprint(databasePath), before, 'nothing written');
});

t.test('an admin does not report for a collective: its members report their shares', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const admin = issueKey(databasePath, 'admin');
  const task23 = await measureOf(app, 23, CITY_UNITS);
  const before = writeFingerprint(databasePath);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: admin.headers,
    payload: { measureId: task23, unit: CITY_UNITS, period: '2024', status: 'in_progress' },
  });
  t.equal(res.statusCode, 422);
  t.match(res.json(), {
    errors: [{ field: '/body/unit', message: /^“中省市直各有关单位”是统称，由其成员单位各自填报本单位承担的部分，请填写其中一个成员单位$/ }],
  });
  t.equal(writeFingerprint(databasePath), before, 'nothing written');
  const share = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: admin.headers,
    payload: { measureId: task23, unit: '市民政局', period: '2024', status: 'in_progress' },
  });
  t.equal(share.statusCode, 201, 'a member’s share is reported');
});

t.test('a unit never reviews a report of its own, however it is related to the task; leading through a collective makes no reviewer', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const keys = {
    coordinator: issueKey(databasePath, 'coordinator'),
    justice: issueKey(databasePath, 'reporter', '市司法局'), // a lead of task 20 by name, and a member of 中省市直各有关单位
    business: issueKey(databasePath, 'reporter', '市营商环境局'), // likewise
    civil: issueKey(databasePath, 'reporter', '市民政局'), // a member of 中省市直各有关单位, no lead of task 20 or 28 by name
    county: issueKey(databasePath, 'reporter', '北林区人民政府'), // a member of 各县(市、区)人民政府
  };
  // Task 20: led by 市营商环境局, 市司法局 and 中省市直各有关单位; 中省市直各有关单位 and the counties are responsible.
  const task20 = await measureOf(app, 20, '市司法局');
  // Task 28: led by 中省市直各有关单位 alone; its measure names no owner, so the counties (responsible) owe it.
  const task28 = await measureOf(app, 28, CITY_UNITS);
  // Task 23's second measure is owned by 中省市直各有关单位: each member owes its share.
  const task23 = await measureOf(app, 23, CITY_UNITS);

  // A report filed for the collective 中省市直各有关单位 (as a key bound to it could file one before this rule): its
  // members' own share, so none of them reviews it, even one that leads the task by name.
  const collectives = await submitted(app, keys.justice, task20, '2023');
  const sqlite = new Database(databasePath);
  sqlite.prepare('UPDATE progress_reports SET unit_id = ? WHERE id = ?').run(unitId(databasePath, CITY_UNITS), collectives);
  sqlite.close();
  const refusals = {
    'a lead by name approves its collective’s report': { key: keys.justice, report: collectives },
    'another lead by name returns its collective’s report': { key: keys.business, report: collectives, action: 'return' },
    'a lead by name approves its own report': { key: keys.justice, report: await submitted(app, keys.justice, task20, '2024') },
    'a member of the lead collective approves a county’s report': { key: keys.civil, report: await submitted(app, keys.county, task28, '2024') },
    'a member of the lead collective approves a fellow member’s report': { key: keys.justice, report: await submitted(app, keys.civil, task23, '2024') },
  };
  for (const [name, { key, report, action = 'approve' }] of Object.entries(refusals) as [string, { key: Key; report: number; action?: string }][]) {
    const res = await app.inject({ method: 'POST', url: `/api/v1/reports/${report}/${action}`, headers: key.headers, payload: action === 'return' ? { note: 'no' } : {} });
    t.equal(res.statusCode, 403, name);
    t.match(res.json().detail, /可以审核报告 \d+。$/, name);
    t.equal(stateOf(databasePath, report), 'submitted', `${name}: still submitted`);
  }

  // Task 2: led by 市营商环境局 by name (not each its own part); its measure names no owner, the counties owe it.
  const task2 = (await app.inject('/api/v1/measures?task=2')).json().items[0].id as number;
  const countys = await submitted(app, keys.county, task2, '2024');
  const allowed = await app.inject({ method: 'POST', url: `/api/v1/reports/${countys}/approve`, headers: keys.business.headers });
  t.equal(allowed.statusCode, 200, 'a lead by name still approves another unit’s report');
  const byCoordinator = await app.inject({ method: 'POST', url: `/api/v1/reports/${collectives}/approve`, headers: keys.coordinator.headers });
  t.equal(byCoordinator.statusCode, 200, 'the coordinator reviews the collective’s report');
});
