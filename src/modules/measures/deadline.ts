import type { DEADLINE_KINDS } from '../../db/schema.js';

export interface Deadline {
  kind: (typeof DEADLINE_KINDS)[number];
  date: string | null;
  text: string;
}

/** The typed deadline from its three columns; null when the source row had no 完成时限 cell. */
export function toDeadline(row: { deadlineKind: Deadline['kind'] | null; deadlineDate: string | null; deadlineText: string | null }): Deadline | null {
  if (row.deadlineKind === null) return null;
  return { kind: row.deadlineKind, date: row.deadlineDate, text: row.deadlineText ?? '' };
}
