import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  /** Each connection cycles through these in order; a request with `setupRequest` is rebuilt every time it is sent. */
  requests: autocannon.Request[];
  connections: number;
  durationSeconds: number;
  /** A fixed total rate (autocannon `overallRate`); without it every connection sends again as soon as it is answered. */
  overallRate?: number;
  /** Sees every response of the measured run (not the warm-up's), e.g. to keep latencies per kind of request. */
  onResponse?: (statusCode: number, latencyMs: number) => void;
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx responses plus connection errors (autocannon counts timeouts among them). */
  failures: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Seconds the measured run lasted. */
  durationSeconds: number;
  /** Responses per status code, e.g. { "201": 9000 }: tells creations (201) from updates (200) on the write path. */
  statusCodes: Record<string, number>;
}

export const getRequests = (paths: string[]): autocannon.Request[] => paths.map((path) => ({ method: 'GET', path }));

function fire(options: LoadOptions): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        requests: options.requests,
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
      },
      (error: unknown, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
    );
    const { onResponse } = options;
    if (onResponse) instance.on('response', (_client, statusCode, _bytes, latencyMs) => onResponse(statusCode, latencyMs));
  });
}

/**
 * Flushes what earlier measurements left dirty (the project's request log above all), so the kernel's
 * background writeback does not land on the next measurement's fsyncs.
 */
export const flushDisk = () => execFileSync('sync');

/**
 * One measurement, preceded by an uncounted warm-up so JIT, statement caches and sockets are hot. `afterWarmup`
 * runs between the two, e.g. to take the first memory sample.
 */
export async function measure(options: LoadOptions, warmupSeconds: number, afterWarmup?: () => void): Promise<Measurement> {
  flushDisk();
  if (warmupSeconds > 0) await fire({ ...options, durationSeconds: warmupSeconds, onResponse: undefined });
  afterWarmup?.();
  const result = await fire(options);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0])),
  };
}
