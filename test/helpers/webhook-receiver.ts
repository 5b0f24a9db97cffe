import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

/** One request a receiver got, and what it answered (null: it never answered). */
export interface Received {
  /** The path and query the request went to. */
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number | null;
}

/** What the receiver answers the n-th request (0-based): a status, or 'hang' (the connection stays open, silent). */
export type Answer = (n: number, request: Received) => number | 'hang';

/** A real HTTP receiver on loopback, closed after the test; it records every request in arrival order. */
export async function startReceiver(t: Test, answer: Answer, options: { delayMs?: number } = {}) {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: Received = { url: request.url ?? '', headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8'), status: null };
      const status = answer(received.length, entry);
      received.push(entry);
      if (status === 'hang') return;
      const respond = () => {
        entry.status = status;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
      };
      // A slow receiver keeps each attempt in flight a while, so that concurrent senders would overlap.
      if (options.delayMs) setTimeout(respond, options.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    /** The requests answered 2xx. */
    accepted: () => received.filter((r) => r.status !== null && r.status >= 200 && r.status < 300),
  };
}

/** Waits until `condition` holds, checking every 20 ms; fails after `limitMs` (a bound, not a timing under test). */
export async function eventually(condition: () => boolean | Promise<boolean>, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Settings that make a test's webhooks quick: loopback allowed, polls and retries within milliseconds. */
export const QUICK_WEBHOOKS = { allowedHosts: ['127.0.0.1'], pollIntervalMs: 20, backoffBaseMs: 20, backoffMaxMs: 100, timeoutMs: 2_000, giveUpAfterMs: 60_000 };
