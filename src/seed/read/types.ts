/** The seed shapes are the loader's (src/seed/types.ts); only the corrections file is the build's own. */
export type {
  SeedDeadline as Deadline,
  SeedMilestone as Milestone,
  SeedMeasure as Measure,
  SeedTask as Task,
  SeedPlan as Plan,
  SeedUnit as Unit,
  SeedIndicator as Indicator,
  SeedSchedulePart as SchedulePart,
  UnitKind,
} from '../types.js';

export interface Corrections {
  /** Lines that look like a new measure but continue the previous measure's targets cell. */
  continuationLines: { line: number; startsWith: string; reason: string }[];
  /** A 完成时限 cell printed once for two rows (merged in the table): the measure on `line` shares the one on `fromLine`. */
  deadlineCells: { line: number; fromLine: number; text: string; reason: string }[];
  /** Clauses whose wording does not show their year or kind: where they start and what they are. */
  clauses: {
    measureLine: number;
    line: number;
    startsWith: string;
    kind: 'due' | 'ongoing' | 'annual';
    year: number | null;
    reason: string;
  }[];
  /** Unit cells the generic splitter cannot read, mapped to canonical unit names. */
  unitCells: { cell: string; units: string[]; reason: string }[];
}
