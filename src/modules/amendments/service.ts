import { isDeepStrictEqual } from 'node:util';
import { conflict, notFound, preconditionRequired, stale, THINGS, unprocessable } from '../../domain/errors.js';
import { said } from '../../domain/said.js';
import { shanghaiDate } from '../../http/calendar.js';
import { strongMatch } from '../../http/etag.js';
import type { AssignmentRepository } from '../assignments/repository.js';
import type { AuditRepository } from '../audit/repository.js';
import type { Principal } from '../auth/principal.js';
import type { RevisionRepository } from '../revisions/repository.js';
import type { UnitRepository } from '../units/repository.js';
import { checkStanding } from '../units/standing.js';
import type { AmendableKind, DocumentRepository, Documents } from './documents.js';
import { followMeasures, type Amendment, type MovedAssignment } from './follow-through.js';

export interface Actor {
  principal: Principal;
  requestId: string;
}

/** What every amendment carries: the version it was made against, why, and from which day it counts. */
export interface AmendmentTerms {
  ifMatch: string | undefined;
  reason: string;
  effectiveOn?: string | undefined;
}

export type AmendmentOutcome = 'created' | 'updated' | 'unchanged';

export interface AmendmentDeps {
  transaction: <T>(work: () => T) => T;
  documents: DocumentRepository;
  revisions: RevisionRepository;
  assignments: AssignmentRepository;
  units: UnitRepository;
  audit: AuditRepository;
  now: () => Date;
  /** The plan's catalogue changed: cached answers and what was built from it are stale. */
  onPlanChanged: (planId: number) => void;
  /** Records the assignments an amendment moved (audit, feed); told after onPlanChanged, in the same transaction. */
  onAssignmentsMoved?: (actor: Actor, moved: MovedAssignment[]) => void;
}

/** The units a document names: a change to it concerns them (`/plans/{id}/revisions?unit=`). */
function unitsNamed(document: Partial<Documents[AmendableKind]> | undefined): number[] {
  if (!document) return [];
  const d = document as Partial<Documents['task'] & Documents['measure']>;
  return [...(d.leadUnitIds ?? []), ...(d.responsibleUnitIds ?? []), ...(d.ownerUnitIds ?? [])];
}

/**
 * Amends a plan: changes a chapter, task, measure, milestone or indicator (or retires and restores it) against the
 * version the caller read (If-Match), with a reason, as one revision — the document before and after — in the same
 * transaction as the change, its audit event and what follows from it (who owes a measure and when).
 */
