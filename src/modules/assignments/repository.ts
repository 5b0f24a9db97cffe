import type { Db } from '../../db/client.js';
import type { ASSIGNMENT_ORIGINS } from '../../db/schema.js';
import { groupBy } from '../../db/sql.js';
import type { PlanForAssignments, PlannedAssignment } from './build.js';
import type { DuePeriod, SchedulePart } from './schedule.js';

export type AssignmentOrigin = (typeof ASSIGNMENT_ORIGINS)[number];

export interface AssignmentRow {
  id: number;
  planId: number;
  measureId: number;
  taskId: number;
  taskNo: number;
  chapterId: number;
  measureNo: number | null;
  measurePosition: number;
  unitId: number;
  viaUnitId: number | null;
  origin: AssignmentOrigin;
  assignedAt: string;
  reason: string | null;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  acknowledgedAt: string | null;
  acknowledgedByKeyId: number | null;
  contactName: string | null;
  contactPhone: string | null;
  closedAt: string | null;
  closedByKeyId: number | null;
  closeNote: string | null;
  version: number;
}

export type AssignmentChange = Partial<
  Pick<
    AssignmentRow,
    'withdrawnAt' | 'withdrawnReason' | 'acknowledgedAt' | 'acknowledgedByKeyId' | 'contactName' | 'contactPhone' | 'closedAt' | 'closedByKeyId' | 'closeNote' | 'reason'
  >
>;

const ASSIGNMENT_COLUMNS = `
  a.id, t.plan_id AS planId, a.measure_id AS measureId, m.task_id AS taskId, t.no AS taskNo, t.chapter_id AS chapterId,
  m.no AS measureNo, m.position AS measurePosition, a.unit_id AS unitId, a.via_unit_id AS viaUnitId, a.origin,
  a.assigned_at AS assignedAt, a.reason, a.withdrawn_at AS withdrawnAt, a.withdrawn_reason AS withdrawnReason,
  a.acknowledged_at AS acknowledgedAt, a.acknowledged_by_key_id AS acknowledgedByKeyId, a.contact_name AS contactName,
  a.contact_phone AS contactPhone, a.closed_at AS closedAt, a.closed_by_key_id AS closedByKeyId, a.close_note AS closeNote,
  a.version`;
const ASSIGNMENT_FROM = 'assignments a JOIN measures m ON m.id = a.measure_id JOIN tasks t ON t.id = m.task_id';

const CHANGE_COLUMNS: Record<keyof AssignmentChange, string> = {
  withdrawnAt: 'withdrawn_at',
  withdrawnReason: 'withdrawn_reason',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedByKeyId: 'acknowledged_by_key_id',
  contactName: 'contact_name',
  contactPhone: 'contact_phone',
  closedAt: 'closed_at',
  closedByKeyId: 'closed_by_key_id',
  closeNote: 'close_note',
  reason: 'reason',
};

