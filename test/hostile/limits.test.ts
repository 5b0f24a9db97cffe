/**
 * Every size limit the API enforces, at its edge: the largest accepted input passes the limit, one more byte (row,
 * item) is refused with the documented 4xx problem, and a refused write leaves the database as it was. The numbers
 * come from where each limit is defined.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { projectRoot } from '../../src/db/client.js';
import { MAX_LIMIT } from '../../src/http/pagination.js';
import { BULK_BODY_LIMIT } from '../../src/modules/reports/bulk-routes.js';
import { BULK_MAX_ROWS } from '../../src/modules/reports/bulk.js';
import { REPORT_BODY_LIMIT } from '../../src/modules/reports/routes.js';
import { BODY_LIMIT, MAX_PARAM_LENGTH, MAX_URL_BYTES } from '../../src/http/limits.js';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { writeFingerprint } from '../helpers/db.js';
import { sendRaw } from '../helpers/http.js';
import { issueKey } from '../helpers/keys.js';

interface Contract {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean; schema: { maximum?: number } }[]; responses: Record<string, unknown> }>>;
}
const contract = JSON.parse(fs.readFileSync(path.join(projectRoot, 'openapi', 'openapi.json'), 'utf8')) as Contract;
const operations = Object.entries(contract.paths).flatMap(([route, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ route, method, op })));

const { app, databasePath } = await buildTestAppWithDatabase(t);
const admin = issueKey(databasePath, 'admin');
const county = issueKey(databasePath, 'reporter', '北林区');

/** A JSON body of exactly `bytes` bytes: the given object with a padded string field. */
function jsonOfSize(bytes: number, fields: Record<string, unknown>, pad: string): string {
  const empty = JSON.stringify({ ...fields, [pad]: '' });
  return JSON.stringify({ ...fields, [pad]: 'x'.repeat(bytes - Buffer.byteLength(empty)) });
}

/** The answer is the documented problem, with the status the contract lists for the operation. */
function assertProblem(t: Test, response: Awaited<ReturnType<typeof app.inject>>, status: number, route: string, method: string) {
  t.equal(response.statusCode, status, `${method} ${route} → ${status}`);
  t.match(response.headers['content-type'], /^application\/problem\+json/);
  t.match(response.json(), { type: String, title: String, status, detail: String });
  t.ok(contract.paths[route]?.[method.toLowerCase()]?.responses[String(status)], `${status} is documented for ${method} ${route}`);
}

t.test(`request bodies: ${REPORT_BODY_LIMIT} bytes on POST /reports, ${BULK_BODY_LIMIT} on /reports/bulk, ${BODY_LIMIT} elsewhere → 413`, async (t) => {
  const cases = [
    { route: '/api/v1/reports', limit: REPORT_BODY_LIMIT, key: county, fields: { measureId: 1, period: '2024', status: 'completed' }, pad: 'narrative' },
    { route: '/api/v1/reports/bulk', limit: BULK_BODY_LIMIT, key: county, fields: { reports: [] }, pad: 'padding' },
    { route: '/api/v1/api-keys', limit: BODY_LIMIT, key: admin, fields: { role: 'reader' }, pad: 'name' },
  ];
  for (const { route, limit, key, fields, pad } of cases) {
    const before = writeFingerprint(databasePath);
    const send = (payload: string) => app.inject({ method: 'POST', url: route, headers: { ...key.headers, 'content-type': 'application/json' }, payload });
    const atLimit = await send(jsonOfSize(limit, fields, pad));
    t.equal(atLimit.statusCode, 400, `${route}: a body of exactly ${limit} bytes is read (and refused by validation, not by size)`);
    assertProblem(t, await send(jsonOfSize(limit + 1, fields, pad)), 413, route, 'POST');
    t.equal(writeFingerprint(databasePath), before, `${route}: nothing written`);
  }
  const csv = await app.inject({
    method: 'POST',
    url: '/api/v1/reports/bulk',
    headers: { ...county.headers, 'content-type': 'text/csv' },
    payload: 'x'.repeat(BULK_BODY_LIMIT + 1),
  });
  assertProblem(t, csv, 413, '/api/v1/reports/bulk', 'POST');
});

t.test(`a URL over ${MAX_URL_BYTES} bytes, or a path parameter over ${MAX_PARAM_LENGTH} characters → 414`, async (t) => {
  const urlOfSize = (bytes: number) => `/health?pad=${'x'.repeat(bytes - '/health?pad='.length)}`;
  t.equal((await app.inject(urlOfSize(MAX_URL_BYTES))).statusCode, 200, `a URL of exactly ${MAX_URL_BYTES} bytes is served`);
  const long = await app.inject(urlOfSize(MAX_URL_BYTES + 1));
  assertProblem(t, long, 414, '/health', 'GET');
  t.match(long.json(), { type: '/problems/uri-too-long', title: '网址过长' });

  t.equal((await app.inject(`/api/v1/tasks/${'9'.repeat(MAX_PARAM_LENGTH)}`)).statusCode, 400, 'a path parameter at the limit reaches validation');
  const longParam = await app.inject(`/api/v1/tasks/${'9'.repeat(MAX_PARAM_LENGTH + 1)}`);
  assertProblem(t, longParam, 414, '/api/v1/tasks/{id}', 'GET');

  const before = writeFingerprint(databasePath);
  assertProblem(t, await app.inject({ method: 'POST', url: `/api/v1/reports?${'x'.repeat(MAX_URL_BYTES)}`, headers: county.headers, payload: {} }), 414, '/api/v1/reports', 'POST');
  t.equal(writeFingerprint(databasePath), before, 'nothing written');
  for (const { route, method, op } of operations) t.ok(op.responses['414'], `414 is documented for ${method.toUpperCase()} ${route}`);
});

