import type { Supervision } from '../../config.js';
import { conflict, forbidden, notFound, unprocessable, THINGS } from '../../domain/errors.js';
import { shanghaiDate } from '../../http/calendar.js';
import type { AuditRepository } from '../audit/repository.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import { checkStanding } from '../units/standing.js';
import {
  countLights,
  daysUntilDue,
  obligationLight,
  obligationState,
  worstLight,
  type IndicatorSignal,
  type Light,
  type LightRules,
  type ObligationState,
  OBLIGATION_STATE_WORDS,
} from './lights.js';
import type { ObligationFacts, ObligationRepository, ObligationScope } from './obligation-repository.js';
import type { AssignmentChange, AssignmentRepository, AssignmentRow } from './repository.js';
import { duePeriods, owedPeriods } from './schedule.js';
import type { MovedAssignment } from '../amendments/follow-through.js';
import { said, type Said } from '../../domain/said.js';
import { unknownMeasure } from '../plans/said.js';

export interface Actor {
  principal: Principal;
  requestId: string | null;
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

interface AssignmentDeps {
  transaction: <T>(work: () => T) => T;
  assignments: AssignmentRepository;
  obligations: ObligationRepository;
  units: UnitRepository;
  audit: AuditRepository;
  now: () => Date;
  supervision: Supervision;
  /** Told after a write changes who owes a measure (added, withdrawn, reinstated). */
  onAssignmentsChanged?: () => void;
  /** What indicators say about each unit's obligations (red when not met, yellow at risk); none when not given. */
  indicatorSignals?: () => IndicatorSignals | undefined;
}

/** The date by which an assignment given at `assignedAt` is to be signed for (Asia/Shanghai). */
export function signForDate(assignedAt: string, signForDays: number): string {
  return shanghaiDate(new Date(Date.parse(assignedAt) + signForDays * 86_400_000));
}

/** What indicators say about one unit's obligations on a measure in a year (see monitoring/indicator-figures.ts). */
export type SignalLookup = (measureId: number, unitId: number, year: number) => IndicatorSignal | undefined;
/** The signals of a plan's indicators for some years, as of an instant. */
export type IndicatorSignals = (planId: number, years: number[], asOf: Date, measureIds?: number[]) => SignalLookup;

/** An obligation judged at an instant. */
export type JudgedObligation = ObligationFacts & { state: ObligationState; light: Light };

export interface AssignmentFilters {
  unitIds?: number[] | undefined;
  taskId?: number | undefined;
  measureId?: number | undefined;
  light?: Light | undefined;
  acknowledged?: boolean | undefined;
  closed?: boolean | undefined;
}

export interface ObligationFilters {
  unitIds?: number[] | undefined;
  year?: number | undefined;
  state?: ObligationState | undefined;
  light?: Light | undefined;
  dueAfter?: string | undefined;
  dueBefore?: string | undefined;
}

const countStates = (judged: JudgedObligation[]) => {
  const counts: Record<ObligationState, number> = { pending: 0, reported: 0, completed: 0, overdue: 0, waived: 0 };
  for (const o of judged) counts[o.state]++;
  return { total: judged.length, ...counts };
};

/**
 * Assignments (交办) and their obligations: built from a plan's catalogue once, signed for (签收) by the owing unit,
 * closed out (办结) by the coordinator when the last obligation is completed, narrowed or widened with a reason.
 */
export function createAssignmentService(deps: AssignmentDeps) {
  const { transaction, assignments, obligations, units, audit, now, supervision, onAssignmentsChanged = () => {}, indicatorSignals = () => undefined } = deps;

  const unitRef = (id: number): UnitRef => units.ref(id)!;

  // A plan's measure texts change only with the plan: an amendment forgets them (planChanged).
  const textsByPlan = new Map<number, ReturnType<AssignmentRepository['measureTexts']>>();
  const measureTexts = (planId: number) => {
    if (!textsByPlan.has(planId)) textsByPlan.set(planId, assignments.measureTexts(planId));
    return textsByPlan.get(planId)!;
  };

  /** What an obligation owes: the measure's target for its due year, else its ongoing targets, else the whole cell. */
  function targetOf(measure: NonNullable<ReturnType<ReturnType<typeof measureTexts>['get']>>, dueDate: string): string {
    const year = Number(dueDate.slice(0, 4));
    const due = measure.milestones.filter((m) => m.kind === 'due' && m.year === year);
    const ongoing = measure.milestones.filter((m) => m.kind !== 'due' && (m.year === null || m.year <= year));
    const chosen = due.length > 0 ? due : ongoing;
    return chosen.length > 0 ? chosen.map((m) => m.text).join('\n') : measure.targetsText;
  }

  /** An obligation as the API shows it. */
  function obligationView(planId: number, o: JudgedObligation, asOf: Date) {
    const measure = measureTexts(planId).get(o.measureId)!;
    return {
      id: o.id,
      assignmentId: o.assignmentId,
      measure: { id: measure.id, taskNo: measure.taskNo, no: measure.no, text: measure.text },
      unit: unitRef(o.unitId),
      kind: o.kind,
      period: o.period,
      periodStart: o.periodStart,
      periodEnd: o.periodEnd,
      dueDate: o.dueDate,
      target: targetOf(measure, o.dueDate),
      state: o.state,
      light: o.light,
      daysLeft: daysUntilDue(o.dueDate, asOf),
      completedAt: o.completedAt,
      returnedAt: o.returnedAt,
    };
  }

  function rulesAt(asOf: Date): LightRules {
    return { asOf, today: shanghaiDate(asOf), warningDays: supervision.warningDays };
  }

  /**
   * Every obligation in scope, judged at `asOf`, indicators included (`signals` when the caller has them already).
   * With `completionOnly` only completion is read: states pending/reported are not told apart and lights ignore
   * returned reports — for callers that ask "done, overdue or coming due" only.
   */
  function judged(scope: ObligationScope, asOf: Date, signals?: SignalLookup, completionOnly = false): JudgedObligation[] {
    const facts = obligations.factsAsOf(scope, asOf.toISOString(), completionOnly);
    const rules = rulesAt(asOf);
    const years = [...new Set(facts.map((o) => Number(o.dueDate.slice(0, 4))))];
    const signalOf = signals ?? (facts.length === 0 ? undefined : indicatorSignals()?.(scope.planId, years, asOf, [...new Set(facts.map((o) => o.measureId))]));
    return facts.map((o) => {
      const state = obligationState(o, rules);
      return { ...o, state, light: obligationLight(o, state, rules, signalOf?.(o.measureId, o.unitId, Number(o.dueDate.slice(0, 4)))) };
    });
  }

  function record(actor: Actor, action: string, id: number, before: unknown, after: unknown) {
    audit.record({ at: now(), principal: actor.principal, action, entityType: 'assignment', entityId: id, before, after, requestId: actor.requestId });
  }

  /** An assignment as the API shows it, with its obligations' light and counts at `asOf`. */
  function view(row: AssignmentRow, ofAssignment: JudgedObligation[], asOf: Date) {
    const open = ofAssignment.filter((o) => o.state !== 'completed' && o.state !== 'waived');
    const next = open[0];
    const signForBy = signForDate(row.assignedAt, supervision.signForDays);
    return {
      id: row.id,
      planId: row.planId,
      measure: { id: row.measureId, taskId: row.taskId, taskNo: row.taskNo, no: row.measureNo },
      unit: unitRef(row.unitId),
      via: row.viaUnitId === null ? null : unitRef(row.viaUnitId),
      origin: row.origin,
      assignedAt: row.assignedAt,
      reason: row.reason,
      acknowledged: row.acknowledgedAt === null ? null : { at: row.acknowledgedAt, contactName: row.contactName, contactPhone: row.contactPhone },
      signForBy,
      closed: row.closedAt === null ? null : { at: row.closedAt, note: row.closeNote ?? '' },
      withdrawn: row.withdrawnAt === null ? null : { at: row.withdrawnAt, reason: row.withdrawnReason ?? '' },
      light: worstLight(ofAssignment.map((o) => o.light)),
      obligations: countStates(ofAssignment),
      next: next ? { id: next.id, period: next.period, dueDate: next.dueDate, state: next.state, daysLeft: daysUntilDue(next.dueDate, asOf) } : null,
      version: row.version,
    };
  }
  type AssignmentView = ReturnType<typeof view>;

  function load(id: number): AssignmentRow {
    const row = assignments.get(id);
    if (!row) throw notFound(THINGS.assignment, id);
    return row;
  }

  function viewNow(row: AssignmentRow): AssignmentView {
    const asOf = now();
    return view(row, judged({ planId: row.planId, assignmentId: row.id }, asOf), asOf);
  }

  /** Applies a change, records it, and answers the assignment as it now stands. */
  function change(actor: Actor, action: string, row: AssignmentRow, fields: AssignmentChange) {
    const before = viewNow(row);
    assignments.update(row.id, fields);
    const after = viewNow(load(row.id));
    record(actor, action, row.id, before, after);
    return { outcome: 'updated' as WriteOutcome, assignment: after };
  }

  /** The assignments of a plan given by `asOf` and not withdrawn by then, with their sign-for dates, in document order. */
  function standingAssignments(planId: number, asOf: Date, unitIds?: number[]) {
    const iso = asOf.toISOString();
    return assignments
      .list(planId, iso, { unitIds })
      .filter((a) => !(a.withdrawnAt !== null && a.withdrawnAt <= iso))
      .map((a) => ({ ...a, signForBy: signForDate(a.assignedAt, supervision.signForDays) }));
  }

  const coordinatorOnly = (principal: Principal, what: Said) => {
    if (principal.role !== 'admin' && principal.role !== 'coordinator')
      throw forbidden(said(`只有统筹部门或管理员可以${what.zh}。`, `Only a coordinator or an admin may ${what.en}.`));
  };

  return {
    transaction,

    /** The plan was amended: its measure texts are read again. */
    planChanged(planId: number) {
      textsByPlan.delete(planId);
    },

    /**
     * Records what an amendment did to assignments as the same acts by hand are recorded (audit trail, change feed),
     * in the amendment's transaction, once the plan was read afresh. The assignment before is not kept: `before` is null.
     */
    recordMoved(actor: Actor, moved: readonly MovedAssignment[]) {
      for (const { id, action } of moved) record(actor, action, id, null, viewNow(load(id)));
    },

    judged,

    /** An obligation judged at `asOf` as the API shows it (GET /obligations; the reminders' change in the feed). */
    obligationView,

    standingAssignments,

    /** The open assignments (standing, not closed by `asOf`) of a plan, with their sign-for dates. */
    openAssignments(planId: number, asOf: Date, unitIds?: number[]) {
      const iso = asOf.toISOString();
      return standingAssignments(planId, asOf, unitIds).filter((a) => !(a.closedAt !== null && a.closedAt <= iso));
    },

    /** A plan's assignments at `asOf`, filtered, in document order, a page of them with the total. */
    list(planId: number, asOf: Date, filters: AssignmentFilters, page: { limit: number; offset: number }) {
      const iso = asOf.toISOString();
      const rows = assignments.list(planId, iso, filters);
      const byAssignment = new Map<number, JudgedObligation[]>();
      for (const o of judged({ planId, unitIds: filters.unitIds, taskId: filters.taskId, measureId: filters.measureId }, asOf)) {
        const list = byAssignment.get(o.assignmentId);
        if (list) list.push(o);
        else byAssignment.set(o.assignmentId, [o]);
      }
      const shown = rows
        .filter((r) => filters.acknowledged === undefined || (r.acknowledgedAt !== null && r.acknowledgedAt <= iso) === filters.acknowledged)
        .filter((r) => filters.closed === undefined || (r.closedAt !== null && r.closedAt <= iso) === filters.closed)
        .map((r) => view(r, byAssignment.get(r.id) ?? [], asOf))
        .filter((v) => filters.light === undefined || v.light === filters.light);
      return { items: shown.slice(page.offset, page.offset + page.limit), total: shown.length, lights: countLights(shown.map((v) => v.light)) };
    },

    /** One assignment at `asOf`, with every obligation judged. */
    get(id: number, asOf: Date) {
      const row = load(id);
      const ofAssignment = judged({ planId: row.planId, assignmentId: id }, asOf);
      const reports = assignments.reportsOf(row.measureId, row.unitId, 10);
      return {
        ...view(row, ofAssignment, asOf),
        dueObligations: ofAssignment.map((o) => obligationView(row.planId, o, asOf)),
        reports,
      };
    },

    /** What units owe and by when, judged at `asOf`, filtered; due date first. */
    obligations(planId: number, asOf: Date, filters: ObligationFilters, page: { limit: number; offset: number }) {
      const dueFrom = [filters.year === undefined ? undefined : `${filters.year}-01-01`, filters.dueAfter]
        .filter((d) => d !== undefined)
        .sort()
        .at(-1);
      const dueTo = [filters.year === undefined ? undefined : `${filters.year}-12-31`, filters.dueBefore]
        .filter((d) => d !== undefined)
        .sort()
        .at(0);
      const all = judged({ planId, unitIds: filters.unitIds, dueFrom, dueTo }, asOf).filter(
        (o) => (filters.state === undefined || o.state === filters.state) && (filters.light === undefined || o.light === filters.light),
      );
      const items = all.slice(page.offset, page.offset + page.limit).map((o) => obligationView(planId, o, asOf));
      return { items, total: all.length, lights: countLights(all.map((o) => o.light)) };
    },

    unitRef,

    /** What an obligation of a measure due on a date owes (the target for its year, else the ongoing targets). */
    targetOf: (planId: number, measureId: number, dueDate: string) => targetOf(measureTexts(planId).get(measureId)!, dueDate),

    /** 签收: the owing unit's reporter (or an admin) signs for the assignment; a repeat changes only the contact. */
    acknowledge(actor: Actor, id: number, contact: { contactName?: string | undefined; contactPhone?: string | undefined }) {
      return transaction(() => {
        const row = load(id);
        const { principal } = actor;
        if (principal.role !== 'admin' && !(principal.role === 'reporter' && principal.unitId === row.unitId)) {
          throw forbidden(
            said(
              `只有${unitRef(row.unitId).name}的填报人（或管理员）可以签收责任分工 ${id}。`,
              `Only ${unitRef(row.unitId).name}'s reporter (or an admin) may sign for assignment ${id}.`,
            ),
          );
        }
        if (row.withdrawnAt !== null)
          throw conflict(
            said(`责任分工 ${id} 已于 ${row.withdrawnAt} 撤销：${row.withdrawnReason}`, `Assignment ${id} was withdrawn on ${row.withdrawnAt}: ${row.withdrawnReason}`),
          );
        const fields: AssignmentChange = {};
        if (row.acknowledgedAt === null) Object.assign(fields, { acknowledgedAt: now().toISOString(), acknowledgedByKeyId: principal.keyId });
        if (contact.contactName !== undefined && contact.contactName !== row.contactName) fields.contactName = contact.contactName;
        if (contact.contactPhone !== undefined && contact.contactPhone !== row.contactPhone) fields.contactPhone = contact.contactPhone;
        if (Object.keys(fields).length === 0) return { outcome: 'unchanged' as WriteOutcome, assignment: viewNow(row) };
        return change(actor, 'assignment.acknowledge', row, fields);
      });
    },

    /** 办结销号: only when the last obligation is completed; closing a closed assignment changes nothing. */
    close(actor: Actor, id: number, note: string) {
      coordinatorOnly(actor.principal, said('办结责任分工', 'close an assignment'));
      return transaction(() => {
        const row = load(id);
        if (row.closedAt !== null) return { outcome: 'unchanged' as WriteOutcome, assignment: viewNow(row) };
        if (row.withdrawnAt !== null) throw conflict(said(`责任分工 ${id} 已撤销，无需办结。`, `Assignment ${id} was withdrawn; there is nothing to close.`));
        const last = judged({ planId: row.planId, assignmentId: id }, now()).at(-1);
        if (last && last.state !== 'completed') {
          throw conflict(
            said(
              `责任分工 ${id} 还不能办结：最后一项义务（${last.period}，${last.dueDate} 到期）${OBLIGATION_STATE_WORDS[last.state]}，尚未完成。`,
              `Assignment ${id} cannot be closed: its last obligation (${last.period}, due ${last.dueDate}) is ${last.state}, not completed.`,
            ),
          );
        }
        return change(actor, 'assignment.close', row, { closedAt: now().toISOString(), closedByKeyId: actor.principal.keyId, closeNote: note });
      });
    },

    /** Opens a closed assignment again; its close-out stays in the audit trail. */
    reopen(actor: Actor, id: number, reason: string) {
      coordinatorOnly(actor.principal, said('重新打开责任分工', 'reopen an assignment'));
      return transaction(() => {
        const row = load(id);
        if (row.closedAt === null) return { outcome: 'unchanged' as WriteOutcome, assignment: viewNow(row) };
        return change(actor, 'assignment.reopen', row, { closedAt: null, closedByKeyId: null, closeNote: null, reason });
      });
    },

    /**
     * Narrows a collective: a member that does not really owe the measure is withdrawn, with a reason; its open
     * obligations are waived from then on. Units the plan names itself change only by amending the plan.
     */
    withdraw(actor: Actor, id: number, reason: string) {
      coordinatorOnly(actor.principal, said('撤销责任分工', 'withdraw an assignment'));
      return transaction(() => {
        const row = load(id);
        if (row.withdrawnAt !== null) return { outcome: 'unchanged' as WriteOutcome, assignment: viewNow(row) };
        if (row.viaUnitId === null && row.origin !== 'added') {
          throw conflict(
            said(
              `${unitRef(row.unitId).name}是规划本身为本措施点名的单位；只有通过统称承担的成员单位或后来增加的单位可以撤销。`,
              `${unitRef(row.unitId).name} is named by the plan itself for this measure; only a member owing through a collective, or a unit added later, can be withdrawn.`,
            ),
          );
        }
        const result = change(actor, 'assignment.withdraw', row, { withdrawnAt: now().toISOString(), withdrawnReason: reason });
        onAssignmentsChanged();
        return result;
      });
    },

    /** Widens a measure: one more unit owes it from now on (or a withdrawn one again), with a reason. */
    add(actor: Actor, input: { measureId: number; unit: UnitRef; reason: string }) {
      coordinatorOnly(actor.principal, said('增加责任分工', 'add an assignment'));
      if (input.unit.kind === 'collective') {
        throw unprocessable(
          '/body/unit',
          said(`“${input.unit.name}”是统称，请逐个增加其成员单位`, `names a collective, ${input.unit.name}: add its member units, each for itself`),
        );
      }
      checkStanding(units, input.unit, '/body/unit');
      return transaction(() => {
        const existing = assignments.find(input.measureId, input.unit.id);
        if (existing && existing.withdrawnAt === null) return { outcome: 'unchanged' as WriteOutcome, assignment: viewNow(existing) };
        if (existing) {
          const result = change(actor, 'assignment.reinstate', existing, { withdrawnAt: null, withdrawnReason: null, reason: input.reason });
          onAssignmentsChanged();
          return result;
        }
        const schedule = assignments.scheduleOf(input.measureId);
        const plan = assignments.planOfMeasure(input.measureId);
        if (!plan) throw unprocessable('/body/measureId', unknownMeasure(input.measureId));
        const at = now();
        const id = assignments.insert({
          measureId: input.measureId,
          unitId: input.unit.id,
          viaUnitId: null,
          origin: 'added',
          assignedAt: at.toISOString(),
          reason: input.reason,
          obligations: owedPeriods(duePeriods(schedule, plan), shanghaiDate(at)),
        });
        const assignment = viewNow(load(id));
        record(actor, 'assignment.add', id, null, assignment);
        onAssignmentsChanged();
        return { outcome: 'created' as WriteOutcome, assignment };
      });
    },
  };
}

export type AssignmentService = ReturnType<typeof createAssignmentService>;
export type AssignmentView = ReturnType<AssignmentService['get']>;
