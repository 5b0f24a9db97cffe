/**
 * Hostile-input fuzzing driven by the committed contract: every operation in openapi/openapi.json (so a route added
 * later is fuzzed without touching this file) gets fast-check generated requests — valid-looking ones built from the
 * documented parameter and body schemas, and hostile ones (wrong types, ≥100 KB strings, 10,000-level JSON, unicode
 * edge cases, SQL injection, path traversal, missing, duplicate and unknown fields). Every answer must be < 500,
 * documented for its status and media type, valid against the documented schema, every refused write must leave
 * the database untouched, and an accepted write must hold only text the exports can write (src/http/text.ts).
 *
 * FUZZ_RUNS (default 25 per operation) and FUZZ_SEED (default fixed) make a failing run reproducible: fast-check
 * prints the seed and path of the counterexample.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import t from 'tap';
import { projectRoot } from '../../src/db/client.js';
import { isText, TEXT_FORMAT } from '../../src/http/text.js';
import { CSV_COLUMNS } from '../../src/modules/reports/csv.js';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { writeFingerprint } from '../helpers/db.js';
import { issueKey } from '../helpers/keys.js';
import { ACCEPTED, holdsRefusedSample, REFUSED, type Sample } from '../helpers/text-classes.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_703);

// ---------------------------------------------------------------------------------------------------------------
// The contract

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON Schema is untyped here
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Contract {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const contract = JSON.parse(fs.readFileSync(path.join(projectRoot, 'openapi', 'openapi.json'), 'utf8')) as Contract;
const operations = Object.entries(contract.paths)
  .filter(([route]) => !route.startsWith('/docs'))
  .flatMap(([route, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ route, method: method.toUpperCase(), op })));

const resolve = (schema: Schema): Schema => (typeof schema.$ref === 'string' ? resolve(contract.components.schemas[schema.$ref.split('/').pop()!]!) : schema);

// OpenAPI 3.1 schemas are JSON Schema 2020-12; `examples` and other annotations are tolerated (strict: false).
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addFormat(TEXT_FORMAT, isText); // the contract's own format for free text
ajv.addSchema({ ...contract, $id: 'contract' });
const validators = new Map<string, ValidateFunction>();
const pointer = (...parts: string[]) => parts.map((part) => `/${part.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
function validatorFor(route: string, method: string, status: string, mediaType: string): ValidateFunction {
  const ref = `contract#${pointer('paths', route, method.toLowerCase(), 'responses', status, 'content', mediaType, 'schema')}`;
  let validate = validators.get(ref);
  if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
  return validate;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values. Large ones are markers, expanded only when the request is sent, so a counterexample prints short.

const HUGE_BYTES = 100 * 1024;
const NESTING = 10_000;
const EXPANSIONS: Record<string, () => Buffer> = {
  '⟪huge⟫': () => Buffer.from('A'.repeat(HUGE_BYTES)),
  '⟪huge-cjk⟫': () => Buffer.from('市'.repeat(Math.ceil(HUGE_BYTES / 3))),
  '⟪deep-array⟫': () => Buffer.from('['.repeat(NESTING) + ']'.repeat(NESTING)),
  '⟪deep-object⟫': () => Buffer.from('{"a":'.repeat(NESTING) + '1' + '}'.repeat(NESTING)),
  '⟪bad-utf8⟫': () => Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80, 0xc0, 0xaf]),
  // JSON number tokens JSON.stringify cannot write: JSON.parse reads them as Infinity, -0 or a rounded integer.
  ...Object.fromEntries(['1e400', '-1e400', '1e-400', '-0', '1E+2', '9007199254740993', '4.0'].map((token) => [`⟪number ${token}⟫`, () => Buffer.from(token)])),
};
const MARKER = new RegExp(`"?(${Object.keys(EXPANSIONS).join('|')})"?`, 'g');

/** The bytes to send: markers expanded (a quoted marker in JSON becomes the raw nesting, so it stays JSON). */
function expand(text: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    parts.push(Buffer.from(text.slice(last, match.index)));
    const quoted = match[0].startsWith('"') && match[0].endsWith('"');
    const inner = EXPANSIONS[match[1]!]!();
    const bare = match[1]!.startsWith('⟪deep') || match[1]!.startsWith('⟪number');
    parts.push(quoted && !bare ? Buffer.concat([Buffer.from('"'), inner, Buffer.from('"')]) : inner);
    last = match.index + match[0].length;
  }
  parts.push(Buffer.from(text.slice(last)));
  return Buffer.concat(parts);
}

