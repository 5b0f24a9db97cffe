import { isDeepStrictEqual } from 'node:util';
import { conflict, preconditionRequired, unprocessable } from '../../domain/errors.js';
import { shanghaiDate } from '../../http/calendar.js';
import { followMeasures, type Amendment, type MovedAssignment } from '../amendments/follow-through.js';
import type { Actor, ChangeKit, UnitAdministrationDeps, UnitChangeOutcome, UnitDetail } from './change-kit.js';
import type { UnitKind } from './repository.js';
import {
  aliasIsName,
  collectiveNeedsMembers,
  emptyName,
  ifMatchNeeded,
  kindFixed,
  memberIsCollective,
  mergedAliasKept,
  mergedNotRestored,
  membersOnlyForCollective,
  nameTaken,
  openWorkLeft,
} from './said.js';
import { resolveStanding } from './standing.js';
import { normaliseUnitName } from './unit-name.js';

export interface NewUnit {
  name: string;
  kind: UnitKind;
  aliases?: string[] | undefined;
  /** A collective's member units: ids, names or aliases. */
  members?: string[] | undefined;
  reason: string;
}

export interface UnitChange {
  kind?: UnitKind | undefined;
  /** Replaces the alias list; the canonical name stays. */
  aliases?: string[] | undefined;
  members?: string[] | undefined;
  reason: string;
}

type Result = { outcome: 'created' | UnitChangeOutcome; unit: UnitDetail; revisionId: number | null };
const unchanged = (unit: UnitDetail): Result => ({ outcome: 'unchanged', unit, revisionId: null });
const byId = (a: number, b: number) => a - b;

/**
 * Creating, changing, retiring and restoring units (renaming and merging are in administration.ts), each a plan
 * revision with its audit event in the transaction that makes it, against the version the caller read (If-Match).
 * Nothing is deleted: a retired unit leaves the lists and stays readable by id.
 */
