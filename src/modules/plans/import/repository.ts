import type { Db } from '../../../db/client.js';
import { insertPlanContent } from '../../../seed/insert-plan.js';
import type { SeedIndicator, SeedPlan } from '../../../seed/types.js';
import { normaliseUnitName } from '../../units/unit-name.js';

/** What a plan row says about the plan, as the seed's (its content is written by src/seed/insert-plan.ts). */
export type PlanRecord = SeedPlan['plan'];

export interface KnownUnit {
  id: number;
  name: string;
  aliases: string[];
}

// A plan's measures, for the statements that clear them.
const MEASURES_OF_PLAN = 'SELECT m.id FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = @planId';

/** Plans as an import writes them: found by code, checked for reports, written anew or cleared to be replaced. */
export function createPlanImportRepository(db: Db) {
  const raw = db.$client;
  const byCode = raw.prepare<[string], { id: number }>('SELECT id FROM plans WHERE code = ?');
  const reports = raw.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM progress_reports r JOIN measures m ON m.id = r.measure_id JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ?',
  );
  const obligations = raw.prepare<{ planId: number }, { n: number }>(
    `SELECT count(*) AS n FROM obligations o JOIN assignments a ON a.id = o.assignment_id WHERE a.measure_id IN (${MEASURES_OF_PLAN})`,
  );
  const units = raw.prepare<[], { id: number; name: string }>('SELECT id, name FROM units WHERE retired_at IS NULL ORDER BY id');
  const aliases = raw.prepare<[], { unitId: number; alias: string }>('SELECT unit_id AS unitId, alias FROM unit_aliases ORDER BY alias');
  const insert = raw.prepare<PlanRecord>(`INSERT INTO plans (code, title, issuer, published_on, start_year, end_year, source_file)
    VALUES (@code, @title, @issuer, @publishedOn, @startYear, @endYear, @sourceFile)`);
  const update = raw.prepare<PlanRecord & { id: number }>(`UPDATE plans SET title = @title, issuer = @issuer, published_on = @publishedOn,
    start_year = @startYear, end_year = @endYear, source_file = @sourceFile WHERE id = @id`);
  // Children first: every row that points at the plan's chapters, tasks, measures and indicators.
  const clear = [
    `DELETE FROM obligations WHERE assignment_id IN (SELECT id FROM assignments WHERE measure_id IN (${MEASURES_OF_PLAN}))`,
    `DELETE FROM assignments WHERE measure_id IN (${MEASURES_OF_PLAN})`,
    `DELETE FROM measure_schedules WHERE measure_id IN (${MEASURES_OF_PLAN})`,
    `DELETE FROM milestones WHERE measure_id IN (${MEASURES_OF_PLAN})`,
    `DELETE FROM measure_owners WHERE measure_id IN (${MEASURES_OF_PLAN})`,
    'DELETE FROM indicator_targets WHERE indicator_id IN (SELECT id FROM indicators WHERE plan_id = @planId)',
    'DELETE FROM indicators WHERE plan_id = @planId',
    'DELETE FROM measures WHERE task_id IN (SELECT id FROM tasks WHERE plan_id = @planId)',
    'DELETE FROM task_units WHERE task_id IN (SELECT id FROM tasks WHERE plan_id = @planId)',
    'DELETE FROM tasks WHERE plan_id = @planId',
    'DELETE FROM chapters WHERE plan_id = @planId',
  ].map((statement) => raw.prepare<{ planId: number }>(statement));

  return {
    idOfCode: (code: string): number | undefined => byCode.get(code)?.id,
    reportCount: (planId: number): number => reports.get(planId)!.n,
    obligationCount: (planId: number): number => obligations.get({ planId })!.n,

    /** Units a table may name (not retired), with their aliases. */
    units(): KnownUnit[] {
      const byUnit = new Map<number, string[]>();
      for (const { unitId, alias } of aliases.all()) byUnit.set(unitId, [...(byUnit.get(unitId) ?? []), alias]);
      return units.all().map((u) => ({ ...u, aliases: byUnit.get(u.id) ?? [] }));
    },

    /** Chapters, tasks, measures and indicators under the plan row, as the seed's are written; units by name or alias. */
    writeContent(planId: number, plan: Pick<SeedPlan, 'chapters' | 'tasks'>, indicators: SeedIndicator[], known: KnownUnit[]): void {
      const unitIds = new Map(known.flatMap((u) => [u.name, ...u.aliases].map((name) => [normaliseUnitName(name), u.id] as const)));
      insertPlanContent(db, planId, plan, indicators, unitIds);
    },

    insert: (plan: PlanRecord): number => Number(insert.run(plan).lastInsertRowid),

    /** The plan row keeps its id (its revisions point at it); everything it held goes, to be written anew. */
    replace(planId: number, plan: PlanRecord): void {
      for (const statement of clear) statement.run({ planId });
      update.run({ ...plan, id: planId });
    },
  };
}

export type PlanImportRepository = ReturnType<typeof createPlanImportRepository>;
