import { conflict, notFound, preconditionRequired, stale, THINGS, unprocessable } from '../../domain/errors.js';
import { shanghaiDate } from '../../http/calendar.js';
import { strongMatch } from '../../http/etag.js';
import type { AuditRepository } from '../audit/repository.js';
import type { Principal } from '../auth/principal.js';
import type { RevisionRepository } from '../revisions/repository.js';
import type { MergeMoves, UnitChangeRepository } from './change-repository.js';
import { unitEtag } from './etag.js';
import type { UnitRepository } from './repository.js';
import {
  alreadyMerged,
  collectiveNotMerged,
  emptyName,
  ifMatchNeeded,
  intoCollective,
  intoItself,
  intoRetired,
  nameTaken,
  openReportsClash,
  unitChanged,
  unknownUnit,
} from './said.js';
import { normaliseUnitName } from './unit-name.js';

export interface Actor {
  principal: Principal;
  requestId: string | null;
}

export type UnitChangeOutcome = 'updated' | 'unchanged';

interface UnitAdministrationDeps {
  transaction: <T>(work: () => T) => T;
  units: UnitRepository;
  changes: UnitChangeRepository;
  revisions: RevisionRepository;
  audit: AuditRepository;
  now: () => Date;
  /** Told after a rename or merge, with the plans whose catalogue or assignments named a merged unit. */
  onUnitsChanged: (planIds: number[]) => void;
}

type UnitDetail = NonNullable<ReturnType<UnitRepository['get']>>;

/** A unit as its revisions record it: what a rename or merge changes. */
const documentOf = (unit: UnitDetail) => ({ name: unit.name, kind: unit.kind, aliases: unit.aliases, retiredAt: unit.retiredAt, mergedInto: unit.mergedInto?.id ?? null });

/**
 * Renames units and merges one into another, as plan revisions (units belong to no plan) recorded with an audit
 * event in the transaction that makes the change, against the version the caller read (If-Match).
 */
export function createUnitAdministration(deps: UnitAdministrationDeps) {
  const { transaction, units, changes, revisions, audit, now } = deps;

  function load(id: number): UnitDetail {
    const unit = units.get(id);
    if (!unit) throw notFound(THINGS.unit, id);
    return unit;
  }

  function checkIfMatch(unit: UnitDetail, ifMatch: string) {
    const current = unitEtag(unit);
    if (!strongMatch(ifMatch, current)) throw stale(unitChanged(unit.name, current));
  }

  function checkStanding(unit: UnitDetail) {
    if (unit.retiredAt !== null) throw conflict(alreadyMerged(unit.name, unit.mergedInto?.name));
  }

  function record(actor: Actor, action: 'renamed' | 'merged', unit: UnitDetail, after: UnitDetail, reason: string, unitIds: number[]) {
    return revisions.record({
      planId: null,
      entity: 'unit',
      entityId: unit.id,
      action,
      at: now().toISOString(),
      effectiveOn: shanghaiDate(now()),
      keyId: actor.principal.keyId,
      reason,
      before: documentOf(unit),
      after: documentOf(after),
      requestId: actor.requestId,
      unitIds,
    });
  }

  /** What every change ends with: names kept in memory and cached answers are stale. */
  function changed(planIds: number[]) {
    units.forgetNames();
    deps.onUnitsChanged(planIds);
  }

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
  };
}

export type UnitAdministration = ReturnType<typeof createUnitAdministration>;
