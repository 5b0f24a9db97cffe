import { createHash } from 'node:crypto';
import t from 'tap';
import { openDatabase } from '../../../src/db/client.js';
import { HttpProblem } from '../../../src/http/problem.js';
import { createApiKeyRepository } from '../../../src/modules/auth/repository.js';
import { createIdempotencyStore, requestHashInSlices, requestHashOf } from '../../../src/modules/idempotency/store.js';
import { tempDatabasePath } from '../../helpers/app.js';

const db = openDatabase(tempDatabasePath(t));
t.teardown(() => db.$client.close());
const store = createIdempotencyStore(db);
const keys = createApiKeyRepository(db);
const newKeyId = () => keys.create({ name: 'idempotency test', role: 'admin', unitId: null, expiresAt: null }, new Date()).key.id;
const keyId = newKeyId();
const now = new Date('2024-10-08T02:00:00Z');
const stored = () =>
  db.$client.prepare('SELECT key_id AS keyId, idempotency_key AS idempotencyKey, route, status, body, created_at AS createdAt FROM idempotency_records ORDER BY rowid').all();

/** Runs `once` with a work function that counts its runs and answers `status` with a body naming the run. */
function runner(status = 201) {
  let runs = 0;
  const once = (idempotencyKey: string | undefined, body: unknown, route = 'POST /api/v1/reports', id = keyId) =>
    store.once({ keyId: id, idempotencyKey, route, body, now }, () => ({ status, body: { run: ++runs } }));
  return { once, runs: () => runs };
}

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof HttpProblem) return { status: error.status, slug: error.slug };
    throw error;
  }
  return undefined;
};

t.test('without a key every request runs and nothing is kept', async (t) => {
  const { once, runs } = runner();
  const before = stored().length;
  t.same(once(undefined, { a: 1 }), { status: 201, body: { run: 1 }, replayed: false });
  t.same(once(undefined, { a: 1 }), { status: 201, body: { run: 2 }, replayed: false });
  t.equal(runs(), 2);
  t.equal(stored().length, before);
});

t.test('a repeat gets the first response again without running; the response is stored', async (t) => {
  const { once, runs } = runner();
  t.same(once('k-repeat', { measureId: 4, period: '2024' }), { status: 201, body: { run: 1 }, replayed: false });
  t.same(once('k-repeat', { measureId: 4, period: '2024' }), { status: 201, body: { run: 1 }, replayed: true });
  t.equal(runs(), 1);
  t.match(stored().at(-1), { keyId, idempotencyKey: 'k-repeat', route: 'POST /api/v1/reports', status: 201, body: '{"run":1}', createdAt: now.toISOString() });
});

t.test('the order of object fields does not make another request, at any depth', async (t) => {
  const { once, runs } = runner();
  once('k-order', { a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } });
  t.equal(once('k-order', { b: { f: null, c: [1, { e: 3, d: 2 }] }, a: 1 }).replayed, true);
  t.equal(runs(), 1);
});

t.test('a different request under a used key is refused, and nothing runs', async (t) => {
  const { once, runs } = runner();
  once('k-diff', { a: [1, 2], s: 'x' });
  const different: [string, unknown, string?][] = [
    ['another value', { a: [1, 3], s: 'x' }],
    ['array order', { a: [2, 1], s: 'x' }],
    ['array items merged', { a: [12], s: 'x' }],
    ['a field more', { a: [1, 2], s: 'x', t: 1 }],
    ['a field less', { a: [1, 2] }],
    ['a field renamed', { b: [1, 2], s: 'x' }],
    ['a string for a number', { a: ['1', 2], s: 'x' }],
    ['an object for an array', { a: { 0: 1, 1: 2 }, s: 'x' }],
    ['an item moved into a nested array', { a: [[1, 2]], s: 'x' }],
    ['another route', { a: [1, 2], s: 'x' }, 'POST /api/v1/reports/bulk'],
  ];
  for (const [name, body, route] of different) {
    t.same(
      refusal(() => once('k-diff', body, route)),
      { status: 422, slug: 'idempotency-key-reused' },
      name,
    );
  }
  t.equal(runs(), 1);
  t.throws(() => once('k-diff', {}), { slug: 'idempotency-key-reused', message: 'Idempotency-Key "k-diff" was used for a different request; use a new key for new content.' });
});

