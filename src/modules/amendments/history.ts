import { toDeadline } from '../measures/deadline.js';
import { documentBefore, type RevisionRepository } from '../revisions/repository.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import type { AmendableKind, Deadline, DocumentRepository, Documents } from './documents.js';

const deadlineOf = (d: Deadline) => toDeadline({ deadlineKind: d.kind, deadlineDate: d.date, deadlineText: d.text });

/**
 * The plan as it stood at an instant: a task or measure as read now, with its own fields taken back through the
 * revisions made after that instant. Undefined when it did not exist yet.
 */
export function createPlanHistory(deps: { documents: DocumentRepository; revisions: RevisionRepository; units: UnitRepository }) {
  const refs = (ids: number[]): UnitRef[] => ids.map((id) => deps.units.resolve(String(id))!);

  /** The document then, or `null` when nothing changed since (the current answer stands). */
  function documentAt<K extends AmendableKind>(kind: K, id: number, at: Date): Documents[K] | undefined | null {
    const madeAfter = deps.revisions.madeAfter(kind, id, at.toISOString());
    if (madeAfter.length === 0) return null;
    return documentBefore(deps.documents.read[kind](id) as Documents[K], madeAfter);
  }

  function measureAt<M extends { id: number }>(measure: M, at: Date): M | undefined {
    const then = documentAt('measure', measure.id, at);
    if (then === null) return measure;
    if (then === undefined) return undefined;
    return {
      ...measure,
      no: then.no,
      text: then.text,
      targetsText: then.targetsText,
      deadline: deadlineOf(then.deadline),
      ownerUnits: refs(then.ownerUnitIds),
      retiredAt: then.retiredAt,
    };
  }

  function taskAt<T extends { id: number; measures: { id: number }[] }>(task: T, at: Date): T | undefined {
    const then = documentAt('task', task.id, at);
    if (then === undefined) return undefined;
    const own =
      then === null
        ? task
        : {
            ...task,
            title: then.title,
            leadUnits: refs(then.leadUnitIds),
            responsibleUnits: refs(then.responsibleUnitIds),
            leadsEachOwnPart: then.leadsEachOwnPart,
            deadline: deadlineOf(then.deadline),
            retiredAt: then.retiredAt,
          };
    return { ...own, measures: task.measures.flatMap((m) => measureAt(m, at) ?? []) };
  }

  return { measureAt, taskAt };
}

export type PlanHistory = ReturnType<typeof createPlanHistory>;

/** What the catalogue's reads need of amendments: the plan as it stood, and each record's version (its ETag). */
export interface AmendedReads {
  history: PlanHistory;
  etagOf: (kind: AmendableKind, id: number) => string;
}
