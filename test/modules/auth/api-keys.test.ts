import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { buildApp } from '../../../src/app.js';
import { projectRoot } from '../../../src/db/client.js';
import { buildTestAppWithDatabase, tempDatabasePath } from '../../helpers/app.js';
import { rows, writeFingerprint } from '../../helpers/db.js';
import { childEnv } from '../../helpers/child-env.js';
import { issueKey } from '../../helpers/keys.js';

t.test('an admin creates, lists and revokes keys; tokens are shown once and stored hashed', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const admin = issueKey(databasePath, 'admin');
  const created = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin.headers, payload: { name: '民政局上报脚本', role: 'reporter', unit: '市民政局' } });
  t.equal(created.statusCode, 201);
  const { key, token } = created.json();
  t.match(token, /^pt_[A-Za-z0-9_-]{43}$/);
  t.match(key, { role: 'reporter', unitName: '市民政局', revokedAt: null });
  t.ok(token.startsWith(key.prefix));
  const stored = rows<{ token_hash: string }>(databasePath, 'SELECT token_hash FROM api_keys WHERE id = ?', key.id)[0]!;
  t.not(stored.token_hash, token);
  t.notMatch(JSON.stringify(rows(databasePath, 'SELECT * FROM api_keys')), token, 'the token is nowhere in the database');
  t.notMatch(JSON.stringify(rows(databasePath, 'SELECT * FROM audit_events')), token, 'nor in the audit trail');

  const current = await app.inject({ url: '/api/v1/api-keys/current', headers: { authorization: `Bearer ${token}` } });
  t.match(current.json(), { keyId: key.id, role: 'reporter', name: '民政局上报脚本' });
  const list = (await app.inject({ url: '/api/v1/api-keys', headers: admin.headers })).json();
  t.ok(list.items.some((k: { id: number }) => k.id === key.id));
  t.notMatch(JSON.stringify(list), token);

  const revoked = await app.inject({ method: 'POST', url: `/api/v1/api-keys/${key.id}/revoke`, headers: admin.headers });
  t.equal(revoked.statusCode, 200);
  t.ok(revoked.json().revokedAt);
  const after = await app.inject({ url: '/api/v1/api-keys/current', headers: { authorization: `Bearer ${token}` } });
  t.equal(after.statusCode, 401, 'a revoked key stops working at once');
  const twice = await app.inject({ method: 'POST', url: `/api/v1/api-keys/${key.id}/revoke`, headers: admin.headers });
  t.equal(twice.json().revokedAt, revoked.json().revokedAt, 'revoking again keeps the first time');
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/api-keys/9999/revoke', headers: admin.headers })).statusCode, 404);
});

t.test('bad key requests change nothing', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const admin = issueKey(databasePath, 'admin');
  for (const [name, payload, status, field] of [
    ['reporter without unit', { name: 'x', role: 'reporter' }, 422, '/body/unit'],
    ['unit on a reader key', { name: 'x', role: 'reader', unit: '市民政局' }, 422, '/body/unit'],
    ['unknown unit', { name: 'x', role: 'reporter', unit: '市不存在局' }, 422, '/body/unit'],
    ['unknown role', { name: 'x', role: 'superuser' }, 400, '/body/role'],
    ['expiry in the past', { name: 'x', role: 'reader', expiresAt: '2020-01-01T00:00:00+08:00' }, 422, '/body/expiresAt'],
    ['expiry not a date', { name: 'x', role: 'reader', expiresAt: 'tomorrow' }, 400, '/body/expiresAt'],
    ['empty name', { name: '', role: 'reader' }, 400, '/body/name'],
  ] as const) {
    const before = writeFingerprint(databasePath);
    const res = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin.headers, payload });
    t.equal(res.statusCode, status, name);
    t.ok(
      res.json().errors?.some((e: { field: string }) => e.field === field),
      `${name} names ${field}`,
    );
    t.equal(writeFingerprint(databasePath), before, `${name}: nothing written`);
  }
});

t.test('an expired key is refused; so are malformed and unknown tokens', async (t) => {
  let now = new Date('2025-06-01T00:00:00Z');
  const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => now });
  const expiring = issueKey(databasePath, 'reader', undefined, '2025-06-30T00:00:00.000Z');
  t.equal((await app.inject({ url: '/api/v1/api-keys/current', headers: expiring.headers })).statusCode, 200);
  now = new Date('2025-07-01T00:00:00Z');
  const expired = await app.inject({ url: '/api/v1/api-keys/current', headers: expiring.headers });
  t.equal(expired.statusCode, 401);
  t.equal(expired.headers['www-authenticate'], 'Bearer');
  for (const header of ['Bearer', 'Bearer pt_unknown', 'Basic dXNlcjpwYXNz', `Bearer ${'a'.repeat(500)}`, 'bearer x y']) {
    const res = await app.inject({ url: '/api/v1/tasks?limit=1', headers: { authorization: header } });
    t.equal(res.statusCode, 401, header.slice(0, 30));
    t.match(res.headers['content-type'], /problem\+json/);
  }
});

t.test('REQUIRE_AUTH_FOR_READS puts the catalogue behind a key', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t, { requireAuthForReads: true });
  t.equal((await app.inject('/api/v1/tasks?limit=1')).statusCode, 401);
  t.equal((await app.inject('/health')).statusCode, 200, 'health stays open for the load balancer');
  const reader = issueKey(databasePath, 'reader');
  t.equal((await app.inject({ url: '/api/v1/tasks?limit=1', headers: reader.headers })).statusCode, 200);
});

t.test('npm run apikey prints the token on its last line, and the token works', async (t) => {
  const databasePath = tempDatabasePath(t);
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'apikey.ts'), ...args], {
      cwd: projectRoot,
      env: childEnv({ DATABASE_PATH: databasePath }),
    });
  const { stdout } = await run(['--role', 'reporter', '--unit', '市民政局', '--name', '民政局上报脚本']);
  const lines = stdout.trim().split('\n');
  t.equal(lines[0], `created reporter key #1 "民政局上报脚本" for 市民政局 in ${databasePath}`, 'says which database it wrote to');
  const token = lines.at(-1)!;
  t.match(token, /^pt_/);
  t.equal(rows(databasePath, "SELECT * FROM audit_events WHERE action = 'apikey.create'").length, 1, 'audited');

  const app = await buildApp({ databasePath, logLevel: 'silent' });
  t.teardown(() => app.close());
  const current = await app.inject({ url: '/api/v1/api-keys/current', headers: { authorization: `Bearer ${token}` } });
  t.match(current.json(), { role: 'reporter', name: '民政局上报脚本' });

  await t.rejects(run(['--role', 'reporter', '--name', 'no unit']), { code: 64, stderr: /--unit is required/ });
  await t.rejects(run(['--role', 'boss', '--name', 'x']), { code: 64, stderr: /--role must be one of/ });
  await t.rejects(run(['--role', 'reporter', '--unit', '市不存在局', '--name', 'x']), { code: 64, stderr: /names no known unit.*\n\(npm run apikey -- --help for usage\)/ });
  const help = await run(['--help']);
  t.match(help.stdout, /npm run apikey -- --role <admin\|coordinator\|reporter\|reader> --name/);
  t.match(help.stdout, /--expires/);
  t.equal(rows(databasePath, "SELECT * FROM audit_events WHERE action = 'apikey.create'").length, 1, '--help creates nothing');
});
