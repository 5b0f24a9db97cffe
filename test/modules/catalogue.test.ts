import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { readClient, type Page } from '../helpers/http.js';
import { canonical, deadlineDate, owingUnits, seed } from '../helpers/seed.js';
import type { SeedTask } from '../../src/seed/types.js';

interface UnitRef {
  id: number;
  name: string;
  kind: string;
}

const app = await buildTestApp(t);
const { get, all } = readClient(app);
const seedMeasures = seed.plan.tasks.flatMap((task) => task.measures.map((m) => ({ ...m, taskNo: task.no })));
const seedMilestones = seedMeasures.flatMap((m) => m.milestones.map((x) => ({ ...x, taskNo: m.taskNo, owners: m.ownerUnits })));

t.test('health checks the database', async (t) => {
  t.same(await get('/health'), { status: 'ok', database: 'ok' });
});

t.test('the plan with its counts', async (t) => {
  const plans = await get<Page<{ id: number; code: string; counts: Record<string, number> }>>('/api/v1/plans');
  t.equal(plans.total, 1);
  const plan = plans.items[0]!;
  t.equal(plan.code, seed.plan.plan.code);
  t.same(plan.counts, {
    chapters: seed.plan.chapters.length,
    tasks: seed.plan.tasks.length,
    measures: seedMeasures.length,
    milestones: seedMilestones.length,
    indicators: seed.indicators.length,
  });
  t.same(await get(`/api/v1/plans/${plan.id}`), plan);
  t.equal((await app.inject('/api/v1/plans/999')).statusCode, 404);
});

t.test('chapters in document order, each once', async (t) => {
  const chapters = await get<Page<{ title: string; position: number; taskCount: number }>>('/api/v1/chapters');
  t.same(
    chapters.items.map((c) => c.title),
    seed.plan.chapters.map((c) => c.title),
  );
  t.equal(
    chapters.items.reduce((sum, c) => sum + c.taskCount, 0),
    seed.plan.tasks.length,
  );
  t.equal(new Set(chapters.items.map((c) => c.title)).size, chapters.items.length);
});

t.test('measures: every one, with filters', async (t) => {
  const measures = await all<{ id: number; taskId: number; taskNo: number; text: string; ownerUnits: UnitRef[] }>('/api/v1/measures');
  t.same(
    measures.map((m) => [m.taskNo, m.text]),
    seedMeasures.map((m) => [m.taskNo, m.text]),
  );

  // `unit`: the measures the unit owes (and may report on), an alias resolved; a collective gives its members'.
  for (const unit of ['市营商局', '北林区', '各县(市、区)人民政府']) {
    const owed = await all<{ taskNo: number; text: string }>(`/api/v1/measures?unit=${encodeURIComponent(unit)}`);
    const owing = (task: SeedTask, m: SeedTask['measures'][number]) => {
      const units = owingUnits(task, m);
      const unitOrMembers = seed.units.find((u) => u.name === canonical(unit))!.members.map(canonical);
      return unitOrMembers.length > 0 ? unitOrMembers.some((u) => units.includes(u)) : units.includes(canonical(unit));
    };
    t.same(
      owed.map((m) => m.text),
      seed.plan.tasks.flatMap((task) => task.measures.filter((m) => owing(task, m))).map((m) => m.text),
      unit,
    );
    t.ok(owed.length > 5, unit);
  }

  const inTask = await all<{ taskNo: number }>(`/api/v1/measures?task=${measures.find((m) => m.taskNo === 72)!.taskId}`);
  t.equal(inTask.length, seed.plan.tasks.find((task) => task.no === 72)!.measures.length);

  const q = '信易贷';
  t.same(
    (await all<{ text: string }>(`/api/v1/measures?q=${encodeURIComponent(q)}`)).map((m) => m.text),
    seedMeasures.filter((m) => m.text.includes(q)).map((m) => m.text),
  );

  const one = await get<{ id: number; text: string }>(`/api/v1/measures/${measures[10]!.id}`);
  t.equal(one.text, measures[10]!.text);
  t.equal((await app.inject('/api/v1/measures/100000')).statusCode, 404);
});

