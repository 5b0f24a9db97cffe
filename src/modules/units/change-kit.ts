import { conflict, notFound, stale, THINGS } from '../../domain/errors.js';
import { shanghaiDate } from '../../http/calendar.js';
import { strongMatch } from '../../http/etag.js';
import type { MovedAssignment } from '../amendments/follow-through.js';
import type { AssignmentRepository } from '../assignments/repository.js';
import type { AuditRepository } from '../audit/repository.js';
import type { Principal } from '../auth/principal.js';
import type { RevisionAction, RevisionRepository } from '../revisions/repository.js';
import type { UnitChangeRepository } from './change-repository.js';
import { unitEtag } from './etag.js';
import type { UnitRepository } from './repository.js';
import { alreadyMerged, unitChanged } from './said.js';

export interface Actor {
  principal: Principal;
  requestId: string | null;
}

export type UnitChangeOutcome = 'updated' | 'unchanged';

export interface UnitAdministrationDeps {
  transaction: <T>(work: () => T) => T;
  units: UnitRepository;
  changes: UnitChangeRepository;
  revisions: RevisionRepository;
  /** A collective's new members owe what it owes: its measures' assignments follow (as an amendment's do). */
  assignments: AssignmentRepository;
  audit: AuditRepository;
  now: () => Date;
  /** Told after every change, with the plans whose catalogue or assignments it moved. */
  onUnitsChanged: (planIds: number[]) => void;
  /** Records the assignments a collective's new members moved (audit, feed); told after onUnitsChanged, in the same transaction. */
  onAssignmentsMoved?: (actor: Actor, moved: MovedAssignment[]) => void;
}

export type UnitDetail = NonNullable<ReturnType<UnitRepository['get']>>;

/** A unit as its revisions record it: what a change of units changes. */
const documentOf = (unit: UnitDetail) => ({
  name: unit.name,
  kind: unit.kind,
  aliases: unit.aliases,
  members: unit.members.map((m) => m.id),
  retiredAt: unit.retiredAt,
  mergedInto: unit.mergedInto?.id ?? null,
});

/** What every change of units does the same way: load, check the version read, record, tell the caches. */
export function createChangeKit(deps: UnitAdministrationDeps) {
  const { units, revisions, now } = deps;

  function load(id: number): UnitDetail {
    const unit = units.get(id);
    if (!unit) throw notFound(THINGS.unit, id);
    return unit;
  }

  return {
    load,

    checkIfMatch(unit: UnitDetail, ifMatch: string) {
      const current = unitEtag(unit);
      if (!strongMatch(ifMatch, current)) throw stale(unitChanged(unit.name, current));
    },

    /** A retired unit (merged or not) changes no further. */
    checkStanding(unit: UnitDetail) {
      if (unit.retiredAt !== null) throw conflict(alreadyMerged(unit.name, unit.mergedInto?.name));
    },

    /** The change as a plan revision of no plan (units belong to none); returns its id. */
    record(actor: Actor, action: RevisionAction, before: UnitDetail | null, after: UnitDetail, reason: string, unitIds: number[]) {
      return revisions.record({
        planId: null,
        entity: 'unit',
        entityId: after.id,
        action,
        at: now().toISOString(),
        effectiveOn: shanghaiDate(now()),
        keyId: actor.principal.keyId,
        reason,
        before: before && documentOf(before),
        after: documentOf(after),
        requestId: actor.requestId,
        unitIds,
      });
    },

    /** What every change ends with: names kept in memory and cached answers are stale. */
    changed(planIds: number[]) {
      units.forgetNames();
      deps.onUnitsChanged(planIds);
    },
  };
}

export type ChangeKit = ReturnType<typeof createChangeKit>;
