import { and, asc, count, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { measureOwners, taskUnits, unitAliases, unitMembers, units, UNIT_KINDS } from '../../db/schema.js';
import type { Page } from '../../http/pagination.js';
import { textContains } from '../../http/like.js';
import { normaliseUnitName } from './unit-name.js';

export type UnitKind = (typeof UNIT_KINDS)[number];
export interface UnitRef {
  id: number;
  name: string;
  kind: UnitKind;
}

export interface UnitFilters {
  kind?: UnitKind | undefined;
  q?: string | undefined;
}

export function createUnitRepository(db: Db) {
  const unitColumns = { id: units.id, name: units.name, kind: units.kind };

  function aliasesOf(unitIds: number[]): Map<number, string[]> {
    const byUnit = new Map<number, string[]>();
    if (unitIds.length === 0) return byUnit;
    const rows = db
      .select()
      .from(unitAliases)
      .where(inArray(unitAliases.unitId, unitIds))
      .orderBy(asc(unitAliases.alias))
      .all();
    for (const row of rows) byUnit.set(row.unitId, [...(byUnit.get(row.unitId) ?? []), row.alias]);
    return byUnit;
  }

  function filterCondition(filters: UnitFilters): SQL | undefined {
    const conditions: (SQL | undefined)[] = [];
    if (filters.kind) conditions.push(eq(units.kind, filters.kind));
    if (filters.q) {
      const name = normaliseUnitName(filters.q);
      conditions.push(
        or(
          textContains(units.name, name),
          sql`${units.id} IN (SELECT ${unitAliases.unitId} FROM ${unitAliases} WHERE ${textContains(unitAliases.alias, name)})`,
        ),
      );
    }
    return and(...conditions);
  }

  return {
    /** The one unit-name resolver: an id, a canonical name or any alias. */
    resolve(ref: string): UnitRef | undefined {
      if (/^\d+$/.test(ref)) {
        return db.select(unitColumns).from(units).where(eq(units.id, Number(ref))).get();
      }
      const name = normaliseUnitName(ref);
      return (
        db.select(unitColumns).from(units).where(eq(units.name, name)).get() ??
        db
          .select(unitColumns)
          .from(unitAliases)
          .innerJoin(units, eq(units.id, unitAliases.unitId))
          .where(eq(unitAliases.alias, name))
          .get()
      );
    },

    /** The unit itself and every collective it is a member of: the units whose duties it shares. */
    withCollectives(unitId: number): number[] {
      const collectives = db
        .select({ id: unitMembers.collectiveId })
        .from(unitMembers)
        .where(eq(unitMembers.memberId, unitId))
        .all();
      return [unitId, ...collectives.map((c) => c.id)];
    },

    list(filters: UnitFilters, page: Page) {
      const where = filterCondition(filters);
      const rows = db
        .select(unitColumns)
        .from(units)
        .where(where)
        .orderBy(asc(units.id))
        .limit(page.limit)
        .offset(page.offset)
        .all();
      const total = db.select({ n: count() }).from(units).where(where).get()!.n;
      const aliases = aliasesOf(rows.map((r) => r.id));
      return { items: rows.map((r) => ({ ...r, aliases: aliases.get(r.id) ?? [] })), total };
    },

    get(id: number) {
      const unit = db.select(unitColumns).from(units).where(eq(units.id, id)).get();
      if (!unit) return undefined;
      const members = db
        .select(unitColumns)
        .from(unitMembers)
        .innerJoin(units, eq(units.id, unitMembers.memberId))
        .where(eq(unitMembers.collectiveId, id))
        .orderBy(asc(units.id))
        .all();
      const memberOf = db
        .select(unitColumns)
        .from(unitMembers)
        .innerJoin(units, eq(units.id, unitMembers.collectiveId))
        .where(eq(unitMembers.memberId, id))
        .orderBy(asc(units.id))
        .all();
      const roleCount = (role: 'lead' | 'responsible') =>
        db
          .select({ n: count() })
          .from(taskUnits)
          .where(and(eq(taskUnits.unitId, id), eq(taskUnits.role, role)))
          .get()!.n;
      const ownedMeasures = db.select({ n: count() }).from(measureOwners).where(eq(measureOwners.unitId, id)).get()!.n;
      return {
        ...unit,
        aliases: aliasesOf([id]).get(id) ?? [],
        members,
        memberOf,
        counts: { leadTasks: roleCount('lead'), responsibleTasks: roleCount('responsible'), ownedMeasures },
      };
    },

    /** Units by id, in one query, for shaping lists that reference units. */
    refsByIds(ids: number[]): Map<number, UnitRef> {
      if (ids.length === 0) return new Map();
      const rows = db.select(unitColumns).from(units).where(inArray(units.id, ids)).all();
      return new Map(rows.map((r) => [r.id, r]));
    },
  };
}

export type UnitRepository = ReturnType<typeof createUnitRepository>;
