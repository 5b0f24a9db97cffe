import { said } from '../../domain/said.js';
import { isDeadlineCell } from './deadline.js';
import { UnreadableTable, type Problems } from './problems.js';
import type { Corrections } from './types.js';

/** A measure as printed: cells only, nothing resolved yet. */
export interface RawMeasure {
  no: number | null;
  text: string;
  targetsLines: string[];
  deadlineText: string | null;
  sourceLine: number;
}

export interface RawTask {
  no: number;
  chapter: string;
  title: string;
  leadUnitsText: string;
  responsibleUnitsText: string;
  sourceLines: number[];
  measures: RawMeasure[];
}

/** A table as printed, from its text (this file) or its rows (rows.ts); the page above it may name the plan. */
export interface RawPlan {
  title: string | undefined;
  issuer: string | undefined;
  publishedOn: string | undefined;
  tasks: RawTask[];
}

/** A task whose rows name no chapter before it is filed under this one. */
export const NO_CHAPTER = '未分章节';

/** A task number printed again for a different task (a page-break repeat prints the same task right after it). */
export const duplicateTask = (no: number) => said(`序号 ${no} 已用于另一个任务：这一行被跳过`, `task number ${no} is already another task's: the row is left out`);

const garbled = (problems: Problems, line: number, en: string, zh: string): void =>
  problems.report({ line, column: null, kind: 'garbled_row', message: said(`无法读取这一行：${zh}`, `cannot read the row: ${en}`) });

const TASK_ROW = /^(\d+) /;
const MEASURE_NO = /^(\d+)\./;
// The 责任单位 cell is the first cell naming a collective or the counties; the 牵头单位 cell precedes it.
const RESPONSIBLE_CELL = /^(?:中省市直|各县|各市地)/;
// A 规划章节 cell is a bare heading: Han characters (and quotes) only, no punctuation or digits.
const CHAPTER_CELL = /^[\p{Script=Han}“”]+$/u;

/**
 * Cells are separated by single spaces, but the web copy also has a space after a comma or a middle dot
 * inside a cell ("“双随机, 一公开”", "“9· 27”"): those spaces do not separate cells.
 */
export const splitCells = (line: string): string[] => line.split(/(?<![,,·]) /);

/** A measure cell as printed: its number ("3.") and its text. */
export function measureCell(cell: string): Pick<RawMeasure, 'no' | 'text'> {
  const no = MEASURE_NO.exec(cell);
  return { no: no ? Number(no[1]) : null, text: no ? cell.slice(no[0].length) : cell };
}

/** Measure / targets / deadline cells of one row; the targets and deadline cells may be missing. */
function measureRow(cells: string[], line: number, problems: Problems): RawMeasure | undefined {
  const [first, ...rest] = cells;
  const last = rest.at(-1);
  const deadlineText = last !== undefined && isDeadlineCell(last) ? last : null;
  if (deadlineText !== null) rest.pop();
  if (first === undefined || rest.length > 1) {
    garbled(problems, line, `cannot tell measure/targets/deadline apart in ${JSON.stringify(cells)}`, '分不清具体实施措施、各年度工作目标和完成时限');
    return undefined;
  }
  return { ...measureCell(first), targetsLines: rest, deadlineText, sourceLine: line };
}

function lastMeasure(task: RawTask | undefined, line: number, problems: Problems): RawMeasure | undefined {
  const measure = task?.measures.at(-1);
  if (measure === undefined) garbled(problems, line, 'continuation cell before any measure', '续行出现在任何措施之前');
  return measure;
}