const HOSTILE_STRINGS = [
  ...Object.keys(EXPANSIONS),
  '',
  ' ',
  '\uD800',
  'a\uDC00b',
  '\u202Eevil\u202C',
  '\u0000',
  'a\u0000b',
  '😀👨‍👩‍👧',
  'e\u0301\u0302\u0303',
  '\uFEFF1',
  '\u200B',
  '１２',
  'مرحبا',
  '\r\n\t',
  "' OR 1=1 --",
  "'; DROP TABLE tasks; --",
  '1; DROP TABLE progress_reports',
  '" OR ""="',
  '1 UNION SELECT token_hash FROM api_keys',
  "%' --",
  '*',
  '"',
  'NEAR(a b)',
  'a OR b',
  '^',
  '-',
  '()',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'file:///etc/passwd',
  'javascript:alert(1)',
  '1e308',
  '-0',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1.5',
  '9007199254740993',
  '0x10',
  ' 1',
  '+1',
  '1,2',
  'true',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  "=cmd|' /C calc'!A0",
  '${jndi:ldap://x}',
  '2024-Q5',
  '2024-13',
  '0000',
  '99999-Q1',
  '2024-02-30T25:61:00Z',
  '2024-01-01',
  'W/"1"',
];
/** Already percent-encoded URL text, sent as is: encodings a client library would never produce. */
const RAW_URL_TEXT = ['%2e%2e%2f', '..%2f..%2fetc%2fpasswd', '%', '%zz', '%00', '%ED%A0%80', '%C0%AF', '%FF', '%u0041', '%252e', '+', ';', '=', '&&', '..'];

/**
 * Format edges: values a parameter's type or format admits on paper and a careless reading breaks on — calendar and
 * clock edges (leap seconds, 24:00, 29 February, year 0000 and 9999), extreme offsets, and integers written as
 * exponents, hex, with signs, spaces or fractions, or too large for a double. (Found 500s and wrong answers: 23:59:60
 * reached `Date`, `limit=1e400` became Infinity, `/tasks/1e1` was task 10.)
 */
const DATE_EDGES = ['2024-06-30', '2024-02-29', '2023-02-29', '2024-02-30', '0000-01-01', '9999-12-31', '1899-12-31', '2101-01-01', '2024-6-30', '20240630'];
const DATE_TIME_EDGES = [
  '2024-06-30T23:59:60Z',
  '2016-12-31T23:59:60+08:00',
  '2024-06-30T24:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '2024-02-29T12:00:00+23:59',
  '2023-02-29T12:00:00Z',
  '2024-06-30t12:00:00z',
  '2024-06-30 12:00:00Z',
  '2024-06-30T12:00:00.123456789+08:00',
  '2024-06-30T12:00:00+08',
  '2024-06-30T12:00Z',
  '1969-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00Z',
  '2024-06-30T12:00:00-00:00',
];
const INTEGER_EDGES = [
  '1e1',
  '1E1',
  '1e400',
  '-1e400',
  '1e-400',
  '0x10',
  '0b1',
  '0o7',
  '010',
  '1.0',
  '1.',
  '.5',
  '+1',
  ' 1',
  '1 ',
  '１',
  '٣',
  'Infinity',
  '-Infinity',
  'NaN',
  '9007199254740993',
  '-0',
  `${'0'.repeat(20)}1`,
  '1_000',
  '2147483648',
  '-2147483649',
];
const formatEdge = fc.constantFrom(...DATE_EDGES, ...DATE_TIME_EDGES, ...INTEGER_EDGES);

