import { endOfShanghaiDay } from '../../http/calendar.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;

export type Stage = 'due_soon' | 'overdue' | 'still_overdue' | 'returned';

/** A stage an obligation has reached, with its unique key and the instant it began. */
export interface StageReached {
  stage: Stage;
  /** due_soon, overdue, still_overdue:<week>, returned:<report>:<nth return>. */
  key: string;
  /** For still_overdue: whole weeks since the obligation became overdue (1 and up). */
  week: number | null;
  began: Date;
}

/**
 * The due-date stage an open obligation (not completed, not waived, its assignment standing and not closed) stands
 * in at `asOf`, or none before its warning window. Only the latest stage counts: one that was first seen overdue is
 * overdue, never also due soon; one seen three weeks into being overdue is in its third week.
 *
 * - due_soon (临近提醒): from the instant it turns yellow, `daysUntilDue <= warningDays` (lights.ts), or from when it
 *   came to exist (`existsFrom`: its assignment given or reinstated) if that is later, up to its due date;
 * - overdue (到期催办): from the end of its due date (the next day, Asia/Shanghai);
 * - still_overdue:N (逾期第N周催办): from N whole weeks after it became overdue.
 */
export function dueStage(dueDate: string, asOf: Date, warningDays: number, existsFrom?: Date): StageReached | undefined {
  const overdueFrom = endOfShanghaiDay(dueDate);
  const now = asOf.getTime();
  if (now >= overdueFrom) {
    const week = Math.floor((now - overdueFrom) / WEEK_MS);
    if (week === 0) return { stage: 'overdue', key: 'overdue', week: null, began: new Date(overdueFrom) };
    return { stage: 'still_overdue', key: `still_overdue:${week}`, week, began: new Date(overdueFrom + week * WEEK_MS) };
  }
  // daysUntilDue = floor((overdueFrom − 1 − now) / day) ≤ w  ⇔  now ≥ overdueFrom − (w + 1) days.
  const yellowFrom = overdueFrom - (warningDays + 1) * DAY_MS;
  if (now < yellowFrom) return undefined;
  // One that came to exist already yellow (assigned ten days before its due date) is due soon from then on, not from
  // before it existed: else the catch-up window would take it for old news and it would never be told.
  return { stage: 'due_soon', key: 'due_soon', week: null, began: new Date(Math.max(yellowFrom, existsFrom?.getTime() ?? yellowFrom)) };
}

/** The stage of a report's `nth` return (a report returned, resubmitted and returned again is told twice). */
export function returnedStage(reportId: number, nth: number, returnedAt: string): StageReached {
  return { stage: 'returned', key: `returned:${reportId}:${nth}`, week: null, began: new Date(returnedAt) };
}
