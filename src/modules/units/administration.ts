import { conflict, preconditionRequired, unprocessable } from '../../domain/errors.js';
import { createChangeKit, type Actor, type UnitAdministrationDeps, type UnitChangeOutcome, type UnitDetail } from './change-kit.js';
import type { MergeMoves } from './change-repository.js';
import { collectiveNotMerged, emptyName, ifMatchNeeded, intoCollective, intoItself, intoRetired, nameTaken, openReportsClash, unknownUnit } from './said.js';
import { normaliseUnitName } from './unit-name.js';
import { createUnitUpkeep } from './upkeep.js';

export type { Actor, UnitAdministrationDeps, UnitChangeOutcome } from './change-kit.js';

/**
 * Renames units and merges one into another, as plan revisions (units belong to no plan) recorded with an audit
 * event in the transaction that makes the change, against the version the caller read (If-Match).
 */
export function createUnitAdministration(deps: UnitAdministrationDeps) {
  const { transaction, units, changes, audit, now } = deps;
  const kit = createChangeKit(deps);
  const { load, checkStanding, changed } = kit;
  const checkIfMatch = kit.checkIfMatch;
  const record = (actor: Actor, action: 'renamed' | 'merged', unit: UnitDetail, after: UnitDetail, reason: string, unitIds: number[]) =>
    kit.record(actor, action, unit, after, reason, unitIds);

  return {
    /**
     * Gives a unit a new name; the old one becomes an alias, so every lookup by it still finds the unit. Renaming to
     * the current name changes nothing (a retry after success is safe, whatever If-Match says).
     */
    rename(actor: Actor, id: number, input: { name: string; reason: string }, ifMatch: string | undefined) {
      if (ifMatch === undefined) throw preconditionRequired(ifMatchNeeded);
      const name = normaliseUnitName(input.name);
      if (name === '') throw unprocessable('/body/name', emptyName);
      return transaction(() => {
        const unit = load(id);
        if (unit.name === name) return { outcome: 'unchanged' as UnitChangeOutcome, unit, revisionId: null };
        checkStanding(unit);
        const holder = changes.holderOf(name, id);
        if (holder) throw conflict(nameTaken(name, holder.name));
        checkIfMatch(unit, ifMatch);
        changes.rename(id, unit.name, name);
        changed([]);
        const after = load(id);
        const revisionId = record(actor, 'renamed', unit, after, input.reason, [id]);
        audit.record({ at: now(), principal: actor.principal, action: 'unit.rename', entityType: 'unit', entityId: id, before: unit, after, requestId: actor.requestId });
        return { outcome: 'updated' as UnitChangeOutcome, unit: after, revisionId };
      });
    },

    /**
     * Merges a unit into another (two spellings of one bureau, or a reform folding one into another), in one
     * transaction: everything it carries moves (see UnitChangeRepository.merge), its name and aliases become the
     * target's aliases, and it is retired, still readable by id and pointing at the target. Refused, changing
     * nothing, when both units have an open report for the same measure and period. Merging it again into the same
     * unit changes nothing.
     */
    merge(actor: Actor, id: number, input: { into: string; reason: string }, ifMatch: string | undefined) {
      if (ifMatch === undefined) throw preconditionRequired(ifMatchNeeded);
      return transaction(() => {
        const unit = load(id);
        const ref = units.resolve(input.into);
        if (!ref) throw unprocessable('/body/into', unknownUnit(input.into));
        const into = load(ref.id);
        if (unit.mergedInto?.id === into.id) return { outcome: 'unchanged' as UnitChangeOutcome, unit, into, moved: null, revisionId: null };
        checkStanding(unit);
        if (unit.kind === 'collective') throw conflict(collectiveNotMerged(unit.name));
        if (into.id === unit.id) throw unprocessable('/body/into', intoItself(unit.name));
        if (into.retiredAt !== null) throw unprocessable('/body/into', intoRetired(into.name, into.mergedInto?.name));
        if (into.kind === 'collective') throw unprocessable('/body/into', intoCollective(into.name));
        checkIfMatch(unit, ifMatch);
        const clashes = changes.openReportClashes(unit.id, into.id);
        if (clashes.length > 0) throw conflict(openReportsClash(clashes, unit.name, into.name));

        const planIds = changes.plansOf(unit.id);
        const moved: MergeMoves = changes.merge(unit, into.id, now().toISOString(), `${unit.name}并入${into.name}：${input.reason}`);
        changed(planIds);
        const [merged, absorbing] = [load(unit.id), load(into.id)];
        // Both units change (one retires, the other gains its names): each gets its revision, so each one's ETag and history move.
        const revisionId = record(actor, 'merged', unit, merged, input.reason, [unit.id, into.id]);
        record(actor, 'merged', into, absorbing, input.reason, [into.id, unit.id]);
        audit.record({
          at: now(),
          principal: actor.principal,
          action: 'unit.merge',
          entityType: 'unit',
          entityId: unit.id,
          before: { unit, into },
          after: { unit: merged, into: absorbing, moved },
          requestId: actor.requestId,
        });
        return { outcome: 'updated' as UnitChangeOutcome, unit: merged, into: absorbing, moved, revisionId };
      });
    },

    ...createUnitUpkeep(deps, kit),
  };
}

export type UnitAdministration = ReturnType<typeof createUnitAdministration>;
