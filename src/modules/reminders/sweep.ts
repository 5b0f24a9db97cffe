import { endOfShanghaiDay } from '../../http/calendar.js';
import type { JudgedObligation, AssignmentService, SignalLookup } from '../assignments/service.js';
import type { ChangeRepository } from '../changes/repository.js';
import type { Channel } from './channels.js';
import type { ContactRepository } from './contact-repository.js';
import { recipientKey } from './recipients.js';
import type { ReminderRepository } from './repository.js';
import { dueStage, returnedStage, type StageReached } from './stages.js';
import { reminderText } from './text.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Reminders recorded per transaction: a year-end sweep (every annual obligation turning yellow at once) commits in slices. */
const BATCH = 200;
/** The sweep asks only "done or not", and indicators colour lights, not stages: no indicator judgement is needed. */
const NO_SIGNALS: SignalLookup = () => undefined;

export interface SweepDeps {
  transaction: <T>(work: () => T) => T;
  /** Resolves once what the transactions so far wrote is on disk (group commit). */
  settled: () => Promise<void>;
  /** Resolves when no long write (a bulk import on its own connection) holds the database: await it before writing. */
  idle: () => Promise<void>;
  reminders: ReminderRepository;
  contacts: ContactRepository;
  changes: ChangeRepository;
  assignments: AssignmentService;
  now: () => Date;
  warningDays: number;
  catchUpDays: number;
  publicBaseUrl: string | null;
}

/** A stage an obligation reached that no reminder records yet, with its text. */
interface Found {
  obligation: JudgedObligation;
  stage: StageReached;
  unitId: number;
  subject: string;
  body: string;
  reportId: number | null;
}

export interface SweepResult {
  /** Reminders this sweep recorded (another process may have recorded some of what it found first). */
  reminders: number;
  /** Messages queued for sending, one per distinct recipient (address or robot) and channel. */
  messages: number;
  /** obligation.due_soon and obligation.overdue changes appended to the feed. */
  changes: number;
}

/**
 * The supervision sweep (督查督办): for every open obligation, the stage it has reached at the app's clock — due
 * soon, overdue, a week more overdue, a report returned — recorded once per obligation and stage (the unique key),
 * with one message per distinct recipient and channel among the owing unit's contacts, and for due soon and overdue a change in the feed.
 *
 * Not flooding on a first sweep over years of history: a stage counts only if it began within `catchUpDays`
 * (default 7) — due soon since it turned yellow (or came to exist already yellow), a return since it was made. Weekly urging continues an obligation
 * already told it is overdue, or one that became overdue within the window; obligations overdue from before
 * (the backlog) are left to the follow-up list (GET /api/v1/follow-ups) instead of a burst of messages.
 */
