/**
 * Keys are secrets: the log is read by operators and shipped to log stores, so no token may appear in it, whether
 * sent in a valid header, a refused one, or returned when a key is issued. The server runs as a child process at
 * the most verbose level, and its whole output is searched.
 */
import t from 'tap';
import { tempDatabasePath } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';
import { startServer, waitForListening } from '../helpers/server-process.js';

t.test('no token reaches the log, at any level', async (t) => {
  const databasePath = tempDatabasePath(t);
  const admin = issueKey(databasePath, 'admin');
  const server = startServer({ PORT: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'trace' });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = await waitForListening(server);

  const issued = await fetch(`${base}/api/v1/api-keys`, {
    method: 'POST',
    headers: { ...admin.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '民政局上报脚本', role: 'reporter', unit: '市民政局' }),
  });
  t.equal(issued.status, 201);
  const { token } = (await issued.json()) as { token: string };
  t.match(token, /^[A-Za-z0-9_-]{20,}$/);

  t.equal((await fetch(`${base}/api/v1/api-keys/current`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  const guessed = 'guessedTokenThatIsNotAKey0123456789';
  t.equal((await fetch(`${base}/api/v1/reports`, { headers: { authorization: `Bearer ${guessed}` } })).status, 401);
  t.equal((await fetch(`${base}/api/v1/reports`, { headers: { authorization: `Basic ${guessed}` } })).status, 401);

  server.child.kill('SIGTERM');
  const [code] = await server.exited;
  t.equal(code, 0);
  const log = server.output();
  t.ok(log.split('\n').filter((line) => line.includes('"msg":"request completed"')).length >= 4, 'the requests were logged');
  for (const [what, secret] of [
    ['the admin key', admin.headers.authorization.slice('Bearer '.length)],
    ['an issued key', token],
    ['a guessed key', guessed],
  ] as const) {
    t.notOk(log.includes(secret), `${what} is not in the log`);
  }
  t.match(log, /"headers":\{[^}]*"authorization":"\[redacted\]"/, 'at trace level headers are logged, the key censored');
  t.notMatch(log, /bearer /i, 'no Authorization header value is in the log');
});
