import { readSeedFiles } from '../../src/seed/load-seed.js';
import type { SeedDeadline, SeedTask } from '../../src/seed/types.js';
import { normaliseUnitName } from '../../src/modules/units/unit-name.js';

/** The curated seed, read independently of the database, so API answers can be checked against it. */
export const seed = readSeedFiles();

/** Canonical name for any spelling, from units.json. */
export function canonical(name: string): string {
  const n = normaliseUnitName(name);
  const unit = seed.units.find((u) => normaliseUnitName(u.name) === n || u.aliases.some((a) => normaliseUnitName(a) === n));
  if (!unit) throw new Error(`no unit named ${name} in seeds/units.json`);
  return unit.name;
}

/** The unit and the collectives it is a member of, by canonical name. */
export function withCollectives(name: string): string[] {
  const unit = canonical(name);
  return [unit, ...seed.units.filter((u) => u.members.map(canonical).includes(unit)).map((u) => u.name)];
}

export const seedTask = (no: number): SeedTask => {
  const task = seed.plan.tasks.find((t) => t.no === no);
  if (!task) throw new Error(`no task ${no} in seed`);
  return task;
};

export const deadlineDate = (deadline: SeedDeadline | null): string | null => (deadline?.kind === 'date' ? deadline.date : null);

/**
 * The units owing a measure, read from the seed by its own rule (not the code's): the owner the measure's cell names
 * in its closing parenthesis, else the task's responsible units; a collective stands for its members.
 */
export function owingUnits(task: SeedTask, measure: SeedTask['measures'][number]): string[] {
  const named = /\)。?$/.test(measure.text.trim()) ? measure.ownerUnits : task.responsibleUnits;
  const expand = (name: string) => {
    const unit = seed.units.find((u) => u.name === canonical(name))!;
    return unit.members.length > 0 ? unit.members.map(canonical) : [unit.name];
  };
  return [...new Set(named.flatMap(expand))];
}
