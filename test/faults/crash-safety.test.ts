/**
 * Crash safety: the real server is killed with SIGKILL while six reporters post, then restarted on the same
 * file, four times over. After every restart the file is intact, every write the server acknowledged is there
 * exactly as acknowledged, every report is whole (events, audit entries and indicator values of each of its
 * versions), and a request that was in flight left either all of its write or nothing — which the reporter,
 * retrying with its Idempotency-Key as a real client would, then finds out.
 */
import t from 'tap';
import { tempDatabasePath } from '../helpers/app.js';
import { startServer, waitForListening, type ServerProcess } from '../helpers/server-process.js';
import { postReport, postUntilRefused, reportDefects, reporter, REPORTING_UNITS, tracesOf, type Reporter, type ReportView } from './reporting-load.js';

const ROUNDS = 4;
/** The seed of the kill points; set CRASH_SEED to replay or explore other ones. */
const SEED = Number(process.env.CRASH_SEED ?? 20261128);

/** mulberry32: a small seeded generator, so a failing kill point can be replayed. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

t.test('acknowledged reports survive SIGKILL, whole, and in-flight ones are all or nothing', async (t) => {
  t.comment(`CRASH_SEED=${SEED}`);
  const random = seeded(SEED);
  const databasePath = tempDatabasePath(t);
  let server: ServerProcess | undefined;
  t.teardown(() => server?.child.kill('SIGKILL'));
  const start = async () => {
    server = startServer({ PORT: '0', DATABASE_PATH: databasePath });
    return waitForListening(server);
  };

  let base = await start();
  const clients = REPORTING_UNITS.map((unit) => reporter(databasePath, unit, 'crash'));
  /** The last acknowledged state of every report (each report belongs to one client, whose posts are sequential). */
  const acknowledged = new Map<number, { client: Reporter; report: ReportView }>();
  const unexpected: string[] = [];

  for (let round = 1; round <= ROUNDS; round++) {
    const killAfter = 10 + Math.floor(random() * 30);
    let acks = 0;
    const running = server!;
    const lastOutcomes = await Promise.all(
      clients.map((client) =>
        postUntilRefused(base, client, (answer) => {
          if (answer.status >= 300) return void unexpected.push(`${client.unitName}: ${answer.status} ${JSON.stringify(answer.body)}`);
          acknowledged.set((answer.body as ReportView).id, { client, report: answer.body as ReportView });
          if (++acks === killAfter) running.child.kill('SIGKILL');
        }),
      ),
    );
    running.child.kill('SIGKILL'); // in case every client stopped before the kill point
    const [, signal] = await running.exited;
    t.equal(signal, 'SIGKILL', `round ${round}: the server was killed`);
    t.ok(acks >= killAfter, `round ${round}: … after ${killAfter} acknowledged writes`);
    t.same(unexpected, [], `round ${round}: every answered post was 2xx`);

    base = await start();
    t.same(reportDefects(databasePath), [], `round ${round}: after restart the file is intact and every report is whole`);

    // The request each client had in flight: all of it or none of it is stored; the retry settles which.
    const inFlight = [];
    for (const [i, last] of lastOutcomes.entries()) {
      const client = clients[i]!;
      if (!('lost' in last)) continue;
      const traces = tracesOf(databasePath, client.keyId, last.request);
      const stored = traces.records === 1;
      const whole = stored ? traces.reports === 1 && traces.audits >= 1 : traces.reports === 0 && traces.audits === 0;
      const retry = await postReport(base, client, last.request);
      const report = (await retry.json()) as ReportView;
      if (retry.ok) acknowledged.set(report.id, { client, report });
      inFlight.push({ unit: client.unitName, traces, whole, retried: retry.status, replayed: retry.headers.get('idempotent-replayed') === 'true', stored });
    }
    t.same(
      inFlight.filter(({ whole, retried, replayed, stored }) => !whole || retried >= 300 || replayed !== stored),
      [],
      `round ${round}: ${inFlight.length} posts in flight were stored whole (${inFlight.filter((p) => p.stored).length}) or not at all, and their retries replayed exactly the stored ones`,
    );

    const mismatches = [];
    for (const [id, { client, report }] of acknowledged) {
      const current = await fetch(`${base}/api/v1/reports/${id}`, { headers: client.headers });
      const body = (await current.json()) as ReportView;
      if (current.status !== 200 || JSON.stringify(body) !== JSON.stringify(report)) mismatches.push({ acknowledged: report, stored: body });
    }
    t.same(mismatches, [], `round ${round}: all ${acknowledged.size} acknowledged reports read back exactly as acknowledged`);
  }
  t.ok(acknowledged.size >= ROUNDS * 10, 'the reporters wrote throughout');
});