/** Read the table row by row. Page breaks re-print a task's columns: those rows add measures to the same task. */
export function parse(source: string, corrections: Pick<Corrections, 'continuationLines' | 'deadlineCells'>, problems: Problems): RawPlan {
  const lines = source.split('\n');
  const published = lines.findIndex((l) => l.startsWith('发布时间'));
  const meta = lines[published] ?? '';
  const publishedOn = /发布时间:(\d{4}-\d{2}-\d{2})/.exec(meta)?.[1];
  const issuer = /来源:([^|\s]+)/.exec(meta)?.[1];
  const title = lines
    .slice(0, published)
    .filter((l) => l.trim() !== '')
    .at(-1);
  const header = lines.findIndex((l) => l.startsWith('序号 '));
  if (header < 0) throw new UnreadableTable(said('找不到以“序号”开头的表头行', 'no table header line starting with 序号 was found'));

  const continuations = new Map(corrections.continuationLines.map((c) => [c.line, c]));
  const tasks: RawTask[] = [];
  for (let i = header + 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const line = i + 1;
    if (text.trim() === '') {
      if (tasks.length > 0) break; // the table ends at the first blank line
      continue;
    }
    const task = tasks.at(-1);

    const continuation = continuations.get(line);
    if (continuation) {
      if (!text.startsWith(continuation.startsWith)) {
        throw new Error(`corrections.json: line ${line} does not start with "${continuation.startsWith}"`);
      }
      lastMeasure(task, line, problems)?.targetsLines.push(text);
      continue;
    }

    const taskNo = TASK_ROW.exec(text);
    if (taskNo) {
      const cells = splitCells(text);
      const r = cells.findIndex((c, k) => k >= 2 && RESPONSIBLE_CELL.test(c));
      const leadUnitsText = cells[r - 1];
      const responsibleUnitsText = cells[r];
      if (r < 0 || leadUnitsText === undefined || responsibleUnitsText === undefined) {
        garbled(problems, line, 'task row without a 责任单位 cell', '任务行没有责任单位单元格');
        continue;
      }
      const titleCells = cells.slice(1, r - 1);
      const chapter = titleCells.length > 1 && CHAPTER_CELL.test(titleCells[0] ?? '') ? titleCells.shift() : undefined;
      const row = { no: Number(taskNo[1]), title: titleCells.join(' '), leadUnitsText, responsibleUnitsText };

      let current = tasks.find((t) => t.no === row.no);
      if (current) {
        // A page-break repeat must re-print the same task, right after it.
        const same =
          current === task &&
          current.title === row.title &&
          current.leadUnitsText === row.leadUnitsText &&
          current.responsibleUnitsText === row.responsibleUnitsText &&
          (chapter === undefined || chapter === current.chapter);
        if (!same) {
          problems.report({ line, column: '序号', kind: 'duplicate_number', message: duplicateTask(row.no) });
          continue;
        }
        current.sourceLines.push(line);
      } else {
        current = { ...row, chapter: chapter ?? task?.chapter ?? NO_CHAPTER, sourceLines: [line], measures: [] };
        tasks.push(current);
      }
      const measureCells = cells.slice(r + 1);
      const measure = measureCells.length > 0 ? measureRow(measureCells, line, problems) : undefined;
      if (measure) current.measures.push(measure);
      continue;
    }

    if (task === undefined) {
      garbled(problems, line, 'row before the first task', '出现在第一个任务之前');
      continue;
    }
    let cells = splitCells(text);
    // Tasks 67 and 68 re-print the 责任单位 cell in front of a further measure.
    if (cells.length > 1 && cells[0] === task.responsibleUnitsText) cells = cells.slice(1);
    const [only] = cells;
    if (cells.length === 1 && only !== undefined && !MEASURE_NO.test(only)) {
      // A cell wrapped onto its own line: the deadline, or (more of) the targets of the last measure.
      const measure = lastMeasure(task, line, problems);
      if (measure === undefined) continue;
      if (measure.deadlineText !== null) garbled(problems, line, "cell after the measure's deadline", '单元格出现在措施的完成时限之后');
      else if (isDeadlineCell(only)) measure.deadlineText = only;
      else measure.targetsLines.push(only);
    } else {
      const measure = measureRow(cells, line, problems);
      if (measure) task.measures.push(measure);
    }
  }
  shareMergedDeadlines(lines, tasks, corrections);
  return { title, issuer, publishedOn, tasks };
}

/**
 * Whether line corrections fit a text: every continuation line starts with its words, every shared deadline cell ends
 * the line it is printed on. They name lines of one copy of one document (the seed's); a text they all fit is that copy.
 */
export function lineCorrectionsFit(source: string, corrections: Pick<Corrections, 'continuationLines' | 'deadlineCells'>): boolean {
  const lines = source.split('\n');
  return (
    corrections.continuationLines.every((c) => (lines[c.line - 1] ?? '').startsWith(c.startsWith)) &&
    corrections.deadlineCells.every((c) => splitCells(lines[c.fromLine - 1] ?? '').at(-1) === c.text)
  );
}

/** A merged 完成时限 cell is printed on one row only: give it to the row on `line` too (corrections.json). */
function shareMergedDeadlines(lines: string[], tasks: RawTask[], corrections: Pick<Corrections, 'deadlineCells'>): void {
  for (const c of corrections.deadlineCells) {
    const measure = tasks.flatMap((t) => t.measures).find((m) => m.sourceLine === c.line);
    const printed = splitCells(lines[c.fromLine - 1] ?? '').at(-1);
    if (measure === undefined || measure.deadlineText !== null || printed !== c.text || !isDeadlineCell(c.text)) {
      throw new Error(`corrections.json: line ${c.line} has no measure without a deadline, or line ${c.fromLine} does not end with "${c.text}"`);
    }
    measure.deadlineText = c.text;
  }
}
