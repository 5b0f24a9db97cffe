import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { idempotencyRecords } from '../../db/schema.js';
import { param } from '../../db/sql.js';
import { HttpProblem } from '../../http/problem.js';
import { pieces } from '../../http/slices.js';
import { said } from '../../domain/said.js';
import { sayPattern } from '../../http/rule-words.js';

export const IDEMPOTENCY_KEY_PATTERN = sayPattern('^[\\x21-\\x7E]{1,200}$', said('1–200 个可见 ASCII 字符', '1–200 visible ASCII characters'));

/** Text already rendered, waiting its turn on `stableJson`'s stack. */
class Rendered {
  constructor(readonly text: string) {}
}

/** Strings longer than this are rendered in pieces, so hashing a 32 MiB CSV body can pause in between. */
const STRING_PIECE = 64 * 1024;

/** `JSON.stringify(text)`, in pieces for a long text (escaping works character by character, pairs kept whole). */
function* quoted(text: string): Generator<string> {
  if (text.length <= STRING_PIECE) return yield JSON.stringify(text);
  yield '"';
  for (const piece of pieces(text, STRING_PIECE)) yield JSON.stringify(piece).slice(1, -1);
  yield '"';
}

/**
 * JSON with object keys sorted, in pieces, so the same request hashes the same whatever order its fields came in.
 * It walks an explicit stack instead of recursing: a body nested 10,000 levels deep (JSON.parse takes it) must not
 * exhaust the call stack before validation gets to refuse it.
 */
function* stableJson(root: unknown): Generator<string> {
  const stack: unknown[] = [root];
  const pushReversed = (parts: unknown[]) => {
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  };
  while (stack.length > 0) {
    const value = stack.pop();
    if (value instanceof Rendered) {
      yield value.text;
    } else if (Array.isArray(value)) {
      pushReversed([new Rendered('['), ...value.flatMap((item, i) => (i === 0 ? [item] : [new Rendered(','), item])), new Rendered(']')]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      pushReversed([new Rendered('{'), ...entries.flatMap(([k, v], i) => [new Rendered(`${i === 0 ? '' : ','}${JSON.stringify(k)}:`), v]), new Rendered('}')]);
    } else if (typeof value === 'string') {
      yield* quoted(value);
    } else {
      yield JSON.stringify(value) ?? 'null';
    }
  }
}

/** What identifies a request under its Idempotency-Key: its route and its body, field order aside. */
export function requestHashOf(route: string, body: unknown): string {
  const hash = createHash('sha256').update(`${route}\n`);
  for (const piece of stableJson(body)) hash.update(piece);
  return hash.digest('hex');
}

/** `requestHashOf` for a large body (a bulk import), pausing between pieces (`timeSlices`). */
export async function requestHashInSlices(route: string, body: unknown, pause: () => Promise<void>): Promise<string> {
  const hash = createHash('sha256').update(`${route}\n`);
  for (const piece of stableJson(body)) {
    hash.update(piece);
    await pause();
  }
  return hash.digest('hex');
}

export interface IdempotentRequest {
  keyId: number;
  idempotencyKey: string;
  route: string;
  /** `requestHashOf(route, body)`. */
  requestHash: string;
  now: Date;
}

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

export function createIdempotencyStore(db: Db) {
  const find = db
    .select()
    .from(idempotencyRecords)
    .where(and(eq(idempotencyRecords.keyId, param('keyId')), eq(idempotencyRecords.idempotencyKey, param('idempotencyKey'))))
    .prepare();
  const save = db
    .insert(idempotencyRecords)
    .values({
      keyId: param('keyId'),
      idempotencyKey: param('idempotencyKey'),
      route: param('route'),
      requestHash: param('requestHash'),
      status: param('status'),
      body: param('body'),
      createdAt: param('createdAt'),
    })
    .prepare();

  /**
   * Looks a request up under its (API key, Idempotency-Key): `replay` is the first response when this is a repeat of
   * the same request, a different request under a used key is refused with 422, and `remember` keeps a new
   * successful response. Call both inside the write's transaction, so the stored response and the write it
   * describes commit together.
   */
  function begin(request: IdempotentRequest) {
    const { keyId, idempotencyKey, route, requestHash } = request;
    const prior = find.get({ keyId, idempotencyKey });
    if (prior && (prior.requestHash !== requestHash || prior.route !== route)) {
      throw new HttpProblem(
        422,
        'idempotency-key-reused',
        said(
          `Idempotency-Key“${idempotencyKey}”已用于另一个不同的请求；新内容请使用新的键。`,
          `Idempotency-Key "${idempotencyKey}" was used for a different request; use a new key for new content.`,
        ),
      );
    }
    return {
      replay: prior ? { status: prior.status, body: JSON.parse(prior.body) as unknown, replayed: true } : undefined,
      remember(response: { status: number; body: unknown }): StoredResponse {
        // A refused request leaves no trace: retried (after fixing the data) under the same key, it runs again.
        if (response.status < 400) {
          save.run({ keyId, idempotencyKey, route, requestHash, status: response.status, body: JSON.stringify(response.body), createdAt: request.now.toISOString() });
        }
        return { ...response, replayed: false };
      },
    };
  }

  return {
    begin,
    /** Runs `work` once per (API key, Idempotency-Key) (see `begin`); without a key, every time. */
    once(request: { keyId: number; idempotencyKey: string | undefined; route: string; body: unknown; now: Date }, work: () => { status: number; body: unknown }): StoredResponse {
      const { idempotencyKey, route, body } = request;
      if (idempotencyKey === undefined) return { ...work(), replayed: false };
      const pending = begin({ ...request, idempotencyKey, requestHash: requestHashOf(route, body) });
      return pending.replay ?? pending.remember(work());
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
