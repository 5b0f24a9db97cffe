/**
 * When the database cannot take a write — another connection holds the write lock, or there is no space left —
 * the API answers 503 problem+json with Retry-After, stores nothing, and serves again once the cause is gone.
 * Both conditions are real SQLite ones on a real file: a second connection in BEGIN IMMEDIATE, and the app's
 * own connection capped at its current size (PRAGMA max_page_count), which SQLite reports as SQLITE_FULL just
 * as it reports a full disk.
 */
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { tempDatabasePath } from '../helpers/app.js';
import { writeFingerprint } from '../helpers/db.js';
import { reporter, tracesOf } from './reporting-load.js';

function assertUnavailable(t: Test, response: LightMyRequestResponse, type: RegExp) {
  t.equal(response.statusCode, 503);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  t.match(response.headers['retry-after'], /^\d+$/, 'Retry-After says when to try again');
  const problem = response.json() as { type: string; status: number; detail: string };
  t.match(problem, { type, status: 503 });
  t.notMatch(problem.detail, /SQLITE|INSERT|UPDATE|SELECT|progress_reports/i, 'the detail names no SQL or SQLite internals');
}

t.test('a write while another connection holds the write lock: 503, nothing stored, then served', async (t) => {
  const databasePath = tempDatabasePath(t);
  const app = await buildApp({ databasePath, logLevel: 'silent', databaseBusyTimeoutMs: 50 });
  t.teardown(() => app.close());
  const client = reporter(databasePath, '市民政局', 'busy');
  const post = (request = client.next()) =>
    app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...client.headers, 'idempotency-key': request.idempotencyKey }, payload: request.body });

  const before = writeFingerprint(databasePath);
  const other = new Database(databasePath);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  const request = client.next();
  assertUnavailable(t, await post(request), /^\/problems\/database-busy$/);
  const read = await app.inject({ url: '/api/v1/reports', headers: client.headers });
  t.equal(read.statusCode, 200, 'reads go on while another connection writes');
  other.exec('ROLLBACK');

  t.equal(writeFingerprint(databasePath), before, 'the refused write stored nothing');
  const retried = await post(request);
  t.equal(retried.statusCode, 201, 'once the lock is released the same request succeeds');
  t.notOk(retried.headers['idempotent-replayed'], '… as a first attempt: the refused one left no idempotent response');
});

t.test('a write that finds the database full: 503, nothing stored, then served once space returns', async (t) => {
  const databasePath = tempDatabasePath(t);
  let connection: Database.Database | undefined;
  const app = await buildApp({ databasePath, logLevel: 'silent', onDatabaseOpen: (opened) => (connection = opened) });
  t.teardown(() => app.close());
  const client = reporter(databasePath, '市民政局', 'full');
  // A report at the narrative's size limit needs more pages than the file has spare.
  const request = client.next();
  request.body.narrative = `${String(request.body.narrative)}${'进展'.repeat(4_900)}`;
  const post = () => app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...client.headers, 'idempotency-key': request.idempotencyKey }, payload: request.body });

  const before = writeFingerprint(databasePath);
  const unlimited = connection!.pragma('max_page_count', { simple: true }) as number;
  connection!.pragma(`max_page_count = ${connection!.pragma('page_count', { simple: true }) as number}`);
  // Refused by its own statement the write is storage-full; lost with its group's commit, unavailable.
  assertUnavailable(t, await post(), /^\/problems\/(storage-full|unavailable)$/);
  t.equal(writeFingerprint(databasePath), before, 'the refused write stored nothing, not even part of the report');
  t.equal((await app.inject('/health')).statusCode, 200, 'the server stays up and reads');

  connection!.pragma(`max_page_count = ${unlimited}`);
  const retried = await post();
  t.equal(retried.statusCode, 201, 'once space returns the same request succeeds');
  t.notOk(retried.headers['idempotent-replayed'], '… as a first attempt: the refused one left no idempotent response');
  t.equal(retried.json().narrative, request.body.narrative);
});

// SQLITE_FULL rolls back the whole open group commit: the other writes of the group are refused with it, and a
// write after the failure starts a group of its own — never answered one way and stored the other.
for (const order of ['the fitting write first', 'the fitting write second'] as const) {
  t.test(`a write sharing its turn with one that finds the database full (${order}): stored and acknowledged, or refused and absent`, async (t) => {
    const databasePath = tempDatabasePath(t);
    let connection: Database.Database | undefined;
    const app = await buildApp({ databasePath, logLevel: 'silent', onDatabaseOpen: (opened) => (connection = opened) });
    t.teardown(() => app.close());
    const large = reporter(databasePath, '市民政局', 'full-large');
    const small = reporter(databasePath, '市营商环境局', 'full-small');
    const tooLarge = large.next();
    tooLarge.body.narrative = `${String(tooLarge.body.narrative)}${'进展'.repeat(4_900)}`;
    const fitting = small.next();
    connection!.pragma(`max_page_count = ${connection!.pragma('page_count', { simple: true }) as number}`);
    const post = (client: typeof large, request: typeof tooLarge) =>
      app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...client.headers, 'idempotency-key': request.idempotencyKey }, payload: request.body });
    const [full, answer] =
      order === 'the fitting write first'
        ? await Promise.all([post(small, fitting), post(large, tooLarge)]).then(([a, b]) => [b, a] as const)
        : await Promise.all([post(large, tooLarge), post(small, fitting)]);
    assertUnavailable(t, full, /^\/problems\/storage-full$/);
    const traces = tracesOf(databasePath, small.keyId, fitting);
    t.equal(traces.reports === 1, answer.statusCode < 300, `answered ${answer.statusCode}, stored ${traces.reports}`);
    if (answer.statusCode >= 300) assertUnavailable(t, answer, /^\/problems\/storage-full$/);
  });
}
