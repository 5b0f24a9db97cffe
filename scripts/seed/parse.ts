import { isDeadlineCell } from './deadline.js';
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

export interface RawPlan {
  title: string;
  issuer: string;
  publishedOn: string;
  tasks: RawTask[];
}

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

/** Measure / targets / deadline cells of one row; the targets and deadline cells may be missing. */
function measureRow(cells: string[], line: number): RawMeasure {
  const [measureCell, ...rest] = cells;
  if (measureCell === undefined) throw new Error(`line ${line}: row has no measure cell`);
  const last = rest.at(-1);
  const deadlineText = last !== undefined && isDeadlineCell(last) ? last : null;
  if (deadlineText !== null) rest.pop();
  if (rest.length > 1) {
    throw new Error(`line ${line}: cannot tell measure/targets/deadline apart in ${JSON.stringify(cells)}`);
  }
  const no = MEASURE_NO.exec(measureCell);
  return {
    no: no ? Number(no[1]) : null,
    text: no ? measureCell.slice(no[0].length) : measureCell,
    targetsLines: rest,
    deadlineText,
    sourceLine: line,
  };
}

function lastMeasure(task: RawTask | undefined, line: number): RawMeasure {
  const measure = task?.measures.at(-1);
  if (measure === undefined) throw new Error(`line ${line}: continuation cell before any measure`);
  return measure;
}

/** Read the table row by row. Page breaks re-print a task's columns: those rows add measures to the same task. */
export function parse(source: string, corrections: Corrections): RawPlan {
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
  if (!publishedOn || !issuer || !title || header < 0) throw new Error('source: page header or table header not found');

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
      lastMeasure(task, line).targetsLines.push(text);
      continue;
    }

    const taskNo = TASK_ROW.exec(text);
    if (taskNo) {
      const cells = splitCells(text);
      const r = cells.findIndex((c, k) => k >= 2 && RESPONSIBLE_CELL.test(c));
      const leadUnitsText = cells[r - 1];
      const responsibleUnitsText = cells[r];
      if (r < 0 || leadUnitsText === undefined || responsibleUnitsText === undefined) {
        throw new Error(`line ${line}: task row without a 责任单位 cell`);
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
        if (!same) throw new Error(`line ${line}: task ${row.no} printed again but differs from its first row`);
        current.sourceLines.push(line);
      } else {
        const inherited = chapter ?? task?.chapter;
        if (inherited === undefined) throw new Error(`line ${line}: first task has no chapter`);
        current = { ...row, chapter: inherited, sourceLines: [line], measures: [] };
        tasks.push(current);
      }
      const measureCells = cells.slice(r + 1);
      if (measureCells.length > 0) current.measures.push(measureRow(measureCells, line));
      continue;
    }

    if (task === undefined) throw new Error(`line ${line}: row before the first task`);
    let cells = splitCells(text);
    // Tasks 67 and 68 re-print the 责任单位 cell in front of a further measure.
    if (cells.length > 1 && cells[0] === task.responsibleUnitsText) cells = cells.slice(1);
    const [only] = cells;
    if (cells.length === 1 && only !== undefined && !MEASURE_NO.test(only)) {
      // A cell wrapped onto its own line: the deadline, or (more of) the targets of the last measure.
      const measure = lastMeasure(task, line);
      if (measure.deadlineText !== null) throw new Error(`line ${line}: cell after the measure's deadline`);
      if (isDeadlineCell(only)) measure.deadlineText = only;
      else measure.targetsLines.push(only);
    } else {
      task.measures.push(measureRow(cells, line));
    }
  }
  shareMergedDeadlines(lines, tasks, corrections);
  return { title, issuer, publishedOn, tasks };
}

/** A merged 完成时限 cell is printed on one row only: give it to the row on `line` too (corrections.json). */
function shareMergedDeadlines(lines: string[], tasks: RawTask[], corrections: Corrections): void {
  for (const c of corrections.deadlineCells) {
    const measure = tasks.flatMap((t) => t.measures).find((m) => m.sourceLine === c.line);
    const printed = splitCells(lines[c.fromLine - 1] ?? '').at(-1);
    if (measure === undefined || measure.deadlineText !== null || printed !== c.text || !isDeadlineCell(c.text)) {
      throw new Error(`corrections.json: line ${c.line} has no measure without a deadline, or line ${c.fromLine} does not end with "${c.text}"`);
    }
    measure.deadlineText = c.text;
  }
}
