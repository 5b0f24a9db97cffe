// Proves seeds/plan.json (and the hand-curated seed files) against the source document, using a line
// scanner of its own rather than the parser under test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildPlan, loadSeedInputs, renderPlan } from '../../scripts/seed/build.js';
import type { Corrections, Indicator, Measure, Plan, Task, Unit } from '../../scripts/seed/types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const source = read('seeds/source/plan-breakdown.txt');
const lines = source.split('\n');
const lineAt = (n: number): string => lines[n - 1] ?? '';
const plan = JSON.parse(read('seeds/plan.json')) as Plan;
const units = JSON.parse(read('seeds/units.json')) as Unit[];
const corrections = JSON.parse(read('seeds/corrections.json')) as Corrections;
const indicators = JSON.parse(read('seeds/indicators.json')) as Indicator[];

// --- scanner: classifies each table line by how it begins -------------------------------------------
const DEADLINE_CELL = /^(?:\d{4}年(?:底前?|前)?。?|持续开展|每年年底前)$/;
interface ScannedMeasure { line: number; no: number | null }
const taskRows = new Map<number, number[]>(); // task no → row lines
const region = new Map<number, number[]>(); // task no → every line up to the next task
const scanned = new Map<number, ScannedMeasure[]>();
const continuationLines = new Set(corrections.continuationLines.map((c) => c.line));
{
  const start = lines.findIndex((l) => l.startsWith('序号 ')) + 1;
  let task: number | undefined;
  for (let i = start; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const line = i + 1;
    if (text.trim() === '') break;
    const row = /^(\d+) /.exec(text);
    if (row) task = Number(row[1]);
    if (task === undefined) throw new Error(`scanner: line ${line} before any task`);
    const push = <T>(map: Map<number, T[]>, value: T): void => void map.set(task!, [...(map.get(task!) ?? []), value]);
    push(region, line);
    if (row) {
      push(taskRows, line);
      const no = / (\d{1,2})\./.exec(text); // every task row carries a measure, numbered or not
      push(scanned, { line, no: no ? Number(no[1]) : null });
    } else if (continuationLines.has(line)) {
      continue;
    } else {
      const numbered = /^(\d+)\./.exec(text) ?? /^\S+ (\d+)\./.exec(text);
      const cells = text.split(' ');
      if (numbered) push(scanned, { line, no: Number(numbered[1]) });
      else if (cells.length > 1 && DEADLINE_CELL.test(cells.at(-1) ?? '')) push(scanned, { line, no: null });
    }
  }
}
const regionText = (task: number): string => (region.get(task) ?? []).map(lineAt).join('\n');
const taskByNo = new Map(plan.tasks.map((task) => [task.no, task]));
const measureAt = (task: Task, position: number): Measure | undefined => task.measures.find((m) => m.position === position);

t.test('1. titles and measure texts are verbatim in the source', async (t) => {
  for (const task of plan.tasks) {
    for (const line of task.sourceLines) t.ok(lineAt(line).includes(task.title), `task ${task.no} title on line ${line}`);
    for (const m of task.measures) {
      const printed = m.no === null ? m.text : `${m.no}.${m.text}`;
      t.ok(lineAt(m.sourceLine).includes(printed), `task ${task.no} measure ${m.position} on line ${m.sourceLine}`);
      for (const part of m.targetsText.split('\n')) {
        t.ok(regionText(task.no).includes(part), `task ${task.no} measure ${m.position} targets in the task's lines`);
      }
    }
  }
});

