import { yearEnd } from './deadline.js';
import type { Deadline, Milestone } from './types.js';

// A milestone clause starts where a year opens a clause (text start or after , ; 。 or a line break),
// optionally behind an enumerator ("1." "2、") or 自. "Y年至/到Z年" is a range, "Y年起/期/启动" ongoing.
// "每年" anywhere opens an annual clause. Years inside a clause ("在2021年…", "至2025年") open nothing.
const CLAUSE_START = /(?<=^|[,,;;。\n])(?:\d[.、])?自?(\d{4})年(?:[至到](\d{4})年|(起|期|启动))?|每年/g;

// A parenthesised note closing the cell ("…实现100%。(不含涉密部门)") qualifies the whole cell, not its last clause.
export const CELL_NOTE = /(?<=[。.])\s*[((](?:不含|不包括|含)[^()()]*[))]\s*$/;
// Undated work with these words is ongoing, not one deliverable at the deadline ("持续推动…" in task 5 measure 2).
const ONGOING_WORDS = /持续|常态化|长期坚持|不断/;

/** A clause the document's wording cannot show: where it starts (its first words) and what it is (corrections.json). */
export interface ClauseOverride {
  startsWith: string;
  kind: Milestone['kind'];
  year: number | null;
}

/** Trim a clause to its words: surrounding blanks and a trailing , or ; go (the text stays a substring). */
const clauseText = (s: string): string =>
  s
    .trim()
    .replace(/[,,;;]+$/, '')
    .trimEnd();

/**
 * Milestones of one 各年度工作目标 cell. The cell is cut at each clause start; the text before the
 * first one belongs to the first clause. A cell naming no year is one milestone at the measure's deadline.
 */
export function parseMilestones(targetsText: string, deadline: Deadline | null, overrides: ClauseOverride[] = []): Milestone[] {
  const note = CELL_NOTE.exec(targetsText);
  const cell = note === null ? targetsText : targetsText.slice(0, note.index);
  const starts: { index: number; match: (string | undefined)[]; override?: ClauseOverride }[] = [...cell.matchAll(CLAUSE_START)].map((m) => ({ index: m.index, match: [...m] }));
  for (const override of overrides) {
    const index = cell.indexOf(override.startsWith);
    if (index < 0) throw new Error(`clause "${override.startsWith}" is not in the targets cell`);
    const at = starts.find((s) => s.index === index);
    if (at) at.override = override;
    else starts.push({ index, match: [], override });
  }
  starts.sort((a, b) => a.index - b.index);
  if (starts.length === 0) {
    const text = clauseText(cell);
    return deadline?.kind === 'date' && !ONGOING_WORDS.test(text)
      ? [{ kind: 'due', year: Number(deadline.date.slice(0, 4)), dueDate: deadline.date, text }]
      : [{ kind: 'ongoing', year: null, dueDate: null, text }];
  }
  return starts.flatMap((start, k): Milestone[] => {
    const from = k === 0 ? 0 : start.index;
    const text = clauseText(cell.slice(from, starts[k + 1]?.index));
    const { override } = start;
    if (override) {
      const dueDate = override.kind === 'due' && override.year !== null ? yearEnd(override.year) : null;
      return [{ kind: override.kind, year: override.year, dueDate, text }];
    }
    const [, year, rangeEnd, ongoing] = start.match;
    if (year === undefined) return [{ kind: 'annual', year: null, dueDate: null, text }];
    if (ongoing !== undefined) return [{ kind: 'ongoing', year: Number(year), dueDate: null, text }];
    const years: number[] = [];
    for (let y = Number(year); y <= Number(rangeEnd ?? year); y++) years.push(y);
    return years.map((y) => ({ kind: 'due', year: y, dueDate: yearEnd(y), text }));
  });
}
