import { invalidField } from '../../domain/errors.js';
import type { UnitRepository } from './repository.js';
import { unknownUnit } from './said.js';

/** Turns a `unit` query parameter into the unit ids it covers, or a 400 naming the parameter. */
export function createUnitResolver(units: UnitRepository) {
  return {
    unitFilter(parameter: string, ref: string | undefined): number[] | undefined {
      if (ref === undefined) return undefined;
      const unit = units.resolve(ref);
      if (!unit) throw invalidField(`/querystring/${parameter}`, unknownUnit(ref));
      return units.withCollectives(unit.id);
    },

    /** The units a `unit` parameter stands for when asking what is owed: the unit itself, or a collective's members. */
    owingUnits(parameter: string, ref: string | undefined): number[] | undefined {
      if (ref === undefined) return undefined;
      const unit = units.resolve(ref);
      if (!unit) throw invalidField(`/querystring/${parameter}`, unknownUnit(ref));
      return unit.kind === 'collective' ? (units.get(unit.id)?.members ?? []).map((m) => m.id) : [unit.id];
    },
  };
}

export type UnitResolver = ReturnType<typeof createUnitResolver>;
