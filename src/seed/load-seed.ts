import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { projectRoot } from '../db/client.js';
import * as t from '../db/schema.js';
import { insertPlanContent, insertSchedule, ownersNamed } from './insert-plan.js';
import { assignPlan } from '../modules/assignments/build.js';
import { createAssignmentRepository } from '../modules/assignments/repository.js';
import { normaliseUnitName } from '../modules/units/unit-name.js';
import type { SeedIndicator, SeedPlan, SeedUnit } from './types.js';

export interface SeedFiles {
  plan: SeedPlan;
  units: SeedUnit[];
  indicators: SeedIndicator[];
}

export const seedsDir = path.join(projectRoot, 'seeds');

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(seedsDir, file), 'utf8')) as T;
}

export function readSeedFiles(): SeedFiles {
  return {
    plan: readJson<SeedPlan>('plan.json'),
    units: readJson<SeedUnit[]>('units.json'),
    indicators: readJson<SeedIndicator[]>('indicators.json'),
  };
}

/** Whether the plan was loaded now, and how many assignments were made for it now (0 when it had them). */
export interface SeedOutcome {
  loaded: boolean;
  planId: number;
  assigned: number;
}

/**
 * Loads the curated plan in one transaction, then gives its measures to the units that owe them. Idempotent: a
 * plan whose code is already present is left as it is (later data such as progress reports point at its rows), so
 * starting twice changes nothing.
 */
export function loadSeed(db: Db, seed: SeedFiles = readSeedFiles()): SeedOutcome {
  const outcome = loadPlan(db, seed);
  // On the raw connection (the repository's statements): if the process stops in between, the next start assigns.
  const assigned = db.$client.transaction(() => assignPlan(createAssignmentRepository(db), outcome.planId))();
  return { ...outcome, assigned };
}

function loadPlan(db: Db, seed: SeedFiles): Omit<SeedOutcome, 'assigned'> {
  // The content is written with prepared statements on `db`'s connection: inside this transaction all the same.
  return db.transaction((tx) => {
    const existing = tx.select({ id: t.plans.id }).from(t.plans).where(eq(t.plans.code, seed.plan.plan.code)).get();
    if (existing) {
      addSchedules(db, existing.id, seed.plan);
      return { loaded: false, planId: existing.id };
    }

    const unitIds = upsertUnits(tx as unknown as Db, seed.units);
    const plan = tx.insert(t.plans).values(seed.plan.plan).returning({ id: t.plans.id }).get();
    insertPlanContent(db, plan.id, seed.plan, seed.indicators, unitIds);
    return { loaded: true, planId: plan.id };
  });
}

/** A plan loaded by a version without schedules gets them (and what says who owes its measures) from the seed. */
function addSchedules(db: Db, planId: number, seed: SeedPlan): void {
  const rows = db
    .select({ id: t.measures.id, taskNo: t.tasks.no, position: t.measures.position })
    .from(t.measures)
    .innerJoin(t.tasks, eq(t.tasks.id, t.measures.taskId))
    .where(eq(t.tasks.planId, planId))
    .all();
  const scheduled = db.select({ measureId: t.measureSchedules.measureId }).from(t.measureSchedules).all();
  if (scheduled.some((s) => rows.some((r) => r.id === s.measureId))) return;
  const idOf = new Map(rows.map((r) => [`${r.taskNo}/${r.position}`, r.id]));
  for (const task of seed.tasks) {
    for (const measure of task.measures) {
      const id = idOf.get(`${task.no}/${measure.position}`);
      if (id === undefined) continue;
      db.update(t.measures)
        .set({ ownersNamed: ownersNamed(measure) })
        .where(eq(t.measures.id, id))
        .run();
      insertSchedule(db, id, measure);
    }
  }
}

/** Units are shared by every plan: insert the ones not yet known, then aliases and memberships. */
function upsertUnits(db: Db, seedUnits: SeedUnit[]): Map<string, number> {
  for (const unit of seedUnits) {
    db.insert(t.units).values({ name: unit.name, kind: unit.kind }).onConflictDoNothing().run();
  }
  const ids = new Map<string, number>();
  for (const row of db.select({ id: t.units.id, name: t.units.name }).from(t.units).all()) {
    ids.set(normaliseUnitName(row.name), row.id);
  }
  for (const unit of seedUnits) {
    const id = ids.get(normaliseUnitName(unit.name))!;
    for (const alias of unit.aliases) {
      db.insert(t.unitAliases)
        .values({ alias: normaliseUnitName(alias), unitId: id })
        .onConflictDoNothing()
        .run();
      ids.set(normaliseUnitName(alias), id);
    }
  }
  for (const unit of seedUnits) {
    for (const member of unit.members) {
      const memberId = ids.get(normaliseUnitName(member));
      if (memberId === undefined) throw new Error(`seed: collective "${unit.name}" lists unknown member "${member}"`);
      db.insert(t.unitMembers)
        .values({ collectiveId: ids.get(normaliseUnitName(unit.name))!, memberId })
        .onConflictDoNothing()
        .run();
    }
  }
  return ids;
}