/**
 * Text at the edge of what free-text fields take (src/http/text.ts): one character of a class inside ordinary text,
 * refused (C0 and C1 controls, non-characters of every plane, unpaired surrogates) or just inside the rule (TAB, line
 * breaks, U+FFFD, emoji, CJK extension B …). A write answered 2xx that holds a refused one fails the run.
 */
const edgeText = (samples: Sample[]) =>
  fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom(...samples), fc.string({ maxLength: 5 })).map(([before, { char }, after]) => `${before}${char}${after}`);
const unfitText = edgeText(REFUSED);
const fitText = edgeText(ACCEPTED);

/** A free-text body field: mostly plain, sometimes at the edge of the rule on either side. */
const textField = (plain: fc.Arbitrary<string>) => fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: fitText, weight: 1 }, { arbitrary: unfitText, weight: 1 });

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'binary', maxLength: 30 }), unfitText);
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(1e308, -1e-308, -1, 0, 1.5, 2 ** 53 + 2, true, false, null, [], {}, [[[]]]),
  formatEdge,
  fc.constantFrom(...Object.keys(EXPANSIONS).filter((marker) => marker.startsWith('⟪number'))),
  fc.constantFrom(JSON.parse('{"__proto__":{"admin":true}}'), { constructor: { prototype: { admin: true } } }),
  fc.jsonValue({ maxDepth: 2 }),
);

type UrlValue = string | { raw: string };
const hostileUrlValue: fc.Arbitrary<UrlValue> = fc.oneof(
  hostileString,
  formatEdge,
  fc.constantFrom(...RAW_URL_TEXT).map((raw) => ({ raw })),
);
/** Header values travel as latin1 on the wire; anything else cannot arrive. */
const hostileHeader = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS.filter((s) => /^[\x20-\x7E\x80-\xFF]*$/.test(s))),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('x'.repeat(8000), '*', 'W/"0"'),
);

/** Percent-encodes the UTF-8 bytes, as a client does (a lone surrogate becomes U+FFFD). */
function encodeUrlValue(value: UrlValue): string {
  if (typeof value !== 'string') return value.raw;
  return [...expand(value)]
    .map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

// ---------------------------------------------------------------------------------------------------------------
// The app, its callers, and what exists in it

const { app, databasePath } = await buildTestAppWithDatabase(t);
const REPORTER_UNIT = '市民政局';
const CALLERS = {
  anonymous: () => undefined,
  admin: () => issueKey(databasePath, 'admin'),
  coordinator: () => issueKey(databasePath, 'coordinator'),
  reporter: () => issueKey(databasePath, 'reporter', REPORTER_UNIT),
  reader: () => issueKey(databasePath, 'reader'),
};
type Caller = keyof typeof CALLERS | 'unknown key' | 'malformed key';
const keys = new Map(Object.entries(CALLERS).map(([name, issue]) => [name, issue()]));
function authorization(caller: Caller): Record<string, string> {
  if (caller === 'unknown key') return { authorization: `Bearer pt_${'0'.repeat(43)}` };
  if (caller === 'malformed key') return { authorization: "Bearer ' OR 1=1 --" };
  return keys.get(caller)?.headers ?? {};
}

const units = (await app.inject('/api/v1/units?limit=500')).json().items as { id: number; name: string; aliases: string[] }[];
const ownMeasures = (await app.inject(`/api/v1/measures?unit=${encodeURIComponent(REPORTER_UNIT)}&limit=500`)).json().items as { id: number }[];
/** ETags seen in responses: If-Match values that may be current. */
const etags: string[] = ['*'];

// Reports in each state, so report ids 1..n exist for the review routes.
for (const [index, measure] of ownMeasures.slice(0, 3).entries()) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: authorization('reporter'),
    payload: { measureId: measure.id, period: `2024-Q${index + 1}`, status: 'in_progress', narrative: '已开展', submit: index > 0 },
  });
  if (index === 2) await app.inject({ method: 'POST', url: `/api/v1/reports/${created.json().id}/approve`, headers: authorization('coordinator') });
}

