import { and, asc, gt, lte, max, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { changes, type CHANGE_TYPES } from '../../db/schema.js';
import { inJsonIds, param, whenGiven } from '../../db/sql.js';
import type { DraftVisibility } from '../reports/repository.js';

export type ChangeType = (typeof CHANGE_TYPES)[number];

/** A change as it is appended: what changed, the unit it concerns, and the resource's new state. */
export interface NewChange {
  at: Date;
  type: ChangeType;
  resourceType: string;
  resourceId: number;
  unitId: number | null;
  /** A draft's unit: only admins, coordinators and that unit's reporters see the change. */
  privateToUnitId: number | null;
  state: unknown;
}

export interface Change extends Omit<NewChange, 'at'> {
  id: number;
  at: string;
}

export interface FeedFilters {
  types?: ChangeType[] | undefined;
  /** Changes concerning any of these units. */
  unitIds?: number[] | undefined;
}

/**
 * Ids one page looks through at most: a filter that matches rarely (one type, one unit) costs a bounded scan per
 * request instead of a walk to the end of the feed on the event loop; such a page may come back short, or empty, with
 * a cursor that still moves on.
 */
export const SCAN_WINDOW = 5_000;

export interface ChangeFeedOptions {
  /** Told of each change as it is appended, in the same transaction (the webhook outbox). */
  onAppended?: (change: Change) => void;
}

/**
 * The change feed. Rows are appended inside the transaction of the write they record; SQLite has one writer at a
 * time, so a later-committed change always has a larger id and a reader never sees a gap filled in later: the id is
 * a resumable cursor. (A PostgreSQL backend will need a commit-ordered sequence instead of a plain serial.)
 */
export function createChangeRepository(db: Db, options: ChangeFeedOptions = {}) {
  const insert = db
    .insert(changes)
    .values({
      at: param('at'),
      type: param('type'),
      resourceType: param('resourceType'),
      resourceId: param('resourceId'),
      unitId: param('unitId'),
      privateToUnitId: param('privateToUnitId'),
      state: param('state'),
    })
    .returning({ id: changes.id })
    .prepare();
  const visible = sql`(${changes.privateToUnitId} IS NULL OR ${param('allDrafts')} = 1 OR ${changes.privateToUnitId} = ${param('readerUnitId')})`;
  const page = db
    .select()
    .from(changes)
    .where(
      and(
        gt(changes.id, param('after')),
        lte(changes.id, param('until')),
        whenGiven('types', inJsonIds(changes.type, 'types')),
        whenGiven('unitIds', inJsonIds(changes.unitId, 'unitIds')),
        visible,
      ),
    )
    .orderBy(asc(changes.id))
    .limit(param('limit'))
    .prepare();
  const latest = db
    .select({ id: max(changes.id) })
    .from(changes)
    .prepare();

  return {
    /** Appends one change; call it inside the transaction of the write it records. */
    append(change: NewChange): Change {
      const at = change.at.toISOString();
      const { id } = insert.get({ ...change, at, state: JSON.stringify(change.state) })!;
      const appended = { ...change, id, at };
      options.onAppended?.(appended);
      return appended;
    },

    /**
     * Changes after the id `after` whose drafts `reader` may see, oldest first, looking through at most SCAN_WINDOW
     * ids; `nextCursor` is where the next page starts: past the last change shown, or past every id looked through.
     */
    page(reader: DraftVisibility, filters: FeedFilters, options: { after: number; limit: number }) {
      // Every id up to the latest committed one is committed (ids grow in commit order): ids up to `until` are final.
      const last = latest.get()?.id ?? 0;
      const until = Math.max(options.after, Math.min(options.after + SCAN_WINDOW, last));
      const rows = page.all({
        after: options.after,
        until,
        limit: options.limit + 1,
        types: filters.types === undefined ? null : JSON.stringify(filters.types),
        unitIds: filters.unitIds === undefined ? null : JSON.stringify(filters.unitIds),
        allDrafts: reader.all ? 1 : 0,
        readerUnitId: reader.all ? null : reader.unitId,
      });
      const items: Change[] = rows.slice(0, options.limit).map((row) => ({ ...row, state: JSON.parse(row.state) as unknown }));
      const full = rows.length > options.limit;
      return { items, nextCursor: full ? items.at(-1)!.id : until, hasMore: full || until < last };
    },
  };
}

export type ChangeRepository = ReturnType<typeof createChangeRepository>;
