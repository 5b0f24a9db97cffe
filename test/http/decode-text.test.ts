/**
 * Uploaded text in the encodings Chinese offices save it in: the same CSV in UTF-8 (with and without a BOM), GBK
 * (declared, and recognised), UTF-16 with a BOM — through the bulk import, to identical stored text; bytes that are
 * not text are refused with their line, never stored as U+FFFD. The bytes are made with iconv-lite, an encoder of
 * its own, not the decoder under test.
 */
import iconv from 'iconv-lite';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { charsetOf, decodeText } from '../../src/http/decode-text.js';
import { HttpProblem } from '../../src/http/problem.js';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { rows, writeFingerprint } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';

const csvText = (measureId: number, period: string) =>
  ['measureId,period,status,narrative,evidence', `${measureId},${period},in_progress,"已公示“双公示”信息 12 条，含𠀀扩展字",甄别台账 | https://example.gov.cn/台账.xlsx`].join(
    '\r\n',
  );

t.test('the decoder: BOM, declared charset, recognised GBK, refusals with their line', async (t) => {
  const text = '序号,内容\n1,信用承诺\n2,双随机、一公开\n';
  t.same(decodeText(Buffer.from(text), undefined), { text, encoding: 'utf-8' });
  t.same(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'gbk'), { text, encoding: 'utf-8' }, 'a BOM wins over the declared charset');
  t.same(decodeText(iconv.encode(text, 'gbk'), 'GBK'), { text, encoding: 'gb18030' }, 'declared (any case)');
  t.same(decodeText(iconv.encode(text, 'gb18030'), 'gb2312'), { text, encoding: 'gb18030' }, 'gb2312 is read as its superset');
  t.same(decodeText(iconv.encode(text, 'gbk'), undefined), { text, encoding: 'gb18030' }, 'undeclared and not UTF-8: GBK');
  t.same(decodeText(iconv.encode(text, 'utf16-le', { addBOM: true }), undefined), { text, encoding: 'utf-16le' });
  t.same(decodeText(iconv.encode(text, 'utf16-be', { addBOM: true }), 'utf-8'), { text, encoding: 'utf-16be' });

  const problem = (bytes: Buffer, charset?: string) => {
    try {
      decodeText(bytes, charset);
    } catch (error) {
      if (error instanceof DomainError) return { kind: error.kind, field: error.fields?.[0]?.field, message: error.message };
      if (error instanceof HttpProblem) return { status: error.status, message: error.message };
      throw error;
    }
    return undefined;
  };
  const gbk = iconv.encode(text, 'gbk');
  const truncated = gbk.subarray(0, gbk.length - 2); // the last line ends inside a two-byte character
  t.match(problem(truncated, 'gbk'), { kind: 'invalid', field: '/body', message: /is not GBK\/GB18030 text on line 3/ });
  const utf8 = Buffer.from(text);
  const damaged = Buffer.concat([utf8.subarray(0, 32), utf8.subarray(33)]); // the second byte of 双 (line 3 starts at byte 29) lost
  t.match(problem(damaged), { kind: 'invalid', message: /is not UTF-8 text on line 3/ }, 'damaged UTF-8 is not read as GBK nonsense');
  t.match(problem(damaged, 'utf-8'), { message: /line 3/ });
  t.match(problem(Buffer.from([0x31, 0x0a, 0x81, 0x0a]), undefined), { kind: 'invalid', message: /is not GBK\/GB18030 text on line 2/ });
  t.match(problem(Buffer.from(text), 'latin-1-ish'), { status: 415, message: /charset=latin-1-ish/ });
  t.match(problem(Buffer.from(text), 'shift_jis'), { status: 415 }, 'a real charset we do not read');
  const oddUtf16 = Buffer.concat([iconv.encode('a\nb', 'utf16-le', { addBOM: true }), Buffer.from([0x00])]);
  t.match(problem(oddUtf16), { message: /is not UTF-16 text on line 2/ });

  t.equal(charsetOf('text/csv; charset=GBK'), 'gbk');
  t.equal(charsetOf('text/csv;charset="utf-8"'), 'utf-8');
  t.equal(charsetOf('text/csv'), undefined);
  t.equal(charsetOf(undefined), undefined);
});

t.test('through the bulk import: every encoding stores the same text; undecodable bytes store nothing', async (t) => {
  const { app, databasePath } = await buildTestAppWithDatabase(t);
  const county = issueKey(databasePath, 'reporter', '北林区');
  const measureId = ((await app.inject(`/api/v1/measures?unit=${encodeURIComponent('北林区')}&limit=1`)).json().items[0] as { id: number }).id;
  const post = (body: Buffer, contentType: string) =>
    app.inject({ method: 'POST', url: '/api/v1/reports/bulk', headers: { ...county.headers, 'content-type': contentType }, payload: body });
  const variants: [string, string, (text: string) => Buffer, string][] = [
    ['UTF-8', '2021', (text) => Buffer.from(text), 'text/csv'],
    ['UTF-8 with BOM', '2022', (text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'text/csv'],
    ['GBK declared', '2023', (text) => iconv.encode(text, 'gb18030'), 'text/csv; charset=gbk'],
    ['GBK undeclared', '2024', (text) => iconv.encode(text, 'gb18030'), 'text/csv'],
    ['UTF-16 with BOM', '2025', (text) => iconv.encode(text, 'utf16-le', { addBOM: true }), 'text/csv'],
  ];
  for (const [name, period, encode, contentType] of variants) {
    const res = await post(encode(csvText(measureId, period)), contentType);
    t.equal(res.statusCode, 200, name);
    t.match(res.json(), { status: 'imported', counts: { created: 1 } }, name);
  }
  const stored = rows<{ period: string; narrative: string; evidence: string }>(databasePath, 'SELECT period, narrative, evidence FROM progress_reports ORDER BY period');
  t.equal(stored.length, variants.length);
  t.ok(
    stored.every((r) => r.narrative === '已公示“双公示”信息 12 条，含𠀀扩展字' && JSON.parse(r.evidence)[0].url === 'https://example.gov.cn/台账.xlsx'),
    'identical stored text in every encoding, an astral character (GB18030 four bytes) included',
  );
  t.notOk(
    stored.some((r) => r.narrative.includes('\uFFFD')),
    'never a replacement character',
  );

  const before = writeFingerprint(databasePath);
  const gbk = iconv.encode(`${csvText(measureId, '2021-Q1')}\r\n${measureId},2021-Q2,in_progress,第三行`, 'gbk');
  const cut = await post(gbk.subarray(0, gbk.length - 1), 'text/csv; charset=gbk');
  t.equal(cut.statusCode, 400);
  t.match(cut.headers['content-type'], /^application\/problem\+json/);
  t.match(cut.json(), { errors: [{ field: '/body', message: /第 3 行/ }] }, 'the line with the cut character');
  const unknown = await post(Buffer.from(csvText(measureId, '2021-Q1')), 'text/csv; charset=ebcdic');
  t.equal(unknown.statusCode, 415);
  t.equal(writeFingerprint(databasePath), before, 'nothing stored');
});
