import type { Db } from '../../db/client.js';
import type { Channel } from './channels.js';
import type { Stage } from './stages.js';

export interface NewReminder {
  obligationId: number;
  stage: Stage;
  stageKey: string;
  reportId: number | null;
  unitId: number;
  createdAt: string;
  subject: string;
  body: string;
}

/** A report's return that an open obligation answers to, within the catch-up window. */
export interface ReturnSeen {
  obligationId: number;
  reportId: number;
  /** 1 for the report's first return, 2 for the second … */
  nth: number;
  returnedAt: string;
  note: string | null;
}

/** A message claimed for sending, with what it says. */
export interface ClaimedMessage {
  id: number;
  channel: Channel;
  recipient: string;
  attempts: number;
  stage: Stage;
  subject: string;
  body: string;
  contactRemovedAt: string | null;
}

export interface ReminderListFilters {
  unitIds?: number[] | undefined;
  stage?: Stage | undefined;
  since?: string | undefined;
}

/** A reminder as recorded, with the obligation and measure it is about. */
export interface ReminderRow extends NewReminder {
  id: number;
  assignmentId: number;
  period: string;
  dueDate: string;
  measureId: number;
  taskNo: number;
  measureNo: number | null;
  measureText: string;
}

export interface MessageRow {
  id: number;
  reminderId: number;
  channel: Channel;
  contactId: number;
  contactName: string;
  recipient: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  sentAt: string | null;
  lastError: string | null;
}

/**
 * Reminders and their messages. The unique (obligation, stage key) makes a stage reminded of once, whichever process
 * sees it first; a message is claimed by a conditional UPDATE before it is sent, so two processes never send it both.
 */