// ---------------------------------------------------------------------------------------------------------------
// Valid-looking values from a schema; domain hints where a name says more than its schema (a unit, a period)

const isoInstant = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
  .chain((date) => fc.constantFrom(date.toISOString(), `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`));
const HINTS: Record<string, fc.Arbitrary<unknown>> = {
  // The reporter's own unit most often, so reports can be written; every name, alias and id otherwise.
  unit: fc.oneof(fc.constant(REPORTER_UNIT), fc.constantFrom(...units.flatMap((unit) => [unit.name, ...unit.aliases, String(unit.id)]))),
  period: fc.tuple(fc.integer({ min: 2020, max: 2026 }), fc.constantFrom('', '-Q1', '-Q2', '-Q3', '-Q4', '-01', '-07', '-12')).map(([year, part]) => `${year}${part}`),
  year: fc.integer({ min: 2019, max: 2027 }),
  deadlineYear: fc.integer({ min: 2019, max: 2027 }),
  q: fc.constantFrom('信用', '信易贷', '双公示', '承诺', '市民政局', '数据', 'a', '信'),
  measureId: fc.oneof(fc.constantFrom(...ownMeasures.map((m) => m.id)), fc.integer({ min: 1, max: 160 })),
  // One of the latest ETags seen: often the current version of a report the next request names.
  'if-match': fc.nat({ max: 4 }).map((back) => etags[Math.max(etags.length - 1 - back, 0)]!),
  'idempotency-key': fc.oneof({ arbitrary: fc.constant('retry-1'), weight: 1 }, { arbitrary: fc.stringMatching(/^[\x21-\x7E]{1,20}$/), weight: 4 }),
  reports: fc.array(fc.constant(null), { minLength: 1, maxLength: 4 }), // replaced below, once valueOf exists
};

function valueOf(given: Schema, name?: string): fc.Arbitrary<unknown> {
  const hint = name === undefined ? undefined : HINTS[name];
  if (hint) return hint;
  const schema = resolve(given);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  const choices = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (choices) return fc.oneof(...choices.map((choice) => valueOf(choice)));
  if (schema.allOf) return fc.tuple(...(schema.allOf as Schema[]).map((part) => valueOf(part))).map((parts) => Object.assign({}, ...parts));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') return isoInstant;
      if (schema.format === 'date') return isoInstant.map((instant) => instant.slice(0, 10));
      if (schema.format === 'uri') return fc.webUrl({ validSchemes: ['https', 'http'] });
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 40, 40);
      const plain = fc.string({ minLength: min, maxLength: max });
      const text = schema.pattern ? fc.stringMatching(new RegExp(schema.pattern, 'u')) : schema.format === TEXT_FORMAT ? textField(plain) : plain;
      return text.filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
    }
    case 'integer': {
      const min = schema.minimum ?? -1000;
      const max = Math.min(schema.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      // Mostly small: ids 1..60 exist, offsets past the end are still worth a few tries.
      return fc.oneof({ arbitrary: fc.integer({ min, max: Math.min(max, min + 60) }), weight: 4 }, { arbitrary: fc.integer({ min, max }), weight: 1 });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueOf(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const model = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, valueOf(property, key)]));
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
// The bulk rows are documented as ReportInput in words only (`unknown[]` in the schema).
HINTS.reports = fc.array(valueOf(contract.components.schemas.ReportInput!), { minLength: 1, maxLength: 4 });

