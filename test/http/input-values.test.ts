/**
 * Values that pass a schema's shape must be what they claim: a date-time a real instant, an integer in the URL a
 * decimal whole number, a JSON number finite. Driven by the contract the registered routes generate, so every route
 * that takes a date or an integer is checked, including routes added later.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { writeFingerprint } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: { type?: string; format?: string; minimum?: number; anyOf?: { format?: string }[] };
}

// One instant at 00:30 on 30 June in Asia/Shanghai — still 29 June in UTC — so a date read in the wrong zone shows.
const clock = new Date('2024-06-30T00:30:00+08:00');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const admin = issueKey(databasePath, 'admin');
const get = (target: string) => app.inject({ url: target, headers: admin.headers });

await app.ready();
const contract = app.swagger() as { paths: Record<string, Record<string, { parameters?: Parameter[] }>> };
const getters = Object.entries(contract.paths).flatMap(([route, methods]) => (methods.get ? [{ route, parameters: methods.get.parameters ?? [] }] : []));
/** Required query parameters (a year, say) given their smallest value, so only the parameter under test is wrong. */
const requiredQuery = new Map(
  getters.map(({ route, parameters }) => [
    route,
    parameters
      .filter((p) => p.in === 'query' && p.required)
      .map((p) => `&${p.name}=${p.schema.minimum ?? 1}`)
      .join(''),
  ]),
);
const takesInstant = (p: Parameter) => p.schema.format === 'date-time' || (p.schema.anyOf ?? []).some((choice) => choice.format === 'date-time');
/** The route with every path parameter set to 1 (an id that exists for every kind). */
const url = (route: string, query: string) => `${route.replace(/\{\w+\}/g, '1')}?${query}${requiredQuery.get(route) ?? ''}`;

const instantFilters = getters.flatMap(({ route, parameters }) =>
  parameters.filter((p) => p.in === 'query' && takesInstant(p)).map((p) => ({ route, name: p.name, description: p.description ?? '' })),
);
const integerParameters = getters.flatMap(({ route, parameters }) => parameters.filter((p) => p.schema.type === 'integer').map((p) => ({ route, ...p })));

t.test('every instant filter refuses what is not a real instant, with a 400 naming it', async (t) => {
  t.ok(instantFilters.length >= 8, `the contract has instant filters (${instantFilters.map((f) => `${f.route} ${f.name}`).join(', ')})`);
  const notInstants = [
    '2024-06-30T23:59:60Z', // a leap second: the format's grammar allows it, Date cannot hold it
    '2024-06-30T24:00:00+08:00',
    '2024-02-30T12:00:00Z',
    '2023-02-29T12:00:00Z',
    '2024-06-30T12:00:00+24:00',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59-23:59',
    '2024-06-30T12:00:00',
    '2024-06-30T25:00',
    '2024-06-30T25:00:00+08:00',
    '2024-02-30',
    '2024-13-01',
    '2024-6-30',
    '0000-01-01',
    '1899-12-31',
    '',
  ];
  for (const { route, name } of instantFilters) {
    for (const value of notInstants) {
      const res = await get(url(route, `${name}=${encodeURIComponent(value)}`));
      t.equal(res.statusCode, 400, `${route} ${name}=${value} → 400`);
      t.same(
        res.json().errors?.map((e: { field: string }) => e.field),
        [`/querystring/${name}`],
        `${route} ${name}=${value} names the field`,
      );
    }
    for (const value of ['2024-06-30', '2024-02-29T23:59:59.999999+08:00', '2024-06-30t12:00:00z']) {
      t.equal((await get(url(route, `${name}=${encodeURIComponent(value)}`))).statusCode, 200, `${route} ${name}=${value} is accepted`);
    }
  }
});