export function createReminderRepository(db: Db) {
  const raw = db.$client;
  const exists = raw.prepare<[number, string], number>('SELECT 1 FROM reminders WHERE obligation_id = ? AND stage_key = ?').pluck();
  const insert = raw
    .prepare<NewReminder, number>(
      `INSERT OR IGNORE INTO reminders (obligation_id, stage, stage_key, report_id, unit_id, created_at, subject, body)
       VALUES (:obligationId, :stage, :stageKey, :reportId, :unitId, :createdAt, :subject, :body) RETURNING id`,
    )
    .pluck();
  const insertMessage = raw.prepare(`INSERT OR IGNORE INTO reminder_messages (reminder_id, contact_id, channel, recipient, next_attempt_at) VALUES (?, ?, ?, ?, ?)`);
  const chased = raw.prepare<[], number>(`SELECT DISTINCT obligation_id FROM reminders WHERE stage IN ('overdue', 'still_overdue')`).pluck();
  const closed = raw.prepare<[string], number>('SELECT id FROM assignments WHERE closed_at IS NOT NULL AND closed_at <= ?').pluck();
  const plans = raw.prepare<[], number>('SELECT id FROM plans ORDER BY id').pluck();
  // Given: assigned, or reinstated after a withdrawal (its obligations owed again from then). An amendment's assignedAt
  // is its effective day, which may lie before the act: the audit trail's add (audit_events_entity seeks) says when.
  const givenAt = raw.prepare<{ planId: number; asOf: string }, { id: number; givenAt: string }>(
    `SELECT a.id, max(a.assigned_at, coalesce((SELECT max(e.at) FROM audit_events e WHERE e.entity_type = 'assignment' AND e.entity_id = a.id
         AND e.action IN ('assignment.add', 'assignment.reinstate') AND e.at <= :asOf), '')) AS givenAt
     FROM assignments a JOIN measures m ON m.id = a.measure_id JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = :planId`,
  );
  // Re-dated: an amendment waived the period's old due date and added the new one; the new exists since the revision.
  const redatedAt = raw.prepare<{ asOf: string }, { id: number; redatedAt: string }>(
    `SELECT o.id, max(r.at) AS redatedAt
     FROM obligations w JOIN plan_revisions r ON r.id = w.waived_by_revision_id
       JOIN obligations o ON o.assignment_id = w.assignment_id AND o.period = w.period AND o.id <> w.id
     WHERE w.waived_by_revision_id IS NOT NULL AND r.at <= :asOf GROUP BY o.id`,
  );
  // A return answers an obligation as a report does (obligation-repository.ts ANSWERS); nth counts the report's returns.
  const returns = raw.prepare<{ since: string; asOf: string }, ReturnSeen>(
    `SELECT o.id AS obligationId, x.report_id AS reportId, x.returned_at AS returnedAt, x.note,
       (SELECT count(*) FROM report_returns y WHERE y.report_id = x.report_id AND y.event_id <= x.event_id) AS nth
     FROM report_returns x
       JOIN assignments a ON a.unit_id = x.unit_id AND a.measure_id = x.measure_id
       JOIN obligations o ON o.assignment_id = a.id
         AND x.period_end BETWEEN o.period_start AND o.period_end AND x.period_start >= o.period_start
     WHERE x.returned_at >= :since AND x.returned_at <= :asOf AND (x.resolved_at IS NULL OR x.resolved_at > :asOf)
     ORDER BY x.event_id, o.id`,
  );
  const claim = raw.prepare<{ me: string; now: string; until: string; limit: number }, { id: number }>(
    `UPDATE reminder_messages SET claimed_by = :me, claimed_until = :until, attempts = attempts + 1
     WHERE id IN (SELECT id FROM reminder_messages WHERE state = 'pending' AND next_attempt_at <= :now
       AND (claimed_until IS NULL OR claimed_until < :now) ORDER BY next_attempt_at, id LIMIT :limit)
     RETURNING id`,
  );
  const claimedText = raw.prepare<[string], ClaimedMessage>(
    `SELECT m.id, m.channel, m.recipient, m.attempts, r.stage, r.subject, r.body, c.removed_at AS contactRemovedAt
     FROM reminder_messages m JOIN reminders r ON r.id = m.reminder_id JOIN unit_contacts c ON c.id = m.contact_id
     WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id`,
  );
  const markSent = raw.prepare(
    `UPDATE reminder_messages SET state = 'sent', sent_at = :at, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = :id AND claimed_by = :me`,
  );
  const markFailed = raw.prepare(`UPDATE reminder_messages SET state = 'failed', last_error = :error, claimed_by = NULL, claimed_until = NULL WHERE id = :id AND claimed_by = :me`);
  const markRetry = raw.prepare(
    `UPDATE reminder_messages SET next_attempt_at = :next, last_error = :error, claimed_by = NULL, claimed_until = NULL WHERE id = :id AND claimed_by = :me`,
  );
  const listPage = raw.prepare<Record<string, unknown>, ReminderRow>(
    `SELECT r.id, r.obligation_id AS obligationId, r.stage, r.stage_key AS stageKey, r.report_id AS reportId,
       r.unit_id AS unitId, r.created_at AS createdAt, r.subject, r.body,
       o.assignment_id AS assignmentId, o.period, o.due_date AS dueDate, m.id AS measureId, t.no AS taskNo, m.no AS measureNo, m.text AS measureText
     FROM reminders r JOIN obligations o ON o.id = r.obligation_id JOIN assignments a ON a.id = o.assignment_id
       JOIN measures m ON m.id = a.measure_id JOIN tasks t ON t.id = m.task_id
     WHERE r.id > :after AND (:unitIds IS NULL OR r.unit_id IN (SELECT value FROM json_each(:unitIds)))
       AND (:stage IS NULL OR r.stage = :stage) AND (:since IS NULL OR r.created_at >= :since)
     ORDER BY r.id LIMIT :limit`,
  );
  const returnNote = raw.prepare<[number, number], string | null>('SELECT note FROM report_returns WHERE report_id = ? ORDER BY event_id LIMIT 1 OFFSET ?').pluck();
  const messagesOf = raw.prepare<[string], MessageRow>(
    `SELECT m.id, m.reminder_id AS reminderId, m.channel, m.contact_id AS contactId, c.name AS contactName, m.recipient, m.state, m.attempts,
       m.next_attempt_at AS nextAttemptAt, m.sent_at AS sentAt, m.last_error AS lastError
     FROM reminder_messages m JOIN unit_contacts c ON c.id = m.contact_id
     WHERE m.reminder_id IN (SELECT value FROM json_each(?)) ORDER BY m.id`,
  );

  return {
    plans: (): number[] => plans.all(),
    closedAssignments: (asOf: string): Set<number> => new Set(closed.all(asOf)),
    /** When each of a plan's assignments was last given (交办, or reinstated) by `asOf`: its obligations are owed from then. */
    givenAt: (planId: number, asOf: string): Map<number, string> => new Map(givenAt.all({ planId, asOf }).map((a) => [a.id, a.givenAt])),
    /** Obligations whose period an amendment re-dated by `asOf`, and when: they are owed from then. */
    redatedAt: (asOf: string): Map<number, string> => new Map(redatedAt.all({ asOf }).map((o) => [o.id, o.redatedAt])),
    /** Obligations already told they are overdue: their weekly urging goes on whenever it began. */
    chasedObligations: (): Set<number> => new Set(chased.all()),
    returnsSince: (since: string, asOf: string): ReturnSeen[] => returns.all({ since, asOf }),
    exists: (obligationId: number, stageKey: string): boolean => exists.get(obligationId, stageKey) !== undefined,
    /** Records a reminder unless its stage was recorded already (by this process or another): its id, or undefined. */
    insert: (reminder: NewReminder): number | undefined => insert.get(reminder),
    addMessage(reminderId: number, contactId: number, channel: Channel, recipient: string, at: string): void {
      insertMessage.run(reminderId, contactId, channel, recipient, at);
    },

    /** Claims up to `limit` messages due by `now` for `me` until `until`; call inside a transaction. */
    claim(me: string, now: string, until: string, limit: number): number[] {
      return claim.all({ me, now, until, limit }).map((row) => row.id);
    },
    claimed: (ids: number[]): ClaimedMessage[] => claimedText.all(JSON.stringify(ids)),
    sent: (id: number, me: string, at: string) => markSent.run({ id, me, at }).changes > 0,
    failed: (id: number, me: string, error: string) => markFailed.run({ id, me, error }).changes > 0,
    retryAt: (id: number, me: string, next: string, error: string) => markRetry.run({ id, me, next, error }).changes > 0,

    /** Reminders after the id `after`, oldest first, filtered; one more than asked says whether more follow. */
    page(filters: ReminderListFilters, options: { after: number; limit: number }) {
      const rows = listPage.all({
        after: options.after,
        limit: options.limit + 1,
        unitIds: filters.unitIds === undefined ? null : JSON.stringify(filters.unitIds),
        stage: filters.stage ?? null,
        since: filters.since ?? null,
      });
      return { rows: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
    },
    /** The reviewer's note on a report's `nth` return. */
    returnNote: (reportId: number, nth: number): string | null => returnNote.get(reportId, nth - 1) ?? null,
    messagesOf: (reminderIds: number[]): MessageRow[] => messagesOf.all(JSON.stringify(reminderIds)),
  };
}

export type ReminderRepository = ReturnType<typeof createReminderRepository>;
