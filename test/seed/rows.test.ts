// The breakdown table read from a sheet's rows (src/seed/read/rows.ts, columns.ts) and the names suggested for an
// unknown unit (closest-names.ts): the import's reader, without HTTP.
import t from 'tap';
import { closestNames } from '../../src/seed/read/closest-names.js';
import { columnOf } from '../../src/seed/read/columns.js';
import { collectProblems } from '../../src/seed/read/problems.js';
import { readRows, type TableRow } from '../../src/seed/read/rows.js';

const rowsOf = (table: string[][]): TableRow[] => table.map((cells, k) => ({ line: k + 1, cells }));

t.test('headers: the document’s, the export’s and common variants, blanks and marks ignored', async (t) => {
  t.equal(columnOf('具体实施措施和可用来检查的工作成果'), 'measure');
  t.equal(columnOf('具体\n实施措施'), 'measure', 'a header wrapped in its cell');
  t.equal(columnOf('牵头部门'), 'lead');
  t.equal(columnOf('*完成时限：'), 'deadline');
  t.equal(columnOf('状态'), undefined, 'the export’s own columns are passed over');
});

t.test('rows: columns in any order, merged task cells, a page-break header, measure numbers', async (t) => {
  const problems = collectProblems();
  const plan = readRows(
    rowsOf([
      ['某县分解表'],
      ['完成时限', '序号', '规划任务', '牵头单位', '责任单位', '具体实施措施', '亮灯'],
      ['2024年底前', '1', '任务一', '市民政局', '北林区', '1.第一项。(市民政局)', '红灯'],
      ['2025年底前', '', '', '', '', '2.第二项', ''],
      ['完成时限', '序号', '规划任务', '牵头单位', '责任单位', '具体实施措施', '亮灯'],
      ['持续开展', '1', '任务一', '市民政局', '北林区', '3.第三项', ''],
      ['', '', '', '', '', '', ''],
      ['2025年前', '2', '任务二', '市营商局', '北林区', '不编号的措施', ''],
    ]),
    problems,
  );
  t.same(problems.found, []);
  t.equal(plan.title, '某县分解表');
  t.same(
    plan.tasks.map((task) => [task.no, task.chapter, task.sourceLines, task.measures.map((m) => [m.no, m.text, m.deadlineText, m.sourceLine])]),
    [
      [
        1,
        '未分章节',
        [3, 6],
        [
          [1, '第一项。(市民政局)', '2024年底前', 3],
          [2, '第二项', '2025年底前', 4],
          [3, '第三项', '持续开展', 6],
        ],
      ],
      [2, '未分章节', [8], [[null, '不编号的措施', '2025年前', 8]]],
    ],
  );
});

t.test('rows: what cannot be used is reported by row and column', async (t) => {
  const problems = collectProblems();
  readRows(
    rowsOf([
      ['序号', '规划任务', '牵头单位', '责任单位', '具体实施措施'],
      ['', '任务', '市民政局', '北林区', '没有序号的第一行'],
      ['1', '任务一', '市民政局', '北林区', '措施\uFFFD'],
      ['1', '任务一', '市民政局', '北林区', '措施'],
      ['1', '别的任务', '市民政局', '北林区', '措施'],
      ['2', '', '市民政局', '北林区', '措施'],
    ]),
    problems,
  );
  t.same(
    problems.found.map((p) => [p.line, p.column, p.kind]),
    [
      [2, '序号', 'garbled_row'],
      [3, '具体实施措施', 'garbled_row'],
      [5, '序号', 'duplicate_number'],
      [6, '规划任务', 'garbled_row'],
    ],
  );
  t.throws(() => readRows(rowsOf([['序号', '任务']]), collectProblems()), /no header row found/, 'no header row');
});

t.test('closest names: shortened Chinese unit names find their unit', async (t) => {
  const known = new Map([
    ['市发改委', '市发改委'],
    ['市发展和改革委员会', '市发改委'],
    ['市营商环境局', '市营商环境局'],
    ['市营商局', '市营商环境局'],
    ['市民政局', '市民政局'],
    ['北林区人民政府', '北林区人民政府'],
  ]);
  t.same(closestNames('市发展改革委', known).slice(0, 1), ['市发改委']);
  t.same(closestNames('市营商环境管理局', known).slice(0, 1), ['市营商环境局']);
  t.same(closestNames('北林区政府', known), ['北林区人民政府']);
  t.same(closestNames('完全无关的名字', known), [], 'nothing close: nothing suggested');
});
