import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { readClient, type Page } from '../helpers/http.js';
import { canonical, deadlineDate, seed, seedTask, withCollectives } from '../helpers/seed.js';

interface UnitRef {
  id: number;
  name: string;
  kind: string;
}
interface TaskItem {
  id: number;
  no: number;
  chapter: { id: number; title: string };
  title: string;
  leadUnits: UnitRef[];
  responsibleUnits: UnitRef[];
  deadline: { kind: string; date: string | null; text: string } | null;
  measureCount: number;
}

const app = await buildTestApp(t);
const { get, all } = readClient(app);
const nos = (tasks: TaskItem[]) => tasks.map((task) => task.no);

t.test('lists every task of the document in order, 50 to a page by default', async (t) => {
  const first = await get<Page<TaskItem>>('/api/v1/tasks');
  t.equal(first.total, seed.plan.tasks.length);
  t.equal(first.total, 75, 'the document numbers 75 tasks');
  t.equal(first.limit, 50);
  t.equal(first.items.length, 50);
  const second = await get<Page<TaskItem>>('/api/v1/tasks?offset=50');
  t.same(
    [...nos(first.items), ...nos(second.items)],
    seed.plan.tasks.map((task) => task.no),
  );
});

t.test('a task summary carries the seed’s chapter, units, deadline and measure count', async (t) => {
  const tasks = await all<TaskItem>('/api/v1/tasks');
  for (const task of tasks) {
    const expected = seedTask(task.no);
    t.equal(task.title, expected.title, `task ${task.no} title`);
    t.equal(task.chapter.title, expected.chapter, `task ${task.no} chapter`);
    t.same(
      task.leadUnits.map((u) => u.name),
      expected.leadUnits.map(canonical),
      `task ${task.no} lead units`,
    );
    t.same(
      task.responsibleUnits.map((u) => u.name),
      expected.responsibleUnits.map(canonical),
      `task ${task.no} responsible`,
    );
    t.equal(task.measureCount, expected.measures.length, `task ${task.no} measure count`);
    t.equal(task.deadline?.text ?? null, expected.deadline?.text ?? null, `task ${task.no} deadline`);
  }
});

t.test('unit filter accepts an id, the canonical name or an alias, and applies the role', async (t) => {
  const units = await all<{ id: number; name: string; aliases: string[] }>('/api/v1/units');
  const bureau = units.find((u) => u.aliases.length > 0 && seed.plan.tasks.some((task) => task.leadUnits.map(canonical).includes(u.name)));
  if (!bureau) throw new Error('the seed has a lead unit with an alias');
  const shares = withCollectives(bureau.name);
  const expected = seed.plan.tasks.filter((task) => task.leadUnits.map(canonical).some((u) => shares.includes(u))).map((task) => task.no);
  t.ok(expected.length > 0);
  for (const ref of [String(bureau.id), bureau.name, bureau.aliases[0]!]) {
    const tasks = await all<TaskItem>(`/api/v1/tasks?unit=${encodeURIComponent(ref)}&role=lead`);
    t.same(nos(tasks), expected, `unit=${ref}`);
  }
});

t.test('a county government finds the tasks its collective is responsible for', async (t) => {
  const county = '北林区人民政府';
  const shares = withCollectives(county);
  t.ok(shares.length > 1, 'the county belongs to a collective');
  const expected = seed.plan.tasks.filter((task) => task.responsibleUnits.map(canonical).some((u) => shares.includes(u))).map((task) => task.no);
  const tasks = await all<TaskItem>(`/api/v1/tasks?unit=${encodeURIComponent(county)}&role=responsible`);
  t.same(nos(tasks), expected);
  t.ok(expected.length > 50, 'most tasks name 各县(市、区)人民政府');
});

