import { openDatabase } from '../../src/db/client.js';
import { createApiKeyRepository } from '../../src/modules/auth/repository.js';
import type { Server } from './processes.js';
import type { Reporter } from './report-bodies.js';
import { listItems } from './sanity.js';

export interface WriteFixture {
  /** Reporter keys for the write scenario. */
  writers: Reporter[];
  /** One reporter key per bulk creation run: a fresh unit makes every row of its file a creation. */
  bulkImporters: Reporter[];
  measureIds: number[];
}

/**
 * Creates reporter keys for the county governments (a county may report on every measure, because counties
 * are responsible units of every task) straight in the project's database, as `npm run apikey` would; the first
 * `bulkRuns` counties are kept for the bulk imports. With `baselineCopyPath`, then copies the database there with
 * VACUUM INTO for the baseline's writes, so the baseline can authenticate the same tokens against the same
 * schema (indexes, foreign keys) in a file of its own.
 */
export async function prepareWriteFixture(
  project: Server,
  databasePath: string,
  { bulkRuns, baselineCopyPath }: { bulkRuns: number; baselineCopyPath?: string },
): Promise<WriteFixture> {
  const counties = await listItems<{ id: number; name: string }>(project, '/api/v1/units?kind=county_government&limit=500');
  // Every county owes the same measures (its share of 各县(市、区)人民政府's work): the first county's are everyone's.
  const measureIds = (await listItems(project, `/api/v1/measures?unit=${counties[0]!.id}&limit=500`)).map((m) => m.id);
  if (counties.length <= bulkRuns) throw new Error(`need more than ${bulkRuns} county governments, found ${counties.length}`);

  const db = openDatabase(databasePath);
  try {
    const keys = createApiKeyRepository(db);
    const reporters = counties.map((unit) => {
      const { token } = keys.create({ name: `bench ${unit.name}`, role: 'reporter', unitId: unit.id, expiresAt: null }, new Date());
      return { unitId: unit.id, unitName: unit.name, token };
    });
    if (baselineCopyPath !== undefined) db.$client.prepare('VACUUM INTO ?').run(baselineCopyPath);
    return { writers: reporters.slice(bulkRuns), bulkImporters: reporters.slice(0, bulkRuns), measureIds };
  } finally {
    db.$client.close();
  }
}
