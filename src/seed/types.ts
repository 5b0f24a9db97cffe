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

/**
 * When a measure's work is owed, read from its deadline and targets cells. A measure has one or more parts (a dated
 * deadline followed by ongoing work is two); each part yields obligations (see src/modules/obligations/calendar.ts):
 * - `once`: one due date (`dueDate`, month ends as written: 6月底前 → 06-30, 年底前 → 12-31);
 * - `yearly` / `half_yearly` / `quarterly`: every year / half / quarter from `fromYear` to `untilYear`, inclusive;
 * - `continuous`: ongoing work (持续推动, 长期坚持, 2022年起持续 …), owed every year from `fromYear` to `untilYear`
 *   (the plan's last year unless the text ends it earlier).
 */
export type ScheduleKind = 'once' | 'yearly' | 'half_yearly' | 'quarterly' | 'continuous';

export interface SeedSchedulePart {
  kind: ScheduleKind;
  /** `once` only: the ISO due date. */
  dueDate: string | null;
  /** Recurring kinds only: first and last year owed. */
  fromYear: number | null;
  untilYear: number | null;
  /** The words the part was read from: a verbatim substring of the measure's targets or deadline cell. */
  text: string;
}

/** What an indicator is measured over: the city as a whole (its lead unit reports the figure), each member unit on its own, or the city figure derived from the members' own figures. */
export type IndicatorScope = 'city' | 'each_member' | 'derived';
export type IndicatorCombine = 'sum' | 'mean' | 'count_meeting';

export interface SeedMeasure {
  position: number;
  no: number | null;
  text: string;
  ownerUnits: string[];
  targetsText: string;
  milestones: SeedMilestone[];
  deadline: SeedDeadline | null;
  schedule: SeedSchedulePart[];
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
  scope: IndicatorScope;
  /** `derived` only: how the members' figures make the city's. */
  combine: IndicatorCombine | null;
  targetYear: number;
  targets: { year: number; comparator: Comparator; value: number; sourceText: string }[];
}
