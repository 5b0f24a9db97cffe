import { sql } from 'drizzle-orm';
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
export const SCHEDULE_KINDS = ['once', 'yearly', 'half_yearly', 'quarterly', 'continuous'] as const;
export const INDICATOR_SCOPES = ['city', 'each_member', 'derived'] as const;
export const INDICATOR_COMBINES = ['sum', 'mean', 'count_meeting'] as const;

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
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    /** When it left the plan by an amendment; it stays readable by id, with its reports and history. */
    retiredAt: text('retired_at'),
  },
  (t) => [uniqueIndex('chapters_plan_position').on(t.planId, t.position)],
);

export const units = sqliteTable('units', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: UNIT_KINDS }).notNull(),
  retiredAt: text('retired_at'),
});

/** Every other spelling of a unit found in the source; lookups by name accept any of them. */
export const unitAliases = sqliteTable('unit_aliases', {
  alias: text('alias').primaryKey(),
  unitId: integer('unit_id')
    .notNull()
    .references(() => units.id),
});

/** A collective (各县(市、区)人民政府 …) stands for its member units. */
export const unitMembers = sqliteTable(
  'unit_members',
  {
    collectiveId: integer('collective_id')
      .notNull()
      .references(() => units.id),
    memberId: integer('member_id')
      .notNull()
      .references(() => units.id),
  },
  (t) => [primaryKey({ columns: [t.collectiveId, t.memberId] }), index('unit_members_member').on(t.memberId)],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id),
    chapterId: integer('chapter_id')
      .notNull()
      .references(() => chapters.id),
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
    retiredAt: text('retired_at'),
  },
  (t) => [uniqueIndex('tasks_plan_no').on(t.planId, t.no), index('tasks_chapter').on(t.chapterId)],
);

export const taskUnits = sqliteTable(
  'task_units',
  {
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    role: text('role', { enum: TASK_UNIT_ROLES }).notNull(),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.role, t.unitId] }), index('task_units_unit').on(t.unitId, t.role)],
);

export const measures = sqliteTable(
  'measures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    position: integer('position').notNull(),
    /** Number as printed; null for unnumbered measures. Gaps in the source stay gaps. */
    no: integer('no'),
    text: text('text').notNull(),
    targetsText: text('targets_text').notNull(),
    deadlineKind: text('deadline_kind', { enum: DEADLINE_KINDS }),
    deadlineDate: text('deadline_date'),
    deadlineText: text('deadline_text'),
    /** False when the measure names no owner (its owners are then the task's leads, and it is owed by the task's responsible units). */
    ownersNamed: integer('owners_named', { mode: 'boolean' }).notNull().default(true),
    sourceLine: integer('source_line').notNull(),
    retiredAt: text('retired_at'),
  },
  (t) => [uniqueIndex('measures_task_position').on(t.taskId, t.position)],
);

export const measureOwners = sqliteTable(
  'measure_owners',
  {
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.measureId, t.unitId] }), index('measure_owners_unit').on(t.unitId)],
);

export const milestones = sqliteTable(
  'milestones',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id),
    position: integer('position').notNull(),
    kind: text('kind', { enum: MILESTONE_KINDS }).notNull(),
    year: integer('year'),
    dueDate: text('due_date'),
    text: text('text').notNull(),
    retiredAt: text('retired_at'),
  },
  (t) => [uniqueIndex('milestones_measure_position').on(t.measureId, t.position), index('milestones_year').on(t.year)],
);

export const indicators = sqliteTable(
  'indicators',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id),
    key: text('key').notNull(),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    measureId: integer('measure_id').references(() => measures.id),
    name: text('name').notNull(),
    sourceText: text('source_text').notNull(),
    comparator: text('comparator', { enum: COMPARATORS }).notNull(),
    value: real('value').notNull(),
    unit: text('unit').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    /** What the figure is measured over: the city (its lead unit reports it), each member on its own, or derived from members. */
    scope: text('scope', { enum: INDICATOR_SCOPES }).notNull().default('city'),
    combine: text('combine', { enum: INDICATOR_COMBINES }),
    targetYear: integer('target_year'),
    retiredAt: text('retired_at'),
  },
  (t) => [uniqueIndex('indicators_plan_key').on(t.planId, t.key), index('indicators_task').on(t.taskId)],
);

