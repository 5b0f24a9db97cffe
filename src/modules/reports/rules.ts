import { conflict, forbidden, preconditionRequired, stale, unprocessable } from '../../domain/errors.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import type { IndicatorValue, MeasureContext, ReportRepository, ReportRow, ReportWithUnit } from './repository.js';
import { etagOf, ifMatchHolds } from './etag.js';

/** Who may see, write and review which report, and what a write must name: the reporting rules, one place. */
export function createReportRules({ reports, units }: { reports: ReportRepository; units: UnitRepository }) {
  function canSee(principal: Principal, row: ReportWithUnit): boolean {
    if (principal.role === 'admin' || principal.role === 'coordinator') return true;
    return row.report.state !== 'draft' || (principal.role === 'reporter' && principal.unitId === row.report.unitId);
  }

  /** The unit a write is for: a reporter's own unit, or the one an admin names. */
  function reportingUnit(principal: Principal, unitRef: string | undefined, field: string): UnitRef {
    if (principal.role === 'reporter') {
      const own = principal.unitId === null ? undefined : units.resolve(String(principal.unitId));
      if (!own) throw forbidden(`The reporter key "${principal.name}" is bound to no unit.`);
      if (unitRef !== undefined && units.resolve(unitRef)?.id !== own.id) {
        throw forbidden(`A reporter key writes only for its own unit (${own.name}).`, [{ field, message: `is not ${own.name}` }]);
      }
      return own;
    }
    if (principal.role !== 'admin') throw forbidden(`A ${principal.role} key cannot write progress reports.`);
    if (unitRef === undefined) throw unprocessable(field, 'is required: name the reporting unit (id, name or alias)');
    const unit = units.resolve(unitRef);
    if (!unit) throw unprocessable(field, `names no known unit: "${unitRef}"`);
    // A collective's work is reported by its members, each for its share; a report of the collective's own would be no one's.
    if (unit.kind === 'collective') throw unprocessable(field, `names a collective, ${unit.name}: its member units report, each for its own share; name one of them`);
    return unit;
  }

  function checkIndicatorValues(values: IndicatorValue[], context: MeasureContext, field: string) {
    const seen = new Set<number>();
    values.forEach(({ indicatorId }, index) => {
      const at = `${field}/${index}/indicatorId`;
      if (seen.has(indicatorId)) throw unprocessable(at, `repeats indicator ${indicatorId}`);
      seen.add(indicatorId);
      if (context.indicatorIds.includes(indicatorId)) return;
      const taskId = reports.indicatorTask(indicatorId);
      throw unprocessable(
        at,
        taskId === undefined
          ? `names no indicator: ${indicatorId}`
          : `indicator ${indicatorId} belongs to task ${taskId}, not to this measure's task ${context.taskId}`,
      );
    });
  }

  /** The reporting unit's own reporter, or an admin, may change a report. */
  function checkAuthor(principal: Principal, row: ReportWithUnit) {
    if (principal.role === 'admin') return;
    if (principal.role === 'reporter' && principal.unitId === row.report.unitId) return;
    throw forbidden(`Only ${row.unit.name}'s reporter (or an admin) may change report ${row.report.id}.`);
  }

  /**
   * Coordinators and admins review any report; a unit named as a lead of the task reviews the other units' reports
   * on the parts it leads: the whole task, or — where the leads each lead their own part (按职责分别牵头) — the
   * measures it owns. Never a report of its own: neither its unit's nor one filed for a collective it belongs to.
   * A collective named as lead makes none of its members a reviewer: leading is not shared.
   */
  function checkReviewer(principal: Principal, row: ReportWithUnit) {
    if (principal.role === 'admin' || principal.role === 'coordinator') return;
    if (principal.role === 'reporter' && principal.unitId !== null && !units.withCollectives(principal.unitId).includes(row.report.unitId)) {
      const context = reports.measureContext(row.report.measureId)!;
      const leadsThisPart = !context.leadsEachOwnPart || context.ownerUnitIds.includes(principal.unitId);
      if (context.leadUnitIds.includes(principal.unitId) && leadsThisPart) return;
    }
    throw forbidden(`Only a coordinator, an admin or a lead unit of task ${row.taskId} (not the reporting unit, nor a member of it) may review report ${row.report.id}.`);
  }

  function checkIfMatch(ifMatch: string | undefined, row: ReportWithUnit, required: boolean) {
    if (ifMatch === undefined) {
      if (required) throw preconditionRequired('Send If-Match with the ETag of the version you read.');
      return;
    }
    if (!ifMatchHolds(ifMatch, row.report)) {
      throw stale(`Report ${row.report.id} is now at ${etagOf(row.report)}; read it again and retry.`);
    }
  }

  function checkState(row: ReportWithUnit, allowed: readonly ReportRow['state'][], action: string) {
    if (!allowed.includes(row.report.state)) {
      throw conflict(`Report ${row.report.id} is ${row.report.state}; only a ${allowed.join(' or ')} report can be ${action}.`);
    }
  }

  return { canSee, reportingUnit, checkIndicatorValues, checkAuthor, checkReviewer, checkIfMatch, checkState };
}