export function createUnitUpkeep(deps: UnitAdministrationDeps, kit: ChangeKit) {
  const { transaction, units, changes, assignments, audit, now } = deps;

  /** Aliases as given, normalised and once each; none may be the unit's own name. */
  function aliasesOf(given: string[], name: string): string[] {
    const aliases: string[] = [];
    given.forEach((raw, i) => {
      const alias = normaliseUnitName(raw);
      if (alias === '') throw unprocessable(`/body/aliases/${i}`, emptyName);
      if (alias === name) throw unprocessable(`/body/aliases/${i}`, aliasIsName(name));
      if (!aliases.includes(alias)) aliases.push(alias);
    });
    return aliases.sort();
  }

  /** A collective's members as unit ids: each a standing unit that is not itself a collective. */
  function membersOf(refs: string[] | undefined, collective: { name: string; kind: UnitKind }): number[] | undefined {
    if (refs === undefined) return undefined;
    if (collective.kind !== 'collective') throw unprocessable('/body/members', membersOnlyForCollective(collective.name));
    const ids = refs.map((ref, i) => {
      const member = resolveStanding(units, ref, `/body/members/${i}`);
      if (member.kind === 'collective') throw unprocessable(`/body/members/${i}`, memberIsCollective(member.name));
      return member.id;
    });
    return [...new Set(ids)].sort(byId);
  }

  /** A name or alias another unit already answers to (retired units keep theirs) is a 409 naming that unit. */
  function checkNamesFree(names: string[], unitId: number) {
    for (const name of names) {
      const holder = changes.holderOf(name, unitId);
      if (holder) throw conflict(nameTaken(name, holder.name));
    }
  }

  /**
   * A collective's members owe what it owes: after a change of members, each of its measures' assignments follow
   * the amendments' rule from today (new members assigned, former ones withdrawn with the revision as the reason).
   * Returns the plans it touched.
   */
  function followMembers(collectiveId: number, revisionId: number, reason: string): { planIds: number[]; moved: MovedAssignment[] } {
    const effectiveOn = shanghaiDate(now());
    const change: Amendment = { revisionId, reason, effectiveOn, effectiveAt: new Date(`${effectiveOn}T00:00:00+08:00`).toISOString() };
    const measures = changes.measuresOwedThrough(collectiveId);
    const planIds = [...new Set(measures.map((m) => m.planId))];
    const moved = planIds.flatMap((planId) =>
      followMeasures(
        assignments,
        planId,
        measures.filter((m) => m.planId === planId),
        change,
      ),
    );
    return { planIds, moved };
  }

  function audited(actor: Actor, action: string, before: UnitDetail | null, after: UnitDetail) {
    audit.record({ at: now(), principal: actor.principal, action, entityType: 'unit', entityId: after.id, before, after, requestId: actor.requestId });
  }

  return {
    /** A new unit (a department set up by a reform, a collective of some units), with its aliases and members. */
    create(actor: Actor, input: NewUnit): Result {
      const name = normaliseUnitName(input.name);
      if (name === '') throw unprocessable('/body/name', emptyName);
      const aliases = aliasesOf(input.aliases ?? [], name);
      if (input.kind === 'collective' && input.members === undefined) throw unprocessable('/body/members', collectiveNeedsMembers(name));
      return transaction(() => {
        const memberIds = membersOf(input.members, { name, kind: input.kind }) ?? [];
        checkNamesFree([name, ...aliases], 0);
        const id = changes.create({ name, kind: input.kind, aliases, memberIds });
        kit.changed([]);
        const unit = kit.load(id);
        const revisionId = kit.record(actor, 'created', null, unit, input.reason, [id, ...memberIds]);
        audited(actor, 'unit.create', null, unit);
        return { outcome: 'created', unit, revisionId };
      });
    },

    /**
     * Changes a unit's kind, aliases (the list given replaces the old one; names of units merged into it stay) or a
     * collective's members, whose assignments then follow. What already stands so is `unchanged`.
     */
    update(actor: Actor, id: number, input: UnitChange, ifMatch: string | undefined): Result {
      if (ifMatch === undefined) throw preconditionRequired(ifMatchNeeded);
      return transaction(() => {
        const unit = kit.load(id);
        const kind = input.kind ?? unit.kind;
        if (kind !== unit.kind && (kind === 'collective' || unit.kind === 'collective')) throw unprocessable('/body/kind', kindFixed(unit.name));
        const current = { kind: unit.kind, aliases: [...unit.aliases].sort(), members: unit.members.map((m) => m.id).sort(byId) };
        const next = {
          kind,
          aliases: input.aliases === undefined ? current.aliases : aliasesOf(input.aliases, unit.name),
          members: membersOf(input.members, unit) ?? current.members,
        };
        if (isDeepStrictEqual(current, next)) return unchanged(unit);
        kit.checkStanding(unit);
        checkNamesFree(
          next.aliases.filter((a) => !current.aliases.includes(a)),
          id,
        );
        const dropped = changes.mergedNames(id).filter((name) => !next.aliases.includes(name));
        if (dropped.length > 0) throw conflict(mergedAliasKept(dropped, unit.name));
        kit.checkIfMatch(unit, ifMatch);

        if (next.kind !== current.kind) changes.setKind(id, next.kind);
        if (!isDeepStrictEqual(next.aliases, current.aliases)) changes.replaceAliases(id, next.aliases);
        const membersMoved = !isDeepStrictEqual(next.members, current.members);
        if (membersMoved) changes.replaceMembers(id, next.members);
        const after = kit.load(id);
        const concerned = [...new Set([id, ...current.members, ...next.members])];
        const revisionId = kit.record(actor, 'updated', unit, after, input.reason, concerned);
        const followed = membersMoved ? followMembers(id, revisionId, input.reason) : { planIds: [], moved: [] };
        kit.changed(followed.planIds);
        deps.onAssignmentsMoved?.(actor, followed.moved);
        audited(actor, 'unit.update', unit, after);
        return { outcome: 'updated', unit: after, revisionId };
      });
    },

    /**
     * Retires a unit that carries nothing any more: it leaves the lists and search, stays readable by id. One that
     * still leads or is responsible for a task, owns a measure, owes a standing assignment or belongs to a collective
     * is a 409 naming that work (a merge hands everything over at once). Retiring again is `unchanged`.
     */
    retire(actor: Actor, id: number, input: { reason: string }, ifMatch: string | undefined): Result {
      if (ifMatch === undefined) throw preconditionRequired(ifMatchNeeded);
      return transaction(() => {
        const unit = kit.load(id);
        if (unit.retiredAt !== null) return unchanged(unit);
        const work = changes.openWork(id);
        if (Object.values(work).some((list) => list.length > 0)) throw conflict(openWorkLeft(unit.name, work));
        kit.checkIfMatch(unit, ifMatch);
        changes.setRetired(id, now().toISOString());
        kit.changed([]);
        const after = kit.load(id);
        const revisionId = kit.record(actor, 'retired', unit, after, input.reason, [id]);
        audited(actor, 'unit.retire', unit, after);
        return { outcome: 'updated', unit: after, revisionId };
      });
    },

    /** Puts a retired unit back; a merged one cannot be (its work, name and aliases went to another unit). */
    restore(actor: Actor, id: number, input: { reason: string }, ifMatch: string | undefined): Result {
      if (ifMatch === undefined) throw preconditionRequired(ifMatchNeeded);
      return transaction(() => {
        const unit = kit.load(id);
        if (unit.retiredAt === null) return unchanged(unit);
        // Merged: its name is another unit's alias now (mergedInto names it while that unit stands).
        const holder = changes.holderOf(unit.name, id);
        if (holder) throw conflict(mergedNotRestored(unit.name, unit.mergedInto?.name ?? holder.name));
        kit.checkIfMatch(unit, ifMatch);
        changes.setRetired(id, null);
        kit.changed([]);
        const after = kit.load(id);
        const revisionId = kit.record(actor, 'restored', unit, after, input.reason, [id]);
        audited(actor, 'unit.restore', unit, after);
        return { outcome: 'updated', unit: after, revisionId };
      });
    },
  };
}
