/**
 * Graceful shutdown under load: SIGTERM while six reporters post. A request already being handled finishes
 * with 2xx; a request that arrives afterwards on an open connection gets 503 problem+json with Retry-After;
 * the process exits 0; and the file holds exactly the writes that were acknowledged, each one whole.
 *
 * Two raw connections make the edge cases certain rather than likely: one whose POST the server has taken up
 * (it answered `100 Continue`) before the signal, and one that has sent only part of its request line and
 * headers, then finishes the request after the server started closing.
 */
import net from 'node:net';
import t from 'tap';
import { tempDatabasePath } from '../helpers/app.js';
import { rows } from '../helpers/db.js';
import { startServer, waitForListening } from '../helpers/server-process.js';
import { postUntilRefused, reportDefects, reporter, REPORTING_UNITS, tracesOf, type Answer, type Reporter, type ReportRequest, type ReportView } from './reporting-load.js';

const TIMEOUT_MS = 30_000;

async function until(what: string, condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() - started > TIMEOUT_MS) throw new Error(`timed out waiting for ${what}`);
  }
}

/** A hand-written HTTP/1.1 exchange, so a test decides when each part of the request leaves. */
function rawConnection(base: string) {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  return {
    send: (text: string) => socket.write(text),
    received: () => received,
    /** The final response once the server closed the connection (a `100 Continue` before it is skipped). */
    async response() {
      await closed;
      const final = received.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const [head = '', body = ''] = final.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      return { status: Number(statusLine.split(' ')[1]), headers, body };
    },
  };
}

function requestHead(request: ReportRequest, headers: Record<string, string>, extra = ''): string {
  const length = Buffer.byteLength(JSON.stringify(request.body));
  return [
    'POST /api/v1/reports HTTP/1.1',
    'Host: plan-tracker',
    `Authorization: ${headers.authorization}`,
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    `Idempotency-Key: ${request.idempotencyKey}`,
    extra,
  ]
    .filter(Boolean)
    .join('\r\n');
}

t.test('SIGTERM under load: in-flight requests finish, later ones get 503 problem+json, exit 0', async (t) => {
  const databasePath = tempDatabasePath(t);
  const server = startServer({ PORT: '0', DATABASE_PATH: databasePath });
  t.teardown(() => server.child.kill('SIGKILL'));
  const base = await waitForListening(server);
  const clients = REPORTING_UNITS.map((unit) => reporter(databasePath, unit, 'shutdown'));
  const edge = reporter(databasePath, '市教育局', 'shutdown-edge');

  // Taken up before the signal: the server answered 100 Continue, so the request is routed and waits for its body.
  const inFlightRequest = edge.next();
  const inFlight = rawConnection(base);
  inFlight.send(`${requestHead(inFlightRequest, edge.headers, 'Expect: 100-continue')}\r\n\r\n`);
  // Arriving after the signal: only the first header lines are sent now.
  const lateRequest = edge.next();
  const late = rawConnection(base);
  const lateHead = `${requestHead(lateRequest, edge.headers)}\r\n\r\n`;
  late.send(lateHead.slice(0, 60));

  const answers: (Answer & { client: Reporter })[] = [];
  const load = Promise.all(clients.map((client) => postUntilRefused(base, client, (answer) => answers.push({ ...answer, client }))));
  await until('the load to be acknowledged', () => answers.length >= 12);
  await until('100 Continue', () => inFlight.received().startsWith('HTTP/1.1 100 Continue'));

  server.child.kill('SIGTERM');
  await until('the server to start closing', () => server.output().includes('"msg":"closing: requests that still arrive are refused with 503"'));
  late.send(lateHead.slice(60) + JSON.stringify(lateRequest.body));
  inFlight.send(JSON.stringify(inFlightRequest.body));

  const finished = await inFlight.response();
  t.equal(finished.status, 201, 'the request taken up before the signal finishes');
  t.equal(finished.headers.connection, 'close', '… and closes its connection, so the server can drain');
  const refused = await late.response();
  t.equal(refused.status, 503, 'a request arriving after the signal is refused');
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.match(refused.headers['retry-after'], /^\d+$/);
  t.equal(refused.headers.connection, 'close');
  t.match(JSON.parse(refused.body), { type: '/problems/shutting-down', status: 503, instance: '/api/v1/reports' });

  const lastOutcomes = await load;
  const [code] = await server.exited;
  t.equal(code, 0, 'the process exits 0');

  const acknowledged = answers.filter((a) => a.status < 300);
  const refusedUnderLoad = answers.filter((a) => a.status >= 300);
  t.ok(acknowledged.length >= 12, `the load was acknowledged (${acknowledged.length} writes)`);
  t.same(
    refusedUnderLoad.filter((a) => !(a.status === 503 && /^application\/problem\+json/.test(a.headers.get('content-type') ?? '') && a.headers.get('retry-after'))),
    [],
    `every other answer was 503 problem+json with Retry-After (${refusedUnderLoad.length} of them)`,
  );

  // What the file holds: every acknowledged write, nothing of a refused or unanswered one, every report whole.
  t.same(reportDefects(databasePath), [], 'the file is intact and every report is whole');
  const stored = new Map(rows<{ id: number; version: number; narrative: string }>(databasePath, 'SELECT id, version, narrative FROM progress_reports').map((r) => [r.id, r]));
  const lastAcknowledged = new Map<number, ReportView>();
  for (const { body } of [...acknowledged, { body: JSON.parse(finished.body) as unknown }]) lastAcknowledged.set((body as ReportView).id, body as ReportView);
  t.same(
    [...lastAcknowledged.values()].filter((report) => {
      const row = stored.get(report.id);
      return row?.version !== report.version || row.narrative !== report.narrative;
    }),
    [],
    `all ${lastAcknowledged.size} acknowledged reports are stored as acknowledged`,
  );
  const notStored = [
    ...refusedUnderLoad.map(({ client, request }) => ({ keyId: client.keyId, request })),
    ...lastOutcomes.flatMap((outcome, i) => ('lost' in outcome ? [{ keyId: clients[i]!.keyId, request: outcome.request }] : [])),
    { keyId: edge.keyId, request: lateRequest },
  ];
  t.same(
    notStored.map(({ keyId, request }) => tracesOf(databasePath, keyId, request)).filter((traces) => traces.records + traces.reports + traces.audits > 0),
    [],
    `none of the ${notStored.length} refused or unanswered posts left a trace`,
  );
});
