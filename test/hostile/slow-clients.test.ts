/**
 * Slow and silent clients: a connection that stops sending is answered 408 and closed when its limit passes, while
 * other clients are served; an idle keep-alive connection is closed; and one that is idle when the server starts
 * closing is answered (503) rather than reset. Real sockets against a listening app.
 */
import net from 'node:net';
import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.js';
import { HTTP_TIMEOUT_DEFAULTS, type HttpTimeouts } from '../../src/config.js';
import { tempDatabasePath } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

const SILENT_CLIENTS = 300;

/** A raw connection: what it received so far, and a promise of its end (closed by the server, or failed). */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const result = { closed: false, reset: false };
  socket.on('error', () => (result.reset = true));
  const ended = new Promise<void>((resolve) =>
    socket.on('close', () => {
      result.closed = true;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, connected, ended, result, received: () => received };
}

async function listening(t: Test, httpTimeouts?: HttpTimeouts) {
  const databasePath = tempDatabasePath(t);
  const app = await buildApp({ databasePath, logLevel: 'silent', ...(httpTimeouts ? { httpTimeouts } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());
  return { app, databasePath, port: (app.server.address() as net.AddressInfo).port };
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

t.test('by default no connection is unlimited', async (t) => {
  const { app } = await listening(t);
  t.equal(app.server.headersTimeout, HTTP_TIMEOUT_DEFAULTS.headersMs, 'headers');
  t.equal(app.server.requestTimeout, HTTP_TIMEOUT_DEFAULTS.requestMs, 'whole request');
  t.equal(app.server.keepAliveTimeout, HTTP_TIMEOUT_DEFAULTS.keepAliveMs, 'keep-alive');
  t.equal(app.server.timeout, HTTP_TIMEOUT_DEFAULTS.idleMs, 'idle socket');
  for (const value of [app.server.headersTimeout, app.server.requestTimeout, app.server.keepAliveTimeout, app.server.timeout]) t.ok(value > 0);
});

t.test(`${SILENT_CLIENTS} silent clients are cut off with 408 while /health keeps answering`, async (t) => {
  const { port, databasePath } = await listening(t, { headersMs: 1_000, requestMs: 2_000, keepAliveMs: 1_000, idleMs: 10_000, shutdownDrainMs: 100 });
  // Each sends its headers (with a key: one without is refused before its body is awaited) and the first byte of a
  // 100-byte body, then nothing.
  const { authorization } = issueKey(databasePath, 'reporter', '市民政局').headers;
  const silent = Array.from({ length: SILENT_CLIENTS }, () => connect(port));
  await Promise.all(silent.map((client) => client.connected));
  for (const client of silent) {
    client.socket.write(`POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
  }
  // One more that never finishes its headers: a byte every 100 ms.
  const trickle = connect(port);
  await trickle.connected;
  trickle.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => trickle.socket.write('X'), 100);
  t.teardown(() => clearInterval(drip));

  const health = await fetch(`http://127.0.0.1:${port}/health`);
  t.equal(health.status, 200, '/health answers');
  t.equal(silent.filter((client) => client.result.closed).length, 0, `… while all ${SILENT_CLIENTS} silent connections are still open`);

  await Promise.all([...silent, trickle].map((client) => client.ended));
  clearInterval(drip);
  const statuses = silent.map((client) => statusOf(client.received()));
  t.same([...new Set(statuses)], [408], 'every silent client was answered 408 and closed');
  t.match(silent[0]!.received(), /Content-Type: application\/problem\+json[\s\S]*"status":408/, 'as problem+json');
  t.equal(statusOf(trickle.received()), 408, 'headers that never end are cut off too');
  t.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200, 'and the server serves on');
});

t.test('an idle keep-alive connection is closed by the server', async (t) => {
  const { port } = await listening(t, { headersMs: 1_000, requestMs: 2_000, keepAliveMs: 300, idleMs: 10_000, shutdownDrainMs: 100 });
  const client = connect(port);
  await client.connected;
  client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  await client.ended;
  t.equal(statusOf(client.received()), 200, 'its request was answered');
  t.notOk(client.result.reset, 'then the connection was closed, not reset');
});

t.test('a keep-alive connection idle when shutdown starts is answered 503, not reset', async (t) => {
  const { app, port } = await listening(t, { ...HTTP_TIMEOUT_DEFAULTS, shutdownDrainMs: 5_000 });
  const client = connect(port);
  await client.connected;
  client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  while (!client.received().includes('"status":"ok"')) await new Promise((resolve) => setTimeout(resolve, 10));
  const closing = app.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  client.socket.write('GET /api/v1/plans HTTP/1.1\r\nHost: x\r\n\r\n');
  await client.ended;
  await closing;
  const second = client.received().slice(client.received().indexOf('HTTP/1.1', 10));
  t.equal(statusOf(second), 503, 'the request sent on it after close() began was answered 503');
  t.match(second, /connection: close/i, 'and told the connection closes');
  t.notOk(client.result.reset, 'no reset');
});