t.test('2. every task row and measure line maps to exactly one seeded task / measure', async (t) => {
  const rowOwners = new Map<number, number[]>();
  const measureOwners = new Map<number, number>();
  for (const task of plan.tasks) {
    for (const line of task.sourceLines) rowOwners.set(line, [...(rowOwners.get(line) ?? []), task.no]);
    for (const m of task.measures) measureOwners.set(m.sourceLine, (measureOwners.get(m.sourceLine) ?? 0) + 1);
  }
  const scannedRows = [...taskRows.entries()].flatMap(([no, rows]) => rows.map((line) => ({ no, line })));
  for (const { no, line } of scannedRows) t.same(rowOwners.get(line), [no], `row line ${line} belongs to task ${no} only`);
  t.equal(rowOwners.size, scannedRows.length, 'no seeded sourceLine outside the scanned task rows');

  const scannedMeasures = [...scanned.values()].flat();
  for (const { line } of scannedMeasures) t.equal(measureOwners.get(line), 1, `measure line ${line} seeded once`);
  t.equal(measureOwners.size, scannedMeasures.length, 'no seeded measure on a line the scanner does not see');

  for (const c of corrections.continuationLines) {
    t.ok(c.reason.trim().length > 20, `continuation line ${c.line} has a reason`);
    t.match(lineAt(c.line), /^\d+\./, `line ${c.line} looks like a measure start (else no exception is needed)`);
    t.ok(lineAt(c.line).startsWith(c.startsWith), `line ${c.line} starts with the recorded text`);
    t.notOk(measureOwners.has(c.line), `line ${c.line} is not seeded as a measure`);
    const holder = plan.tasks.flatMap((task) => task.measures).find((m) => m.targetsText.includes(lineAt(c.line)));
    t.ok(holder && holder.sourceLine < c.line, `line ${c.line} is part of an earlier measure's targets`);
  }
});

t.test('3. counts: 75 tasks, and per task the measures the scanner finds, in order, gaps kept', async (t) => {
  const numbers = [...taskRows.keys()];
  t.same(numbers, Array.from({ length: 75 }, (_, k) => k + 1), 'the source numbers its tasks 1..75');
  t.same(plan.tasks.map((task) => task.no), numbers, 'seeded tasks in document order');
  for (const task of plan.tasks) {
    t.same(
      task.measures.map((m) => ({ line: m.sourceLine, no: m.no })),
      scanned.get(task.no),
      `task ${task.no} measures`,
    );
    t.same(task.measures.map((m) => m.position), task.measures.map((_, k) => k + 1), `task ${task.no} positions`);
    // A number lower than the one before is a wrapped targets cell read as a measure (see corrections.json).
    const numbered = task.measures.flatMap((m) => (m.no === null ? [] : [m.no]));
    t.ok(numbered.every((no, k) => k === 0 || no > (numbered[k - 1] ?? 0)), `task ${task.no} measure numbers increase`);
    for (const m of task.measures) t.not(m.targetsText.trim(), '', `task ${task.no} measure ${m.position} has a targets cell`);
    t.same(task.sourceLines, taskRows.get(task.no), `task ${task.no} row lines`);
  }
  const task72 = taskByNo.get(72)?.measures.map((m) => m.no) ?? [];
  t.ok(task72.includes(12) && task72.includes(14) && !task72.includes(13), 'task 72 keeps the printed gap 12 → 14');

  const chapters = plan.chapters.map((c) => c.title);
  t.equal(new Set(chapters).size, chapters.length, 'each chapter once');
  t.same(chapters, [...new Set(plan.tasks.map((task) => task.chapter))], 'chapters in document order');
  for (const title of chapters) t.ok(source.includes(` ${title} `), `chapter ${title} printed in the source`);
});