export function createAmendmentService(deps: AmendmentDeps) {
  const { transaction, documents, revisions, assignments, units, audit, now } = deps;

  /**
   * A record's version: the plan's (revisions.versionOf), so an ETag from before any change to what its answer shows
   * never matches after it. Two editors changing different records of one plan: the second re-reads and retries (412).
   */
  const etagOf = (kind: AmendableKind, id: number) => `"${kind}-${id}.${revisions.versionOf(documents.planOf(kind, id) ?? 0)}"`;

  function load<K extends AmendableKind>(kind: K, id: number): Documents[K] {
    const document = documents.read[kind](id) as Documents[K] | undefined;
    if (!document) throw notFound(THINGS[kind], id);
    return document;
  }

  function checkIfMatch(kind: AmendableKind, id: number, ifMatch: string | undefined) {
    if (ifMatch === undefined) throw preconditionRequired(said('请在 If-Match 中带上所读取版本的 ETag。', 'Send If-Match with the ETag of the version you read.'));
    const current = etagOf(kind, id);
    if (!strongMatch(ifMatch, current)) {
      throw stale(said(`${THINGS[kind].zh} ${id} 已修订为 ${current}，请重新读取后再改。`, `${THINGS[kind].en} ${id} is now at ${current}; read it again and retry.`));
    }
  }

  /** Units named must exist and stand for themselves or a collective; a retired unit takes on nothing new. */
  function checkUnits(field: string, unitIds: readonly number[] | undefined) {
    for (const unitId of unitIds ?? []) {
      const unit = units.resolve(String(unitId));
      if (!unit) throw unprocessable(field, said(`没有编号为 ${unitId} 的单位`, `names no unit ${unitId}`));
      checkStanding(units, unit, field);
    }
  }

  function checkTerms(terms: AmendmentTerms): Amendment & { revisionId: 0 } {
    const effectiveOn = terms.effectiveOn ?? shanghaiDate(now());
    return { revisionId: 0, reason: terms.reason, effectiveOn, effectiveAt: new Date(`${effectiveOn}T00:00:00+08:00`).toISOString() };
  }

  const AUDIT_VERBS = { created: 'create', updated: 'amend', retired: 'retire', restored: 'restore' } as const;

  function record<K extends AmendableKind>(
    actor: Actor,
    kind: K,
    id: number,
    action: keyof typeof AUDIT_VERBS,
    before: Documents[K] | null,
    after: Documents[K],
    terms: Amendment,
  ) {
    const planId = documents.planOf(kind, id)!;
    const at = now().toISOString();
    const revisionId = revisions.record({
      planId,
      entity: kind,
      entityId: id,
      action,
      at,
      effectiveOn: terms.effectiveOn,
      keyId: actor.principal.keyId,
      reason: terms.reason,
      before,
      after,
      requestId: actor.requestId,
      unitIds: [...unitsNamed(before ?? undefined), ...unitsNamed(after)],
    });
    audit.record({
      at: now(),
      principal: actor.principal,
      action: `${kind}.${AUDIT_VERBS[action]}`,
      entityType: kind,
      entityId: id,
      before,
      after,
      requestId: actor.requestId,
    });
    const change = { ...terms, revisionId };
    // Who owes a measure follows its owners, schedule and standing; a task's responsible units owe its measures that name no owner.
    const moved = (...fields: string[]) =>
      fields.some((f) => !isDeepStrictEqual((before as unknown as Record<string, unknown> | null)?.[f], (after as unknown as Record<string, unknown>)[f]));
    const followed: MovedAssignment[] = [];
    if (kind === 'measure' && moved('ownerUnitIds', 'schedule', 'retiredAt'))
      followed.push(...followMeasures(assignments, planId, [{ measureId: id, retired: (after as Documents['measure']).retiredAt !== null }], change));
    if (kind === 'task' && moved('responsibleUnitIds', 'retiredAt')) {
      const taskRetired = (after as Documents['task']).retiredAt !== null;
      const measures = documents.measuresOf(id).map((measureId) => ({ measureId, retired: taskRetired || documents.read.measure(measureId)!.retiredAt !== null }));
      followed.push(...followMeasures(assignments, planId, measures, change));
    }
    deps.onPlanChanged(planId);
    deps.onAssignmentsMoved?.(actor, followed);
    return revisionId;
  }

  /** A new entity's parent must be in the plan and standing; the entity goes at its end. Returns the plan and the placed document. */
  function placeUnder<K extends AmendableKind>(kind: K, document: Documents[K]): { planId: number; document: Documents[K] } {
    const parent = PARENTS[kind];
    const parentId = (document as unknown as Record<string, number>)[parent.field]!;
    const planId = parent.kind === 'plan' ? (documents.planExists(parentId) ? parentId : undefined) : documents.planOf(parent.kind, parentId);
    const what = parent.kind === 'plan' ? THINGS.plan : THINGS[parent.kind];
    if (planId === undefined) throw unprocessable(`/body/${parent.field}`, said(`没有编号为 ${parentId} 的${what.zh}`, `names no ${what.en}: ${parentId}`));
    if (parent.kind !== 'plan' && documents.read[parent.kind](parentId)!.retiredAt !== null) {
      throw conflict(said(`${what.zh} ${parentId} 已停用，不能再增加内容。`, `${what.en} ${parentId} is retired; nothing new goes under it.`));
    }
    if (kind === 'task' && documents.taskNoTaken(planId, (document as Documents['task']).no)) {
      const { no } = document as Documents['task'];
      throw conflict(said(`规划中已有序号为 ${no} 的任务。`, `The plan already has a task numbered ${no}.`));
    }
    const position = kind === 'chapter' || kind === 'measure' || kind === 'milestone' ? { position: documents.nextPosition(kind, parentId) } : {};
    return { planId, document: { ...document, ...position, ...(kind === 'task' ? { planId } : {}) } };
  }

  function change<K extends AmendableKind>(
    actor: Actor,
    kind: K,
    id: number,
    terms: AmendmentTerms,
    next: (current: Documents[K]) => Documents[K],
    action: 'updated' | 'retired' | 'restored',
  ) {
    const amendment = checkTerms(terms);
    return transaction(() => {
      const before = load(kind, id);
      checkIfMatch(kind, id, terms.ifMatch);
      const after = next(before);
      if (isDeepStrictEqual(before, after)) return { outcome: 'unchanged' as AmendmentOutcome, etag: etagOf(kind, id), revisionId: null };
      documents.write[kind](id, after);
      const revisionId = record(actor, kind, id, action, before, after, amendment);
      return { outcome: 'updated' as AmendmentOutcome, etag: etagOf(kind, id), revisionId };
    });
  }

  return {
    etagOf,

    /** Changes the given fields of one entity. */
    amend<K extends AmendableKind>(actor: Actor, kind: K, id: number, fields: Partial<Documents[K]>, terms: AmendmentTerms) {
      const named = fields as Partial<Documents['task'] & Documents['measure']>;
      checkUnits('/body/leadUnitIds', named.leadUnitIds);
      checkUnits('/body/responsibleUnitIds', named.responsibleUnitIds);
      checkUnits('/body/ownerUnitIds', named.ownerUnitIds);
      return change(actor, kind, id, terms, (current) => withTargetsByYear({ ...current, ...fields }, current), 'updated');
    },

    /** Takes an entity out of the plan from now on; it stays readable by id with its reports and history. */
    retire(actor: Actor, kind: AmendableKind, id: number, terms: AmendmentTerms) {
      return change(actor, kind, id, terms, (current) => (current.retiredAt !== null ? current : { ...current, retiredAt: now().toISOString() }), 'retired');
    },

    /** Puts a retired entity back into the plan. */
    restore(actor: Actor, kind: AmendableKind, id: number, terms: AmendmentTerms) {
      return change(actor, kind, id, terms, (current) => ({ ...current, retiredAt: null }), 'restored');
    },

    /**
     * Adds a chapter, task, measure, milestone or indicator to the plan, at the end of a parent that is in it; a
     * measure is owed from its effective day by its owners (or its task's responsible units).
     */
    create<K extends AmendableKind>(actor: Actor, kind: K, document: Documents[K], terms: Omit<AmendmentTerms, 'ifMatch'>, direction?: 'increase' | 'decrease') {
      const named = document as Partial<Documents['task'] & Documents['measure']>;
      checkUnits('/body/leadUnits', named.leadUnitIds);
      checkUnits('/body/responsibleUnits', named.responsibleUnitIds);
      checkUnits('/body/owners', named.ownerUnitIds);
      const amendment = checkTerms({ ...terms, ifMatch: undefined });
      return transaction(() => {
        const placed = placeUnder(kind, document);
        const id = documents.insert[kind](placed.document, { planId: placed.planId, direction });
        const revisionId = record(actor, kind, id, 'created', null, documents.read[kind](id) as Documents[K], amendment);
        return { outcome: 'created' as AmendmentOutcome, id, etag: etagOf(kind, id), revisionId };
      });
    },
  };
}

export type AmendmentService = ReturnType<typeof createAmendmentService>;

/** Where each kind goes: the field naming its parent, and the parent's kind. */
const PARENTS = {
  chapter: { field: 'planId', kind: 'plan' },
  task: { field: 'chapterId', kind: 'chapter' },
  measure: { field: 'taskId', kind: 'task' },
  milestone: { field: 'measureId', kind: 'measure' },
  indicator: { field: 'taskId', kind: 'task' },
} as const satisfies Record<AmendableKind, { field: string; kind: AmendableKind | 'plan' }>;

/** Targets given for some years replace those years' targets; the other years keep theirs (a re-baseline, not a rewrite). */
function withTargetsByYear<D extends Documents[AmendableKind]>(next: D, current: D): D {
  if (!('targets' in next) || !('targets' in current) || next.targets === current.targets) return next;
  const given = new Map(next.targets.map((t) => [t.year, { ...t, sourceText: t.sourceText ?? `${t.comparator}${t.value}${next.unit}` }]));
  const kept = current.targets.filter((t) => !given.has(t.year));
  return { ...next, targets: [...kept, ...given.values()].sort((a, b) => a.year - b.year) };
}
