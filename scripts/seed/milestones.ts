import { yearEnd } from './deadline.js';
import type { Deadline, Milestone } from './types.js';

// A milestone clause starts where a year opens a clause (text start or after , ; 。 or a line break),
// optionally behind an enumerator ("1." "2、") or 自. "Y年至/到Z年" is a range, "Y年起/期/启动" ongoing.
// "每年" anywhere opens an annual clause. Years inside a clause ("在2021年…", "至2025年") open nothing.
const CLAUSE_START = /(?<=^|[,,;;。\n])(?:\d[.、])?自?(\d{4})年(?:[至到](\d{4})年|(起|期|启动))?|每年/g;

/** Trim a clause to its words: surrounding blanks and a trailing , or ; go (the text stays a substring). */
const clauseText = (s: string): string => s.trim().replace(/[,,;;]+$/, '').trimEnd();

/**
 * Milestones of one 各年度工作目标 cell. The cell is cut at each clause start; the text before the
 * first one belongs to the first clause. A cell naming no year is one milestone at the measure's deadline.
 */
export function parseMilestones(targetsText: string, deadline: Deadline | null): Milestone[] {
  const starts = [...targetsText.matchAll(CLAUSE_START)];
  if (starts.length === 0) {
    const text = clauseText(targetsText);
    return deadline?.kind === 'date'
      ? [{ kind: 'due', year: Number(deadline.date.slice(0, 4)), dueDate: deadline.date, text }]
      : [{ kind: 'ongoing', year: null, dueDate: null, text }];
  }
  return starts.flatMap((start, k): Milestone[] => {
    const from = k === 0 ? 0 : start.index;
    const text = clauseText(targetsText.slice(from, starts[k + 1]?.index));
    const [, year, rangeEnd, ongoing] = start;
    if (year === undefined) return [{ kind: 'annual', year: null, dueDate: null, text }];
    if (ongoing !== undefined) return [{ kind: 'ongoing', year: Number(year), dueDate: null, text }];
    const years: number[] = [];
    for (let y = Number(year); y <= Number(rangeEnd ?? year); y++) years.push(y);
    return years.map((y) => ({ kind: 'due', year: y, dueDate: yearEnd(y), text }));
  });
}
