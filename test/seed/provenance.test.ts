// Proves seeds/plan.json (and the hand-curated seed files) against the source document, using a line
// scanner of its own rather than the parser under test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildPlan, loadSeedInputs, renderPlan } from '../../src/seed/read/build.js';
import type { Corrections, Indicator, Measure, Plan, Task, Unit } from '../../src/seed/read/types.js';

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
interface ScannedMeasure {
  line: number;
  no: number | null;
}
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
  t.same(
    numbers,
    Array.from({ length: 75 }, (_, k) => k + 1),
    'the source numbers its tasks 1..75',
  );
  t.same(
    plan.tasks.map((task) => task.no),
    numbers,
    'seeded tasks in document order',
  );
  for (const task of plan.tasks) {
    t.same(
      task.measures.map((m) => ({ line: m.sourceLine, no: m.no })),
      scanned.get(task.no),
      `task ${task.no} measures`,
    );
    t.same(
      task.measures.map((m) => m.position),
      task.measures.map((_, k) => k + 1),
      `task ${task.no} positions`,
    );
    // A number lower than the one before is a wrapped targets cell read as a measure (see corrections.json).
    const numbered = task.measures.flatMap((m) => (m.no === null ? [] : [m.no]));
    t.ok(
      numbered.every((no, k) => k === 0 || no > (numbered[k - 1] ?? 0)),
      `task ${task.no} measure numbers increase`,
    );
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
    t.ok(
      measureDeadlines.some((d) => JSON.stringify(d) === JSON.stringify(task.deadline)),
      `task ${task.no} deadline is a measure's`,
    );
    for (const d of measureDeadlines) {
      if (d?.kind === 'date' && task.deadline?.kind === 'date') t.ok(d.date <= task.deadline.date, `task ${task.no} deadline is the latest`);
    }
    for (const m of task.measures) {
      const where = `task ${task.no} measure ${m.position}`;
      if (m.deadline !== null) {
        const text = m.deadline.text;
        const merged = corrections.deadlineCells.find((c) => c.line === m.sourceLine);
        const printed =
          lineAt(m.sourceLine).endsWith(` ${text}`) ||
          (region.get(task.no) ?? []).some((n) => lineAt(n) === text) ||
          (merged !== undefined && merged.text === text && lineAt(merged.fromLine).endsWith(` ${text}`));
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
          const corrected = corrections.clauses.some((c) => c.measureLine === m.sourceLine && ms.text.startsWith(c.startsWith) && c.year === ms.year);
          t.ok(named || atDeadline || corrected, `${where} milestone year ${ms.year} is named in its text or is the deadline`);
        }
      }
    }
  }
});

