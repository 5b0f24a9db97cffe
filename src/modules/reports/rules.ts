import { conflict, forbidden, preconditionRequired, stale, unprocessable } from '../../domain/errors.js';
import { said, type Said } from '../../domain/said.js';
import { ROLE_WORDS } from '../auth/principal.js';
import { unknownUnit } from '../units/said.js';
import { checkStanding } from '../units/standing.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import type { DraftVisibility, IndicatorValue, MeasureContext, ReportRepository, ReportRow, ReportWithUnit } from './repository.js';
import { etagOf, ifMatchHolds } from './etag.js';

/** Report states as the exports and messages name them. */
export const STATE_WORDS: Record<ReportRow['state'], string> = { draft: '草稿', submitted: '待审核', approved: '已通过', returned: '已退回', superseded: '已被更新的报告取代' };

/** Whose drafts a caller sees: everyone's (admin, coordinator), its own unit's (a reporter), or nobody's (a reader, no key). */
export function draftsVisibleTo(principal: Principal | null): DraftVisibility {
  if (principal?.role === 'admin' || principal?.role === 'coordinator') return { all: true };
  return { all: false, unitId: principal?.role === 'reporter' ? principal.unitId : null };
}

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
      if (!own) throw forbidden(said(`填报密钥“${principal.name}”未绑定单位。`, `The reporter key "${principal.name}" is bound to no unit.`));
      if (unitRef !== undefined && units.resolve(unitRef)?.id !== own.id) {
        throw forbidden(said(`填报密钥只能为本单位（${own.name}）填报。`, `A reporter key writes only for its own unit (${own.name}).`), [
          { field, message: said(`不是${own.name}`, `is not ${own.name}`) },
        ]);
      }
      return own;
    }
    if (principal.role !== 'admin') throw forbidden(said(`${ROLE_WORDS[principal.role].zh}密钥不能填报进展。`, `A ${principal.role} key cannot write progress reports.`));
    if (unitRef === undefined) throw unprocessable(field, said('必须填写：填报单位（编号、名称或别名）', 'is required: name the reporting unit (id, name or alias)'));
    const unit = units.resolve(unitRef);
    if (!unit) throw unprocessable(field, unknownUnit(unitRef));
    // A collective's work is reported by its members, each for its share; a report of the collective's own would be no one's.
    if (unit.kind === 'collective') throw unprocessable(
        field,
        said(
          `“${unit.name}”是统称，由其成员单位各自填报本单位承担的部分，请填写其中一个成员单位`,
          `names a collective, ${unit.name}: its member units report, each for its own share; name one of them`,
        ),
      );
    return checkStanding(units, unit, field);
  }

  function checkIndicatorValues(values: IndicatorValue[], context: MeasureContext, field: string) {
    const seen = new Set<number>();
    values.forEach(({ indicatorId }, index) => {
      const at = `${field}/${index}/indicatorId`;
      if (seen.has(indicatorId)) throw unprocessable(at, said(`重复填报了指标 ${indicatorId}`, `repeats indicator ${indicatorId}`));
      seen.add(indicatorId);
      if (context.indicatorIds.includes(indicatorId)) return;
      const taskId = reports.indicatorTask(indicatorId);
      throw unprocessable(
        at,
        taskId === undefined
          ? said(`没有编号为 ${indicatorId} 的指标`, `names no indicator: ${indicatorId}`)
          : said(
              `指标 ${indicatorId} 属于任务 ${taskId}，不属于本措施所在的任务 ${context.taskId}`,
              `indicator ${indicatorId} belongs to task ${taskId}, not to this measure's task ${context.taskId}`,
            ),
      );
    });
  }

  /** The reporting unit's own reporter, or an admin, may change a report. */
  function checkAuthor(principal: Principal, row: ReportWithUnit) {
    if (principal.role === 'admin') return;
    if (principal.role === 'reporter' && principal.unitId === row.report.unitId) return;
    throw forbidden(said(`只有${row.unit.name}的填报人（或管理员）可以修改报告 ${row.report.id}。`, `Only ${row.unit.name}'s reporter (or an admin) may change report ${row.report.id}.`));
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
    throw forbidden(
      said(
        `只有统筹部门、管理员或任务 ${row.taskId} 的牵头单位（不含填报单位及其成员）可以审核报告 ${row.report.id}。`,
        `Only a coordinator, an admin or a lead unit of task ${row.taskId} (not the reporting unit, nor a member of it) may review report ${row.report.id}.`,
      ),
    );
  }

  function checkIfMatch(ifMatch: string | undefined, row: ReportWithUnit, required: boolean) {
    if (ifMatch === undefined) {
      if (required) throw preconditionRequired(said('请在 If-Match 中带上所读取版本的 ETag。', 'Send If-Match with the ETag of the version you read.'));
      return;
    }
    if (!ifMatchHolds(ifMatch, row.report)) {
      throw stale(said(`报告 ${row.report.id} 已更新为 ${etagOf(row.report)}，请重新读取后再试。`, `Report ${row.report.id} is now at ${etagOf(row.report)}; read it again and retry.`));
    }
  }

  function checkState(row: ReportWithUnit, allowed: readonly ReportRow['state'][], action: Said) {
    if (!allowed.includes(row.report.state)) {
      const { id, state } = row.report;
      throw conflict(
        said(
          `报告 ${id} 的状态是“${STATE_WORDS[state]}”，只有“${allowed.map((s) => STATE_WORDS[s]).join('”或“')}”的报告才能${action.zh}。`,
          `Report ${id} is ${state}; only a ${allowed.join(' or ')} report can be ${action.en}.`,
        ),
      );
    }
  }

  return { canSee, reportingUnit, checkIndicatorValues, checkAuthor, checkReviewer, checkIfMatch, checkState };
}
