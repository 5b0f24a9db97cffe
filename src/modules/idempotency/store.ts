import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { idempotencyRecords } from '../../db/schema.js';
import { param } from '../../db/sql.js';
import { HttpProblem } from '../../http/problem.js';

export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7E]{1,200}$';

/** Text already rendered, waiting its turn on `stableJson`'s stack. */
class Rendered {
  constructor(readonly text: string) {}
}

/**
 * JSON with object keys sorted, so the same request hashes the same whatever order its fields came in. It walks
 * an explicit stack instead of recursing: a body nested 10,000 levels deep (JSON.parse takes it) must not exhaust
 * the call stack before validation gets to refuse it.
 */
function stableJson(root: unknown): string {
  let json = '';
  const stack: unknown[] = [root];
  const pushReversed = (parts: unknown[]) => {
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  };
  while (stack.length > 0) {
    const value = stack.pop();
    if (value instanceof Rendered) {
      json += value.text;
    } else if (Array.isArray(value)) {
      pushReversed([new Rendered('['), ...value.flatMap((item, i) => (i === 0 ? [item] : [new Rendered(','), item])), new Rendered(']')]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      pushReversed([new Rendered('{'), ...entries.flatMap(([k, v], i) => [new Rendered(`${i === 0 ? '' : ','}${JSON.stringify(k)}:`), v]), new Rendered('}')]);
    } else {
      json += JSON.stringify(value) ?? 'null';
    }
  }
  return json;
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

  return {
    /**
     * Runs `work` once per (API key, Idempotency-Key): a repeat of the same request gets the first response
     * again, a different request under a used key is refused with 422. Only successful responses are kept. Call it
     * inside the write's transaction, so the stored response and the write it describes commit together.
     */
    once(
      request: { keyId: number; idempotencyKey: string | undefined; route: string; body: unknown; now: Date },
      work: () => { status: number; body: unknown },
    ): StoredResponse {
      if (request.idempotencyKey === undefined) return { ...work(), replayed: false };
      const requestHash = createHash('sha256').update(`${request.route}\n${stableJson(request.body)}`).digest('hex');
      const prior = find.get({ keyId: request.keyId, idempotencyKey: request.idempotencyKey });
      if (prior) {
        if (prior.requestHash !== requestHash || prior.route !== request.route) {
          throw new HttpProblem(
            422,
            'idempotency-key-reused',
            'Idempotency key reused',
            `Idempotency-Key "${request.idempotencyKey}" was used for a different request; use a new key for new content.`,
          );
        }
        return { status: prior.status, body: JSON.parse(prior.body) as unknown, replayed: true };
      }
      const response = work();
      // A refused request leaves no trace: retried (after fixing the data) under the same key, it runs again.
      if (response.status >= 400) return { ...response, replayed: false };
      save.run({
        keyId: request.keyId,
        idempotencyKey: request.idempotencyKey,
        route: request.route,
        requestHash,
        status: response.status,
        body: JSON.stringify(response.body),
        createdAt: request.now.toISOString(),
      });
      return { ...response, replayed: false };
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