/** Assignments (交办) and the obligations they hold: built from a plan's catalogue, then signed for and closed. */
export function createAssignmentRepository(db: Db) {
  const raw = db.$client;
  const planRow = raw.prepare<[number], { startYear: number; endYear: number; publishedOn: string }>(
    'SELECT start_year AS startYear, end_year AS endYear, published_on AS publishedOn FROM plans WHERE id = ?',
  );
  const measuresOfPlan = raw.prepare<[number], { id: number; taskId: number; ownersNamed: number }>(`
    SELECT m.id, m.task_id AS taskId, m.owners_named AS ownersNamed FROM measures m JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = ? ORDER BY t.no, m.position`);
  const ownersOfPlan = raw.prepare<[number], { measureId: number; unitId: number }>(`
    SELECT o.measure_id AS measureId, o.unit_id AS unitId FROM measure_owners o JOIN measures m ON m.id = o.measure_id
    JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY o.measure_id, o.position`);
  const responsibleOfPlan = raw.prepare<[number], { taskId: number; unitId: number }>(`
    SELECT tu.task_id AS taskId, tu.unit_id AS unitId FROM task_units tu JOIN tasks t ON t.id = tu.task_id
    WHERE t.plan_id = ? AND tu.role = 'responsible' ORDER BY tu.task_id, tu.position`);
  const schedulesOfPlan = raw.prepare<[number], SchedulePart & { measureId: number }>(`
    SELECT s.measure_id AS measureId, s.kind, s.due_date AS dueDate, s.from_year AS fromYear, s.until_year AS untilYear
    FROM measure_schedules s JOIN measures m ON m.id = s.measure_id JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = ? ORDER BY s.measure_id, s.position`);
  const memberships = raw.prepare<[], { collectiveId: number; memberId: number }>(
    'SELECT collective_id AS collectiveId, member_id AS memberId FROM unit_members ORDER BY collective_id, member_id',
  );
  const countOfPlan = raw.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM ${ASSIGNMENT_FROM} WHERE t.plan_id = ?`);
  const insertAssignment = raw.prepare<Record<string, unknown>>(`
    INSERT INTO assignments (measure_id, unit_id, via_unit_id, origin, assigned_at, reason)
    VALUES (:measureId, :unitId, :viaUnitId, :origin, :assignedAt, :reason)`);
  const insertObligation = raw.prepare<Record<string, unknown>>(`
    INSERT INTO obligations (assignment_id, kind, period, period_start, period_end, due_date)
    VALUES (:assignmentId, :kind, :period, :periodStart, :periodEnd, :dueDate)`);
  const insertObligationOnce = raw.prepare<Record<string, unknown>>(`
    INSERT OR IGNORE INTO obligations (assignment_id, kind, period, period_start, period_end, due_date)
    VALUES (:assignmentId, :kind, :period, :periodStart, :periodEnd, :dueDate)`);
  const waiveObligation = raw.prepare<[string, number, number]>('UPDATE obligations SET waived_at = ?, waived_by_revision_id = ? WHERE id = ? AND waived_at IS NULL');
  const byId = raw.prepare<[number], AssignmentRow>(`SELECT ${ASSIGNMENT_COLUMNS} FROM ${ASSIGNMENT_FROM} WHERE a.id = ?`);
  const byMeasureUnit = raw.prepare<[number, number], AssignmentRow>(`SELECT ${ASSIGNMENT_COLUMNS} FROM ${ASSIGNMENT_FROM} WHERE a.measure_id = ? AND a.unit_id = ?`);
  const ofPlan = raw.prepare<Record<string, unknown>, AssignmentRow>(`
    SELECT ${ASSIGNMENT_COLUMNS} FROM ${ASSIGNMENT_FROM}
    WHERE t.plan_id = :planId AND a.assigned_at <= :asOf
      AND (:unitIds IS NULL OR a.unit_id IN (SELECT value FROM json_each(:unitIds)))
      AND (:taskId IS NULL OR m.task_id = :taskId) AND (:measureId IS NULL OR a.measure_id = :measureId)
    ORDER BY t.no, m.position, a.unit_id`);
  const obligationsOf = raw.prepare<[number], DuePeriod & { id: number }>(`
    SELECT id, kind, period, period_start AS periodStart, period_end AS periodEnd, due_date AS dueDate
    FROM obligations WHERE assignment_id = ? ORDER BY due_date, period`);
  const measuresText = raw.prepare<[number], { id: number; taskNo: number; no: number | null; text: string; targetsText: string }>(`
    SELECT m.id, t.no AS taskNo, m.no, m.text, m.targets_text AS targetsText FROM measures m JOIN tasks t ON t.id = m.task_id
    WHERE t.plan_id = ?`);
  const milestonesText = raw.prepare<[number], { measureId: number; kind: string; year: number | null; text: string }>(`
    SELECT ms.measure_id AS measureId, ms.kind, ms.year, ms.text FROM milestones ms JOIN measures m ON m.id = ms.measure_id
    JOIN tasks t ON t.id = m.task_id WHERE t.plan_id = ? ORDER BY ms.measure_id, ms.position`);
  const reportCount = raw.prepare<[number, number], { n: number }>("SELECT count(*) AS n FROM progress_reports WHERE measure_id = ? AND unit_id = ? AND state <> 'draft'");
  const recentReports = raw.prepare<[number, number, number], { id: number; period: string; state: string; status: string; updatedAt: string }>(`
    SELECT id, period, state, status, updated_at AS updatedAt FROM progress_reports WHERE measure_id = ? AND unit_id = ? AND state <> 'draft'
    ORDER BY updated_at DESC, id DESC LIMIT ?`);
  const planOfMeasure = raw.prepare<[number], { startYear: number; endYear: number }>(`
    SELECT p.start_year AS startYear, p.end_year AS endYear FROM measures m JOIN tasks t ON t.id = m.task_id
    JOIN plans p ON p.id = t.plan_id WHERE m.id = ?`);
  const scheduleOf = raw.prepare<[number], SchedulePart>(`
    SELECT kind, due_date AS dueDate, from_year AS fromYear, until_year AS untilYear FROM measure_schedules
    WHERE measure_id = ? ORDER BY position`);

  function insertWithObligations(assignment: Omit<PlannedAssignment, 'origin'> & { origin: AssignmentOrigin; assignedAt: string; reason: string | null }): number {
    const { obligations, ...fields } = assignment;
    const id = Number(insertAssignment.run(fields).lastInsertRowid);
    for (const period of obligations) insertObligation.run({ assignmentId: id, ...period });
    return id;
  }

  return {
    /** What planAssignments needs of a plan; undefined for an unknown plan. */
    planForAssignments(planId: number): PlanForAssignments | undefined {
      const plan = planRow.get(planId);
      if (!plan) return undefined;
      const owners = groupBy(ownersOfPlan.all(planId), (r) => r.measureId);
      const responsible = groupBy(responsibleOfPlan.all(planId), (r) => r.taskId);
      const schedules = groupBy(schedulesOfPlan.all(planId), (r) => r.measureId);
      const members = new Map([...groupBy(memberships.all(), (r) => r.collectiveId)].map(([id, rows]) => [id, rows.map((r) => r.memberId)]));
      return {
        ...plan,
        members,
        measures: measuresOfPlan.all(planId).map((m) => ({
          id: m.id,
          ownersNamed: m.ownersNamed === 1,
          ownerUnitIds: (owners.get(m.id) ?? []).map((r) => r.unitId),
          responsibleUnitIds: (responsible.get(m.taskId) ?? []).map((r) => r.unitId),
          schedule: (schedules.get(m.id) ?? []).map(({ kind, dueDate, fromYear, untilYear }) => ({ kind, dueDate, fromYear, untilYear })),
        })),
      };
    },

    countOfPlan: (planId: number) => countOfPlan.get(planId)!.n,

    /** Stores an assignment and its obligations; returns its id. */
    insert: insertWithObligations,

    get: (id: number) => byId.get(id),
    find: (measureId: number, unitId: number) => byMeasureUnit.get(measureId, unitId),

    /** A plan's assignments given by `asOf`, in document order, optionally of some units, a task or a measure. */
    list(planId: number, asOf: string, filters: { unitIds?: number[] | undefined; taskId?: number | undefined; measureId?: number | undefined }) {
      return ofPlan.all({
        planId,
        asOf,
        unitIds: filters.unitIds ? JSON.stringify(filters.unitIds) : null,
        taskId: filters.taskId ?? null,
        measureId: filters.measureId ?? null,
      });
    },

    obligationsOf: (assignmentId: number) => obligationsOf.all(assignmentId),
    scheduleOf: (measureId: number) => scheduleOf.all(measureId),
    planOfMeasure: (measureId: number) => planOfMeasure.get(measureId),

    /** Each measure of a plan with its text and its milestones' texts (what an obligation's target is read from). */
    measureTexts(planId: number) {
      const milestones = groupBy(milestonesText.all(planId), (m) => m.measureId);
      return new Map(measuresText.all(planId).map((m) => [m.id, { ...m, milestones: milestones.get(m.id) ?? [] }]));
    },

    /** How many reports a unit has sent on a measure (drafts are its own business), and the latest few. */
    reportsOf(measureId: number, unitId: number, recent: number) {
      return { total: reportCount.get(measureId, unitId)!.n, recent: recentReports.all(measureId, unitId, recent) };
    },

    /** Asks for more due periods of an assignment (an amended schedule, a reinstated unit); periods it has are kept. */
    addObligations(assignmentId: number, periods: DuePeriod[]): void {
      for (const period of periods) insertObligationOnce.run({ assignmentId, ...period });
    },

    /** Stops asking for an obligation from `at`: an amendment no longer owes it (the revision says why). */
    waiveObligation(id: number, at: string, revisionId: number): void {
      waiveObligation.run(at, revisionId, id);
    },

    /** Changes the given fields and bumps the version. */
    update(id: number, change: AssignmentChange): void {
      const entries = Object.entries(change) as [keyof AssignmentChange, unknown][];
      const sets = entries.map(([field]) => `${CHANGE_COLUMNS[field]} = :${field}`).join(', ');
      raw.prepare(`UPDATE assignments SET ${sets}, version = version + 1 WHERE id = :id`).run({ ...Object.fromEntries(entries), id });
    },
  };
}

export type AssignmentRepository = ReturnType<typeof createAssignmentRepository>;