t.test('every integer in a URL is written in decimal digits; other spellings are a 400 naming it', async (t) => {
  t.ok(integerParameters.some((p) => p.in === 'path') && integerParameters.some((p) => p.name === 'limit'), 'path ids and limits are covered');
  for (const { route, name, in: where } of integerParameters) {
    for (const written of ['1e1', '1E0', '0x1', '+1', ' 1', '1.0', '１', '1e400', 'Infinity', '-Infinity', 'NaN', '00000000000000001']) {
      const target = where === 'path' ? url(route.replace(`{${name}}`, encodeURIComponent(written)), '') : url(route, `${name}=${encodeURIComponent(written)}`);
      const res = await get(target);
      t.equal(res.statusCode, 400, `${target} → 400`);
      t.ok(
        res.json().errors?.some((e: { field: string }) => e.field === `/${where === 'path' ? 'params' : 'querystring'}/${name}`),
        `${target} names ${name}`,
      );
    }
  }
  t.equal((await get('/api/v1/tasks/10')).json().no, 10, 'a plain decimal id still finds its task');
  t.equal((await get('/api/v1/tasks?limit=7&offset=3')).json().items.length, 7, 'plain decimal paging still works');
});

t.test('a plain date is read in Asia/Shanghai: asOf and until at the end of the day, since at its start', async (t) => {
  const endOfDay = encodeURIComponent('2024-06-30T23:59:59.999+08:00');
  const byDate = (await get('/api/v1/dashboard?year=2024&asOf=2024-06-30')).json();
  const byInstant = (await get(`/api/v1/dashboard?year=2024&asOf=${endOfDay}`)).json();
  t.equal(byDate.asOf, '2024-06-30T15:59:59.999Z', 'asOf=2024-06-30 is the last millisecond of 30 June in Shanghai');
  t.same(byDate, byInstant, 'and answers what that instant answers');

  // An audit event written at the clock's instant: 00:30 on 30 June in Shanghai.
  await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin.headers, payload: { name: '读取', role: 'reader' } });
  const count = async (query: string) => (await get(`/api/v1/audit-events?action=apikey.create&${query}`)).json().items.length as number;
  t.equal(await count('since=2024-06-30'), 1, 'since a date includes that whole day');
  t.equal(await count('since=2024-07-01'), 0, 'since the next day excludes it');
  t.equal(await count('until=2024-06-30'), 1, 'until a date includes that day');
  t.equal(await count('until=2024-06-29'), 0, 'until the day before excludes it (in UTC the event is still on the 29th)');
});

t.test('every instant filter reads a plain date as the instant its description names', async (t) => {
  for (const { route, name, description } of instantFilters) {
    const named = /`2024-06-30` stands for `([^`]+)`/.exec(description)?.[1];
    t.ok(named, `${route} ${name} says which instant 2024-06-30 stands for`);
    const [byDate, byInstant] = await Promise.all([get(url(route, `${name}=2024-06-30`)), get(url(route, `${name}=${encodeURIComponent(named ?? '')}`))]);
    t.equal(byDate.statusCode, 200, `${route} ${name}=2024-06-30 → 200`);
    t.equal(byInstant.statusCode, 200, `${route} ${name}=${named} → 200`);
    // Workbooks carry the time they were made: the JSON and CSV answers are compared whole.
    if (!/spreadsheetml/.test(String(byDate.headers['content-type']))) t.equal(byDate.body, byInstant.body, `${route} ${name}: the date answers what ${named} answers`);
  }
});

t.test('JSON numbers beyond a double are refused in bodies, and nothing is stored', async (t) => {
  const reporter = issueKey(databasePath, 'reporter', '市民政局');
  const measure = (await get(`/api/v1/measures?unit=${encodeURIComponent('市民政局')}&limit=1`)).json().items[0].id as number;
  const before = writeFingerprint(databasePath);
  for (const [field, body] of [
    ['/body/percentComplete', `{"measureId":${measure},"period":"2024","status":"in_progress","percentComplete":1e400}`],
    ['/body/indicatorValues/0/value', `{"measureId":${measure},"period":"2024","status":"in_progress","indicatorValues":[{"indicatorId":1,"value":-1e400}]}`],
    ['/body/measureId', `{"measureId":1e300,"period":"2024","status":"in_progress"}`],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: { ...reporter.headers, 'content-type': 'application/json' }, payload: body });
    t.equal(res.statusCode, 400, `${field} → 400`);
    t.same(
      res.json().errors.map((e: { field: string }) => e.field),
      [field],
    );
  }
  t.equal(writeFingerprint(databasePath), before, 'nothing was written');
});
