import { said } from '../../domain/said.js';
import { isText } from '../../http/text.js';
import { columnName, headerColumns, REQUIRED_COLUMNS, type TableColumn } from './columns.js';
import { duplicateTask, measureCell, NO_CHAPTER, type RawPlan, type RawTask } from './parse.js';
import { UnreadableTable, type Problems } from './problems.js';

/** A row of a spreadsheet (xlsx or CSV) as text cells, with the sheet row or CSV line it is on. */
export interface TableRow {
  line: number;
  cells: string[];
}

const TASK_NO = /^\d{1,4}$/;
/** Control characters or the replacement character: a file decoded with the wrong encoding, or not text at all. */
const garbled = (cell: string): boolean => !isText(cell) || cell.includes('\uFFFD');

type Cells = Record<TableColumn, string>;

function cellsOf(row: TableRow, columns: Partial<Record<TableColumn, number>>): Cells {
  const cell = (column: TableColumn): string => {
    const index = columns[column];
    return index === undefined ? '' : (row.cells[index] ?? '').replace(/\r\n?/g, '\n').trim();
  };
  return {
    no: cell('no'),
    chapter: cell('chapter'),
    task: cell('task'),
    lead: cell('lead'),
    responsible: cell('responsible'),
    measure: cell('measure'),
    targets: cell('targets'),
    deadline: cell('deadline'),
  };
}

/** Whether a row repeats the task it follows: blank task cells (merged in the sheet) or the same ones (a new page). */
const repeats = (task: RawTask, c: Cells): boolean =>
  (c.task === '' || c.task === task.title) &&
  (c.lead === '' || c.lead === task.leadUnitsText) &&
  (c.responsible === '' || c.responsible === task.responsibleUnitsText) &&
  (c.chapter === '' || c.chapter === task.chapter);

/**
 * Reads a breakdown table from a sheet's rows: the header row is the first naming the required columns (any order,
 * other columns passed over — the export's 状态, 亮灯 …); rows above it may hold the title. Below it, one row per
 * measure, its task's cells repeated (or left blank, as merged cells are); a header printed again at a page break is
 * passed over. What a row holds that cannot be used is reported with its row and column, and the row left out.
 */
export function readRows(rows: TableRow[], problems: Problems): RawPlan {
  const headerAt = rows.findIndex((row) => headerColumns(row.cells) !== undefined);
  const header = rows[headerAt];
  const columns = header && headerColumns(header.cells);
  if (!header || !columns) {
    const names = REQUIRED_COLUMNS.map(columnName).join('、');
    throw new UnreadableTable(said(`找不到表头行：需要 ${names} 这些列`, `no header row found: the table needs the columns ${names}`));
  }
  const title = rows
    .slice(0, headerAt)
    .flatMap((row) => row.cells.map((c) => c.trim()))
    .find((c) => c !== '');
  const place = (line: number, column: TableColumn) => ({ line, column: columnName(column) });

  const tasks: RawTask[] = [];
  for (const row of rows.slice(headerAt + 1)) {
    const c = cellsOf(row, columns);
    const { line } = row;
    if (Object.values(c).every((v) => v === '') || headerColumns(row.cells) !== undefined) continue;
    const garbledColumn = (Object.keys(c) as TableColumn[]).find((k) => garbled(c[k]));
    if (garbledColumn !== undefined) {
      problems.report({
        ...place(line, garbledColumn),
        kind: 'garbled_row',
        message: said(
          '这一行含有乱码（控制字符或 U+FFFD）：可能是用错误的编码保存的，这一行被跳过',
          'holds garbled text (control characters or U+FFFD), as a file saved in another encoding does: the row is left out',
        ),
      });
      continue;
    }
    let task = tasks.at(-1);
    if (c.no === '') {
      if (task === undefined) {
        problems.report({
          ...place(line, 'no'),
          kind: 'garbled_row',
          message: said('第一个任务之前的行没有序号：这一行被跳过', 'a row before the first task has no number: the row is left out'),
        });
        continue;
      }
    } else if (!TASK_NO.test(c.no)) {
      problems.report({
        ...place(line, 'no'),
        kind: 'garbled_row',
        message: said(`序号“${c.no}”不是数字：这一行被跳过`, `the number "${c.no}" is not a number: the row is left out`),
      });
      continue;
    } else if (task?.no !== Number(c.no) || !repeats(task, c)) {
      if (tasks.some((t) => t.no === Number(c.no))) {
        problems.report({ ...place(line, 'no'), kind: 'duplicate_number', message: duplicateTask(Number(c.no)) });
        continue;
      }
      if (c.task === '') {
        problems.report({
          ...place(line, 'task'),
          kind: 'garbled_row',
          message: said(`任务 ${c.no} 没有规划任务：这一行被跳过`, `task ${c.no} has no 规划任务 text: the row is left out`),
        });
        continue;
      }
      task = {
        no: Number(c.no),
        chapter: c.chapter || (task?.chapter ?? NO_CHAPTER),
        title: c.task,
        leadUnitsText: c.lead,
        responsibleUnitsText: c.responsible,
        sourceLines: [],
        measures: [],
      };
      tasks.push(task);
    }
    if (c.no !== '') task.sourceLines.push(line);
    if (c.measure === '') {
      if (c.targets !== '' || c.deadline !== '') {
        problems.report({
          ...place(line, 'measure'),
          kind: 'empty_measure',
          message: said('具体实施措施为空，而年度目标或完成时限不为空：这一行被跳过', 'the measure cell is empty while targets or deadline are not: the row is left out'),
        });
      }
      continue;
    }
    task.measures.push({ ...measureCell(c.measure), targetsLines: c.targets === '' ? [] : [c.targets], deadlineText: c.deadline === '' ? null : c.deadline, sourceLine: line });
  }
  for (const task of tasks.filter((t) => t.measures.length === 0)) {
    problems.report({
      ...place(task.sourceLines[0] ?? 0, 'measure'),
      kind: 'empty_measure',
      message: said(`任务 ${task.no} 没有任何具体实施措施`, `task ${task.no} has no measure`),
    });
  }
  if (tasks.length === 0) throw new UnreadableTable(said('表头行下面没有任务', 'no task below the header row'));
  return { title, issuer: undefined, publishedOn: undefined, tasks };
}
