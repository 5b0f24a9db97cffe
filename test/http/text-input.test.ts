/**
 * What text the API accepts (src/http/text.ts): every free-text field a client writes refuses each character class
 * XML cannot hold (or that only mis-decoded input produces) with a 400 naming the field and nothing written; bulk
 * imports reject such rows by index or CSV line and field; the edge characters just inside the rule are stored as sent.
 */
import t from 'tap';
import { ruleWords } from '../../src/http/rule-words.js';
import { TEXT_FORMAT } from '../../src/http/text.js';

/** How a clerk is told what text a field takes (the default language, Chinese). */
const TEXT_MESSAGE = ruleWords({ keyword: 'format', params: { format: TEXT_FORMAT } }).zh;
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { rows, writeFingerprint } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';
import { ACCEPTED, ACCEPTED_TEXT, REFUSED } from '../helpers/text-classes.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const reporter = issueKey(databasePath, 'reporter', '市民政局');
const coordinator = issueKey(databasePath, 'coordinator');
const admin = issueKey(databasePath, 'admin');
const [measureA, measureB] = (await app.inject('/api/v1/measures?unit=市民政局&limit=500')).json().items as { id: number }[];

type Method = 'POST' | 'PATCH';
/** The body is serialised here so the raw JSON is what a client sends: a lone surrogate travels as `\ud800`. */
function send(method: Method, url: string, key: { headers: Record<string, string> }, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method, url, headers: { ...key.headers, ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

async function created(body: Record<string, unknown>) {
  const res = await send('POST', '/api/v1/reports', reporter, body);
  if (res.statusCode >= 300) throw new Error(res.body);
  return res.json() as { id: number; etag: string };
}
// A draft to PATCH, a submitted report to approve or return. Refused writes target measure A's 2022, never written.
const draft = await created({ measureId: measureA!.id, period: '2021', status: 'in_progress', narrative: '草稿' });
const submitted = await created({ measureId: measureB!.id, period: '2024', status: 'in_progress', narrative: '已开展', submit: true });

const report = (fields: Record<string, unknown>) => ({ measureId: measureA!.id, period: '2022', status: 'in_progress', ...fields });
const WRITES: { what: string; field: string; write: (text: string) => ReturnType<typeof send> }[] = [
  { what: 'POST /reports narrative', field: '/body/narrative', write: (text) => send('POST', '/api/v1/reports', reporter, report({ narrative: text })) },
  { what: 'POST /reports evidence title', field: '/body/evidence/0/title', write: (text) => send('POST', '/api/v1/reports', reporter, report({ evidence: [{ title: text }] })) },
  {
    what: 'POST /reports evidence note',
    field: '/body/evidence/0/note',
    write: (text) => send('POST', '/api/v1/reports', reporter, report({ evidence: [{ title: '台账', note: text }] })),
  },
  {
    what: 'POST /reports evidence url',
    field: '/body/evidence/0/url',
    write: (text) => send('POST', '/api/v1/reports', reporter, report({ evidence: [{ title: '台账', url: `https://xy.suihua.gov.cn/${text}` }] })),
  },
  {
    what: 'PATCH /reports/{id} narrative',
    field: '/body/narrative',
    write: (text) => send('PATCH', `/api/v1/reports/${draft.id}`, reporter, { narrative: text }, { 'if-match': draft.etag }),
  },
  { what: 'approve note', field: '/body/note', write: (text) => send('POST', `/api/v1/reports/${submitted.id}/approve`, coordinator, { note: text }) },
  { what: 'return note', field: '/body/note', write: (text) => send('POST', `/api/v1/reports/${submitted.id}/return`, coordinator, { note: text }) },
  { what: 'POST /api-keys name', field: '/body/name', write: (text) => send('POST', '/api/v1/api-keys', admin, { name: text, role: 'reader' }) },
];

t.test('a lone surrogate reaches the server as a JSON escape', async (t) => {
  t.match(JSON.stringify({ narrative: '前\uD800后' }), '"前\\ud800后"');
});

for (const { what, field, write } of WRITES) {
  t.test(`${what}: every refused class is a 400 naming ${field}, nothing written`, async (t) => {
    for (const { name, char } of REFUSED) {
      const before = writeFingerprint(databasePath);
      const res = await write(`前${char}后`);
      t.equal(res.statusCode, 400, `${name}: 400`);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      const errors = (res.json().errors ?? []) as { field: string; message: string }[];
      // The URL's own format (RFC 3986, ASCII) refuses these first, in its own words.
      const message = field.endsWith('/url') ? ruleWords({ keyword: 'format', params: { format: 'uri' } }).zh : TEXT_MESSAGE;
      t.same(errors, [{ field, message }], `${name}: names ${field}`);
      t.equal(writeFingerprint(databasePath), before, `${name}: the database is unchanged`);
    }
  });
}

t.test('the edge characters just inside the rule are stored exactly as sent', async (t) => {
  for (const { name, char } of ACCEPTED) {
    const narrative = `前${char}后`;
    const res = await send('POST', '/api/v1/reports', reporter, report({ period: '2023', narrative }));
    t.ok(res.statusCode === 200 || res.statusCode === 201, `${name}: accepted (${res.statusCode})`);
    const stored = (await app.inject({ url: `/api/v1/reports/${res.json().id}`, headers: reporter.headers })).json();
    t.equal(stored.narrative, narrative, `${name}: read back unchanged`);
  }

  const evidence = [{ title: ACCEPTED_TEXT, note: ACCEPTED_TEXT }];
  const posted = await send('POST', '/api/v1/reports', reporter, report({ period: '2023', evidence }));
  t.equal(posted.statusCode, 200, 'evidence title and note with every accepted character');
  t.same(posted.json().evidence, evidence);
  const patched = await send('PATCH', `/api/v1/reports/${draft.id}`, reporter, { narrative: ACCEPTED_TEXT }, { 'if-match': draft.etag });
  t.equal(patched.statusCode, 200, 'PATCH narrative');
  t.equal(patched.json().narrative, ACCEPTED_TEXT);
  const returned = await send('POST', `/api/v1/reports/${submitted.id}/return`, coordinator, { note: ACCEPTED_TEXT });
  t.equal(returned.statusCode, 200, 'return note');
  t.equal(returned.json().reviewNote, ACCEPTED_TEXT);
  const key = await send('POST', '/api/v1/api-keys', admin, { name: ACCEPTED_TEXT, role: 'reader' });
  t.equal(key.statusCode, 201, 'key name');
  t.equal(key.json().key.name, ACCEPTED_TEXT);
});

t.test('bulk JSON: a row with refused text is rejected by index and field, nothing written', async (t) => {
  for (const { name, char } of REFUSED) {
    const before = writeFingerprint(databasePath);
    const good = report({ period: '2025', narrative: '正常' });
    const bad = report({ period: '2025-Q1', evidence: [{ title: '台账', note: `前${char}后` }] });
    const res = await send('POST', '/api/v1/reports/bulk', reporter, { reports: [good, bad] });
    t.equal(res.statusCode, 422, `${name}: the atomic import is rejected`);
    t.same(res.json().importSummary.conflicts, [{ index: 1, field: '/body/reports/1/evidence/0/note', message: TEXT_MESSAGE }], `${name}: row 1, its field`);
    t.equal(writeFingerprint(databasePath), before, `${name}: the database is unchanged`);
  }
  // Bulk rows are checked by TypeBox, whose `uri` is URL.canParse: that passes a control character (percent-encoding it).
  const url = 'https://xy.suihua.gov.cn/a\u0001b';
  const res = await send('POST', '/api/v1/reports/bulk', reporter, { reports: [report({ evidence: [{ title: '台账', url }] })] });
  t.equal(res.statusCode, 422, 'a URL with a control character is rejected too');
  t.match(res.json().importSummary.conflicts, [{ index: 0, field: '/body/reports/0/evidence/0/url' }]);
});

const csv = (narrative: string) => `measureId,period,status,narrative\r\n${measureA!.id},2025,in_progress,正常\r\n${measureA!.id},2025-Q2,in_progress,"${narrative}"\r\n`;
const sendCsv = (body: string, query = '') =>
  app.inject({ method: 'POST', url: `/api/v1/reports/bulk${query}`, headers: { ...reporter.headers, 'content-type': 'text/csv' }, payload: Buffer.from(body) });

t.test('bulk CSV: a row with refused text is rejected by line and field, nothing written', async (t) => {
  // A CSV body is UTF-8 bytes: an unpaired surrogate cannot be encoded, the client's encoder sends U+FFFD instead.
  for (const { name, char } of REFUSED.filter((s) => !s.name.includes('surrogate'))) {
    const before = writeFingerprint(databasePath);
    const res = await sendCsv(csv(`前${char}后`));
    t.equal(res.statusCode, 422, `${name}: the atomic import is rejected`);
    t.same(res.json().importSummary.conflicts, [{ index: 1, line: 3, field: '/body/rows/1/narrative', message: TEXT_MESSAGE }], `${name}: line 3, narrative`);
    t.equal(writeFingerprint(databasePath), before, `${name}: the database is unchanged`);
  }
});

t.test('bulk CSV: the accepted edge characters are imported as sent', async (t) => {
  const res = await sendCsv(csv(ACCEPTED_TEXT));
  t.equal(res.statusCode, 200, res.body);
  const id = res.json().rows[1].reportId as number;
  t.same(rows(databasePath, 'SELECT narrative FROM progress_reports WHERE id = ?', id), [{ narrative: ACCEPTED_TEXT }]);
});