t.test('4. units: every name used exists, aliases are unique, collectives hold their members', async (t) => {
  const byName = new Map(units.map((u) => [u.name, u]));
  const spellings = units.flatMap((u) => [u.name, ...u.aliases]);
  t.equal(new Set(spellings).size, spellings.length, 'names and aliases are unique across units');
  const kinds = ['city_department', 'stationed_unit', 'county_government', 'development_zone', 'collective'];
  for (const u of units) t.ok(kinds.includes(u.kind), `${u.name} kind ${u.kind}`);
  for (const u of units) for (const m of u.members) t.ok(byName.has(m), `${u.name} member ${m} exists`);

  for (const task of plan.tasks) {
    const used = [...task.leadUnits, ...task.responsibleUnits, ...task.measures.flatMap((m) => m.ownerUnits)];
    for (const name of used) t.ok(byName.has(name), `task ${task.no} unit ${name} in units.json`);
    t.equal(task.leadsEachOwnPart, /按(?:监管)?职责分别牵头/.test(task.leadUnitsText), `task ${task.no} leadsEachOwnPart`);
    for (const m of task.measures) {
      const owner = /\(([^()、]+)\)$/.exec(m.text)?.[1];
      const unit = owner === undefined ? undefined : units.find((u) => u.name === owner || u.aliases.includes(owner));
      if (owner !== undefined) t.same(m.ownerUnits, [unit?.name], `task ${task.no} measure ${m.position} owner ${owner}`);
      if (!/\)$/.test(m.text)) t.same(m.ownerUnits, task.leadUnits, `task ${task.no} measure ${m.position} owned by the leads`);
    }
  }

  const counties = units.filter((u) => u.kind === 'county_government').map((u) => u.name);
  t.equal(counties.length, 10, 'ten county-level governments');
  t.same(byName.get('各县(市、区)人民政府')?.members.toSorted(), counties.toSorted(), '各县(市、区)人民政府 = the ten counties');
  const cityLevel = units.filter((u) => u.kind === 'city_department' || u.kind === 'stationed_unit').map((u) => u.name);
  t.same(byName.get('中省市直各有关单位')?.members.toSorted(), cityLevel.toSorted(), '中省市直各有关单位 = city and stationed units');
  for (const c of corrections.unitCells) {
    t.ok(c.reason.trim().length > 20, 'unit-cell correction has a reason');
    t.ok(source.includes(c.cell), 'corrected unit cell is printed in the source');
    for (const name of c.units) t.ok(byName.has(name), `corrected unit ${name} is canonical`);
  }
});

t.test('5. milestones and deadlines agree with their text', async (t) => {
  const yearEnd = (year: number | null): string => `${year}-12-31`;
  for (const task of plan.tasks) {
    const measureDeadlines = task.measures.map((m) => m.deadline);
    t.ok(measureDeadlines.some((d) => JSON.stringify(d) === JSON.stringify(task.deadline)), `task ${task.no} deadline is a measure's`);
    for (const d of measureDeadlines) {
      if (d?.kind === 'date' && task.deadline?.kind === 'date') t.ok(d.date <= task.deadline.date, `task ${task.no} deadline is the latest`);
    }
    for (const m of task.measures) {
      const where = `task ${task.no} measure ${m.position}`;
      if (m.deadline !== null) {
        const text = m.deadline.text;
        const printed = lineAt(m.sourceLine).endsWith(` ${text}`) || (region.get(task.no) ?? []).some((n) => lineAt(n) === text);
        t.ok(printed, `${where} deadline printed as a cell`);
      }
      if (m.deadline?.kind === 'date') {
        t.ok(m.deadline.text.includes(`${m.deadline.date.slice(0, 4)}年`), `${where} deadline year in its text`);
        t.equal(m.deadline.date.slice(4), '-12-31', `${where} deadline at year end`);
      }
      t.ok(m.milestones.length > 0, `${where} has a milestone`);
      for (const ms of m.milestones) {
        t.ok(ms.text.length > 0 && m.targetsText.includes(ms.text), `${where} milestone text is in targetsText`);
        if (ms.kind === 'due') t.equal(ms.dueDate, yearEnd(ms.year), `${where} due at year end`);
        else t.equal(ms.dueDate, null, `${where} ${ms.kind} has no due date`);
        if (ms.kind === 'annual') t.equal(ms.year, null, `${where} annual has no year`);
        if (ms.year !== null) {
          const range = /(\d{4})年[至到](\d{4})年/.exec(ms.text);
          const named = ms.text.includes(`${ms.year}年`) || (range !== null && Number(range[1]) <= ms.year && ms.year <= Number(range[2]));
          const atDeadline = !/\d{4}年/.test(m.targetsText) && m.deadline?.kind === 'date' && ms.dueDate === m.deadline.date;
          t.ok(named || atDeadline, `${where} milestone year ${ms.year} is named in its text or is the deadline`);
        }
      }
    }
  }
});

