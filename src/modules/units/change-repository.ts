import type { Db } from '../../db/client.js';
import type { OpenWork } from './said.js';

/** Two open reports (draft, submitted or returned) for one measure and period: merging their units would make one unit report twice. */
export interface OpenReportClash {
  measureId: number;
  period: string;
  reportId: number;
  otherReportId: number;
}

/** What a merge moved from the merged unit to the unit it was merged into. */
export interface MergeMoves {
  /** Lead and responsible roles on tasks (a role the target already had is kept once). */
  taskRoles: number;
  measureOwners: number;
  /** Assignments that now belong to the target. */
  assignments: number[];
  /** The merged unit's assignments on measures the target owes already: withdrawn, the target's own stands. */
  withdrawnAssignments: number[];
  /** The target's withdrawn assignments on measures the merged unit still owed: owed again. */
  reinstatedAssignments: number[];
  reports: number;
  apiKeys: number[];
  /** Collectives the merged unit belonged to (the target now belongs to them). */
  memberships: number;
}

const OPEN = `('draft', 'submitted', 'returned')`;

/**
 * The SQL that renames a unit and merges one into another. Merging moves every reference that says who carries the
 * work now (roles, owners, assignments, reports, keys, memberships); what records the past (audit events, revisions,
 * report events) keeps the unit it named.
 */
