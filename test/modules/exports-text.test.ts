/**
 * Every export stays well-formed whatever text the database holds: characters the API now refuses (src/http/text.ts)
 * are put straight into the database — a report's narrative, a return note, the plan's own text, as an older build or
 * the seed could have stored them — and every workbook is unzipped and each of its XML parts parsed by saxes, a
 * parser that enforces XML 1.0's character rules; every CSV is read as strict UTF-8. The refused characters arrive
 * as U+FFFD.
 */
import Database from 'better-sqlite3';
import JSZip from 'jszip';
import { SaxesParser } from 'saxes';
import t, { type Test } from 'tap';
import { isText } from '../../src/http/text.js';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';
import { REFUSED } from '../helpers/text-classes.js';

const clock = new Date('2025-03-01T02:00:00Z');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock });
const reporter = issueKey(databasePath, 'reporter', '市民政局');
const coordinator = issueKey(databasePath, 'coordinator');

/** Every refused class in one string, behind a marker that shows the text reached the export. */
const MARKER = '注入';
const UNFIT = `${MARKER}${REFUSED.map((s) => s.char).join('')}`;

const [measure] = (await app.inject('/api/v1/measures?unit=市民政局&limit=500')).json().items as { id: number }[];
async function reviewed(period: string, review: 'approve' | 'return') {
  const posted = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: reporter.headers,
    payload: { measureId: measure!.id, period, status: 'in_progress', narrative: '已开展', submit: true },
  });
  const id = posted.json().id as number;
  const answer = await app.inject({ method: 'POST', url: `/api/v1/reports/${id}/${review}`, headers: coordinator.headers, payload: review === 'return' ? { note: '请补充' } : {} });
  if (answer.statusCode !== 200) throw new Error(answer.body);
  return id;
}
const approved = await reviewed('2024-Q2', 'approve');
const returned = await reviewed('2024-Q1', 'return');

// Straight into the database, past the API's rule. The plan's text is read once per plan by monitoring: it is
// changed before any export has asked for it.
const db = new Database(databasePath);
db.prepare('UPDATE progress_reports SET narrative = ? WHERE id = ?').run(UNFIT, approved);
db.prepare('UPDATE report_returns SET note = ? WHERE report_id = ?').run(UNFIT, returned);
for (const sql of [
  'UPDATE chapters SET title = title || @unfit',
  'UPDATE tasks SET title = title || @unfit',
  'UPDATE measures SET text = text || @unfit, targets_text = targets_text || @unfit',
  'UPDATE milestones SET text = text || @unfit',
]) {
  db.prepare(sql).run({ unfit: UNFIT });
}
db.close();

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses every part of the workbook; returns their text nodes. */
async function xmlParts(t: Test, payload: Buffer): Promise<string[]> {
  const zip = await JSZip.loadAsync(payload);
  const parts = Object.values(zip.files).filter((entry) => !entry.dir);
  t.ok(
    parts.some((part) => part.name === 'xl/sharedStrings.xml'),
    'the workbook has its shared strings',
  );
  const texts: string[] = [];
  for (const part of parts) {
    const errors: string[] = [];
    const parser = new SaxesParser({ xmlns: true });
    parser.on('error', (error) => errors.push(error.message));
    parser.on('text', (text) => texts.push(text));
    parser.write(utf8.decode(await part.async('uint8array'))).close();
    t.same(errors, [], `${part.name} is well-formed XML 1.0`);
  }
  return texts;
}

/** The cleaned text reached the export: the marker is there, with U+FFFD for each refused character, and nothing refused. */
function carriesCleanedText(t: Test, texts: string[]) {
  const marked = texts.filter((text) => text.includes(MARKER));
  t.ok(marked.length > 0, 'the injected text is exported');
  t.ok(
    marked.every((text) => text.includes('\uFFFD')),
    'with U+FFFD where the refused characters were',
  );
  t.ok(texts.every(isText), 'and no refused character left');
}

const EXPORTS = [
  ...[2022, 2024, 2025].map((year) => `/api/v1/exports/breakdown.{format}?year=${year}`),
  ...['2024-06-30', '2025-03-01'].map((asOf) => `/api/v1/exports/follow-ups.{format}?asOf=${asOf}`),
];

for (const url of EXPORTS) {
  t.test(url.replace('{format}', 'xlsx'), async (t) => {
    const res = await app.inject(url.replace('{format}', 'xlsx'));
    t.equal(res.statusCode, 200);
    carriesCleanedText(t, await xmlParts(t, res.rawPayload));
  });
  t.test(url.replace('{format}', 'csv'), async (t) => {
    const res = await app.inject(url.replace('{format}', 'csv'));
    t.equal(res.statusCode, 200);
    carriesCleanedText(t, [utf8.decode(res.rawPayload)]);
  });
}
