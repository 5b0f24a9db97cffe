/**
 * Webhooks must never slow the API: a receiver that hangs (accepts the connection, never answers) only occupies
 * dispatcher slots. The same write + read load (each connection alternates POST /reports and GET /tasks) against
 *   (a) the minimal Fastify + better-sqlite3 baseline (bench/baseline-server.ts),
 *   (b) the project without subscriptions,
 *   (c) the project with every writing unit subscribed to every change type, pointing at a hanging receiver,
 * and p50/p99 printed side by side with the ratios. `npm run bench:webhooks`; BENCH_DURATION (s, default 15),
 * BENCH_CONNECTIONS (default 10). Exits non-zero only when the harness itself fails.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { openDatabase } from '../src/db/client.js';
import { createApiKeyRepository } from '../src/modules/auth/repository.js';
import { CHANGE_FAMILIES } from '../src/modules/changes/types.js';
import { benchDir, buildProject, envInt, projectRoot, runBench, startProject } from './lib/harness.js';
import { measure, type Measurement } from './lib/measure.js';
import { assertRunning, HOST, startServer, type Server } from './lib/processes.js';
import { reportSequence, type Reporter } from './lib/report-bodies.js';
import { prepareWriteFixture } from './lib/write-fixture.js';
import { postRequests } from './lib/write-scenario.js';

const LIST_PATH = '/api/v1/tasks?limit=20';

/** A receiver that accepts every connection and never answers: each attempt lasts until the sender's timeout. */
async function startHangingReceiver() {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', () => {}); // read and ignore: the request is taken, no answer comes
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://${HOST}:${port}/hooks`,
    connections: () => connections,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    },
  };
}

/** An admin key straight in the database, as `npm run apikey` makes it. */
function adminToken(databasePath: string): string {
  const db = openDatabase(databasePath);
  try {
    return createApiKeyRepository(db).create({ name: 'bench admin', role: 'admin', unitId: null, expiresAt: null }, new Date()).token;
  } finally {
    db.$client.close();
  }
}

/**
 * One subscription per writing unit (a report being written is a draft: only its unit's subscriptions get it) and one
 * for every unit, each to every change family: every write queues a message for the hanging receiver.
 */
async function subscribeAll(server: Server, token: string, url: string, writers: readonly Reporter[]): Promise<number> {
  const bodies = [{}, ...writers.map((writer) => ({ unit: String(writer.unitId) }))].map((scope) => ({ url, types: CHANGE_FAMILIES, ...scope }));
  for (const body of bodies) {
    const response = await fetch(`${server.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`${server.name}: POST /webhooks answered ${response.status}: ${await response.text()}`);
  }
  return bodies.length;
}

/** Each connection alternates a report write and a list read. */
function mixedRequests(writers: readonly Reporter[], measureIds: readonly number[]): autocannon.Request[] {
  return [...postRequests(reportSequence(writers, measureIds)), { method: 'GET', path: LIST_PATH }];
}

async function metric(server: Server, pattern: RegExp): Promise<string> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return pattern.exec(text)?.[1] ?? '?';
}

const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : '–');

async function main(tempDir: string): Promise<void> {
  const config = { durationSeconds: envInt('BENCH_DURATION', 15), connections: envInt('BENCH_CONNECTIONS', 10), warmupSeconds: 2 };
  await buildProject();
  const receiver = await startHangingReceiver();
  try {
    const plainPath = path.join(tempDir, 'plain.db');
    const hookedPath = path.join(tempDir, 'hooked.db');
    const baselineCopyPath = path.join(tempDir, 'baseline-writes.db');
    const plain = await startProject(tempDir, plainPath, { name: 'project' });
    const plainFixture = await prepareWriteFixture(plain, plainPath, { bulkRuns: 0, baselineCopyPath });
    const baseline = await startServer({
      name: 'baseline',
      args: ['--import', 'tsx', path.join(benchDir, 'baseline-server.ts')],
      cwd: projectRoot,
      env: { DATABASE_PATH: plainPath, WRITE_DATABASE_PATH: baselineCopyPath },
      logFile: path.join(tempDir, 'baseline.log'),
    });
    // The receiver is on loopback: this server is told it may send there, and uses the default timeout and concurrency.
    const hooked = await startProject(tempDir, hookedPath, { name: 'hooked', env: { WEBHOOK_ALLOWED_HOSTS: HOST } });
    const hookedFixture = await prepareWriteFixture(hooked, hookedPath, { bulkRuns: 0 });
    const subscriptions = await subscribeAll(hooked, adminToken(hookedPath), receiver.url, hookedFixture.writers);

    const runs: [string, Server, autocannon.Request[]][] = [
      ['(a) baseline', baseline, mixedRequests(plainFixture.writers, plainFixture.measureIds)],
      ['(b) project, no subscriptions', plain, mixedRequests(plainFixture.writers, plainFixture.measureIds)],
      [`(c) project, ${subscriptions} subscriptions → hanging receiver`, hooked, mixedRequests(hookedFixture.writers, hookedFixture.measureIds)],
    ];
    const results: [string, Measurement][] = [];
    for (const [name, server, requests] of runs) {
      const m = await measure({ url: server.url, requests, connections: config.connections, durationSeconds: config.durationSeconds }, config.warmupSeconds);
      assertRunning(server, 'during the measurement');
      console.log(`${name.padEnd(52)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms${m.failures ? `  ${m.failures} failures` : ''}`);
      results.push([name, m]);
    }

    const [a, b, c] = results.map(([, m]) => m) as [Measurement, Measurement, Measurement];
    console.log(
      `\nwrite + read mix, ${config.connections} connections, ${config.durationSeconds} s each (after ${config.warmupSeconds} s warm-up); ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    console.log(`${''.padEnd(52)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}   p50 vs (a)  p99 vs (a)  p50 vs (b)  p99 vs (b)`);
    for (const [name, m] of results) {
      console.log(
        `${name.padEnd(52)} ${m.requestsPerSecond.toFixed(0).padStart(7)} ${String(m.p50Ms).padStart(7)} ${String(m.p99Ms).padStart(7)}   ${ratio(m.p50Ms, a.p50Ms).padStart(10)}  ${ratio(m.p99Ms, a.p99Ms).padStart(10)}  ${ratio(m.p50Ms, b.p50Ms).padStart(10)}  ${ratio(m.p99Ms, b.p99Ms).padStart(10)}`,
      );
    }
    const depth = await metric(hooked, /^plan_tracker_webhook_outbox_depth (\S+)$/m);
    const timedOut = await metric(hooked, /^plan_tracker_webhook_attempts_total\{outcome="failed_attempt"\} (\S+)$/m);
    console.log(
      `\n(c): ${c.requests} requests answered, ${depth} messages pending in the outbox, ${timedOut} attempts timed out, ${receiver.connections()} connections to the receiver (none answered); failures (a) ${a.failures}, (b) ${b.failures}, (c) ${c.failures}`,
    );
  } finally {
    receiver.close();
  }
}

await runBench(main);