/** A property path inside a JSON value, for the mutations below. */
function objectPaths(value: unknown, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [[...at, key], ...objectPaths(inner, [...at, key])]);
}

/** A documented body broken one way: a field dropped, an unknown one added, one replaced, or one sent twice. */
function mutated(body: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.record({ body, kind: fc.constantFrom('drop', 'unknown', 'replace', 'duplicate'), at: fc.nat(), hostile: hostileJson }).map(({ body, kind, at, hostile }) => {
    const paths = objectPaths(body);
    const target = paths[at % Math.max(paths.length, 1)];
    if (body === null || typeof body !== 'object' || !target) return JSON.stringify(hostile);
    const copy = structuredClone(body) as Record<string, unknown>;
    const parent = target.slice(0, -1).reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
    const key = target.at(-1)!;
    if (kind === 'drop') delete parent[key];
    if (kind === 'unknown') parent.unexpectedField = hostile;
    if (kind === 'replace') parent[key] = hostile;
    const text = JSON.stringify(copy);
    // JSON.parse keeps the last of two equal keys; send the hostile one first and the documented one after, and the reverse.
    return kind === 'duplicate' ? text.replace('{', `{${JSON.stringify(key)}:${JSON.stringify(hostile)},`) : text;
  });
}

function csvCell(value: unknown): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
function csvOf(rows: Record<string, unknown>[]): string {
  const cell = (row: Record<string, unknown>, column: string) => {
    const value = row[column];
    if (column === 'evidence' && Array.isArray(value)) return (value as { title: string; url?: string }[]).map((e) => (e.url ? `${e.title} | ${e.url}` : e.title)).join('\n');
    if (column === 'indicatorValues' && Array.isArray(value)) return (value as { indicatorId: number; value: number }[]).map((v) => `${v.indicatorId}=${v.value}`).join('; ');
    return value;
  };
  return [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((column) => csvCell(cell(row, column))).join(','))].join('\r\n');
}
const hostileCsv = fc.oneof(
  hostileString,
  fc.constantFrom(
    `${CSV_COLUMNS.join(',')}\r\n"unbalanced,2024`,
    `\uFEFF${CSV_COLUMNS.join(',')}\r\n`,
    'measureId\r\n1\r\n',
    `${CSV_COLUMNS.join(',')}\r\n=1+1,2024,completed,,,,,,\r\n`,
  ),
  fc.array(fc.array(hostileString, { maxLength: 10 }), { maxLength: 3 }).map((rows) => [CSV_COLUMNS.join(','), ...rows.map((row) => row.map(csvCell).join(','))].join('\n')),
);

// ---------------------------------------------------------------------------------------------------------------
// Requests

interface FuzzRequest {
  caller: Caller;
  params: Record<string, UrlValue>;
  query: [string, UrlValue][];
  headers: Record<string, string>;
  body?: { contentType?: string; text: string };
}

