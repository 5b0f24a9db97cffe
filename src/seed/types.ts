/** Shape of the curated seed files under seeds/ (see seeds/README.md). */

export type UnitKind = 'city_department' | 'stationed_unit' | 'county_government' | 'development_zone' | 'collective';
export type Comparator = '>=' | '>' | '<=' | '<' | '=';

export type SeedDeadline = { kind: 'date'; date: string; text: string } | { kind: 'ongoing' | 'annual'; text: string };

export interface SeedMilestone {
  kind: 'due' | 'ongoing' | 'annual';
  year: number | null;
  dueDate: string | null;
  text: string;
}

export interface SeedMeasure {
  position: number;
  no: number | null;
  text: string;
  ownerUnits: string[];
  targetsText: string;
  milestones: SeedMilestone[];
  deadline: SeedDeadline | null;
  sourceLine: number;
}

export interface SeedTask {
  no: number;
  chapter: string;
  title: string;
  leadUnitsText: string;
  leadUnits: string[];
  leadsEachOwnPart: boolean;
  responsibleUnitsText: string;
  responsibleUnits: string[];
  deadline: SeedDeadline | null;
  sourceLines: number[];
  measures: SeedMeasure[];
}

export interface SeedPlan {
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
  tasks: SeedTask[];
}

export interface SeedUnit {
  name: string;
  kind: UnitKind;
  aliases: string[];
  members: string[];
}

export interface SeedIndicator {
  key: string;
  task: number;
  measurePosition: number | null;
  name: string;
  sourceText: string;
  comparator: Comparator;
  value: number;
  unit: string;
  direction: 'increase' | 'decrease';
  targetYear: number;
  targets: { year: number; comparator: Comparator; value: number; sourceText: string }[];
}