export const indicatorTargets = sqliteTable(
  'indicator_targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicators.id),
    year: integer('year').notNull(),
    comparator: text('comparator', { enum: COMPARATORS }).notNull(),
    value: real('value').notNull(),
    sourceText: text('source_text').notNull(),
  },
  (t) => [uniqueIndex('indicator_targets_indicator_year').on(t.indicatorId, t.year)],
);

/**
 * When a measure's work is owed, as read from its deadline and targets cells: one or more parts (a dated deadline
 * followed by ongoing work is two). Each part gives obligations: `once` one at `due_date`; the recurring kinds one per
 * year, half or quarter from `from_year` to `until_year` (`continuous` is ongoing work, owed every year).
 */
export const measureSchedules = sqliteTable(
  'measure_schedules',
  {
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id),
    position: integer('position').notNull(),
    kind: text('kind', { enum: SCHEDULE_KINDS }).notNull(),
    dueDate: text('due_date'),
    fromYear: integer('from_year'),
    untilYear: integer('until_year'),
    /** The words the part was read from. */
    text: text('text').notNull(),
  },
  (t) => [primaryKey({ columns: [t.measureId, t.position] })],
);

/* ── Progress reporting ─────────────────────────────────────────────────────────────────────────── */

export const ROLES = ['admin', 'coordinator', 'reporter', 'reader'] as const;
export const REPORT_STATES = ['draft', 'submitted', 'approved', 'returned', 'superseded'] as const;
export const PROGRESS_STATUSES = ['not_started', 'in_progress', 'completed', 'delayed', 'blocked'] as const;
export const REPORT_ACTIONS = ['created', 'updated', 'submitted', 'approved', 'returned', 'superseded'] as const;

/** API keys: only a SHA-256 hash of the token is stored; `prefix` identifies a key in lists and logs. */
export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  /** The unit a reporter writes for; null for other roles. */
  unitId: integer('unit_id').references(() => units.id),
  tokenHash: text('token_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at'),
  revokedAt: text('revoked_at'),
});

/**
 * A unit's progress on a measure for a period. One open report (draft, submitted or returned) per
 * measure/unit/period; an approved report is never edited, a newer approval supersedes it.
 */
