import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  /** Request paths; each connection cycles through all of them in order. */
  paths: string[];
  connections: number;
  durationSeconds: number;
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx responses plus connection errors (autocannon counts timeouts among them). */
  failures: number;
}

function fire(options: LoadOptions): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  });
}

/** One measurement, preceded by an uncounted warm-up so JIT, statement caches and sockets are hot. */
export async function measure(options: LoadOptions, warmupSeconds: number): Promise<Measurement> {
  if (warmupSeconds > 0) await fire({ ...options, durationSeconds: warmupSeconds });
  const result = await fire(options);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors,
  };
}
