import type { Said } from '../../domain/said.js';

/** What can be wrong with a row or a cell of a breakdown table. */
export const READ_PROBLEM_KINDS = ['unknown_unit', 'unreadable_deadline', 'unreadable_targets', 'duplicate_number', 'empty_measure', 'garbled_row'] as const;
export type ReadProblemKind = (typeof READ_PROBLEM_KINDS)[number];

/** One thing the reader could not use, where it stands: the line (text) or sheet row, and the column's header. */
export interface ReadProblem {
  line: number;
  column: string | null;
  kind: ReadProblemKind;
  message: Said;
  /** For an unknown unit: the closest names the system knows. */
  suggestions?: string[];
}

/**
 * Where the reader sends what it cannot use. The seed build stops at the first (the seed is curated: every problem is
 * fixed in corrections.json); an import collects them all as warnings and goes on without the row or name.
 */
export interface Problems {
  report(problem: ReadProblem): void;
}

export const stopAtFirstProblem: Problems = {
  report({ line, message }) {
    throw new Error(`line ${line}: ${message.en}`);
  },
};

export function collectProblems(): Problems & { found: ReadProblem[] } {
  const found: ReadProblem[] = [];
  return { found, report: (problem) => void found.push(problem) };
}

/** A table the reader cannot read at all (no header row, no task): nothing to go on with. */
export class UnreadableTable extends Error {
  constructor(readonly reason: Said) {
    super(reason.en);
  }
}
