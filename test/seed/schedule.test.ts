// Unit tests of the schedule reader (src/seed/read/schedule.ts) on the targets and deadline cells of the document.
import t from 'tap';
import { parseDeadline } from '../../src/seed/read/deadline.js';
import { parseMilestones } from '../../src/seed/read/milestones.js';
import { parseSchedule } from '../../src/seed/read/schedule.js';
import type { Deadline } from '../../src/seed/read/types.js';

const years = { startYear: 2021, endYear: 2025 };
const deadline = (text: string | null): Deadline | null => (text === null ? null : (parseDeadline(text) ?? null));
const schedule = (targets: string, deadlineText: string | null = '2025年底前') => {
  const d = deadline(deadlineText);
  return parseSchedule(targets, parseMilestones(targets, d), d, years);
};
const brief = (targets: string, deadlineText: string | null = '2025年底前') =>
  schedule(targets, deadlineText).map((p) => (p.kind === 'once' ? [p.kind, p.dueDate, p.text] : [p.kind, p.fromYear, p.untilYear, p.text]));

t.test('continuous work: from the year named, else the plan start; until the deadline year', async (t) => {
  t.same(brief('2022年起持续推动有关工作开展'), [['continuous', 2022, 2025, '2022年起持续推动有关工作开展']]);
  t.same(brief('2022年期持续推进,深化合作'), [['continuous', 2022, 2025, '2022年期持续推进,深化合作']]);
  t.same(brief('2022年起持续推动有关工作开展', '2023年底前'), [['continuous', 2022, 2023, '2022年起持续推动有关工作开展']]);
  t.same(brief('2022年起持续推动有关工作开展', '持续开展'), [['continuous', 2022, 2025, '2022年起持续推动有关工作开展']]);
  t.same(brief('持续推动黑名单制度的应用;\n加强汇集。'), [['continuous', 2021, 2025, '持续推动黑名单制度的应用;\n加强汇集。']]);
  t.same(brief('持续推动', '每年年底前'), [['yearly', 2021, 2025, '每年年底前']], 'an annual deadline makes it yearly');
  t.same(brief('持续推动', null), [['continuous', 2021, 2025, '持续推动']], 'no deadline: to the plan end');
  t.same(brief('探索推动分级分类监管', null), [['continuous', 2021, 2025, '探索推动分级分类监管']], 'undated, no deadline');
});

t.test('one-off work: a dated clause, or plain words due at the deadline', async (t) => {
  t.same(brief('2024年年底前对相关责任主体开展信用评价。'), [['once', '2024-12-31', '2024年年底前对相关责任主体开展信用评价。']]);
  t.same(brief('探索推动分级分类监管', '2025年底'), [['once', '2025-12-31', '探索推动分级分类监管']]);
  t.same(brief('2023年6月底前完成建设'), [['once', '2023-06-30', '2023年6月底前完成建设']], 'a month end as written');
  t.same(brief('2024年2月底前完成'), [['once', '2024-02-29', '2024年2月底前完成']], 'leap February');
  t.same(brief('2023年底前完善功能,2024年投入使用'), [
    ['once', '2023-12-31', '2023年底前完善功能'],
    ['once', '2024-12-31', '2024年投入使用'],
  ]);
  t.same(
    brief('2022年底前持续探索扩展码上诚信应用领域', '2024年底前'),
    [['once', '2022-12-31', '2022年底前持续探索扩展码上诚信应用领域']],
    '持续 inside a dated clause stays one-off',
  );
});

t.test('a dated clause followed by ongoing work is two parts', async (t) => {
  t.same(brief('2023年年底前合规率超过95%,并持续推动有功工作开展。', null), [
    ['once', '2023-12-31', '2023年年底前合规率超过95%'],
    ['continuous', 2024, 2025, '并持续推动有功工作开展。'],
  ]);
});

