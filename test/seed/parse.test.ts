// Unit tests of the seed parser's pure functions, on the tricky cells of the source document.
import t from 'tap';
import { buildPlan, loadSeedInputs } from '../../src/seed/read/build.js';
import { parseDeadline, taskDeadline } from '../../src/seed/read/deadline.js';
import { parseMilestones } from '../../src/seed/read/milestones.js';
import { splitCells } from '../../src/seed/read/parse.js';
import { splitUnitCell, trailingParenthesis } from '../../src/seed/read/units.js';
import type { Deadline } from '../../src/seed/read/types.js';
import { fileURLToPath } from 'node:url';

const end2025: Deadline = { kind: 'date', date: '2025-12-31', text: '2025年底前' };
const brief = (text: string, deadline: Deadline | null = end2025) => parseMilestones(text, deadline).map((m) => [m.kind, m.year, m.text]);

t.test('parseDeadline', async (t) => {
  for (const text of ['2025年底前', '2025年底前。', '2025年底', '2025年前', '2025年']) {
    t.same(parseDeadline(text), { kind: 'date', date: '2025-12-31', text }, text);
  }
  t.same(parseDeadline('2024年底'), { kind: 'date', date: '2024-12-31', text: '2024年底' });
  t.same(parseDeadline('持续开展'), { kind: 'ongoing', text: '持续开展' });
  t.same(parseDeadline('每年年底前'), { kind: 'annual', text: '每年年底前' });
  t.equal(parseDeadline('2022年起持续推动有关工作开展'), undefined, 'a targets cell is no deadline');
});

t.test('taskDeadline takes the latest date, then ongoing, then annual', async (t) => {
  const ongoing = parseDeadline('持续开展') ?? null;
  const annual = parseDeadline('每年年底前') ?? null;
  const d2023 = parseDeadline('2023年底前') ?? null;
  const d2025a = parseDeadline('2025年底前。') ?? null;
  const d2025b = parseDeadline('2025年底前') ?? null;
  t.equal(taskDeadline([d2023, d2025a, annual, d2025b]), d2025a, 'first of the latest');
  t.equal(taskDeadline([annual, null, ongoing]), ongoing);
  t.equal(taskDeadline([null]), null);
});

t.test('parseMilestones', async (t) => {
  t.same(brief('2022年底前承诺不低于50%,2023年底前不低于60%'), [
    ['due', 2022, '2022年底前承诺不低于50%'],
    ['due', 2023, '2023年底前不低于60%'],
  ]);
  t.same(
    brief('2022年底前完成合规率95%,2023年年底前完成合规率超过98%;瞒报率为0'),
    [
      ['due', 2022, '2022年底前完成合规率95%'],
      ['due', 2023, '2023年年底前完成合规率超过98%;瞒报率为0'],
    ],
    'task 3: a clause without a year stays with the year before',
  );
  t.same(
    brief('2023年底前完善市公共信用信息平台有关功能,2024年投入使用'),
    [
      ['due', 2023, '2023年底前完善市公共信用信息平台有关功能'],
      ['due', 2024, '2024年投入使用'],
    ],
    'task 9',
  );
  t.same(
    brief('2022年,大力推进课程思政建设;2025年,建设一批示范课程。'),
    [
      ['due', 2022, '2022年,大力推进课程思政建设'],
      ['due', 2025, '2025年,建设一批示范课程。'],
    ],
    'task 25 measure 1',
  );
  t.same(brief('2022年内粉丝量力争达到500万。'), [['due', 2022, '2022年内粉丝量力争达到500万。']], 'task 25 measure 2');
  const task40 = '1.2023年到2025年,组织实施信用评价工作。2、2024年底前开展评价;2024年对对A级的企业优先选用。';
  t.same(
    brief(task40),
    [
      ['due', 2023, '1.2023年到2025年,组织实施信用评价工作。'],
      ['due', 2024, '1.2023年到2025年,组织实施信用评价工作。'],
      ['due', 2025, '1.2023年到2025年,组织实施信用评价工作。'],
      ['due', 2024, '2、2024年底前开展评价'],
      ['due', 2024, '2024年对对A级的企业优先选用。'],
    ],
    'task 40 measure 5: a range, then two 2024 clauses',
  );
  t.same(
    brief('2022年底前清理完毕。2023年至2025年新赋码差错率低于1‱').map((m) => m[1]),
    [2022, 2023, 2024, 2025],
  );
  for (const text of ['2022年起持续推动有关工作开展', '自2022年起持续推动开展', '2022年期持续推进', '2022年启动持续推进']) {
    t.same(brief(text), [['ongoing', 2022, text]], text);
  }
  t.same(
    brief('自2022年起,在2021年的基础上,每年持续增长。'),
    [
      ['ongoing', 2022, '自2022年起,在2021年的基础上'],
      ['annual', null, '每年持续增长。'],
    ],
    'a year inside a clause opens nothing',
  );
  t.same(brief('每年组织考核,通报有关情况'), [['annual', null, '每年组织考核,通报有关情况']]);
  t.same(brief('营造公平竞争良好氛围。2022年起持续推动。'), [['ongoing', 2022, '营造公平竞争良好氛围。2022年起持续推动。']]);
  t.same(
    parseMilestones('以信息归集为基础,强化事中事后监管', end2025),
    [{ kind: 'due', year: 2025, dueDate: '2025-12-31', text: '以信息归集为基础,强化事中事后监管' }],
    'no year: due at the measure deadline',
  );
  t.same(
    parseMilestones('持续推动黑名单制度的应用;\n加强招标投标信用信息的汇集。', end2025),
    [{ kind: 'ongoing', year: null, dueDate: null, text: '持续推动黑名单制度的应用;\n加强招标投标信用信息的汇集。' }],
    'no year but 持续: ongoing, not one 2025 milestone (task 5 measure 2, line 15)',
  );
  t.same(
    brief('2024年底前不低于80%,2025年底前实现100%。(不含涉密部门)'),
    [
      ['due', 2024, '2024年底前不低于80%'],
      ['due', 2025, '2025年底前实现100%。'],
    ],
    'a note closing the cell belongs to no single year (task 1, line 8)',
  );
  const overrides = [
    { startsWith: '推动各部门', kind: 'due' as const, year: 2023 },
    { startsWith: '2024年对A级', kind: 'ongoing' as const, year: 2024 },
  ];
  t.same(
    parseMilestones('2022年底前完成分类。推动各部门构建机制。2024年对A级企业优先选用。', end2025, overrides).map((m) => [m.kind, m.year, m.dueDate, m.text]),
    [
      ['due', 2022, '2022-12-31', '2022年底前完成分类。'],
      ['due', 2023, '2023-12-31', '推动各部门构建机制。'],
      ['ongoing', 2024, null, '2024年对A级企业优先选用。'],
    ],
    'corrections.json clauses: a new clause start, and an existing one re-read',
  );
  t.throws(() => parseMilestones('2022年底前完成', end2025, [{ startsWith: '没有', kind: 'due', year: 2022 }]), /clause "没有" is not in/);
  t.same(brief('持续推动', parseDeadline('每年年底前') ?? null), [['ongoing', null, '持续推动']], 'no year, undated deadline');
  t.same(
    brief('2023年底前实现A。\n2025年底前实现B。').map((m) => m[2]),
    ['2023年底前实现A。', '2025年底前实现B。'],
  );
});