export const progressReports = sqliteTable(
  'progress_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    /** As given: 2024, 2024-H1, 2024-Q3 or 2024-07. */
    period: text('period').notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    state: text('state', { enum: REPORT_STATES }).notNull(),
    status: text('status', { enum: PROGRESS_STATUSES }).notNull(),
    narrative: text('narrative').notNull(),
    /** JSON array of { title, url?, note? }. */
    evidence: text('evidence').notNull(),
    percentComplete: real('percent_complete'),
    /** Bumped by every change; the ETag is derived from it. */
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    createdByKeyId: integer('created_by_key_id')
      .notNull()
      .references(() => apiKeys.id),
    submittedAt: text('submitted_at'),
    reviewedAt: text('reviewed_at'),
    reviewedByKeyId: integer('reviewed_by_key_id').references(() => apiKeys.id),
    reviewNote: text('review_note'),
    supersededById: integer('superseded_by_id'),
    /** When a newer approval replaced this one: an approved report counts from reviewedAt until then. */
    supersededAt: text('superseded_at'),
  },
  (t) => [
    // Reports by measure (and task, a few measures) or period, with what the list filters and counts on, so those
    // lists sort and count index entries only. Period before unit: "a period" is then one seek per measure.
    index('progress_reports_key').on(t.measureId, t.period, t.unitId, t.state, t.updatedAt),
    // The invariant the service relies on: at most one open report per measure, unit and period.
    uniqueIndex('progress_reports_one_open')
      .on(t.measureId, t.unitId, t.period)
      .where(sql`${t.state} IN ('draft', 'submitted', 'returned')`),
    // The change order (updatedAt, id) of the reports list and its cursor: of all reports, of one unit's, and of the
    // open ones (a few thousand however many are approved), where "submitted" or "returned" would otherwise be rare.
    index('progress_reports_updated').on(t.updatedAt, t.id),
    index('progress_reports_unit').on(t.unitId, t.updatedAt, t.id),
    index('progress_reports_open_updated')
      .on(t.updatedAt, t.id)
      .where(sql`${t.state} IN ('draft', 'submitted', 'returned')`),
    // Counts by state, and of other units' drafts (hidden from most readers). Kept narrow: the smallest index is
    // what SQLite walks to count all reports, and a narrow one stays in its cache.
    index('progress_reports_state').on(t.state, t.unitId),
    // Monitoring asks "is there an approved report for this measure (and unit) in this period range, as of then?":
    // these indexes answer it with one seek each, without touching the table, however many reports there are.
    // Ordered by period end (a period lies within one year, so its end says its year) and carrying the unit and the
    // period, so "the latest approved value for the year" walks backwards from the year's end and stops at once.
    index('progress_reports_approved_measure')
      .on(t.measureId, t.periodEnd, t.reviewedAt, t.supersededAt, t.status, t.unitId, t.period)
      .where(sql`${t.state} IN ('approved', 'superseded')`),
    // Follow-ups: "was this measure reported for the last quarter?".
    index('progress_reports_sent')
      .on(t.measureId, t.periodEnd, t.periodStart, t.submittedAt, t.createdAt)
      .where(sql`${t.state} <> 'draft'`),
    index('progress_reports_approved_unit')
      .on(t.unitId, t.measureId, t.periodEnd, t.status, t.reviewedAt, t.supersededAt)
      .where(sql`${t.state} IN ('approved', 'superseded')`),
    // Obligations: "has this unit an approved completed report for this measure within the period, as of T?" and
    // "has it sent one?" — one seek per obligation, whatever the table size.
    index('progress_reports_answers_completed')
      .on(t.unitId, t.measureId, t.status, t.periodEnd, t.periodStart, t.reviewedAt, t.supersededAt)
      .where(sql`${t.state} IN ('approved', 'superseded')`),
    index('progress_reports_answers_sent')
      .on(t.unitId, t.measureId, t.periodEnd, t.periodStart, t.submittedAt, t.createdAt)
      .where(sql`${t.state} <> 'draft'`),
  ],
);

export const reportIndicatorValues = sqliteTable(
  'report_indicator_values',
  {
    reportId: integer('report_id')
      .notNull()
      .references(() => progressReports.id),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => indicators.id),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.indicatorId] }), index('report_values_indicator').on(t.indicatorId)],
);

/** What happened to a report, in order: created, updated, submitted, approved, returned, superseded. */
export const reportEvents = sqliteTable(
  'report_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reportId: integer('report_id')
      .notNull()
      .references(() => progressReports.id),
    action: text('action', { enum: REPORT_ACTIONS }).notNull(),
    fromState: text('from_state', { enum: REPORT_STATES }),
    toState: text('to_state', { enum: REPORT_STATES }).notNull(),
    at: text('at').notNull(),
    keyId: integer('key_id').references(() => apiKeys.id),
    note: text('note'),
  },
  (t) => [index('report_events_report').on(t.reportId)],
);

/**
 * Every time a report was returned, and when it next left the returned state (resubmitted, approved …): "returned
 * and not resubmitted as of T" is then two index ranges instead of a walk through every report's history. Kept by
 * triggers on report_events (migration 0005), so no writer can forget it.
 */