t.test('recurring words: yearly, half-yearly, quarterly', async (t) => {
  t.same(brief('每年组织考核,通报有关情况'), [['yearly', 2021, 2025, '每年组织考核,通报有关情况']]);
  t.same(brief('持续开展动态监测,每年定期组织考核', '2023年底前'), [['yearly', 2021, 2023, '持续开展动态监测,每年定期组织考核']]);
  t.same(brief('信用评价周期为半年'), [['half_yearly', 2021, 2025, '信用评价周期为半年']]);
  t.same(brief('每季度公开办案数据'), [['quarterly', 2021, 2025, '每季度公开办案数据']]);
  t.same(brief('2022年起每季度公开'), [['quarterly', 2022, 2025, '2022年起每季度公开']]);
  t.same(brief('2022年起每半年评价'), [['half_yearly', 2022, 2025, '2022年起每半年评价']]);
  t.same(brief('作为一项日常性工作每年持续开展。', '2025年底'), [['yearly', 2021, 2025, '作为一项日常性工作每年持续开展。']]);
  t.same(
    brief('2022年底前生成评价结果,每年定期更新评价结果'),
    [
      ['once', '2022-12-31', '2022年底前生成评价结果'],
      ['yearly', 2023, 2025, '每年定期更新评价结果'],
    ],
    'yearly from the year after a dated clause',
  );
  t.same(
    brief('2022年启动持续推进,每年至少开展一次专项行动。'),
    [['yearly', 2022, 2025, '2022年启动持续推进,每年至少开展一次专项行动。']],
    '"Y年起…,每年…" is one yearly part from Y',
  );
});

t.test('yearly targets: consecutive dated clauses with a figure each are one yearly part', async (t) => {
  const task1 = '2022年底前承诺不低于50%,2023年底前不低于60%,2024年底前不低于80%,2025年底前实现100%。(不含涉密部门)';
  t.same(brief(task1), [['yearly', 2022, 2025, task1]], 'task 1, the exclusion included');
  t.same(
    brief('2022年底前持续探索扩展应用领域;2023年底前赋码数量达到8万;2024年底前达到9万', '2024年底前'),
    [
      ['once', '2022-12-31', '2022年底前持续探索扩展应用领域'],
      ['yearly', 2023, 2024, '2023年底前赋码数量达到8万;2024年底前达到9万'],
    ],
    'task 8: the clause without a figure is a step of its own',
  );
  t.same(
    brief('2022年底前清理完毕。2023年至2025年新赋码差错率低于1‱'),
    [
      ['once', '2022-12-31', '2022年底前清理完毕。'],
      ['yearly', 2023, 2025, '2023年至2025年新赋码差错率低于1‱'],
    ],
    'a range is yearly',
  );
  t.same(
    brief('2023年底前完成法人组织全覆盖,2024年底前完成非法人组织全覆盖,2025年底前力争完成自然人30%覆盖'),
    [
      ['once', '2023-12-31', '2023年底前完成法人组织全覆盖'],
      ['once', '2024-12-31', '2024年底前完成非法人组织全覆盖'],
      ['once', '2025-12-31', '2025年底前力争完成自然人30%覆盖'],
    ],
    'steps of different work stay one-off',
  );
  t.same(
    brief('2022年底前完成50%,2024年底前完成80%'),
    [
      ['once', '2022-12-31', '2022年底前完成50%'],
      ['once', '2024-12-31', '2024年底前完成80%'],
    ],
    'years that are not consecutive are not a yearly run',
  );
});

t.test('a schedule that would end before it starts fails the build', async (t) => {
  t.throws(() => schedule('2022年底前完成,并持续推动', '2022年底前'), /from 2023 is after until 2022/);
  const d = deadline('2025年底前');
  t.throws(() => parseSchedule('其他文字', [{ kind: 'due', year: 2025, dueDate: '2025-12-31', text: '不在单元格里' }], d, years), /not in its targets cell/);
});

t.test("the measure cell's own rhythm and the cell note", async (t) => {
  const d = deadline('2025年底前');
  const targets = '2022年起持续推动有关工作开展';
  const measure = '通过网站发布案件信息。每季度公开检察机关主要办案数据。每半年通报一次。';
  t.same(
    parseSchedule(targets, parseMilestones(targets, d), d, years, measure).map((p) => [p.kind, p.fromYear, p.untilYear, p.text]),
    [
      ['continuous', 2022, 2025, targets],
      ['quarterly', 2022, 2025, '每季度公开检察机关主要办案数据'],
      ['half_yearly', 2022, 2025, '每半年通报一次'],
    ],
  );
  const once2023 = '2023年底前完成建设';
  t.same(
    parseSchedule(once2023, parseMilestones(once2023, d), d, years, '每季度公开').map((p) => [p.kind, p.fromYear]),
    [
      ['once', null],
      ['quarterly', 2021],
    ],
    'no recurring target: the rhythm runs from the plan start',
  );
  t.same(
    brief('2024年底前不低于80%,2025年底前实现100%。(不含涉密部门)'),
    [['yearly', 2024, 2025, '2024年底前不低于80%,2025年底前实现100%。(不含涉密部门)']],
    'the note closing the cell holds for every year of the target',
  );
});
