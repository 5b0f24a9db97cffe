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
} from '../../src/seed/types.js';

export interface Corrections {
  /** Lines that look like a new measure but continue the previous measure's targets cell. */
  continuationLines: { line: number; startsWith: string; reason: string }[];
  /** Unit cells the generic splitter cannot read, mapped to canonical unit names. */
  unitCells: { cell: string; units: string[]; reason: string }[];
}
