import fs from 'node:fs';
import t from 'tap';
import { percentile, summariseLatencies } from '../../bench/lib/latencies.js';
import { cpuPercent, growthPercent, readCpuSeconds, readRssBytes, summariseUsage } from '../../bench/lib/server-usage.js';

t.test('percentiles are nearest-rank over numerically sorted latencies', async (t) => {
  const latencies = [9, 100, 10, 2, 1000, 3, 4, 5, 6, 7];
  t.same(summariseLatencies(latencies), { requests: 10, p50Ms: 6, p99Ms: 1000, maxMs: 1000 });
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  t.equal(
    percentile(
      hundred.sort((a, b) => a - b),
      0.99,
    ),
    99,
  );
  t.equal(percentile([4], 0.5), 4);
});

t.test('no answers give no percentiles rather than zeros', async (t) => {
  t.same(summariseLatencies([]), { requests: 0, p50Ms: null, p99Ms: null, maxMs: null });
  t.throws(() => percentile([], 0.5), { message: 'no values' });
});

t.test('memory growth and CPU run from the first sample to the last, with the peak in between', async (t) => {
  t.equal(growthPercent(100, 110), 10);
  t.equal(growthPercent(200, 150), -25);
  const mib = 1024 * 1024;
  const samples = [
    { atSeconds: 0, rssBytes: 100 * mib, cpuSeconds: 10 },
    { atSeconds: 30, rssBytes: 130 * mib, cpuSeconds: 40 },
    { atSeconds: 60, rssBytes: 105 * mib, cpuSeconds: 55 },
  ];
  t.equal(cpuPercent(samples[0]!, samples[1]!), 100, 'a core busy throughout');
  t.same(summariseUsage(samples), { startBytes: 100 * mib, endBytes: 105 * mib, peakBytes: 130 * mib, growthPercent: 5, cpuPercent: 75 });
  t.equal(summariseUsage([]), undefined);
});

t.test('resident set size and CPU time are read from /proc', { skip: !fs.existsSync('/proc/self/status') && 'no /proc here' }, async (t) => {
  const rss = readRssBytes(process.pid);
  t.ok(rss !== undefined && rss > 1024 * 1024, `this process's RSS: ${rss} bytes`);
  const cpu = readCpuSeconds(process.pid);
  t.ok(cpu !== undefined && cpu > 0, `this process's CPU time: ${cpu} s`);
  t.equal(readRssBytes(2 ** 22 + 12345), undefined, 'a process that does not exist');
  t.equal(readCpuSeconds(2 ** 22 + 12345), undefined);
});