t.test(`list limit: at most ${MAX_LIMIT} items a page → 400`, async (t) => {
  // Every list in the contract that needs no other parameter.
  const lists = operations.filter(({ method, op }) => method === 'get' && op.parameters?.some((p) => p.name === 'limit') && !op.parameters.some((p) => p.required));
  t.ok(lists.length >= 10, 'the lists are found in the contract');
  for (const { route, op } of lists) {
    t.equal(op.parameters!.find((p) => p.name === 'limit')!.schema.maximum, MAX_LIMIT, `${route} documents the maximum`);
    t.equal((await app.inject({ url: `${route}?limit=${MAX_LIMIT}`, headers: admin.headers })).statusCode, 200, `${route}?limit=${MAX_LIMIT}`);
    const over = await app.inject({ url: `${route}?limit=${MAX_LIMIT + 1}`, headers: admin.headers });
    assertProblem(t, over, 400, route, 'GET');
    t.equal(over.json().errors[0].field, '/querystring/limit');
  }
});

t.test(`bulk import: at most ${BULK_MAX_ROWS} rows → 400`, async (t) => {
  // The measures the counties owe; an admin's file for two counties holds more distinct reports than one county has.
  const measureIds = ((await app.inject(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=500`)).json().items as { id: number }[]).map((m) => m.id);
  const periods = [2021, 2022, 2023, 2024, 2025].flatMap((year) => [
    String(year),
    ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
    ...Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`),
  ]);
  const units = ['北林区', '海伦市'];
  // Distinct measure/period/unit rows: one file may name each report once.
  const row = (i: number) => ({
    unit: units[i % units.length]!,
    measureId: measureIds[Math.floor(i / units.length) % measureIds.length]!,
    period: periods[Math.floor(i / units.length / measureIds.length)]!,
    status: 'in_progress',
    narrative: `第${i}行`,
  });
  const rows = (count: number) => Array.from({ length: count }, (_, i) => row(i));
  const csv = (count: number) =>
    ['unit,measureId,period,status,narrative', ...rows(count).map((r) => `${r.unit},${r.measureId},${r.period},${r.status},${r.narrative}`)].join('\n');
  const bulk = (payload: string, contentType: string) =>
    app.inject({ method: 'POST', url: '/api/v1/reports/bulk?dryRun=true', headers: { ...admin.headers, 'content-type': contentType }, payload });

  const before = writeFingerprint(databasePath);
  const atLimit = await bulk(JSON.stringify({ reports: rows(BULK_MAX_ROWS) }), 'application/json');
  t.equal(atLimit.statusCode, 200, `${BULK_MAX_ROWS} rows are checked`);
  t.equal(atLimit.json().counts.rows, BULK_MAX_ROWS);
  const json = await bulk(JSON.stringify({ reports: rows(BULK_MAX_ROWS + 1) }), 'application/json');
  assertProblem(t, json, 400, '/api/v1/reports/bulk', 'POST');
  t.equal(json.json().errors[0].field, '/body/reports');
  const fromCsv = await bulk(csv(BULK_MAX_ROWS + 1), 'text/csv');
  assertProblem(t, fromCsv, 400, '/api/v1/reports/bulk', 'POST');
  t.match(fromCsv.json().detail, `每次最多导入 ${BULK_MAX_ROWS} 行`);
  t.equal(writeFingerprint(databasePath), before, 'a dry run and refused imports write nothing');
});

t.test(`headers over Node's ${http.maxHeaderSize} bytes → 431 on a real socket`, async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const withHeader = (bytes: number) => sendRaw(port, `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ${'a'.repeat(bytes)}\r\n\r\n`);

  t.match(await withHeader(http.maxHeaderSize / 2), /^HTTP\/1\.1 200 /, 'headers well under the limit are served');
  const tooLarge = await withHeader(http.maxHeaderSize);
  t.match(tooLarge, /^HTTP\/1\.1 431 /);
  t.match(tooLarge, /Content-Type: application\/problem\+json/);
  t.match(JSON.parse(tooLarge.split('\r\n\r\n')[1]!), { status: 431, title: '请求头过大' });

  // Between the URL limit and the header limit the URL reaches the app and is refused there.
  const longUrl = await sendRaw(port, `GET /health?pad=${'x'.repeat(MAX_URL_BYTES)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  t.match(longUrl, /^HTTP\/1\.1 414 /);
  t.match(longUrl, /content-type: application\/problem\+json/i);
});
