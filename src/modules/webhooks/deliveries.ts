import type { Db } from '../../db/client.js';
import type { DELIVERY_STATES } from '../../db/schema.js';
import type { Change } from '../changes/repository.js';

export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A message claimed for sending: where to, with which secret, and the change it carries. */
export interface ClaimedMessage {
  deliveryId: number;
  createdAt: string;
  attempts: number;
  url: string;
  secret: string;
  change: Change;
}

/** What one attempt came to: the receiver's status (none if it never answered) and what went wrong. */
export interface AttemptOutcome {
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

interface ChangeRow {
  changeId: number;
  type: Change['type'];
  changeAt: string;
  resourceType: string;
  resourceId: number;
  unitId: number | null;
  privateToUnitId: number | null;
  state: string;
}

const changeOf = (row: ChangeRow): Change => ({
  id: row.changeId,
  type: row.type,
  at: row.changeAt,
  resourceType: row.resourceType,
  resourceId: row.resourceId,
  unitId: row.unitId,
  privateToUnitId: row.privateToUnitId,
  state: JSON.parse(row.state) as unknown,
});

const CHANGE_COLUMNS = `c.id AS changeId, c.type, c.at AS changeAt, c.resource_type AS resourceType, c.resource_id AS resourceId, c.unit_id AS unitId,
  c.private_to_unit_id AS privateToUnitId, c.state`;

/**
 * The deliveries of the outbox, as the dispatcher claims and settles them and as admins read them. Claims are
 * conditional updates: a claim holds until `claimed_until`, and only its holder settles the delivery.
 */
export function createDeliveryRepository(db: Db) {
  const raw = db.$client;
  // Due, unclaimed (or its claim lapsed), of an active subscription, and the head of its queue: the first pending
  // delivery of its subscription for its resource, so a later change of a report never overtakes an earlier one still
  // pending for the same receiver. The heads come from one pass over the pending deliveries (grouped), not a check
  // per candidate: the cost stays linear in the outbox depth even when a dead receiver has left thousands waiting.
  const due = raw.prepare<{ now: string; limit: number }, { id: number }>(
    `SELECT d.id FROM webhook_deliveries d
     JOIN webhook_subscriptions s ON s.id = d.subscription_id
     WHERE d.id IN (
         SELECT min(p.id) FROM webhook_deliveries p JOIN changes c ON c.id = p.change_id
         WHERE p.state = 'pending'
         GROUP BY p.subscription_id, c.resource_type, c.resource_id)
       AND d.next_attempt_at <= :now AND (d.claimed_until IS NULL OR d.claimed_until <= :now) AND s.disabled_at IS NULL
     ORDER BY d.next_attempt_at, d.id
     LIMIT :limit`,
  );
  const anyDue = raw.prepare<{ now: string }, { id: number }>(
    `SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
     WHERE d.state = 'pending' AND d.next_attempt_at <= :now AND (d.claimed_until IS NULL OR d.claimed_until <= :now) AND s.disabled_at IS NULL LIMIT 1`,
  );
  const claim = raw.prepare<{ id: number; now: string; until: string; claimer: string }>(
    `UPDATE webhook_deliveries SET claimed_by = :claimer, claimed_until = :until
     WHERE id = :id AND state = 'pending' AND (claimed_until IS NULL OR claimed_until <= :now)`,
  );
  const message = raw.prepare<{ id: number }, ChangeRow & { deliveryId: number; createdAt: string; attempts: number; url: string; secret: string }>(
    `SELECT d.id AS deliveryId, d.created_at AS createdAt, d.attempts, s.url, s.secret, ${CHANGE_COLUMNS}
     FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id JOIN changes c ON c.id = d.change_id
     WHERE d.id = :id`,
  );
  const attempt = raw.prepare<{ deliveryId: number } & AttemptOutcome>(
    'INSERT INTO webhook_attempts (delivery_id, at, status, error, duration_ms) VALUES (:deliveryId, :at, :status, :error, :durationMs)',
  );
  const settle = raw.prepare<{ id: number; claimer: string; state: DeliveryState; next: string | null; deliveredAt: string | null; status: number | null; error: string | null }>(
    `UPDATE webhook_deliveries
     SET state = :state, attempts = attempts + 1, next_attempt_at = coalesce(:next, next_attempt_at), delivered_at = :deliveredAt,
         last_status = :status, last_error = :error, claimed_by = NULL, claimed_until = NULL
     WHERE id = :id AND claimed_by = :claimer AND state = 'pending'`,
  );
  const redeliver = raw.prepare<{ id: number; now: string }>(
    `UPDATE webhook_deliveries
     SET state = 'pending', next_attempt_at = :now, created_at = CASE WHEN state = 'pending' THEN created_at ELSE :now END,
         delivered_at = NULL, claimed_by = CASE WHEN state = 'pending' THEN claimed_by END, claimed_until = CASE WHEN state = 'pending' THEN claimed_until END
     WHERE id = :id`,
  );
  const abandon = raw.prepare<{ subscriptionId: number }>(
    `UPDATE webhook_deliveries SET state = 'failed', last_error = 'subscription disabled', claimed_by = NULL, claimed_until = NULL
     WHERE subscription_id = :subscriptionId AND state = 'pending'`,
  );
  const depth = raw.prepare<[], { n: number }>(
    `SELECT count(*) AS n FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.state = 'pending' AND s.disabled_at IS NULL`,
  );

  return {
    /** Whether any pending message may be due (a cheap read before claiming in a write transaction). */
    anyDue(now: Date): boolean {
      return anyDue.get({ now: now.toISOString() }) !== undefined;
    },

    /** Claims up to `limit` due messages for `claimer` until `until`; call it in a write transaction. */
    claim(claimer: string, now: Date, until: Date, limit: number): ClaimedMessage[] {
      const at = now.toISOString();
      const claimed = due.all({ now: at, limit }).filter(({ id }) => claim.run({ id, now: at, until: until.toISOString(), claimer }).changes === 1);
      return claimed.map(({ id }) => {
        const row = message.get({ id })!;
        return { deliveryId: row.deliveryId, createdAt: row.createdAt, attempts: row.attempts, url: row.url, secret: row.secret, change: changeOf(row) };
      });
    },

    /** Records an attempt and what it leads to: delivered, another try at `next`, or given up (failed). */
    settle(claimer: string, deliveryId: number, outcome: AttemptOutcome, result: { state: 'delivered' } | { state: 'pending'; next: Date } | { state: 'failed' }): void {
      attempt.run({ deliveryId, ...outcome });
      settle.run({
        id: deliveryId,
        claimer,
        state: result.state,
        next: result.state === 'pending' ? result.next.toISOString() : null,
        deliveredAt: result.state === 'delivered' ? outcome.at : null,
        status: outcome.status,
        error: outcome.error,
      });
    },

    /** Back to pending, due now, with the same message id; a delivered or failed one starts a new give-up period. */
    redeliver(deliveryId: number, now: Date): void {
      redeliver.run({ id: deliveryId, now: now.toISOString() });
    },

    /** A disabled subscription's pending messages will not be sent: failed, so the outbox holds only what is owed. */
    abandon(subscriptionId: number): void {
      abandon.run({ subscriptionId });
    },

    /** Messages waiting to be delivered to active subscriptions (the outbox depth). */
    pending(): number {
      return depth.get()!.n;
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
