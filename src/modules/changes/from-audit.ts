import type { AuditEntry } from '../audit/repository.js';
import type { ChangeRepository, ChangeType, NewChange } from './repository.js';

/**
 * The change each audited action is; actions not named here (API keys, contacts, webhook subscriptions: secrets and
 * personal data) are not in the feed. Named one by one, so a new audited action is private until added here.
 */
const CHANGE_OF_ACTION: Record<string, ChangeType> = {
  'report.create': 'report.created',
  'report.update': 'report.updated',
  'report.submit': 'report.submitted',
  'report.approve': 'report.approved',
  'report.return': 'report.returned',
  'report.supersede': 'report.superseded',
  'assignment.add': 'assignment.added',
  'assignment.acknowledge': 'assignment.acknowledged',
  'assignment.close': 'assignment.closed',
  'assignment.reopen': 'assignment.reopened',
  'assignment.withdraw': 'assignment.withdrawn',
  'assignment.reinstate': 'assignment.reinstated',
  'plan.import': 'plan.imported',
  'unit.create': 'unit.changed',
  'unit.update': 'unit.changed',
  'unit.rename': 'unit.changed',
  'unit.merge': 'unit.changed',
  'unit.retire': 'unit.changed',
  'unit.restore': 'unit.changed',
};

/** Amendments of the plan's records (`task.amend`, `measure.retire` …) are all `plan.revised`. */
const AMENDED_KINDS = new Set(['chapter', 'task', 'measure', 'milestone', 'indicator']);
const AMENDMENT_VERBS = new Set(['create', 'amend', 'retire', 'restore']);

interface Owned {
  unit?: { id: number };
  state?: string;
  indicatorValues?: { indicatorId: number; value: number }[];
  period?: string;
}

function changeTypeOf(entry: AuditEntry): ChangeType | undefined {
  if (entry.action in CHANGE_OF_ACTION) return CHANGE_OF_ACTION[entry.action];
  const [kind = '', verb = ''] = entry.action.split('.');
  return AMENDED_KINDS.has(kind) && AMENDMENT_VERBS.has(verb) ? 'plan.revised' : undefined;
}

/**
 * The changes an audited write makes visible: the change itself, with the entity's new state; and for an approved
 * report, each indicator value it carries (the figures other systems mirror). Appended in the write's transaction.
 */
export function changesFromAudit(feed: ChangeRepository): (entry: AuditEntry) => void {
  return (entry) => {
    const type = changeTypeOf(entry);
    if (type === undefined || entry.entityId === null) return;
    const after = (entry.after ?? {}) as Owned;
    const unitId = entry.entityType === 'unit' ? entry.entityId : (after.unit?.id ?? null);
    const base: Omit<NewChange, 'type' | 'resourceType' | 'resourceId' | 'state'> = {
      at: entry.at,
      unitId,
      privateToUnitId: entry.entityType === 'report' && after.state === 'draft' ? unitId : null,
    };
    feed.append({ ...base, type, resourceType: entry.entityType, resourceId: entry.entityId, state: entry.after });
    if (type !== 'report.approved') return;
    for (const value of after.indicatorValues ?? []) {
      const state = { indicatorId: value.indicatorId, value: value.value, period: after.period, unit: after.unit, reportId: entry.entityId };
      feed.append({ ...base, type: 'indicator.value_approved', resourceType: 'indicator', resourceId: value.indicatorId, state });
    }
  };
}