t.test('where a nested array or object ends is part of the request', async (t) => {
  const { once } = runner();
  once('k-array-end', { a: [[1], 2] });
  t.same(
    refusal(() => once('k-array-end', { a: [[1, 2]] })),
    { status: 422, slug: 'idempotency-key-reused' },
  );
  once('k-object-end', { a: { b: 1 }, c: 2 });
  t.same(
    refusal(() => once('k-object-end', { a: { b: 1, c: 2 } })),
    { status: 422, slug: 'idempotency-key-reused' },
  );
});

t.test('keys belong to one API key', async (t) => {
  const { once, runs } = runner();
  once('k-shared', { a: 1 });
  t.same(once('k-shared', { a: 1 }, undefined, newKeyId()), { status: 201, body: { run: 2 }, replayed: false });
  t.equal(runs(), 2);
});

t.test('a refused request is not kept: retried under the same key, it runs again', async (t) => {
  const refused = runner(422);
  const before = stored().length;
  t.same(refused.once('k-refused', { a: 1 }), { status: 422, body: { run: 1 }, replayed: false });
  t.same(refused.once('k-refused', { a: 1 }), { status: 422, body: { run: 2 }, replayed: false });
  t.equal(stored().length, before);
  const badRequest = runner(400);
  badRequest.once('k-400', { a: 1 });
  t.equal(badRequest.once('k-400', { a: 1 }).replayed, false, '400 is a refusal too');
  const fixed = runner(399);
  t.equal(fixed.once('k-refused', { a: 2 }).replayed, false);
  t.equal(fixed.once('k-refused', { a: 2 }).replayed, true, 'below 400 the response is kept');
});

t.test('a body nested 10,000 levels deep is hashed without exhausting the stack', async (t) => {
  const { once } = runner();
  let deep: unknown = 1;
  for (let i = 0; i < 10_000; i++) deep = i % 2 ? [deep] : { a: deep };
  t.equal(once('k-deep', deep).replayed, false);
  t.equal(once('k-deep', deep).replayed, true);
});

/** The body's JSON with every object's keys sorted (by UTF-16 code units), built independently of the store. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// The hash is stored with the response and compared after a restart or an upgrade: if its form changed, a client
// retrying across a deploy would be refused as sending a different request. So the form is pinned here.
const PIECE = 64 * 1024; // the store renders longer strings in pieces of this size
const bodies: [string, unknown][] = [
  ['nested, keys out of order', { z: [1, { y: 'x', b: null, a: [true, false] }], m: -0.5, a: { d: {}, c: [] } }],
  ['text that JSON escapes', { narrative: '他说："完成"\n\t\\ 😀', evidence: [{ title: '</script>' }] }],
  ['a text over one piece, with escapes', { narrative: `${'"'.repeat(10)}${'长'.repeat(PIECE * 4)}\n${'x'.repeat(100)}` }],
  ['a surrogate pair across a piece boundary', { narrative: `${'a'.repeat(PIECE - 1)}😀b` }],
];

t.test('the request hash is SHA-256 of the route and the body as canonical JSON', async (t) => {
  for (const [name, body] of bodies) {
    const expected = createHash('sha256')
      .update(`POST /api/v1/reports\n${canonicalJson(body)}`)
      .digest('hex');
    t.equal(requestHashOf('POST /api/v1/reports', body), expected, name);
  }
});

t.test('a large body hashes the same in slices, pausing at least once per piece of a long text', async (t) => {
  for (const [name, body] of bodies) {
    let pauses = 0;
    const hash = await requestHashInSlices('POST /api/v1/reports/bulk', body, async () => void pauses++);
    t.equal(hash, requestHashOf('POST /api/v1/reports/bulk', body), name);
    const longest = Math.max(
      ...JSON.stringify(body)
        .split('"')
        .map((part) => part.length),
    );
    t.ok(pauses > Math.ceil(longest / PIECE), `${name}: ${pauses} pauses`);
  }
});
