import { sqliteTable, integer, text, real, primaryKey, uniqueIndex, index } from 'drizzle-orm/sqlite-core';

/**
 * The plan catalogue: one row per thing in the breakdown table, each keeping where it came from in the
 * source document (task no, measure no, original cell text, source line) so the table can be regenerated.
 */

export const UNIT_KINDS = ['city_department', 'stationed_unit', 'county_government', 'development_zone', 'collective'] as const;
export const TASK_UNIT_ROLES = ['lead', 'responsible'] as const;
export const DEADLINE_KINDS = ['date', 'ongoing', 'annual'] as const;
export const MILESTONE_KINDS = ['due', 'ongoing', 'annual'] as const;
export const COMPARATORS = ['>=', '>', '<=', '<', '='] as const;
export const DIRECTIONS = ['increase', 'decrease'] as const;

export const plans = sqliteTable('plans', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  title: text('title').notNull(),
  issuer: text('issuer').notNull(),
  publishedOn: text('published_on').notNull(),
  startYear: integer('start_year').notNull(),
  endYear: integer('end_year').notNull(),
  sourceFile: text('source_file').notNull(),
});

export const chapters = sqliteTable(
  'chapters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id').notNull().references(() => plans.id),
    position: integer('position').notNull(),
    title: text('title').notNull(),
  },
  (t) => [uniqueIndex('chapters_plan_position').on(t.planId, t.position)],
);

export const units = sqliteTable('units', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: UNIT_KINDS }).notNull(),
});

/** Every other spelling of a unit found in the source; lookups by name accept any of them. */
export const unitAliases = sqliteTable('unit_aliases', {
  alias: text('alias').primaryKey(),
  unitId: integer('unit_id').notNull().references(() => units.id),
});

/** A collective (各县(市、区)人民政府 …) stands for its member units. */
export const unitMembers = sqliteTable(
  'unit_members',
  {
    collectiveId: integer('collective_id').notNull().references(() => units.id),
    memberId: integer('member_id').notNull().references(() => units.id),
  },
  (t) => [primaryKey({ columns: [t.collectiveId, t.memberId] }), index('unit_members_member').on(t.memberId)],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id').notNull().references(() => plans.id),
    chapterId: integer('chapter_id').notNull().references(() => chapters.id),
    no: integer('no').notNull(),
    title: text('title').notNull(),
    leadUnitsText: text('lead_units_text').notNull(),
    responsibleUnitsText: text('responsible_units_text').notNull(),
    leadsEachOwnPart: integer('leads_each_own_part', { mode: 'boolean' }).notNull(),
    deadlineKind: text('deadline_kind', { enum: DEADLINE_KINDS }),
    deadlineDate: text('deadline_date'),
    deadlineText: text('deadline_text'),
    /** JSON array of 1-based line numbers in the source document. */
    sourceLines: text('source_lines').notNull(),
  },
  (t) => [uniqueIndex('tasks_plan_no').on(t.planId, t.no), index('tasks_chapter').on(t.chapterId)],
);

export const taskUnits = sqliteTable(
  'task_units',
  {
    taskId: integer('task_id').notNull().references(() => tasks.id),
    unitId: integer('unit_id').notNull().references(() => units.id),
    role: text('role', { enum: TASK_UNIT_ROLES }).notNull(),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.role, t.unitId] }), index('task_units_unit').on(t.unitId, t.role)],
);

export const measures = sqliteTable(
  'measures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('task_id').notNull().references(() => tasks.id),
    position: integer('position').notNull(),
    /** Number as printed; null for unnumbered measures. Gaps in the source stay gaps. */
    no: integer('no'),
    text: text('text').notNull(),
    targetsText: text('targets_text').notNull(),
    deadlineKind: text('deadline_kind', { enum: DEADLINE_KINDS }),
    deadlineDate: text('deadline_date'),
    deadlineText: text('deadline_text'),
    sourceLine: integer('source_line').notNull(),
  },
  (t) => [uniqueIndex('measures_task_position').on(t.taskId, t.position)],
);

export const measureOwners = sqliteTable(
  'measure_owners',
  {
    measureId: integer('measure_id').notNull().references(() => measures.id),
    unitId: integer('unit_id').notNull().references(() => units.id),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.measureId, t.unitId] }), index('measure_owners_unit').on(t.unitId)],
);

export const milestones = sqliteTable(
  'milestones',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    measureId: integer('measure_id').notNull().references(() => measures.id),
    position: integer('position').notNull(),
    kind: text('kind', { enum: MILESTONE_KINDS }).notNull(),
    year: integer('year'),
    dueDate: text('due_date'),
    text: text('text').notNull(),
  },
  (t) => [uniqueIndex('milestones_measure_position').on(t.measureId, t.position), index('milestones_year').on(t.year)],
);

export const indicators = sqliteTable(
  'indicators',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id').notNull().references(() => plans.id),
    key: text('key').notNull(),
    taskId: integer('task_id').notNull().references(() => tasks.id),
    measureId: integer('measure_id').references(() => measures.id),
    name: text('name').notNull(),
    sourceText: text('source_text').notNull(),
    comparator: text('comparator', { enum: COMPARATORS }).notNull(),
    value: real('value').notNull(),
    unit: text('unit').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    targetYear: integer('target_year'),
  },
  (t) => [uniqueIndex('indicators_plan_key').on(t.planId, t.key), index('indicators_task').on(t.taskId)],
);

export const indicatorTargets = sqliteTable(
  'indicator_targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    indicatorId: integer('indicator_id').notNull().references(() => indicators.id),
    year: integer('year').notNull(),
    comparator: text('comparator', { enum: COMPARATORS }).notNull(),
    value: real('value').notNull(),
    sourceText: text('source_text').notNull(),
  },
  (t) => [uniqueIndex('indicator_targets_indicator_year').on(t.indicatorId, t.year)],
);