export const reportReturns = sqliteTable(
  'report_returns',
  {
    eventId: integer('event_id')
      .primaryKey()
      .references(() => reportEvents.id),
    reportId: integer('report_id')
      .notNull()
      .references(() => progressReports.id),
    // Copied from the report (which never changes them) so a follow-up list reads this table alone.
    measureId: integer('measure_id').notNull(),
    unitId: integer('unit_id').notNull(),
    period: text('period').notNull(),
    /** The period's first and last day (copied from the report), so "a return within an obligation's period" is one seek. */
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    returnedAt: text('returned_at').notNull(),
    note: text('note'),
    /** Null while the report is still returned. */
    resolvedAt: text('resolved_at'),
  },
  (t) => [
    index('report_returns_open')
      .on(t.returnedAt)
      .where(sql`${t.resolvedAt} IS NULL`),
    index('report_returns_open_report')
      .on(t.reportId)
      .where(sql`${t.resolvedAt} IS NULL`),
    index('report_returns_resolved')
      .on(t.resolvedAt, t.returnedAt)
      .where(sql`${t.resolvedAt} IS NOT NULL`),
    index('report_returns_answers').on(t.unitId, t.measureId, t.periodEnd, t.periodStart, t.returnedAt, t.resolvedAt),
  ],
);

/** Every write, append-only (triggers refuse UPDATE and DELETE). */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    keyId: integer('key_id'),
    unitId: integer('unit_id'),
    role: text('role'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id'),
    before: text('before'),
    after: text('after'),
    requestId: text('request_id'),
  },
  (t) => [index('audit_events_entity').on(t.entityType, t.entityId), index('audit_events_at').on(t.at)],
);

/* ── Plan revisions (amendments: who, when, why, before and after) ─────────────────────────────── */

export const REVISION_ENTITIES = ['plan', 'chapter', 'task', 'measure', 'milestone', 'indicator', 'unit'] as const;
export const REVISION_ACTIONS = ['created', 'updated', 'retired', 'restored', 'renamed', 'merged', 'imported'] as const;

/**
 * Every change to a plan after it was loaded: the entity as it was before and after (JSON of its document), the
 * reason, and the day it takes effect. Reads `asOf` an instant undo the revisions made after it. Append-only.
 */
export const planRevisions = sqliteTable(
  'plan_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Null for units, which every plan shares. */
    planId: integer('plan_id').references(() => plans.id),
    entity: text('entity', { enum: REVISION_ENTITIES }).notNull(),
    entityId: integer('entity_id').notNull(),
    action: text('action', { enum: REVISION_ACTIONS }).notNull(),
    at: text('at').notNull(),
    /** The day (Asia/Shanghai) from which the change counts: obligations owed before it are kept as they were. */
    effectiveOn: text('effective_on').notNull(),
    keyId: integer('key_id').references(() => apiKeys.id),
    reason: text('reason').notNull(),
    before: text('before'),
    after: text('after'),
    requestId: text('request_id'),
  },
  (t) => [index('plan_revisions_plan').on(t.planId, t.id), index('plan_revisions_entity').on(t.entity, t.entityId, t.id), index('plan_revisions_at').on(t.at)],
);