const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/jsonx',
];
const toText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function requestsFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const parameters = op.parameters ?? [];
  const keyHolder = fc.constantFrom<Caller>('admin', 'coordinator', 'reporter', 'reader');
  const anyCaller = fc.constantFrom<Caller>(...(Object.keys(CALLERS) as Caller[]), 'unknown key', 'malformed key');
  const validUrlValue = (p: Parameter) => valueOf(p.schema, p.name).map(toText);
  const inPlace = (where: Parameter['in']) => parameters.filter((p) => p.in === where);

  const pathParams = (hostile: boolean) =>
    fc.record(Object.fromEntries(inPlace('path').map((p) => [p.name, hostile ? fc.oneof(validUrlValue(p), hostileUrlValue) : validUrlValue(p)])));
  /** A required parameter is always there in a valid-looking request; in a hostile one anything may be missing. */
  const present = <T>(p: Parameter, hostile: boolean, value: fc.Arbitrary<T>) => (p.required && !hostile ? value : fc.option(value, { freq: 3 }));
  const queryEntry = (p: Parameter, hostile: boolean) =>
    (hostile ? fc.oneof(validUrlValue(p), hostileUrlValue) : validUrlValue(p)).map((value): [string, UrlValue] => [p.name, value]);
  const query = (hostile: boolean) =>
    fc.tuple(...inPlace('query').map((p) => present(p, hostile, queryEntry(p, hostile)))).chain((entries) => {
      const given = entries.filter((entry): entry is [string, UrlValue] => entry !== null);
      if (!hostile) return fc.constant(given);
      // Duplicates of documented parameters and parameters nobody documented.
      const extra = fc.array(
        fc.oneof(
          given.length
            ? fc.constantFrom(...given).chain(([name]) => hostileUrlValue.map((value): [string, UrlValue] => [name, value]))
            : fc.constant<[string, UrlValue]>(['limit', '1']),
          fc.tuple(fc.constantFrom('foo', '__proto__', 'constructor', 'limit[]', 'a[b]', '⟪huge⟫', ''), hostileUrlValue),
        ),
        { maxLength: 2 },
      );
      return extra.map((more) => [...given, ...more]);
    });
  const headers = (hostile: boolean) =>
    fc
      .tuple(
        ...inPlace('header').map((p) =>
          present(
            p,
            hostile,
            (hostile ? fc.oneof(valueOf(p.schema, p.name).map(toText), hostileHeader) : valueOf(p.schema, p.name).map(toText)).map((value) => [p.name, value] as const),
          ),
        ),
      )
      .map((entries) => Object.fromEntries(entries.filter((entry) => entry !== null)));

  const media = Object.entries(op.requestBody?.content ?? {});
  const documentedBody = (mediaType: string, schema: Schema) =>
    mediaType === 'text/csv'
      ? fc.array(valueOf(contract.components.schemas.ReportInput!), { minLength: 1, maxLength: 4 }).map((rows) => csvOf(rows as Record<string, unknown>[]))
      : valueOf(schema).map((value) => JSON.stringify(value));
  const validBody = media.length
    ? fc.oneof(...media.map(([mediaType, { schema }]) => documentedBody(mediaType, schema).map((text) => ({ contentType: mediaType, text }))))
    : fc.constant(undefined);
  const hostileBody = fc.oneof(
    ...media.map(([mediaType, { schema }]) =>
      (mediaType === 'text/csv'
        ? hostileCsv
        : fc.oneof(
            mutated(valueOf(schema)),
            hostileJson.map((value) => JSON.stringify(value) ?? ''),
            fc.constantFrom('{', '{"a":}', '', 'null', '{"narrative":"⟪bad-utf8⟫"}', '⟪deep-array⟫', '⟪deep-object⟫'),
          )
      ).map((text) => ({ contentType: mediaType, text })),
    ),
    fc.record({
      contentType: fc.option(fc.constantFrom(...OTHER_CONTENT_TYPES), { nil: undefined }),
      text: fc.oneof(
        hostileString,
        validBody.map((body) => body?.text ?? ''),
      ),
    }),
  );

  const request = (hostile: boolean) =>
    fc.record({
      caller: hostile ? anyCaller : keyHolder,
      params: pathParams(hostile),
      query: query(hostile),
      headers: headers(hostile),
      body: hostile ? fc.option(hostileBody, { nil: undefined, freq: media.length ? 8 : 2 }) : validBody,
    });
  return fc.oneof(request(false), request(true));
}

async function send(route: string, method: string, request: FuzzRequest) {
  const pathname = route.replace(/\{(\w+)\}/g, (_, name: string) => encodeUrlValue(request.params[name]!));
  const search = request.query.map(([name, value]) => `${encodeUrlValue(name)}=${encodeUrlValue(value)}`).join('&');
  const headers: Record<string, string> = { ...request.headers, ...authorization(request.caller) };
  if (request.body?.contentType) headers['content-type'] = request.body.contentType;
  return app.inject({
    method: method as 'GET',
    url: search ? `${pathname}?${search}` : pathname,
    headers,
    ...(request.body ? { payload: expand(request.body.text) } : {}),
  });
}

