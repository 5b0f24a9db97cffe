import type { Db } from '../../db/client.js';
import type { REVISION_ACTIONS, REVISION_ENTITIES } from '../../db/schema.js';

export type RevisionEntity = (typeof REVISION_ENTITIES)[number];
export type RevisionAction = (typeof REVISION_ACTIONS)[number];

/** What every revision says: which entity, what was done, when and from which day, by whom and why. */
interface RevisionFields {
  planId: number | null;
  entity: RevisionEntity;
  entityId: number;
  action: RevisionAction;
  at: string;
  effectiveOn: string;
  keyId: number | null;
  reason: string;
  requestId: string | null;
}

/** One change to a plan, as it is recorded: the entity's document before and after, and why. */
export interface RevisionInput extends RevisionFields {
  before: unknown;
  after: unknown;
  /** The units the change concerns (old and new owners, a renamed or merged unit). */
  unitIds: readonly number[];
}

/** A stored revision: the documents as JSON text. */
export interface RevisionRow extends RevisionFields {
  id: number;
  before: string | null;
  after: string | null;
}

export interface RevisionFilters {
  planId: number;
  entity?: RevisionEntity | undefined;
  entityId?: number | undefined;
  unitId?: number | undefined;
  since?: string | undefined;
  /** Cursor: revisions after this id. */
  after?: number | undefined;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

const COLUMNS = `r.id, r.plan_id AS planId, r.entity, r.entity_id AS entityId, r.action, r.at, r.effective_on AS effectiveOn,
  r.key_id AS keyId, r.reason, r.before, r.after, r.request_id AS requestId`;

/** The record of amendments: append-only (a trigger refuses changes), read in the order they were made. */
export function createRevisionRepository(db: Db) {
  const raw = db.$client;
  const insert = raw.prepare(`INSERT INTO plan_revisions (plan_id, entity, entity_id, action, at, effective_on, key_id, reason, before, after, request_id)
    VALUES (@planId, @entity, @entityId, @action, @at, @effectiveOn, @keyId, @reason, @before, @after, @requestId)`);
  const insertUnit = raw.prepare('INSERT OR IGNORE INTO plan_revision_units (revision_id, unit_id) VALUES (?, ?)');
  // A unit's revisions are its plan's revisions that concern it, and the unit's own (units belong to no plan).
  const where = `(r.plan_id = @planId OR r.plan_id IS NULL)
    AND (@entity IS NULL OR r.entity = @entity)
    AND (@entityId IS NULL OR r.entity_id = @entityId)
    AND (@unitId IS NULL OR EXISTS (SELECT 1 FROM plan_revision_units u WHERE u.revision_id = r.id AND u.unit_id = @unitId))
    AND (@since IS NULL OR r.at >= @since)`;
  const page = raw.prepare<Record<string, unknown>, RevisionRow>(`SELECT ${COLUMNS} FROM plan_revisions r WHERE ${where} AND r.id > @after ORDER BY r.id LIMIT @limit`);
  const total = raw.prepare<Record<string, unknown>, { total: number }>(`SELECT count(*) AS total FROM plan_revisions r WHERE ${where}`);
  const unitsOf = raw.prepare<[number], { unitId: number }>('SELECT unit_id AS unitId FROM plan_revision_units WHERE revision_id = ? ORDER BY unit_id');
  const since = raw.prepare<[string, number, string], RevisionRow>(
    `SELECT ${COLUMNS} FROM plan_revisions r WHERE r.entity = ? AND r.entity_id = ? AND r.at > ? ORDER BY r.id DESC`,
  );
  const latest = raw.prepare<[number], { id: number | null }>('SELECT max(id) AS id FROM plan_revisions WHERE plan_id = ? OR plan_id IS NULL');

  const bind = (filters: RevisionFilters) => ({
    planId: filters.planId,
    entity: filters.entity ?? null,
    entityId: filters.entityId ?? null,
    unitId: filters.unitId ?? null,
    since: filters.since ?? null,
  });

  return {
    record(input: RevisionInput): number {
      const { unitIds, before, after, ...fields } = input;
      const id = Number(insert.run({ ...fields, before: json(before), after: json(after) }).lastInsertRowid);
      for (const unitId of new Set(unitIds)) insertUnit.run(id, unitId);
      return id;
    },
    list(filters: RevisionFilters, limit: number) {
      const bound = bind(filters);
      const items = page.all({ ...bound, after: filters.after ?? 0, limit });
      return { items: items.map((row) => ({ ...row, unitIds: unitsOf.all(row.id).map((u) => u.unitId) })), total: total.get(bound)!.total };
    },
    /** The entity's revisions made after `at`, newest first: undone in this order, they give the entity as it stood at `at`. */
    madeAfter(entity: RevisionEntity, entityId: number, at: string): RevisionRow[] {
      return since.all(entity, entityId, at);
    },
    /**
     * The plan's version: its latest revision, units' included (0 before any). A record's answer shows its neighbours
     * too (a task its measures, every answer its units' names), so any amendment is a new version of every record.
     */
    versionOf(planId: number): number {
      return latest.get(planId)?.id ?? 0;
    },
  };
}

export type RevisionRepository = ReturnType<typeof createRevisionRepository>;

/**
 * The document as it stood before the given revisions (newest first) were made: each one's `before` in turn. A
 * document created by one of them did not exist then (undefined).
 */
export function documentBefore<T>(current: T, madeAfter: readonly RevisionRow[]): T | undefined {
  let document: T | undefined = current;
  for (const revision of madeAfter) document = revision.before === null ? undefined : (JSON.parse(revision.before) as T);
  return document;
}