export function createSweep(deps: SweepDeps) {
  const { transaction, settled, reminders, contacts, changes, assignments, now, warningDays } = deps;

  function described(planId: number, obligation: JudgedObligation, stage: StageReached, asOf: Date, report?: { id: number; note: string | null }): Found {
    const view = assignments.obligationView(planId, obligation, asOf);
    const text = reminderText(
      stage,
      { unitName: view.unit.name, measure: view.measure, period: view.period, dueDate: view.dueDate, assignmentId: view.assignmentId, daysLeft: view.daysLeft, report },
      deps.publicBaseUrl,
    );
    return { obligation, stage, unitId: obligation.unitId, subject: text.subject, body: text.text, reportId: report?.id ?? null };
  }

  /** The stages a plan's open obligations reached that no reminder records yet. */
  function found(planId: number, asOf: Date, since: Date): Found[] {
    const iso = asOf.toISOString();
    const closed = reminders.closedAssignments(iso);
    const open = new Map(
      assignments
        .judged({ planId }, asOf, NO_SIGNALS, true)
        .filter((o) => o.state !== 'completed' && o.state !== 'waived' && !closed.has(o.assignmentId))
        .map((o) => [o.id, o]),
    );
    const chased = reminders.chasedObligations();
    const givenAt = reminders.givenAt(planId, iso);
    const redatedAt = reminders.redatedAt(iso);
    const result: Found[] = [];
    for (const o of open.values()) {
      // When it came to be owed: its assignment given (or reinstated), or its due date moved by an amendment.
      const owedFrom = [givenAt.get(o.assignmentId), redatedAt.get(o.id)].reduce<string | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
      const stage = dueStage(o.dueDate, asOf, warningDays, owedFrom === undefined ? undefined : new Date(owedFrom));
      if (!stage) continue;
      const live = stage.stage === 'due_soon' ? stage.began >= since : chased.has(o.id) || endOfShanghaiDay(o.dueDate) >= since.getTime();
      if (live && !reminders.exists(o.id, stage.key)) result.push(described(planId, o, stage, asOf));
    }
    for (const r of reminders.returnsSince(since.toISOString(), iso)) {
      const o = open.get(r.obligationId);
      const stage = returnedStage(r.reportId, r.nth, r.returnedAt);
      if (o && !reminders.exists(o.id, stage.key)) result.push(described(planId, o, stage, asOf, { id: r.reportId, note: r.note }));
    }
    return result;
  }

  /** Records a slice of what was found, in one transaction; what another process recorded first is skipped whole. */
  function record(slice: Found[], asOf: Date, feedStates: Map<number, unknown>): SweepResult {
    const at = asOf.toISOString();
    const result: SweepResult = { reminders: 0, messages: 0, changes: 0 };
    for (const f of slice) {
      const id = reminders.insert({
        obligationId: f.obligation.id,
        stage: f.stage.stage,
        stageKey: f.stage.key,
        reportId: f.reportId,
        unitId: f.unitId,
        createdAt: at,
        subject: f.subject,
        body: f.body,
      });
      if (id === undefined) continue;
      result.reminders++;
      // One message per recipient: two contacts sharing the office group's robot, or one mailbox entered twice in
      // different case, are told once (through the first contact that names it).
      const told = new Set<string>();
      const queue = (contactId: number, channel: Channel, recipient: string) => {
        const key = recipientKey(channel, recipient);
        if (told.has(key)) return;
        told.add(key);
        reminders.addMessage(id, contactId, channel, recipient, at);
        result.messages++;
      };
      for (const contact of contacts.ofUnit(f.unitId)) {
        if (contact.email !== null) queue(contact.id, 'email', contact.email);
        if (contact.robotKind !== null && contact.robotUrl !== null) queue(contact.id, contact.robotKind, contact.robotUrl);
      }
      if (f.stage.stage !== 'due_soon' && f.stage.stage !== 'overdue') continue;
      const type = f.stage.stage === 'due_soon' ? 'obligation.due_soon' : 'obligation.overdue';
      changes.append({ at: asOf, type, resourceType: 'obligation', resourceId: f.obligation.id, unitId: f.unitId, privateToUnitId: null, state: feedStates.get(f.obligation.id) });
      result.changes++;
    }
    return result;
  }

  return {
    async sweep(): Promise<SweepResult> {
      const asOf = now();
      const since = new Date(asOf.getTime() - deps.catchUpDays * DAY_MS);
      const result: SweepResult = { reminders: 0, messages: 0, changes: 0 };
      for (const planId of reminders.plans()) {
        const seen = found(planId, asOf, since);
        if (seen.length === 0) continue;
        // The feed shows the obligation as GET /obligations does: judged in full (reports sent, returns, indicators).
        const feedStates = new Map<number, unknown>();
        if (seen.some((f) => f.stage.stage === 'due_soon' || f.stage.stage === 'overdue')) {
          for (const o of assignments.judged({ planId }, asOf)) feedStates.set(o.id, assignments.obligationView(planId, o, asOf));
        }
        for (let start = 0; start < seen.length; start += BATCH) {
          await deps.idle(); // then write in this same turn: nothing takes the lock in between
          const recorded = transaction(() => record(seen.slice(start, start + BATCH), asOf, feedStates));
          await settled();
          result.reminders += recorded.reminders;
          result.messages += recorded.messages;
          result.changes += recorded.changes;
        }
      }
      return result;
    },
  };
}

export type Sweep = ReturnType<typeof createSweep>;
