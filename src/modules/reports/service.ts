import { conflict, forbidden, notFound, unprocessable, THINGS } from '../../domain/errors.js';
import type { AuditRepository } from '../audit/repository.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import { parsePeriod, type Period } from './period.js';
import type { IndicatorValue, ListCursor, MeasureContext, ReportFilters, ReportRepository, ReportRow, ReportWithUnit } from './repository.js';
import type { ReportInput, ReportPatch } from './schemas.js';
import { contentColumns, contentOf, sameContent, type Content } from './content.js';
import { createReportRules, draftsVisibleTo } from './rules.js';
import { etagOf } from './etag.js';
import { said } from '../../domain/said.js';
import { outsidePlanYears, unknownMeasure } from '../plans/said.js';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';
export interface ReportPage {
  limit: number;
  offset: number;
  after?: ListCursor | undefined;
}

/** Who acts, and the request it came with (recorded in the audit trail). */
export interface Actor {
  principal: Principal;
  requestId: string | null;
}

interface ReportingDeps {
  /** Runs work atomically; nested calls nest (a bulk import wraps single writes). */
  transaction: <T>(work: () => T) => T;
  reports: ReportRepository;
  units: UnitRepository;
  audit: AuditRepository;
  now: () => Date;
}

/** Where a report goes: the measure (with what the rules need), the reporting unit and the period. */
export interface ReportTarget {
  context: MeasureContext;
  unit: UnitRef;
  period: Period;
}

const OPEN_STATES: readonly ReportRow['state'][] = ['draft', 'returned'];

const AUDIT_ACTIONS = {
  submitted: 'report.submit',
  approved: 'report.approve',
  returned: 'report.return',
  superseded: 'report.supersede',
} as const;