export function createUnitChangeRepository(db: Db) {
  const raw = db.$client;
  const q = <P extends unknown[] | Record<string, unknown>, R = unknown>(sql: string) => raw.prepare<P, R>(sql);

  const holder = q<[string, number, string, number], { id: number; name: string }>(`
    SELECT id, name FROM units WHERE name = ? AND id <> ?
    UNION SELECT u.id, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id WHERE a.alias = ? AND a.unit_id <> ?`);
  const dropAlias = q<[string, number]>('DELETE FROM unit_aliases WHERE alias = ? AND unit_id = ?');
  const setName = q<[string, number]>('UPDATE units SET name = ? WHERE id = ?');
  const addAlias = q<[string, number]>('INSERT INTO unit_aliases (alias, unit_id) VALUES (?, ?)');

  const clashes = q<{ from: number; into: number }, OpenReportClash>(`
    SELECT a.measure_id AS measureId, a.period, a.id AS reportId, b.id AS otherReportId
    FROM progress_reports a JOIN progress_reports b ON b.measure_id = a.measure_id AND b.period = a.period AND b.unit_id = :into AND b.state IN ${OPEN}
    WHERE a.unit_id = :from AND a.state IN ${OPEN} ORDER BY a.measure_id, a.period`);
  const plansTouched = q<{ from: number }, { planId: number }>(`
    SELECT t.plan_id AS planId FROM task_units x JOIN tasks t ON t.id = x.task_id WHERE x.unit_id = :from
    UNION SELECT t.plan_id FROM measure_owners x JOIN measures m ON m.id = x.measure_id JOIN tasks t ON t.id = m.task_id WHERE x.unit_id = :from
    UNION SELECT t.plan_id FROM assignments x JOIN measures m ON m.id = x.measure_id JOIN tasks t ON t.id = m.task_id WHERE x.unit_id = :from
    ORDER BY 1`);

  /** Moves a unit's rows of a link table to the target, dropping those the target already has (same other key columns). */
  const moveLinks = (table: string, unitColumn: string, sameAs: string[]) => {
    const same = sameAs.map((c) => `t.${c} = ${table}.${c}`).join(' AND ');
    const drop = q<{ from: number; into: number }>(
      `DELETE FROM ${table} WHERE ${unitColumn} = :from AND EXISTS (SELECT 1 FROM ${table} t WHERE ${same} AND t.${unitColumn} = :into)`,
    );
    const move = q<{ from: number; into: number }>(`UPDATE ${table} SET ${unitColumn} = :into WHERE ${unitColumn} = :from`);
    return (ids: { from: number; into: number }) => {
      const dropped = drop.run(ids).changes;
      return dropped + move.run(ids).changes;
    };
  };
  const moveTaskRoles = moveLinks('task_units', 'unit_id', ['task_id', 'role']);
  const moveOwners = moveLinks('measure_owners', 'unit_id', ['measure_id']);
  const moveMemberships = moveLinks('unit_members', 'member_id', ['collective_id']);

  const sharedAssignments = q<{ from: number; into: number }, { fromId: number; fromWithdrawn: string | null; intoId: number; intoWithdrawn: string | null }>(`
    SELECT a.id AS fromId, a.withdrawn_at AS fromWithdrawn, b.id AS intoId, b.withdrawn_at AS intoWithdrawn
    FROM assignments a JOIN assignments b ON b.measure_id = a.measure_id AND b.unit_id = :into WHERE a.unit_id = :from ORDER BY a.id`);
  const withdraw = q<{ id: number; at: string; reason: string }>('UPDATE assignments SET withdrawn_at = :at, withdrawn_reason = :reason, version = version + 1 WHERE id = :id');
  const reinstate = q<{ id: number; reason: string }>(
    'UPDATE assignments SET withdrawn_at = NULL, withdrawn_reason = NULL, reason = :reason, version = version + 1 WHERE id = :id',
  );
  const movableAssignments = q<{ from: number; into: number }, { id: number }>(`
    SELECT a.id FROM assignments a WHERE a.unit_id = :from
      AND NOT EXISTS (SELECT 1 FROM assignments b WHERE b.measure_id = a.measure_id AND b.unit_id = :into) ORDER BY a.id`);
  const moveAssignment = q<{ id: number; into: number }>('UPDATE assignments SET unit_id = :into, version = version + 1 WHERE id = :id');
  // A report's unit is part of it: its version (ETag) and its place in the change feed (updatedSince) move on.
  const moveReports = q<{ from: number; into: number; at: string }>('UPDATE progress_reports SET unit_id = :into, version = version + 1, updated_at = :at WHERE unit_id = :from');
  const moveReturns = q<{ from: number; into: number }>('UPDATE report_returns SET unit_id = :into WHERE unit_id = :from');
  // Revoked keys stay with the unit they were issued to: they act for no one.
  const keysToMove = q<{ from: number }, { id: number }>('SELECT id FROM api_keys WHERE unit_id = :from AND revoked_at IS NULL ORDER BY id');
  const moveKey = q<{ id: number; into: number }>('UPDATE api_keys SET unit_id = :into WHERE id = :id');
  const moveAliases = q<{ from: number; into: number }>('UPDATE unit_aliases SET unit_id = :into WHERE unit_id = :from');
  const retire = q<{ id: number; at: string }>('UPDATE units SET retired_at = :at WHERE id = :id');

  const insertUnit = q<{ name: string; kind: string }>('INSERT INTO units (name, kind) VALUES (:name, :kind)');
  const setKind = q<{ id: number; kind: string }>('UPDATE units SET kind = :kind WHERE id = :id');
  const dropAliases = q<[number]>('DELETE FROM unit_aliases WHERE unit_id = ?');
  const dropMembers = q<[number]>('DELETE FROM unit_members WHERE collective_id = ?');
  const addMember = q<[number, number]>('INSERT INTO unit_members (collective_id, member_id) VALUES (?, ?)');
  const setRetired = q<{ id: number; at: string | null }>('UPDATE units SET retired_at = :at WHERE id = :id');
  // A retired unit's name that is this unit's alias: a unit merged into it (merging makes its name an alias).
  const mergedNames = q<{ id: number }, { name: string }>(`
    SELECT u.name FROM unit_aliases a JOIN units u ON u.name = a.alias WHERE a.unit_id = :id AND u.id <> :id AND u.retired_at IS NOT NULL ORDER BY u.name`);
  const idsOf = (sql: string) => {
    const statement = q<{ id: number }, { id: number }>(sql);
    return (id: number) => statement.all({ id }).map((r) => r.id);
  };
  const leadTasks = idsOf(`SELECT task_id AS id FROM task_units WHERE unit_id = :id AND role = 'lead' ORDER BY task_id`);
  const responsibleTasks = idsOf(`SELECT task_id AS id FROM task_units WHERE unit_id = :id AND role = 'responsible' ORDER BY task_id`);
  const ownedMeasures = idsOf('SELECT measure_id AS id FROM measure_owners WHERE unit_id = :id ORDER BY measure_id');
  const standingAssignments = idsOf('SELECT id FROM assignments WHERE unit_id = :id AND withdrawn_at IS NULL ORDER BY id');
  const collectivesOf = q<{ id: number }, { name: string }>('SELECT u.name FROM unit_members m JOIN units u ON u.id = m.collective_id WHERE m.member_id = :id ORDER BY u.id');
  // The measures a collective's members owe through it: those it owns, and those naming no owner of tasks it is responsible for.
  const owedThrough = q<{ id: number }, { planId: number; measureId: number; retired: number }>(`
    SELECT t.plan_id AS planId, m.id AS measureId, (m.retired_at IS NOT NULL OR t.retired_at IS NOT NULL) AS retired
    FROM measures m JOIN tasks t ON t.id = m.task_id
    WHERE (m.owners_named = 1 AND m.id IN (SELECT measure_id FROM measure_owners WHERE unit_id = :id))
       OR (m.owners_named = 0 AND t.id IN (SELECT task_id FROM task_units WHERE unit_id = :id AND role = 'responsible'))
    ORDER BY t.plan_id, m.id`);

  return {
    /** The other unit that has `name` as its name or an alias, if any. */
    holderOf(name: string, unitId: number): { id: number; name: string } | undefined {
      return holder.get(name, unitId, name, unitId);
    },

    /** The new name becomes the unit's name, the old one an alias (so lookups by it still find the unit). */
    rename(unitId: number, oldName: string, newName: string): void {
      dropAlias.run(newName, unitId);
      setName.run(newName, unitId);
      addAlias.run(oldName, unitId);
    },

    openReportClashes: (from: number, into: number): OpenReportClash[] => clashes.all({ from, into }),

    /** A new unit with its aliases and (a collective's) members; returns its id. */
    create(unit: { name: string; kind: string; aliases: string[]; memberIds: number[] }): number {
      const id = Number(insertUnit.run({ name: unit.name, kind: unit.kind }).lastInsertRowid);
      for (const alias of unit.aliases) addAlias.run(alias, id);
      for (const memberId of unit.memberIds) addMember.run(id, memberId);
      return id;
    },

    setKind: (unitId: number, kind: string): void => void setKind.run({ id: unitId, kind }),

    /** The unit's aliases are these from now on (its name stays). */
    replaceAliases(unitId: number, aliases: string[]): void {
      dropAliases.run(unitId);
      for (const alias of aliases) addAlias.run(alias, unitId);
    },

    /** The collective stands for these units from now on. */
    replaceMembers(collectiveId: number, memberIds: number[]): void {
      dropMembers.run(collectiveId);
      for (const memberId of memberIds) addMember.run(collectiveId, memberId);
    },

    /** Retires the unit at `at`, or (null) puts it back. */
    setRetired: (unitId: number, at: string | null): void => void setRetired.run({ id: unitId, at }),

    /** The names of the units merged into this one (its aliases that must stay). */
    mergedNames: (unitId: number): string[] => mergedNames.all({ id: unitId }).map((r) => r.name),

    /** What the unit still carries: roles, owned measures, standing assignments, collective memberships. */
    openWork: (unitId: number): OpenWork => ({
      leadTasks: leadTasks(unitId),
      responsibleTasks: responsibleTasks(unitId),
      ownedMeasures: ownedMeasures(unitId),
      assignments: standingAssignments(unitId),
      collectives: collectivesOf.all({ id: unitId }).map((r) => r.name),
    }),

    /** The measures a collective's members owe through it, with their plans (and whether they are retired). */
    measuresOwedThrough: (collectiveId: number) => owedThrough.all({ id: collectiveId }).map((r) => ({ ...r, retired: r.retired === 1 })),

    /** The plans whose catalogue or assignments name the unit. */
    plansOf: (unitId: number): number[] => plansTouched.all({ from: unitId }).map((r) => r.planId),

    /**
     * Moves everything `from` carries to `into` and retires `from`, its name and aliases becoming `into`'s aliases.
     * Where both owe a measure the target's assignment is kept (owed again if only the merged unit still owed it) and
     * the merged unit's is withdrawn with `reason`; its reports move to the target, which they now answer for.
     */
    merge(from: { id: number; name: string }, into: number, at: string, reason: string): MergeMoves {
      const ids = { from: from.id, into };
      const withdrawnAssignments: number[] = [];
      const reinstatedAssignments: number[] = [];
      for (const shared of sharedAssignments.all(ids)) {
        if (shared.fromWithdrawn !== null) continue;
        if (shared.intoWithdrawn !== null) {
          reinstate.run({ id: shared.intoId, reason });
          reinstatedAssignments.push(shared.intoId);
        }
        withdraw.run({ id: shared.fromId, at, reason });
        withdrawnAssignments.push(shared.fromId);
      }
      const assignments = movableAssignments.all(ids).map((a) => a.id);
      for (const id of assignments) moveAssignment.run({ id, into });
      const apiKeys = keysToMove.all(ids).map((k) => k.id);
      for (const id of apiKeys) moveKey.run({ id, into });
      const moves: MergeMoves = {
        taskRoles: moveTaskRoles(ids),
        measureOwners: moveOwners(ids),
        assignments,
        withdrawnAssignments,
        reinstatedAssignments,
        reports: moveReports.run({ ...ids, at }).changes,
        apiKeys,
        memberships: moveMemberships(ids),
      };
      moveReturns.run(ids);
      moveAliases.run(ids);
      addAlias.run(from.name, into);
      retire.run({ id: from.id, at });
      return moves;
    },
  };
}

export type UnitChangeRepository = ReturnType<typeof createUnitChangeRepository>;