t.test('role owner finds tasks with a measure the unit owns', async (t) => {
  const owner = '市文旅局';
  const shares = withCollectives(owner);
  const expected = seed.plan.tasks.filter((task) => task.measures.some((m) => m.ownerUnits.map(canonical).some((u) => shares.includes(u)))).map((task) => task.no);
  t.ok(expected.length > 2);
  t.same(nos(await all<TaskItem>(`/api/v1/tasks?unit=${encodeURIComponent(owner)}&role=owner`)), expected);
});

t.test('q searches titles and measure texts literally', async (t) => {
  for (const q of ['信易贷', '双公示', '码上诚信', '100%']) {
    const expected = seed.plan.tasks.filter((task) => task.title.includes(q) || task.measures.some((m) => m.text.includes(q))).map((task) => task.no);
    t.ok(expected.length > 0, `${q} occurs in the plan`);
    t.same(nos(await all<TaskItem>(`/api/v1/tasks?q=${encodeURIComponent(q)}`)), expected, `q=${q}`);
  }
  const none = await get<Page<TaskItem>>(`/api/v1/tasks?q=${encodeURIComponent('%')}`);
  t.equal(none.total, seed.plan.tasks.filter((task) => task.title.includes('%') || task.measures.some((m) => m.text.includes('%'))).length, '% is not a wildcard');
});

t.test('chapter and deadlineYear filters', async (t) => {
  const chapters = await get<Page<{ id: number; title: string; taskCount: number }>>('/api/v1/chapters');
  const chapter = chapters.items[1]!;
  const inChapter = await all<TaskItem>(`/api/v1/tasks?chapter=${chapter.id}`);
  t.same(
    nos(inChapter),
    seed.plan.tasks.filter((task) => task.chapter === chapter.title).map((task) => task.no),
  );
  t.equal(inChapter.length, chapter.taskCount);

  const due2023 = await all<TaskItem>('/api/v1/tasks?deadlineYear=2023');
  t.same(
    nos(due2023),
    seed.plan.tasks.filter((task) => deadlineDate(task.deadline)?.startsWith('2023-')).map((task) => task.no),
  );
  t.ok(due2023.length > 0);
});

t.test('a task’s detail matches the document: measures, owners, milestones, deadlines', async (t) => {
  for (const no of [4, 5, 40, 44, 72]) {
    const list = await get<Page<TaskItem>>(`/api/v1/tasks?limit=1&offset=${seed.plan.tasks.findIndex((task) => task.no === no)}`);
    const detail = await get<
      TaskItem & {
        measures: {
          no: number | null;
          text: string;
          ownerUnits: UnitRef[];
          targetsText: string;
          milestones: { text: string; year: number | null }[];
          deadline: { text: string } | null;
        }[];
      }
    >(`/api/v1/tasks/${list.items[0]!.id}`);
    const expected = seedTask(no);
    t.equal(detail.no, no);
    t.same(
      detail.measures.map((m) => ({
        no: m.no,
        text: m.text,
        owners: m.ownerUnits.map((u) => u.name),
        targets: m.targetsText,
        milestones: m.milestones.map((x) => x.text),
        deadline: m.deadline?.text ?? null,
      })),
      expected.measures.map((m) => ({
        no: m.no,
        text: m.text,
        owners: m.ownerUnits.map(canonical),
        targets: m.targetsText,
        milestones: m.milestones.map((x) => x.text),
        deadline: m.deadline?.text ?? null,
      })),
      `task ${no} measures`,
    );
  }
});

t.test('unknown and malformed task ids', async (t) => {
  for (const [url, status] of [
    ['/api/v1/tasks/99999', 404],
    ['/api/v1/tasks/0', 400],
    ['/api/v1/tasks/abc', 400],
    ['/api/v1/tasks/1.5', 400],
    ['/api/v1/tasks/99999999999999999999', 400],
  ] as const) {
    const res = await app.inject(url);
    t.equal(res.statusCode, status, url);
    t.match(res.headers['content-type'], /^application\/problem\+json/, url);
    t.equal(res.json().status, status);
  }
});
