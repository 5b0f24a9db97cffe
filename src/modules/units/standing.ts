import { unprocessable } from '../../domain/errors.js';
import type { UnitRef, UnitRepository } from './repository.js';
import { retiredUnit, unknownUnit } from './said.js';

/**
 * Refuses a retired unit where new work would be pinned to it (a key, a report, an assignment, a role or an owner):
 * a 422 on `field` naming the unit its work went to when it was merged.
 */
export function checkStanding(units: UnitRepository, unit: UnitRef, field: string): UnitRef {
  const retired = units.retirement(unit.id);
  if (retired) throw unprocessable(field, retiredUnit(unit.name, retired.mergedInto?.name));
  return unit;
}

/** A unit reference (id, name or alias) that names a unit standing: unknown or retired is a 422 on `field`. */
export function resolveStanding(units: UnitRepository, ref: string, field: string): UnitRef {
  const unit = units.resolve(ref);
  if (!unit) throw unprocessable(field, unknownUnit(ref));
  return checkStanding(units, unit, field);
}