/** The units a revision concerns (owners moved, a unit renamed or merged), for `?unit=`. */
export const planRevisionUnits = sqliteTable(
  'plan_revision_units',
  {
    revisionId: integer('revision_id')
      .notNull()
      .references(() => planRevisions.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
  },
  (t) => [primaryKey({ columns: [t.revisionId, t.unitId] }), index('plan_revision_units_unit').on(t.unitId, t.revisionId)],
);

/* ── Assignments and obligations (交办 → 签收 → 反馈 → 办结) ──────────────────────────────────────────── */

export const ASSIGNMENT_ORIGINS = ['owner', 'responsible', 'added'] as const;

/**
 * One unit owing one measure: the measure's owners, or the task's responsible units where the measure names none;
 * a collective is expanded to its members (`via_unit_id` says which). Never deleted: a coordinator narrows a
 * collective by withdrawing a member's assignment, with a reason.
 */
export const assignments = sqliteTable(
  'assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    measureId: integer('measure_id')
      .notNull()
      .references(() => measures.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    viaUnitId: integer('via_unit_id').references(() => units.id),
    origin: text('origin', { enum: ASSIGNMENT_ORIGINS }).notNull(),
    /** When it was given (交办): the plan's publication for the plan's own, the time of adding for the others. */
    assignedAt: text('assigned_at').notNull(),
    reason: text('reason'),
    withdrawnAt: text('withdrawn_at'),
    withdrawnReason: text('withdrawn_reason'),
    acknowledgedAt: text('acknowledged_at'),
    acknowledgedByKeyId: integer('acknowledged_by_key_id').references(() => apiKeys.id),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    closedAt: text('closed_at'),
    closedByKeyId: integer('closed_by_key_id').references(() => apiKeys.id),
    closeNote: text('close_note'),
    /** Bumped by every change; the ETag is derived from it. */
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('assignments_measure_unit').on(t.measureId, t.unitId), index('assignments_unit').on(t.unitId)],
);

/** An assignment in one due period: what a unit owes and by when. Its state is computed at an instant from the reports. */
export const obligations = sqliteTable(
  'obligations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    assignmentId: integer('assignment_id')
      .notNull()
      .references(() => assignments.id),
    kind: text('kind', { enum: SCHEDULE_KINDS }).notNull(),
    /** The period reports answering it fall in, as reports name periods: 2024, 2024-H1, 2024-Q3. */
    period: text('period').notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    dueDate: text('due_date').notNull(),
    /** When an amendment stopped asking for it (a schedule changed), and the revision that did. */
    waivedAt: text('waived_at'),
    waivedByRevisionId: integer('waived_by_revision_id').references(() => planRevisions.id),
  },
  (t) => [uniqueIndex('obligations_assignment_period').on(t.assignmentId, t.period, t.dueDate), index('obligations_due').on(t.dueDate)],
);

/** Responses to POSTs made with an Idempotency-Key, replayed when the same key comes again. */
export const idempotencyRecords = sqliteTable(
  'idempotency_records',
  {
    keyId: integer('key_id')
      .notNull()
      .references(() => apiKeys.id),
    idempotencyKey: text('idempotency_key').notNull(),
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.idempotencyKey] })],
);

/* ── Integration: the change feed, webhooks (its outbox) and reminders (提醒 / 催办) ───────────────────── */

export const CHANGE_TYPES = [
  'report.created',
  'report.updated',
  'report.submitted',
  'report.approved',
  'report.returned',
  'report.superseded',
  'indicator.value_approved',
  'assignment.added',
  'assignment.acknowledged',
  'assignment.closed',
  'assignment.reopened',
  'assignment.withdrawn',
  'assignment.reinstated',
  'obligation.due_soon',
  'obligation.overdue',
  'plan.revised',
  'plan.imported',
  'unit.changed',
] as const;

/**
 * The change feed: one row per change, written in the transaction of the write (or of the supervision sweep that saw
 * an obligation come due). SQLite has one writer at a time, so ids increase in commit order: the id is the cursor.
 */
// Append-only: triggers in migration 0011 refuse UPDATE and DELETE.
export const changes = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    type: text('type', { enum: CHANGE_TYPES }).notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: integer('resource_id').notNull(),
    /** The unit the change concerns (the reporting or owing unit), if one. */
    unitId: integer('unit_id').references(() => units.id),
    /** Set for a draft: only admins, coordinators and this unit's reporters see the change. */
    privateToUnitId: integer('private_to_unit_id').references(() => units.id),
    /** The resource's new state, as its GET shows it (JSON). */
    state: text('state').notNull(),
  },
  (t) => [index('changes_resource').on(t.resourceType, t.resourceId, t.id)],
);