/** Every string in a JSON value, keys included. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : value !== null && typeof value === 'object' ? Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)]) : [];

const excerpt = (text: string) => (text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text);

// ---------------------------------------------------------------------------------------------------------------

/** Sends one request and checks its answer against the contract; throws (so fast-check can shrink) when it breaks it. */
async function checkAnswer(route: string, method: string, op: Operation, request: FuzzRequest): Promise<number> {
  const writes = method !== 'GET' && method !== 'HEAD';
  const before = writes ? writeFingerprint(databasePath) : '';
  const response = await send(route, method, request);
  const status = response.statusCode;
  const what = `${method} ${excerpt(response.raw.req.url ?? route)} as ${request.caller} → ${status} ${excerpt(response.body)}`;
  if (response.headers.etag) etags.push(String(response.headers.etag));

  if (status >= 500) throw new Error(`server error: ${what}`);
  const documented = op.responses[String(status)] ?? op.responses.default;
  if (!documented) throw new Error(`status ${status} is not in the contract: ${what}`);
  const mediaType = String(response.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  // A documented media type may carry parameters (`text/plain; version=0.0.4`): compare the types themselves.
  const documentedTypes = Object.keys(documented.content ?? {}).map((key) => key.split(';')[0]!.trim().toLowerCase());
  if (!documentedTypes.includes(mediaType)) throw new Error(`${mediaType || 'no content type'} is not documented for ${status}: ${what}`);
  if (status >= 400) {
    if (mediaType !== 'application/problem+json') throw new Error(`a ${status} must be problem+json: ${what}`);
    const problem = response.json() as Record<string, unknown>;
    for (const member of ['type', 'title', 'detail']) if (typeof problem[member] !== 'string') throw new Error(`problem without ${member}: ${what}`);
    if (problem.status !== status) throw new Error(`problem status ${String(problem.status)} differs from HTTP ${status}: ${what}`);
  }
  // Spreadsheets and CSV: status and media type only.
  if (mediaType.endsWith('json')) {
    const validate = validatorFor(route, method, String(status), mediaType);
    if (!validate(response.json())) throw new Error(`body does not match the contract (${ajv.errorsText(validate.errors)}): ${what}`);
  }
  if (writes && status >= 400 && writeFingerprint(databasePath) !== before) throw new Error(`a refused write changed the database: ${what}`);
  if (writes && status < 300 && mediaType.endsWith('json') && stringsOf(response.json()).some(holdsRefusedSample)) {
    throw new Error(`an accepted write holds text the exports cannot: ${what}`);
  }

  // A key revoked by the fuzz itself is replaced, so later requests still reach the routes behind it.
  if (status === 401 && keys.has(request.caller)) keys.set(request.caller, CALLERS[request.caller as keyof typeof CALLERS]()!);
  return status;
}

const operationAt = (route: string, method: string) => {
  const found = operations.find((o) => o.route === route && o.method === method);
  if (!found) throw new Error(`${method} ${route} is not in the contract`);
  return found.op;
};

// ---------------------------------------------------------------------------------------------------------------

t.comment(`contract fuzz: ${operations.length} operations × ${RUNS} runs, seed ${SEED} (FUZZ_RUNS, FUZZ_SEED)`);
t.ok(operations.length >= 30, 'the contract lists the operations');

for (const { route, method, op } of operations) {
  t.test(`${method} ${route}`, async (t) => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestsFor(op), async (request) => {
        statuses.add(await checkAnswer(route, method, op, request));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    t.pass(`${RUNS} requests answered within the contract (statuses ${[...statuses].sort().join(', ')})`);
  });
}

t.test('what the fuzz found stays fixed', async (t) => {
  const reporterRequest = (request: Partial<FuzzRequest>): FuzzRequest => ({ caller: 'reporter', params: {}, query: [], headers: {}, ...request });
  const regressions: { what: string; route: string; method: string; request: FuzzRequest; status: number }[] = [
    {
      what: 'a bulk row nested 10,000 levels deep under an Idempotency-Key (the request hash recursed: 500)',
      route: '/api/v1/reports/bulk',
      method: 'POST',
      request: reporterRequest({ headers: { 'idempotency-key': 'deep-row' }, body: { contentType: 'application/json', text: '{"reports":["⟪deep-array⟫"]}' } }),
      status: 422,
    },
    {
      what: 'a rejected atomic import under an Idempotency-Key (its 422 was stored: a refused write changed the database)',
      route: '/api/v1/reports/bulk',
      method: 'POST',
      request: reporterRequest({
        headers: { 'idempotency-key': 'rejected-import' },
        body: { contentType: 'application/json', text: JSON.stringify({ reports: [{ measureId: ownMeasures[0]!.id, period: '1999', status: 'completed' }] }) },
      }),
      status: 422,
    },
    {
      what: "a path parameter over the router's length limit (Fastify answered plain JSON)",
      route: '/api/v1/tasks/{id}',
      method: 'GET',
      request: reporterRequest({ params: { id: '1'.repeat(200) } }),
      status: 414,
    },
    {
      what: 'broken percent-encoding in a path parameter (Fastify answered plain JSON)',
      route: '/api/v1/reports/{id}',
      method: 'GET',
      request: reporterRequest({ params: { id: { raw: '%zz' } } }),
      status: 400,
    },
    ...[
      { url: ['/api/v1/dashboard', 'asOf', '2024-06-30T23:59:60Z'], why: 'a leap second passed the date-time format and broke Date: 500' },
      { url: ['/api/v1/audit-events', 'since', '2016-12-31T23:59:60+08:00'], why: 'the same in an audit filter' },
      { url: ['/api/v1/tasks', 'limit', '1e400'], why: 'Ajv coerced it to Infinity: 500' },
      { url: ['/api/v1/tasks', 'offset', 'Infinity'], why: 'Infinity passed as an integer: 500' },
      { url: ['/api/v1/reports', 'limit', '1e1'], why: 'an exponent was read as 10' },
    ].map(({ url: [route, name, value], why }) => ({
      what: `${name}=${value} (${why})`,
      route: route!,
      method: 'GET',
      // The audit trail is for coordinators: a reporter is refused before its query is read.
      request: { ...reporterRequest({ query: [[name!, value!]] }), caller: 'coordinator' as const },
      status: 400,
    })),
    {
      what: 'an id written as an exponent (/tasks/1e1 answered task 10)',
      route: '/api/v1/tasks/{id}',
      method: 'GET',
      request: reporterRequest({ params: { id: '1e1' } }),
      status: 400,
    },
    {
      what: 'a JSON number too large for a double in a report (1e400 is Infinity once parsed)',
      route: '/api/v1/reports',
      method: 'POST',
      request: reporterRequest({
        body: { contentType: 'application/json', text: `{"measureId":${ownMeasures[0]!.id},"period":"2024","status":"in_progress","percentComplete":"⟪number 1e400⟫"}` },
      }),
      status: 400,
    },
    {
      what: 'an XML body on a route that takes none (415 was not in the contract)',
      route: '/api/v1/reports/{id}/submit',
      method: 'POST',
      request: reporterRequest({ params: { id: '1' }, body: { contentType: 'application/xml', text: '<submit/>' } }),
      status: 415,
    },
  ];
  for (const { what, route, method, request, status } of regressions) {
    t.equal(await checkAnswer(route, method, operationAt(route, method), request), status, what);
  }
});
