import { and, asc, count, eq, isNull, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import { measureOwners, taskUnits, unitAliases, unitMembers, units, UNIT_KINDS } from '../../db/schema.js';
import { containsParam, groupBy, inJsonIds, likeLiteral, param, whenGiven } from '../../db/sql.js';
import type { Page } from '../../http/pagination.js';
import { normaliseUnitName } from './unit-name.js';

export type UnitKind = (typeof UNIT_KINDS)[number];
export interface UnitRef {
  id: number;
  name: string;
  kind: UnitKind;
}

/** A unit with when it was retired (merged into another), null while it stands. */
type StandingUnit = UnitRef & { retiredAt: string | null };

export interface UnitFilters {
  kind?: UnitKind | undefined;
  q?: string | undefined;
}

const unitColumns = { id: units.id, name: units.name, kind: units.kind };
const standingColumns = { ...unitColumns, retiredAt: units.retiredAt };

export function createUnitRepository(db: Db) {
  // Retired units (merged into another) leave the list; they stay readable by id.
  const filter = and(
    isNull(units.retiredAt),
    whenGiven('kind', eq(units.kind, param('kind'))),
    whenGiven('q', or(containsParam(units.name, 'q'), sql`${units.id} IN (SELECT ${unitAliases.unitId} FROM ${unitAliases} WHERE ${containsParam(unitAliases.alias, 'q')})`)),
  );
  const listPage = db.select(unitColumns).from(units).where(filter).orderBy(asc(units.id)).limit(param('limit')).offset(param('offset')).prepare();
  const listTotal = db.select({ n: count() }).from(units).where(filter).prepare();
  const aliasesOfUnits = db.select().from(unitAliases).where(inJsonIds(unitAliases.unitId, 'unitIds')).orderBy(asc(unitAliases.alias)).prepare();
  const byId = db
    .select(unitColumns)
    .from(units)
    .where(eq(units.id, param('id')))
    .prepare();
  const byName = db
    .select(standingColumns)
    .from(units)
    .where(eq(units.name, param('name')))
    .prepare();
  const byAlias = db
    .select(standingColumns)
    .from(unitAliases)
    .innerJoin(units, eq(units.id, unitAliases.unitId))
    .where(eq(unitAliases.alias, param('name')))
    .prepare();
  const standingById = db
    .select(standingColumns)
    .from(units)
    .where(eq(units.id, param('id')))
    .prepare();
  const collectivesOf = db
    .select({ id: unitMembers.collectiveId })
    .from(unitMembers)
    .where(eq(unitMembers.memberId, param('id')))
    .prepare();
  /** The units on one side of a membership, given the unit on the other: members of a collective, or its collectives. */
  const linkedUnits = (shown: SQLiteColumn, given: SQLiteColumn) =>
    db
      .select(unitColumns)
      .from(unitMembers)
      .innerJoin(units, eq(units.id, shown))
      .where(eq(given, param('id')))
      .orderBy(asc(units.id))
      .prepare();
  const membersOf = linkedUnits(unitMembers.memberId, unitMembers.collectiveId);
  const memberOf = linkedUnits(unitMembers.collectiveId, unitMembers.memberId);
  const roleCount = db
    .select({ n: count() })
    .from(taskUnits)
    .where(and(eq(taskUnits.unitId, param('id')), eq(taskUnits.role, param('role'))))
    .prepare();
  const ownedMeasureCount = db
    .select({ n: count() })
    .from(measureOwners)
    .where(eq(measureOwners.unitId, param('id')))
    .prepare();

  const refs = new Map<number, UnitRef | undefined>();
  const withoutRetiredAt = (unit: StandingUnit | undefined): UnitRef | undefined => unit && { id: unit.id, name: unit.name, kind: unit.kind };

  /**
   * A name the unit answers to now: its own, unless it was merged into another unit — whose alias its name then is
   * (merging makes it one), so the name finds the unit that carries its work.
   */
  function byCurrentName(name: string) {
    const named = byName.get({ name });
    return withoutRetiredAt(named?.retiredAt === null ? named : (byAlias.get({ name }) ?? named));
  }

  /**
   * The unit a merged unit's work went to: the standing unit that holds its name as an alias (merging makes it one,
   * and a later merge of that unit carries its aliases on). Undefined for a unit that stands.
   */
  function mergedInto(unit: StandingUnit): UnitRef | undefined {
    if (unit.retiredAt === null) return undefined;
    const holder = byAlias.get({ name: unit.name });
    return holder?.retiredAt === null ? withoutRetiredAt(holder) : undefined;
  }

  function aliasesOf(unitIds: number[]): Map<number, string[]> {
    const rows = unitIds.length === 0 ? [] : aliasesOfUnits.all({ unitIds: JSON.stringify(unitIds) });
    return new Map([...groupBy(rows, (r) => r.unitId)].map(([id, group]) => [id, group.map((r) => r.alias)]));
  }

  return {
    /** The one unit-name resolver: an id, a canonical name or any alias. */
    resolve(ref: string): UnitRef | undefined {
      if (/^\d+$/.test(ref)) return byId.get({ id: Number(ref) });
      return byCurrentName(normaliseUnitName(ref));
    },

    /** A unit's id, name and kind, kept in memory (lists name the same units over and over) until `forgetNames`. */
    ref(id: number): UnitRef | undefined {
      if (!refs.has(id)) refs.set(id, byId.get({ id }));
      return refs.get(id);
    },

    /** Units were renamed or merged: names kept by `ref` are stale. */
    forgetNames(): void {
      refs.clear();
    },

    /** When a unit was retired and, if it was merged, the unit its work went to; undefined while it stands. */
    retirement(id: number): { retiredAt: string; mergedInto: UnitRef | null } | undefined {
      const unit = standingById.get({ id });
      if (unit?.retiredAt == null) return undefined;
      return { retiredAt: unit.retiredAt, mergedInto: mergedInto(unit) ?? null };
    },

    /** The unit itself and every collective it is a member of: the units whose duties it shares. */
    withCollectives(unitId: number): number[] {
      return [unitId, ...collectivesOf.all({ id: unitId }).map((c) => c.id)];
    },

    list(filters: UnitFilters, page: Page) {
      const params = { kind: filters.kind ?? null, q: filters.q ? likeLiteral(normaliseUnitName(filters.q)) : null };
      const rows = listPage.all({ ...params, ...page });
      const aliases = aliasesOf(rows.map((r) => r.id));
      return { items: rows.map((r) => ({ ...r, aliases: aliases.get(r.id) ?? [] })), total: listTotal.get(params)!.n };
    },

    get(id: number) {
      const unit = standingById.get({ id });
      if (!unit) return undefined;
      return {
        ...withoutRetiredAt(unit)!,
        aliases: aliasesOf([id]).get(id) ?? [],
        retiredAt: unit.retiredAt,
        mergedInto: mergedInto(unit) ?? null,
        members: membersOf.all({ id }),
        memberOf: memberOf.all({ id }),
        counts: {
          leadTasks: roleCount.get({ id, role: 'lead' })!.n,
          responsibleTasks: roleCount.get({ id, role: 'responsible' })!.n,
          ownedMeasures: ownedMeasureCount.get({ id })!.n,
        },
      };
    },
  };
}

export type UnitRepository = ReturnType<typeof createUnitRepository>;