t.test('splitUnitCell and trailingParenthesis', async (t) => {
  t.same(
    splitUnitCell('中省市直各有关单位,各县(市、区)人民政府、市经开区'),
    {
      names: ['中省市直各有关单位', '各县(市、区)人民政府', '市经开区'],
      eachOwnPart: false,
    },
    'no split inside parentheses',
  );
  t.same(splitUnitCell('市财政局、市应急局等中市直各有关单位按职责分别牵头'), {
    names: ['市财政局', '市应急局', '中市直各有关单位'],
    eachOwnPart: true,
  });
  t.same(splitUnitCell('市纪委监委机关、市法院、市工信局、按职责分别牵头').names, ['市纪委监委机关', '市法院', '市工信局']);
  t.equal(trailingParenthesis('促进安全生产工作(市应急局)'), '市应急局');
  t.equal(trailingParenthesis('示范(承诺)单位。(市市场监管局)'), '市市场监管局');
  t.equal(trailingParenthesis('向社会公示。'), undefined);
});

t.test('splitCells keeps spaces after a comma or middle dot inside a cell', async (t) => {
  t.same(splitCells('“双随机, 一公开”监管 2022年起 2025年底前'), ['“双随机, 一公开”监管', '2022年起', '2025年底前']);
  t.same(splitCells('“9· 27”世界旅游日 X'), ['“9· 27”世界旅游日', 'X']);
});

t.test('the build fails loudly on an unknown unit or a stale correction', async (t) => {
  const inputs = loadSeedInputs(fileURLToPath(new URL('../../', import.meta.url)));
  const units = inputs.units.map((u) => ({ ...u, aliases: u.aliases.filter((a) => a !== '市营商局') }));
  t.throws(() => buildPlan({ ...inputs, units }), /line 56: unit "市营商局"/);
  const unitCells = [...inputs.corrections.unitCells, { cell: 'nowhere', units: [], reason: 'test' }];
  t.throws(() => buildPlan({ ...inputs, corrections: { ...inputs.corrections, unitCells } }), /never used: nowhere/);
  const clauses = [...inputs.corrections.clauses, { measureLine: 1, line: 1, startsWith: 'x', kind: 'due' as const, year: 2022, reason: 'test' }];
  t.throws(() => buildPlan({ ...inputs, corrections: { ...inputs.corrections, clauses } }), /clauses never used: x/);
  const deadlineCells = [{ line: 134, fromLine: 134, text: '2025年底前', reason: 'test' }];
  t.throws(() => buildPlan({ ...inputs, corrections: { ...inputs.corrections, deadlineCells } }), /line 134 does not end with "2025年底前"/);
  const continuationLines = [{ line: 95, startsWith: '1.', reason: 'test' }];
  t.throws(() => buildPlan({ ...inputs, corrections: { ...inputs.corrections, continuationLines } }), /line 95 does not start/);
});