/** A URL subscribed to change types (optionally of one unit), signed per Standard Webhooks with its own secret. */
export const webhookSubscriptions = sqliteTable('webhook_subscriptions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  /** JSON array of change types. */
  types: text('types').notNull(),
  unitId: integer('unit_id').references(() => units.id),
  description: text('description'),
  /** `whsec_` + base64 of the key; never logged, shown once when created. */
  secret: text('secret').notNull(),
  createdAt: text('created_at').notNull(),
  createdByKeyId: integer('created_by_key_id').references(() => apiKeys.id),
  disabledAt: text('disabled_at'),
  version: integer('version').notNull().default(1),
});

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

/** The outbox: one message per change and subscription, written in the change's transaction. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    changeId: integer('change_id')
      .notNull()
      .references(() => changes.id),
    state: text('state', { enum: DELIVERY_STATES }).notNull().default('pending'),
    createdAt: text('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    /** Who is sending it now, and until when that claim holds (two processes never send the same message at once). */
    claimedBy: text('claimed_by'),
    claimedUntil: text('claimed_until'),
    deliveredAt: text('delivered_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
  },
  (t) => [index('webhook_deliveries_due').on(t.state, t.nextAttemptAt), index('webhook_deliveries_subscription').on(t.subscriptionId, t.id)],
);

/** Every attempt to deliver a message, with what the receiver answered. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id),
    at: text('at').notNull(),
    status: integer('status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery').on(t.deliveryId, t.id)],
);

export const ROBOT_KINDS = ['wecom', 'dingtalk'] as const;

/** Who in a unit hears about its obligations: by e-mail and/or through the office's group robot. */
export const unitContacts = sqliteTable(
  'unit_contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    robotKind: text('robot_kind', { enum: ROBOT_KINDS }),
    robotUrl: text('robot_url'),
    createdAt: text('created_at').notNull(),
    removedAt: text('removed_at'),
  },
  (t) => [index('unit_contacts_unit').on(t.unitId)],
);

export const REMINDER_STAGES = ['due_soon', 'overdue', 'still_overdue', 'returned'] as const;

/**
 * One reminder per obligation and stage (`stage_key`: `due_soon`, `overdue`, `still_overdue:3` for the third week,
 * `returned:<report>`): the unique key is what makes it never twice, across restarts and processes.
 */
export const reminders = sqliteTable(
  'reminders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    obligationId: integer('obligation_id')
      .notNull()
      .references(() => obligations.id),
    stage: text('stage', { enum: REMINDER_STAGES }).notNull(),
    stageKey: text('stage_key').notNull(),
    reportId: integer('report_id').references(() => progressReports.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    createdAt: text('created_at').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
  },
  (t) => [uniqueIndex('reminders_obligation_stage').on(t.obligationId, t.stageKey), index('reminders_unit').on(t.unitId, t.id)],
);

export const REMINDER_CHANNELS = ['email', 'wecom', 'dingtalk'] as const;
export const MESSAGE_STATES = ['pending', 'sent', 'failed'] as const;

/** A reminder to one contact over one channel, and whether it was delivered. */
export const reminderMessages = sqliteTable(
  'reminder_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reminderId: integer('reminder_id')
      .notNull()
      .references(() => reminders.id),
    contactId: integer('contact_id')
      .notNull()
      .references(() => unitContacts.id),
    channel: text('channel', { enum: REMINDER_CHANNELS }).notNull(),
    recipient: text('recipient').notNull(),
    state: text('state', { enum: MESSAGE_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    claimedBy: text('claimed_by'),
    claimedUntil: text('claimed_until'),
    sentAt: text('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [uniqueIndex('reminder_messages_reminder_contact').on(t.reminderId, t.contactId, t.channel), index('reminder_messages_due').on(t.state, t.nextAttemptAt)],
);