export function createReportService({ transaction, reports, units, audit, now }: ReportingDeps) {
  const { canSee, reportingUnit, checkIndicatorValues, checkAuthor, checkReviewer, checkIfMatch, checkState } = createReportRules({ reports, units });

  /** A report as the API shows it; `values` when the caller already has them, in indicator order. */
  function view(row: ReportWithUnit, values = reports.valuesOf([row.report.id]).get(row.report.id) ?? []) {
    const { report } = row;
    const content = contentOf(report, values);
    return {
      id: report.id,
      measureId: report.measureId,
      taskId: row.taskId,
      unit: row.unit,
      period: report.period,
      periodStart: report.periodStart,
      periodEnd: report.periodEnd,
      state: report.state,
      ...content,
      version: report.version,
      etag: etagOf(report),
      createdAt: report.createdAt,
      updatedAt: report.updatedAt,
      createdByKeyId: report.createdByKeyId,
      submittedAt: report.submittedAt,
      reviewedAt: report.reviewedAt,
      reviewedByKeyId: report.reviewedByKeyId,
      reviewNote: report.reviewNote,
      supersededById: report.supersededById,
    };
  }
  type ReportView = ReturnType<typeof view>;

  const load = (id: number) => {
    const row = reports.get(id);
    if (!row) throw notFound(THINGS.report, id);
    return row;
  };

  /** A report the caller may see; others' drafts are answered like missing reports. */
  function visible(principal: Principal, id: number): ReportWithUnit {
    const row = load(id);
    if (!canSee(principal, row)) throw notFound(THINGS.report, id);
    return row;
  }

  function record(actor: Actor, action: string, reportId: number, before: ReportView | null, after: ReportView | null) {
    audit.record({ at: now(), principal: actor.principal, action, entityType: 'report', entityId: reportId, before, after, requestId: actor.requestId });
  }

  /** Moves a report to a new state, with its event and audit entry. */
  function transition(
    actor: Actor,
    row: ReportWithUnit,
    action: keyof typeof AUDIT_ACTIONS,
    fields: Partial<ReportRow> & { state: ReportRow['state'] },
    note: string | null = null,
    shaped?: ReportView,
  ) {
    const at = now().toISOString();
    const before = shaped ?? view(row);
    reports.update(row.report.id, { ...fields, version: row.report.version + 1, updatedAt: at });
    reports.addEvent({ reportId: row.report.id, action, fromState: row.report.state, toState: fields.state, at, keyId: actor.principal.keyId, note });
    const after = view(load(row.report.id));
    record(actor, AUDIT_ACTIONS[action], row.report.id, before, after);
    return after;
  }

  /** Checks everything about where a report goes; the first problem is thrown, naming its field under `base`. */
  function resolveTarget(principal: Principal, input: ReportInput, base: string): ReportTarget {
    const unit = reportingUnit(principal, input.unit, `${base}/unit`);
    const context = reports.measureContext(input.measureId);
    if (!context) throw unprocessable(`${base}/measureId`, unknownMeasure(input.measureId));
    // A unit reports on what it owes (its assignment): a county reports its own share of 各县(市、区)人民政府's work,
    // and that report counts for its assignment only.
    if (reports.assignmentOf(input.measureId, unit.id) === undefined) {
      throw forbidden(
        said(
          `${unit.name}不承担措施 ${input.measureId}：既不是它的责任单位，也不通过统称或任务的责任单位承担它。`,
          `${unit.name} has no assignment on measure ${input.measureId}: it neither owns it nor owes it through a collective or the task's responsible units.`,
        ),
        [{ field: `${base}/measureId`, message: said(`不是${unit.name}承担的措施`, `is not assigned to ${unit.name}`) }],
      );
    }
    const period = parsePeriod(input.period);
    if (!period) throw unprocessable(`${base}/period`, said(`“${input.period}”不是报告期（如 2024、2024-H1、2024-Q3、2024-06）`, `is not a period: "${input.period}"`));
    if (period.year < context.startYear || period.year > context.endYear) {
      throw unprocessable(`${base}/period`, outsidePlanYears(context.startYear, context.endYear));
    }
    checkIndicatorValues(input.indicatorValues ?? [], context, `${base}/indicatorValues`);
    return { context, unit, period };
  }

  /**
   * Creates the report, or merges it into the open draft for the same measure, unit and period. Posting the
   * content a report already has (open, or the approved one) changes nothing.
   */
  function writeTo(actor: Actor, target: ReportTarget, input: ReportInput): { outcome: WriteOutcome; report: ReportView } {
    const content: Content = {
      status: input.status,
      narrative: input.narrative ?? '',
      evidence: input.evidence ?? [],
      percentComplete: input.percentComplete ?? null,
      indicatorValues: input.indicatorValues ?? [],
    };
    const key = { measureId: target.context.measureId, unitId: target.unit.id, period: target.period.text };
    return transaction(() => {
      const at = now().toISOString();
      const open = reports.findOpen(key);
      if (open?.state === 'submitted') {
        // A retry of what was sent (submit again, or not) is answered as it stands; other content must wait.
        if (sameContent(contentOf(open, reports.valuesOf([open.id]).get(open.id) ?? []), content)) return { outcome: 'unchanged', report: view(load(open.id)) };
        throw conflict(
          said(
            `本措施、本单位、本报告期的报告 ${open.id} 已提交待审核，内容与本次不同：请审核人退回后再修改并重新提交（或等审核后在下一报告期报告变化）。`,
            `Report ${open.id} for this measure, unit and period awaits review with other content: ask the reviewer to return it, change it then and submit it again (or wait for the review and report the change for the next period).`,
          ),
        );
      }
      let outcome: WriteOutcome = 'unchanged';
      let id: number;
      // A new report is shown from what was just stored, without reading it back.
      let created: { row: ReportWithUnit; values: IndicatorValue[] } | undefined;
      const current = open ?? reports.findApproved(key);
      if (current && sameContent(contentOf(current, reports.valuesOf([current.id]).get(current.id) ?? []), content)) {
        id = current.id;
      } else if (open) {
        id = open.id;
        const before = view(load(id));
        reports.update(id, { ...contentColumns(content), version: open.version + 1, updatedAt: at });
        reports.replaceValues(id, content.indicatorValues);
        reports.addEvent({ reportId: id, action: 'updated', fromState: open.state, toState: open.state, at, keyId: actor.principal.keyId });
        record(actor, 'report.update', id, before, view(load(id)));
        outcome = 'updated';
      } else {
        const stored = reports.insert({
          ...key,
          periodStart: target.period.start,
          periodEnd: target.period.end,
          state: 'draft',
          ...contentColumns(content),
          version: 1,
          createdAt: at,
          updatedAt: at,
          createdByKeyId: actor.principal.keyId,
        });
        id = stored.id;
        reports.replaceValues(id, content.indicatorValues, true);
        reports.addEvent({ reportId: id, action: 'created', toState: 'draft', at, keyId: actor.principal.keyId });
        outcome = 'created';
        const values = [...content.indicatorValues].sort((a, b) => a.indicatorId - b.indicatorId);
        created = { row: { report: stored, taskId: target.context.taskId, unit: target.unit }, values };
      }
      const row = created?.row ?? load(id);
      const report = created ? view(created.row, created.values) : view(row);
      if (outcome === 'created') record(actor, 'report.create', id, null, report);
      if (input.submit && OPEN_STATES.includes(row.report.state)) {
        return { outcome: outcome === 'unchanged' ? 'updated' : outcome, report: submitRow(actor, row, report) };
      }
      return { outcome, report };
    });
  }

  function submitRow(actor: Actor, row: ReportWithUnit, before?: ReportView) {
    return transition(actor, row, 'submitted', { state: 'submitted', submittedAt: now().toISOString() }, null, before);
  }

  return {
    resolveTarget,
    writeTo,
    transaction,

    /** POST /reports: create or merge, for a reporter's own unit or the unit an admin names. */
    write(actor: Actor, input: ReportInput, base = '/body') {
      return writeTo(actor, resolveTarget(actor.principal, input, base), input);
    },

    get(principal: Principal, id: number) {
      return view(visible(principal, id));
    },

    list(principal: Principal, filters: ReportFilters, page: ReportPage) {
      const result = reports.list(filters, draftsVisibleTo(principal), page);
      // One query for the page's indicator values, not one per report.
      const values = reports.valuesOf(result.rows.map((row) => row.report.id));
      return { ...result, items: result.rows.map((row) => view(row, values.get(row.report.id) ?? [])) };
    },

    history(principal: Principal, id: number) {
      visible(principal, id);
      return reports.events(id).map(({ reportId: _r, ...event }) => event);
    },

    update(actor: Actor, id: number, patch: ReportPatch, ifMatch: string | undefined) {
      return transaction(() => {
        const row = visible(actor.principal, id);
        checkAuthor(actor.principal, row);
        checkState(row, OPEN_STATES, said('修改', 'changed'));
        checkIfMatch(ifMatch, row, true);
        const context = reports.measureContext(row.report.measureId)!;
        const current = contentOf(row.report, reports.valuesOf([id]).get(id) ?? []);
        const next: Content = { ...current, ...patch } as Content;
        checkIndicatorValues(next.indicatorValues, context, '/body/indicatorValues');
        if (sameContent(current, next)) return view(row);
        const at = now().toISOString();
        const before = view(row);
        reports.update(id, { ...contentColumns(next), version: row.report.version + 1, updatedAt: at });
        reports.replaceValues(id, next.indicatorValues);
        reports.addEvent({ reportId: id, action: 'updated', fromState: row.report.state, toState: row.report.state, at, keyId: actor.principal.keyId });
        const after = view(load(id));
        record(actor, 'report.update', id, before, after);
        return after;
      });
    },

    submit(actor: Actor, id: number, ifMatch: string | undefined) {
      return transaction(() => {
        const row = visible(actor.principal, id);
        checkAuthor(actor.principal, row);
        checkState(row, OPEN_STATES, said('提交', 'submitted'));
        checkIfMatch(ifMatch, row, false);
        return submitRow(actor, row);
      });
    },

    approve(actor: Actor, id: number, note: string | null, ifMatch: string | undefined) {
      return transaction(() => {
        const row = visible(actor.principal, id);
        checkReviewer(actor.principal, row);
        checkState(row, ['submitted'], said('审核通过', 'approved'));
        checkIfMatch(ifMatch, row, false);
        const previous = reports.findApproved({ measureId: row.report.measureId, unitId: row.report.unitId, period: row.report.period });
        const at = now().toISOString();
        if (previous) {
          transition(actor, load(previous.id), 'superseded', { state: 'superseded', supersededById: id, supersededAt: at }, `superseded by report ${id}`);
        }
        return transition(actor, row, 'approved', { state: 'approved', reviewedAt: at, reviewedByKeyId: actor.principal.keyId, reviewNote: note }, note);
      });
    },

    return(actor: Actor, id: number, note: string, ifMatch: string | undefined) {
      return transaction(() => {
        const row = visible(actor.principal, id);
        checkReviewer(actor.principal, row);
        checkState(row, ['submitted'], said('退回', 'returned'));
        checkIfMatch(ifMatch, row, false);
        const at = now().toISOString();
        return transition(actor, row, 'returned', { state: 'returned', reviewedAt: at, reviewedByKeyId: actor.principal.keyId, reviewNote: note }, note);
      });
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
export type ReportView = ReturnType<ReportService['get']>;
