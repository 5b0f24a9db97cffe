import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';

const DURATION = 'http_request_duration_seconds';

t.test('GET /metrics: requests by route pattern and status with latency buckets, group commits, database size', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const reporter = issueKey(databasePath, 'reporter', '市民政局');
  for (const url of ['/api/v1/tasks/3', '/api/v1/tasks/4', '/api/v1/tasks/3', '/api/v1/tasks/999999', '/health', '/no/such/thing', '/no/such/other']) {
    await app.inject(url);
  }
  const posted = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: reporter.headers,
    payload: { measureId: 3, period: '2023', status: 'in_progress', narrative: '已公示行政许可信息 1,024 条' },
  });
  t.equal(posted.statusCode, 201, 'a report is written');

  const scraped = await app.inject('/metrics');
  t.equal(scraped.statusCode, 200);
  t.match(scraped.headers['content-type'], /^text\/plain; version=0\.0\.4(;|$)/, 'the Prometheus text format');
  const families = parsePrometheusText(scraped.body);

  const requests = families.get(DURATION);
  t.equal(requests?.type, 'histogram', 'request latency is a histogram');
  t.ok(requests?.help, 'with its help text');
  const count = (labels: Record<string, string>) => sampleValue(families, `${DURATION}_count`, labels);
  t.equal(count({ method: 'GET', route: '/api/v1/tasks/:id', status_code: '200' }), 3, 'by route pattern, not URL: three reads of two tasks');
  t.equal(count({ method: 'GET', route: '/api/v1/tasks/:id', status_code: '404' }), 1, 'by status');
  t.equal(count({ method: 'GET', route: '/health', status_code: '200' }), 1);
  t.equal(count({ method: 'POST', route: '/api/v1/reports', status_code: '201' }), 1, 'writes too');
  t.equal(count({ method: 'GET', route: '__unknown__', status_code: '404' }), 2, 'URLs no route matched share one label');
  const routes = new Set(requests?.samples.map((s) => s.labels.route));
  t.notOk(
    [...routes].some((route) => route?.includes('999999') || route?.includes('/no/such')),
    'no raw URL becomes a label',
  );
  const buckets = requests?.samples.filter((s) => s.name === `${DURATION}_bucket` && s.labels.route === '/api/v1/tasks/:id' && s.labels.status_code === '200');
  t.same(
    buckets?.map((s) => s.labels.le),
    ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'],
    'latency buckets from 5 ms to 10 s',
  );
  t.equal(buckets?.at(-1)?.value, 3);

  t.equal(families.get('plan_tracker_group_commit_writes')?.type, 'histogram');
  t.ok((sampleValue(families, 'plan_tracker_group_commit_writes_count') ?? 0) >= 1, 'the report write was group-committed');
  t.ok((sampleValue(families, 'plan_tracker_group_commit_writes_sum') ?? 0) >= 1, 'with its writes counted');

  t.equal(families.get('plan_tracker_database_size_bytes')?.type, 'gauge');
  t.ok((sampleValue(families, 'plan_tracker_database_size_bytes', { file: 'database' }) ?? 0) > 0, 'the database file has a size');
  t.ok((sampleValue(families, 'plan_tracker_database_size_bytes', { file: 'wal' }) ?? -1) >= 0, 'so has its WAL');
  t.ok(families.has('process_resident_memory_bytes'), 'process metrics are there');

  const again = parsePrometheusText((await app.inject('/metrics')).body);
  t.equal(sampleValue(again, `${DURATION}_count`, { method: 'GET', route: '/metrics', status_code: '200' }), 1, 'scrapes count too');
});

t.test('/metrics is never rate-limited, and METRICS_REQUIRE_KEY asks for a key of any role', async (t) => {
  const { app } = await buildTestAppWithDatabase(t, { rateLimit: { perAddress: 2, perKey: 0 } });
  for (let i = 0; i < 5; i++) t.equal((await app.inject('/metrics')).statusCode, 200, `scrape ${i + 1}`);
  for (let i = 0; i < 3; i++) await app.inject('/api/v1/plans');
  t.equal((await app.inject('/api/v1/plans')).statusCode, 429, 'the API is throttled meanwhile');
  const families = parsePrometheusText((await app.inject('/metrics')).body);
  const count = (labels: Record<string, string>) => sampleValue(families, `${DURATION}_count`, labels);
  t.equal(count({ route: '/api/v1/plans', status_code: '200' }), 2);
  t.equal(count({ route: '/api/v1/plans', status_code: '429' }), 2, 'throttled requests are counted');
  t.equal(count({ route: '/metrics', status_code: '200' }), 5);
  t.equal(count({ route: '/health' }), undefined, 'the counts are this app’s own (another app in this process answered /health)');

  const guarded = await buildTestAppWithDatabase(t, { metricsRequireKey: true });
  const anonymous = await guarded.app.inject('/metrics');
  t.equal(anonymous.statusCode, 401);
  t.match(anonymous.headers['content-type'], /application\/problem\+json/);
  const reader = issueKey(guarded.databasePath, 'reader');
  const scraped = await guarded.app.inject({ url: '/metrics', headers: reader.headers });
  t.equal(scraped.statusCode, 200, 'a reader key scrapes');
  t.ok(parsePrometheusText(scraped.body).has(DURATION));
  t.equal((await guarded.app.inject('/health')).statusCode, 200, '/health stays open');
});

t.test('the Prometheus text reader refuses what Prometheus would', async (t) => {
  t.throws(() => parsePrometheusText('# TYPE a counter\na 1'), /line feed/);
  t.throws(() => parsePrometheusText('a 1\n'), /before its # TYPE/);
  t.throws(() => parsePrometheusText('# TYPE a counter\na{b="c} 1\n'), /not a sample/);
  t.throws(() => parsePrometheusText('# TYPE a counter\na one\n'), /not a sample/);
  t.throws(() => parsePrometheusText('# TYPE a counter\n# TYPE a counter\n'), /typed twice/);
  t.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), /cumulative/);
  t.throws(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'), /\+Inf/);
  const families = parsePrometheusText('# HELP a An "a".\n# TYPE a gauge\na{x="q\\"uo\\\\te",y="2"} -1.5e3 1700000000000\n');
  t.same(families.get('a')?.samples, [{ name: 'a', labels: { x: 'q"uo\\te', y: '2' }, value: -1500 }]);
  const odd = parsePrometheusText('# TYPE b gauge\nb{k="1"} Nan\nb{k="2"} +Inf\nb{k="3"} -inf\n');
  t.same(
    odd.get('b')?.samples.map((s) => s.value),
    [NaN, Infinity, -Infinity],
    'NaN and Inf as Go reads them',
  );
});