t.test('6. indicators quote their task and use valid comparators', async (t) => {
  const comparators = ['>=', '>', '<=', '<', '='];
  t.equal(new Set(indicators.map((i) => i.key)).size, indicators.length, 'keys are unique');
  for (let n = 1; n <= 11; n++) {
    if (n !== 9)
      t.ok(
        indicators.some((i) => i.task === n),
        `主要任务指标 task ${n} has an indicator`,
      );
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
      const recurring = measure?.schedule.find(
        (p) => p.kind !== 'once' && (p.fromYear ?? 0) <= target.year && target.year <= (p.untilYear ?? 0) && p.text.includes(target.sourceText),
      );
      t.ok(clause ?? recurring, `${ind.key} ${target.year} target sits in that year's milestone or a recurring part owed that year`);
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

// --- 10. the fidelity audit: each corrected reading, with its source line and words, so undoing it fails here ---
const measureOn = (line: number): Measure => {
  const m = plan.tasks.flatMap((task) => task.measures).find((x) => x.sourceLine === line);
  if (m === undefined) throw new Error(`no measure on line ${line}`);
  return m;
};
const parts = (m: Measure) => m.schedule.map((p) => (p.kind === 'once' ? `once ${p.dueDate}` : `${p.kind} ${p.fromYear}-${p.untilYear}`));
const indicator = (key: string): Indicator | undefined => indicators.find((i) => i.key === key);

t.test('10. corrected readings, each tied to its source line', async (t) => {
  t.test('line 8: (不含涉密部门) qualifies every year of task 1, not 2025 alone', async (t) => {
    t.ok(lineAt(8).includes('2025年底前实现100%。(不含涉密部门)'), 'printed after the last clause');
    const m = measureOn(8);
    t.notOk(
      m.milestones.some((ms) => ms.text.includes('不含涉密部门')),
      'no single year holds the exclusion',
    );
    t.same(parts(m), ['yearly 2022-2025'], 'one yearly target 2022–2025');
    t.ok(m.schedule[0]?.text.endsWith('(不含涉密部门)'), 'the yearly part carries the exclusion');
  });
  t.test('line 14: task 5 measure 1 owes its second sentence by the 2023 deadline', async (t) => {
    t.ok(lineAt(14).includes('常态化运用。推动市场监管领域各有关部门') && lineAt(14).endsWith(' 2023年底前'), 'printed');
    const m = measureOn(14);
    t.same(
      m.milestones.map((ms) => ms.year),
      [2022, 2023],
    );
    t.same(parts(m), ['once 2022-12-31', 'once 2023-12-31']);
    t.ok(m.milestones[1]?.text.startsWith('推动市场监管领域各有关部门'), 'the 2023 clause');
  });
  t.test('lines 15–16 and 96: undated 持续推动… is ongoing work, not one 2025 milestone', async (t) => {
    t.ok(lineAt(15).endsWith('持续推动黑名单制度在项目审批中的应用;'), 'line 15 printed');
    t.ok(lineAt(96).includes(' 持续推动行政审批信用承诺制,不断探索'), 'line 96 printed');
    for (const line of [15, 96]) {
      const m = measureOn(line);
      t.same(
        m.milestones.map((ms) => [ms.kind, ms.year]),
        [['ongoing', null]],
        `line ${line} milestone`,
      );
      t.same(parts(m), ['continuous 2021-2025'], `line ${line} schedule`);
    }
  });
  t.test('line 11: 降至1‰以下 includes 1‰ (<=)', async (t) => {
    t.ok(lineAt(11).includes('社会组织重错码率降至1‰以下'), 'printed');
    const ind = indicator('social-org-uscc-duplicate-error-rate');
    t.equal(ind?.comparator, '<=');
    t.same(
      ind?.targets.map((x) => x.comparator),
      ['<='],
    );
  });
  t.test('line 12: 清理完毕 is a checkable target: no erroneous records left by 2022', async (t) => {
    t.ok(lineAt(12).includes('2022年底前力争将我市市主体统一社会信用代码存量差错数据清理完毕'), 'printed');
    t.match(indicator('uscc-legacy-error-records'), { task: 4, measurePosition: 2, comparator: '=', value: 0, targetYear: 2022, scope: 'city' });
  });
  t.test('lines 14, 54: "A、B等…有关单位" lead cells keep the collective, tasks 5 and 21 as elsewhere', async (t) => {
    t.ok(lineAt(14).includes('统计等市场监管领域中省市直各有关单位按监管职责分别牵头'), 'task 5 printed');
    t.ok(lineAt(54).includes('统计等市场监管领域中市直各有关单位按监管职责分别牵头'), 'task 21 printed');
    for (const no of [5, 21, 20, 22, 26, 29, 40, 72, 73]) {
      t.ok(taskByNo.get(no)?.leadUnits.includes('中省市直各有关单位'), `task ${no} leads include the collective`);
    }
  });
  t.test('line 36: 黑龙江银保监局 (provincial regulator) is its own unit, not 市银保监局', async (t) => {
    t.ok(lineAt(36).includes('市营商环境局、黑龙江银保监局、人民银行绥化中心支行按职责分别牵头'), 'task 6 lead cell');
    t.ok(lineAt(37).endsWith('(市银保监局) 2022年起持续推动有关工作开展 2025年底前'), 'task 6 measure 2 owner');
    t.match(
      units.find((u) => u.name === '黑龙江银保监局'),
      { kind: 'stationed_unit', aliases: [] },
    );
    t.notOk(units.find((u) => u.name === '市银保监局')?.aliases.includes('黑龙江银保监局'), 'no longer an alias');
    t.same(taskByNo.get(6)?.leadUnits, ['市营商环境局', '黑龙江银保监局', '人民银行绥化中心支行']);
    t.same(measureOn(37).ownerUnits, ['市银保监局']);
  });
  t.test('line 52: 实现行业协会商会信用承诺全覆盖 is coverage >= 100%', async (t) => {
    t.ok(lineAt(52).includes('实现行业协会商会信用承诺全覆盖'), 'printed');
    t.match(indicator('trade-association-credit-commitment-coverage'), { task: 20, comparator: '>=', value: 100, unit: '%' });
  });
  t.test('lines 93–95: 2024年对…A级的企业…优先选用 is a standing rule from 2024 on', async (t) => {
    t.ok(lineAt(94).includes('2024年对对建筑市场主体信用评价为A级的企业,同等条件下优先选用'), 'printed');
    const m = measureOn(93);
    const rule = m.milestones.find((ms) => ms.text.startsWith('2024年对对'));
    t.match(rule, { kind: 'ongoing', year: 2024, dueDate: null });
    t.same(parts(m), ['yearly 2023-2025', 'once 2024-12-31', 'continuous 2024-2025']);
  });
  t.test('line 105: 实现文旅行业信用承诺全覆盖 is coverage >= 100% by 2025', async (t) => {
    t.ok(lineAt(105).startsWith('2025年底前,实现文旅行业信用承诺全覆盖'), 'printed');
    t.match(indicator('tourism-credit-commitment-coverage'), { task: 44, measurePosition: 3, comparator: '>=', value: 100, targetYear: 2025 });
  });
  t.test('line 109: 每季度公开检察机关主要办案数据 is owed every quarter', async (t) => {
    t.ok(lineAt(109).includes('每季度公开检察机关主要办案数据'), 'printed');
    const m = measureOn(109);
    t.same(parts(m), ['continuous 2022-2025', 'quarterly 2022-2025']);
    t.equal(m.schedule[1]?.text, '每季度公开检察机关主要办案数据');
  });
  t.test("lines 134–135: the merged 完成时限 cell 2025年底前 is task 67 measure 1's too", async (t) => {
    t.ok(lineAt(134).endsWith('2023年年底前合规率超过95%,并持续推动有功工作开展。'), 'line 134 prints no deadline');
    t.ok(lineAt(135).endsWith(' 2025年底前'), 'line 135 prints the shared one');
    const m = measureOn(134);
    t.same(m.deadline, { kind: 'date', date: '2025-12-31', text: '2025年底前' });
    t.same(parts(m), ['once 2023-12-31', 'continuous 2024-2025'], 'the 2023 target, then ongoing work');
  });
  t.test('line 135: 每年至少开展一次专项行动 is a yearly target with a row per year', async (t) => {
    t.ok(lineAt(135).includes('2022年启动持续推进,每年至少开展一次专项行动。'), 'printed');
    const ind = indicator('anti-piracy-special-actions-per-year');
    t.same(
      ind?.targets.map((x) => [x.year, x.comparator, x.value]),
      [2022, 2023, 2024, 2025].map((y) => [y, '>=', 1]),
    );
    t.same(parts(measureOn(135)), ['yearly 2022-2025']);
  });
  t.test('every comparator follows the statutory convention (民法典 第1259条)', async (t) => {
    // 以上/以下/以内/不低于/不超过/不少于 include the figure; 超过/低于/不足/少于 exclude it.
    const expected = (text: string): string | undefined => {
      if (/以下|以内|不超过|\d+(?:日|个月)内/.test(text)) return '<=';
      if (/以上|不低于|不少于|至少/.test(text)) return '>=';
      if (/超过/.test(text)) return '>';
      if (/低于|不足|少于/.test(text)) return '<';
      return undefined;
    };
    for (const ind of indicators) {
      const want = expected(ind.sourceText);
      if (want !== undefined) t.equal(ind.comparator, want, `${ind.key}: "${ind.sourceText}"`);
      for (const target of ind.targets) {
        const w = expected(target.sourceText);
        if (w !== undefined) t.equal(target.comparator, w, `${ind.key} ${target.year}: "${target.sourceText}"`);
      }
    }
  });
});