t.test('6. indicators quote their task and use valid comparators', async (t) => {
  const comparators = ['>=', '>', '<=', '<', '='];
  t.equal(new Set(indicators.map((i) => i.key)).size, indicators.length, 'keys are unique');
  for (let n = 1; n <= 11; n++) {
    if (n !== 9) t.ok(indicators.some((i) => i.task === n), `主要任务指标 task ${n} has an indicator`);
  }
  for (const ind of indicators) {
    const task = taskByNo.get(ind.task);
    const text = regionText(ind.task);
    t.ok(task, `${ind.key} task exists`);
    t.ok(text.includes(ind.sourceText), `${ind.key} sourceText in task ${ind.task}`);
    t.ok(comparators.includes(ind.comparator), `${ind.key} comparator`);
    t.ok(['increase', 'decrease'].includes(ind.direction), `${ind.key} direction`);
    if (ind.comparator.startsWith('<')) t.equal(ind.direction, 'decrease', `${ind.key} an upper bound means smaller is better`);
    if (ind.comparator.startsWith('>')) t.equal(ind.direction, 'increase', `${ind.key} a lower bound means bigger is better`);
    const measure = ind.measurePosition === null || !task ? undefined : measureAt(task, ind.measurePosition);
    if (ind.measurePosition !== null) t.ok(measure, `${ind.key} measure ${ind.measurePosition} exists`);
    const years = ind.targets.map((x) => x.year);
    t.same(years, years.toSorted(), `${ind.key} targets by year`);
    const deadline = (measure ?? task)?.deadline;
    const fallbackYear = deadline?.kind === 'date' ? Number(deadline.date.slice(0, 4)) : undefined;
    t.equal(ind.targetYear, years.length > 0 ? Math.max(...years) : fallbackYear, `${ind.key} targetYear`);
    for (const target of ind.targets) {
      t.ok(text.includes(target.sourceText), `${ind.key} ${target.year} sourceText in task ${ind.task}`);
      t.ok(comparators.includes(target.comparator), `${ind.key} ${target.year} comparator`);
      const clause = measure?.milestones.find((ms) => ms.year === target.year && ms.text.includes(target.sourceText));
      t.ok(clause, `${ind.key} ${target.year} target sits in that year's milestone`);
    }
  }
});

t.test('7. the build is deterministic and seeds/plan.json is up to date', async (t) => {
  const inputs = loadSeedInputs(root);
  const first = renderPlan(buildPlan(inputs));
  t.equal(renderPlan(buildPlan(inputs)), first, 'two builds are byte-identical');
  t.equal(read('seeds/plan.json'), first, 'committed plan.json matches a fresh build (run: npx tsx scripts/build-seed.ts)');
});

t.test('8. schedules: every measure says when its work is owed, in words it prints', async (t) => {
  const { startYear, endYear } = plan.plan;
  for (const task of plan.tasks) {
    for (const m of task.measures) {
      const where = `task ${task.no} measure ${m.position}`;
      t.ok(m.schedule.length > 0, `${where} has a schedule`);
      for (const part of m.schedule) {
        const quoted = m.targetsText.includes(part.text) || m.deadline?.text === part.text || m.text.includes(part.text);
        t.ok(part.text.length > 0 && quoted, `${where} ${part.kind} text is printed in its cells`);
        if (part.kind === 'once') {
          t.match(part.dueDate, /^\d{4}-\d{2}-\d{2}$/, `${where} once has a due date`);
          t.same([part.fromYear, part.untilYear], [null, null], `${where} once has no year range`);
          const year = Number(part.dueDate?.slice(0, 4));
          t.ok(year >= startYear && year <= endYear, `${where} once due inside the plan`);
        } else {
          t.equal(part.dueDate, null, `${where} ${part.kind} has no single due date`);
          const { fromYear: from, untilYear: until } = part;
          t.ok(from !== null && until !== null && startYear <= from && from <= until && until <= endYear, `${where} ${part.kind} years ${from}–${until} inside the plan`);
          if (m.deadline?.kind === 'date') t.ok((until ?? 0) <= Number(m.deadline.date.slice(0, 4)), `${where} ${part.kind} ends by the deadline`);
        }
      }
    }
  }
});

t.test('9. indicators say what they are measured over', async (t) => {
  for (const ind of indicators) {
    t.ok(['city', 'each_member', 'derived'].includes(ind.scope), `${ind.key} scope ${ind.scope}`);
    if (ind.scope === 'derived') t.ok(['sum', 'mean', 'count_meeting'].includes(ind.combine ?? ''), `${ind.key} derived says how`);
    else t.equal(ind.combine, null, `${ind.key} ${ind.scope} combines nothing`);
  }
});
