import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

/**
 * Problems speak Chinese to the clerks by default and English to whoever asks for it; `type`, `status` and
 * `errors[].field` are the same in both, so a program never parses the words.
 */
const { app, databasePath } = await buildTestAppWithDatabase(t);
const admin = issueKey(databasePath, 'admin');

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

async function problemIn(language: string | undefined, request: { method?: 'GET' | 'POST'; url: string; payload?: unknown; headers?: Record<string, string> }) {
  const res = await app.inject({
    method: request.method ?? 'GET',
    url: request.url,
    payload: request.payload as string,
    headers: { ...request.headers, ...(language === undefined ? {} : { 'accept-language': language }) },
  });
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${request.url} answers problem+json`);
  return { status: res.statusCode, body: res.json<Problem>() };
}

const HAN = /\p{Script=Han}/u;
/** Validator internals a reader must never see. */
const INTERNALS = /Expected|StringEnum|union value|must match pattern|\^\[|\$\/|must be equal to one of the allowed values/;

const CASES = [
  {
    name: 'an enum filter',
    url: '/api/v1/assignments?light=purple',
    status: 400,
    field: '/querystring/light',
    zh: /green.*yellow.*red/,
    en: /must be one of "green", "yellow", "red"/,
  },
  { name: 'a number out of range', url: '/api/v1/tasks?limit=501', status: 400, field: '/querystring/limit', zh: /不得大于 500/, en: /must be at most 500/ },
  { name: 'a malformed period', url: '/api/v1/reports?period=2024-Q5', status: 400, field: '/querystring/period', zh: /2024-H1.*2024-Q3/, en: /a quarter \(2024-Q3\)/ },
  { name: 'a malformed date', url: '/api/v1/assignments?asOf=2024-02-30', status: 400, field: '/querystring/asOf', zh: /真实存在的日期/, en: /a day that exists/ },
  { name: 'a task that does not exist', url: '/api/v1/tasks/999999', status: 404, zh: /任务 999999 不存在/, en: /task 999999 does not exist/ },
  { name: 'an unknown unit', url: '/api/v1/assignments?unit=不存在的局', status: 400, field: '/querystring/unit', zh: /没有名为“不存在的局”的单位/, en: /names no known unit/ },
];

for (const c of CASES) {
  t.test(`${c.name}: Chinese by default, English on request, the same identifiers`, async (t) => {
    const zh = await problemIn(undefined, { url: c.url, headers: admin.headers });
    const en = await problemIn('en', { url: c.url, headers: admin.headers });
    t.equal(zh.status, c.status);
    t.equal(en.status, c.status);
    t.equal(zh.body.type, en.body.type, 'type is one identifier in both languages');
    t.ok(HAN.test(zh.body.title) && HAN.test(zh.body.detail), `Chinese title and detail: ${zh.body.title} / ${zh.body.detail}`);
    t.notOk(HAN.test(en.body.title), `English title: ${en.body.title}`);
    t.match(zh.body.detail, c.zh);
    t.match(en.body.detail, c.en);
    t.notMatch(zh.body.detail, INTERNALS);
    t.notMatch(en.body.detail, INTERNALS);
    if (c.field) {
      t.same(
        zh.body.errors?.map((e) => e.field),
        [c.field],
      );
      t.same(
        en.body.errors?.map((e) => e.field),
        [c.field],
      );
      t.match(zh.body.errors?.[0]?.message, c.zh);
      t.match(en.body.errors?.[0]?.message, c.en);
    }
  });
}

t.test('Accept-Language is negotiated: regional English and weighted lists read English, other languages Chinese', async (t) => {
  const url = '/api/v1/tasks/999999';
  for (const header of ['en-US', 'en-GB,en;q=0.8', 'fr;q=0.9, en;q=0.5']) t.match((await problemIn(header, { url })).body.detail, /does not exist/, header);
  for (const header of ['zh-CN', 'zh-CN,zh;q=0.9,en;q=0.8', 'fr', '*']) t.match((await problemIn(header, { url })).body.detail, /不存在/, header);
});

t.test("Fastify's own refusals and a route that does not exist speak the reader's language", async (t) => {
  const media = { method: 'POST' as const, url: '/api/v1/reports', payload: 'x', headers: { ...admin.headers, 'content-type': 'application/xml' } };
  const zh = await problemIn(undefined, media);
  t.equal(zh.status, 415);
  t.match(zh.body.detail, /不支持此内容类型/);
  t.match((await problemIn('en', media)).body.detail, /Unsupported Media Type|content-type/i);
  const json = { method: 'POST' as const, url: '/api/v1/reports', payload: '{"measureId":', headers: { ...admin.headers, 'content-type': 'application/json' } };
  t.match((await problemIn(undefined, json)).body, { status: 400, detail: /JSON/ });
  t.ok(HAN.test((await problemIn(undefined, json)).body.detail), 'malformed JSON told in Chinese');
  t.match((await problemIn(undefined, { url: '/api/v1/nowhere' })).body.detail, /没有与 GET \/api\/v1\/nowhere 对应的接口/);
  t.match((await problemIn('en', { url: '/api/v1/nowhere' })).body.detail, /No route matches GET \/api\/v1\/nowhere/);
});

t.test('a bulk row with a bad status names the allowed statuses in the reader’s language, never TypeBox’s words', async (t) => {
  const payload = { reports: [{ measureId: 1, unit: '市发展改革委', period: '2024-Q3', status: 'finished' }] };
  const post = (language?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/reports/bulk?dryRun=true',
      payload,
      headers: { ...admin.headers, ...(language ? { 'accept-language': language } : {}) },
    });
  // Every row refused: 422, the rows' problems in `errors` and the summary beside them.
  const zhRes = await post();
  const enRes = await post('en');
  t.equal(zhRes.statusCode, 422);
  type Refused = { errors: { field: string; message: string }[]; importSummary: { conflicts: { field: string; message: string }[] } };
  const zhBody = zhRes.json<Refused>();
  const enBody = enRes.json<Refused>();
  t.same(
    zhBody.errors,
    zhBody.importSummary.conflicts.map(({ field, message }) => ({ field, message })),
    'errors and the summary say the same',
  );
  const zh = zhBody.importSummary;
  const en = enBody.importSummary;
  t.equal(zh.conflicts[0]?.field, '/body/reports/0/status');
  t.equal(en.conflicts[0]?.field, '/body/reports/0/status');
  t.match(zh.conflicts[0]?.message, /^应为以下之一：.*"in_progress"/);
  t.match(en.conflicts[0]?.message, /^must be one of .*"in_progress"/);
  t.match(zhBody.errors[0]?.message, /^应为以下之一/);
  t.match(enBody.errors[0]?.message, /^must be one of/);
  t.notMatch(zh.conflicts[0]?.message, INTERNALS);
  t.notMatch(en.conflicts[0]?.message, INTERNALS);
});

t.test('a refusal that carries its own header (401) is Chinese by default too', async (t) => {
  const res = await problemIn(undefined, { url: '/api/v1/tasks', headers: { authorization: 'Bearer nope' } });
  t.equal(res.status, 401);
  t.match(res.body.detail, /API 密钥无效/);
});
