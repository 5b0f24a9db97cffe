/** Shapes of the seed files. plan.json is a contract with the database loader: do not rename fields. */

export type Deadline =
  | { kind: 'date'; date: string; text: string }
  | { kind: 'ongoing' | 'annual'; text: string };

export interface Milestone {
  kind: 'due' | 'ongoing' | 'annual';
  year: number | null;
  dueDate: string | null;
  text: string;
}

export interface Measure {
  position: number;
  no: number | null;
  text: string;
  ownerUnits: string[];
  targetsText: string;
  milestones: Milestone[];
  deadline: Deadline | null;
  sourceLine: number;
}

export interface Task {
  no: number;
  chapter: string;
  title: string;
  leadUnitsText: string;
  leadUnits: string[];
  leadsEachOwnPart: boolean;
  responsibleUnitsText: string;
  responsibleUnits: string[];
  deadline: Deadline | null;
  sourceLines: number[];
  measures: Measure[];
}

export interface Plan {
  plan: {
    code: string;
    title: string;
    issuer: string;
    publishedOn: string;
    startYear: number;
    endYear: number;
    sourceFile: string;
  };
  chapters: { position: number; title: string }[];
  tasks: Task[];
}

export type UnitKind = 'city_department' | 'stationed_unit' | 'county_government' | 'development_zone' | 'collective';

export interface Unit {
  name: string;
  kind: UnitKind;
  aliases: string[];
  members: string[];
}

export interface Corrections {
  /** Lines that look like a new measure but continue the previous measure's targets cell. */
  continuationLines: { line: number; startsWith: string; reason: string }[];
  /** Unit cells the generic splitter cannot read, mapped to canonical unit names. */
  unitCells: { cell: string; units: string[]; reason: string }[];
}

export interface Indicator {
  key: string;
  task: number;
  measurePosition: number | null;
  name: string;
  sourceText: string;
  comparator: '>=' | '>' | '<=' | '<' | '=';
  value: number;
  unit: string;
  direction: 'increase' | 'decrease';
  targetYear: number;
  targets: { year: number; comparator: Indicator['comparator']; value: number; sourceText: string }[];
}
