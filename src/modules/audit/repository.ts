import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { auditEvents } from '../../db/schema.js';
import { param, whenGiven } from '../../db/sql.js';
import type { Principal } from '../auth/principal.js';

export interface AuditEntry {
  at: Date;
  principal: Principal | null;
  action: string;
  entityType: string;
  entityId: number | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

export interface AuditFilters {
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: number | undefined;
  keyId?: number | undefined;
  unitId?: number | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

export interface AuditOptions {
  /** Told of each entry as it is recorded, in the same transaction (the change feed derives its changes from them). */
  onRecorded?: (entry: AuditEntry) => void;
}

export function createAuditRepository(db: Db, options: AuditOptions = {}) {
  const insert = db
    .insert(auditEvents)
    .values({
      at: param('at'),
      keyId: param('keyId'),
      unitId: param('unitId'),
      role: param('role'),
      action: param('action'),
      entityType: param('entityType'),
      entityId: param('entityId'),
      before: param('before'),
      after: param('after'),
      requestId: param('requestId'),
    })
    .prepare();
  const filter = and(
    whenGiven('action', eq(auditEvents.action, param('action'))),
    whenGiven('entityType', eq(auditEvents.entityType, param('entityType'))),
    whenGiven('entityId', eq(auditEvents.entityId, param('entityId'))),
    whenGiven('keyId', eq(auditEvents.keyId, param('keyId'))),
    whenGiven('unitId', eq(auditEvents.unitId, param('unitId'))),
    whenGiven('since', sql`${auditEvents.at} >= ${param('since')}`),
    whenGiven('until', sql`${auditEvents.at} < ${param('until')}`),
  );
  const page = db
    .select()
    .from(auditEvents)
    .where(and(filter, gt(auditEvents.id, param('after'))))
    .orderBy(asc(auditEvents.id))
    .limit(param('limit'))
    .prepare();
  const total = db.select({ n: count() }).from(auditEvents).where(filter).prepare();

  return {
    /** Appends one event; call it inside the transaction of the write it records. */
    record(entry: AuditEntry): void {
      insert.run({
        at: entry.at.toISOString(),
        keyId: entry.principal?.keyId ?? null,
        unitId: entry.principal?.unitId ?? null,
        role: entry.principal?.role ?? null,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        before: json(entry.before),
        after: json(entry.after),
        requestId: entry.requestId,
      });
      options.onRecorded?.(entry);
    },

    /** Events in the order they happened, after the event id `after` (0 for the start). */
    list(filters: AuditFilters, options: { after: number; limit: number }) {
      const params = {
        action: filters.action ?? null,
        entityType: filters.entityType ?? null,
        entityId: filters.entityId ?? null,
        keyId: filters.keyId ?? null,
        unitId: filters.unitId ?? null,
        since: filters.since ?? null,
        until: filters.until ?? null,
      };
      // One row more than asked tells whether another page follows.
      const rows = page.all({ ...params, after: options.after, limit: options.limit + 1 });
      return {
        items: rows.slice(0, options.limit).map((row) => ({
          ...row,
          before: row.before === null ? null : (JSON.parse(row.before) as unknown),
          after: row.after === null ? null : (JSON.parse(row.after) as unknown),
        })),
        total: total.get(params)!.n,
        hasMore: rows.length > options.limit,
      };
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
