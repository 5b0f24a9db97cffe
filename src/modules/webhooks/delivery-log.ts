import type { Db } from '../../db/client.js';
import { groupBy } from '../../db/sql.js';
import { shown } from '../changes/shown.js';
import type { DeliveryState } from './deliveries.js';
import { messageId } from './signing.js';

interface DeliveryRow {
  id: number;
  state: DeliveryState;
  createdAt: string;
  nextAttemptAt: string;
  deliveredAt: string | null;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  changeId: number;
  type: string;
  at: string;
  resourceType: string;
  resourceId: number;
  unitId: number | null;
  changeState: string;
}

interface AttemptRow {
  deliveryId: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** What admins read of a subscription's deliveries: each message, its change, its state and every attempt. */
export function createDeliveryLog(db: Db) {
  const raw = db.$client;
  const page = raw.prepare<{ subscriptionId: number; after: number; state: string | null; limit: number }, DeliveryRow>(
    `SELECT d.id, d.state, d.created_at AS createdAt, d.next_attempt_at AS nextAttemptAt, d.delivered_at AS deliveredAt, d.attempts,
            d.last_status AS lastStatus, d.last_error AS lastError, c.id AS changeId, c.type, c.at, c.resource_type AS resourceType,
            c.resource_id AS resourceId, c.unit_id AS unitId, c.state AS changeState
     FROM webhook_deliveries d JOIN changes c ON c.id = d.change_id
     WHERE d.subscription_id = :subscriptionId AND d.id > :after AND (:state IS NULL OR d.state = :state)
     ORDER BY d.id LIMIT :limit`,
  );
  const attemptsOf = raw.prepare<{ ids: string }, AttemptRow>(
    `SELECT delivery_id AS deliveryId, at, status, error, duration_ms AS durationMs FROM webhook_attempts
     WHERE delivery_id IN (SELECT value FROM json_each(:ids)) ORDER BY id`,
  );
  const one = raw.prepare<{ subscriptionId: number; id: number }, { id: number; state: DeliveryState }>(
    'SELECT id, state FROM webhook_deliveries WHERE subscription_id = :subscriptionId AND id = :id',
  );

  return {
    /** A subscription's deliveries after the id `after`, oldest first, with their attempts; one more than asked says whether more follow. */
    page(subscriptionId: number, filters: { state?: DeliveryState | undefined }, options: { after: number; limit: number }) {
      const rows = page.all({ subscriptionId, after: options.after, state: filters.state ?? null, limit: options.limit + 1 });
      const kept = rows.slice(0, options.limit);
      const attempts = groupBy(attemptsOf.all({ ids: JSON.stringify(kept.map((row) => row.id)) }), (attempt) => attempt.deliveryId);
      const items = kept.map((row) => {
        const change = shown({
          id: row.changeId,
          type: row.type as never,
          at: row.at,
          resourceType: row.resourceType,
          resourceId: row.resourceId,
          unitId: row.unitId,
          privateToUnitId: null,
          state: JSON.parse(row.changeState) as unknown,
        });
        return {
          id: row.id,
          webhookId: messageId(row.id),
          state: row.state,
          createdAt: row.createdAt,
          nextAttemptAt: row.state === 'pending' ? row.nextAttemptAt : null,
          deliveredAt: row.deliveredAt,
          change: { id: change.id, type: change.type, at: change.at, resource: change.resource },
          attempts: (attempts.get(row.id) ?? []).map(({ at, status, error, durationMs }) => ({ at, status, error, durationMs })),
        };
      });
      return { items, hasMore: rows.length > options.limit };
    },

    /** One delivery of a subscription (its id and state), or undefined. */
    get(subscriptionId: number, id: number) {
      return one.get({ subscriptionId, id });
    },

    /** One delivery as the list shows it. */
    shown(subscriptionId: number, id: number) {
      return this.page(subscriptionId, {}, { after: id - 1, limit: 1 }).items.find((item) => item.id === id);
    },
  };
}

export type DeliveryLog = ReturnType<typeof createDeliveryLog>;