t.test('measures with work in a year', async (t) => {
  const in2022 = await all<{ taskNo: number; text: string }>('/api/v1/measures?year=2022');
  const expected = seedMeasures.filter((m) =>
    m.milestones.some((x) => (x.kind === 'due' ? x.year === 2022 : (x.year === null || x.year <= 2022) && (deadlineDate(m.deadline) ?? '9999') >= '2022-01-01')),
  );
  t.same(
    in2022.map((m) => m.text),
    expected.map((m) => m.text),
  );
  t.ok(in2022.length > 0);
});

t.test('milestones with filters', async (t) => {
  const everything = await all<{ text: string; kind: string; year: number | null }>('/api/v1/milestones');
  t.same(
    everything.map((m) => m.text),
    seedMilestones.map((m) => m.text),
  );
  for (const year of [2022, 2024]) {
    const inYear = await all<{ text: string; year: number }>(`/api/v1/milestones?year=${year}`);
    t.same(
      inYear.map((m) => m.text),
      seedMilestones.filter((m) => m.year === year).map((m) => m.text),
      `year ${year}`,
    );
  }
  const ongoing = await all<{ kind: string }>('/api/v1/milestones?kind=ongoing');
  t.equal(ongoing.length, seedMilestones.filter((m) => m.kind === 'ongoing').length);
  t.ok(ongoing.length > 50, 'most measures are ongoing work');
  const bad = await app.inject('/api/v1/milestones?kind=weekly');
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().errors[0].field, '/querystring/kind');
});

t.test('indicators with their yearly targets', async (t) => {
  const indicators = await all<{ key: string; taskNo: number; targets: { year: number; value: number }[] }>('/api/v1/indicators');
  t.same(
    indicators.map((i) => i.key),
    seed.indicators.map((i) => i.key),
  );
  for (const indicator of indicators) {
    const expected = seed.indicators.find((i) => i.key === indicator.key)!;
    t.same(
      indicator.targets.map((x) => [x.year, x.value]),
      [...expected.targets].sort((a, b) => a.year - b.year).map((x) => [x.year, x.value]),
    );
  }
  const in2023 = await all<{ key: string }>('/api/v1/indicators?year=2023');
  t.same(
    in2023.map((i) => i.key),
    seed.indicators.filter((i) => i.targetYear === 2023 || i.targets.some((x) => x.year === 2023)).map((i) => i.key),
  );
});

t.test('units: aliases, collectives and counts', async (t) => {
  const units = await all<{ id: number; name: string; aliases: string[]; kind: string }>('/api/v1/units');
  t.same(units.map((u) => u.name).sort(), seed.units.map((u) => u.name).sort());
  const counties = await all<{ name: string }>('/api/v1/units?kind=county_government');
  t.equal(counties.length, 10);

  const collective = units.find((u) => u.name === canonical('各县(市、区)人民政府'))!;
  const detail = await get<{ members: UnitRef[]; counts: { responsibleTasks: number } }>(`/api/v1/units/${collective.id}`);
  t.same(detail.members.map((m) => m.name).sort(), counties.map((c) => c.name).sort());
  t.equal(detail.counts.responsibleTasks, seed.plan.tasks.filter((task) => task.responsibleUnits.map(canonical).includes(collective.name)).length);

  const county = await get<{ memberOf: UnitRef[] }>(`/api/v1/units/${units.find((u) => u.kind === 'county_government')!.id}`);
  t.ok(county.memberOf.some((u) => u.id === collective.id));

  const byAlias = await get<Page<{ name: string }>>(`/api/v1/units?q=${encodeURIComponent('市营商局')}`);
  t.ok(
    byAlias.items.some((u) => u.name === canonical('市营商局')),
    'q matches aliases',
  );
});
