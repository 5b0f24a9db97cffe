import type { Db } from '../../db/client.js';
import type { Change } from '../changes/repository.js';
import { familyOf } from '../changes/types.js';

/**
 * The outbox: for each change appended, one pending delivery per active subscription that wants it, inserted by one
 * statement in the change's own transaction — a change committed is a message owed, and nothing is kept in memory,
 * so a subscription made by another process on the same database counts at once. A subscription wants a change when
 * it names its type or family, and (if it names a unit) the change concerns that unit or a collective it belongs to,
 * as the feed's `unit` filter reads. A draft's changes go only to subscriptions of the drafting unit.
 */
export function createOutbox(db: Db): (change: Change) => void {
  const enqueue = db.$client.prepare<{ changeId: number; at: string; type: string; family: string; unitId: number | null; privateTo: number | null }>(
    `INSERT INTO webhook_deliveries (subscription_id, change_id, state, created_at, attempts, next_attempt_at)
     SELECT s.id, :changeId, 'pending', :at, 0, :at
     FROM webhook_subscriptions s
     WHERE s.disabled_at IS NULL
       AND EXISTS (SELECT 1 FROM json_each(s.types) t WHERE t.value IN (:type, :family))
       AND (s.unit_id IS NULL OR s.unit_id = :unitId OR :unitId IN (SELECT collective_id FROM unit_members WHERE member_id = s.unit_id))
       AND (:privateTo IS NULL OR s.unit_id = :privateTo)
     ORDER BY s.id`,
  );
  return (change) => {
    enqueue.run({ changeId: change.id, at: change.at, type: change.type, family: familyOf(change.type), unitId: change.unitId, privateTo: change.privateToUnitId });
  };
}
