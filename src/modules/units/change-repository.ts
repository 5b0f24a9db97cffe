import type { Db } from '../../db/client.js';

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
