import type { RobotKind } from '../../config.js';
import { conflict, forbidden, invalidFields, notFound, unprocessable, type FieldError } from '../../domain/errors.js';
import { isEmailAddress, maskedEmail } from '../../domain/email.js';
import { said } from '../../domain/said.js';
import type { AuditRepository } from '../audit/repository.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRef, UnitRepository } from '../units/repository.js';
import { checkStanding } from '../units/standing.js';
import type { ContactRepository, ContactRow } from './contact-repository.js';
import { recipientKey } from './recipients.js';
import { maskedRobotUrl, normalisedRobotUrl, robotUrlProblem } from './robot-url.js';

export interface ContactInput {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  robot?: { kind: RobotKind; url: string } | undefined;
}

interface ContactDeps {
  transaction: <T>(work: () => T) => T;
  contacts: ContactRepository;
  units: UnitRepository;
  audit: AuditRepository;
  now: () => Date;
  robotOrigins: Record<RobotKind, string[]>;
}

const CONTACT = said('联系人', 'contact');
/** Contacts one unit may have: every reminder goes to each of them, so a runaway script must not make it thousands. */
export const MAX_CONTACTS = 20;

/** A contact as the API shows it to those who manage it: the robot's token hidden (it lets anyone post to the group). */
export function contactView(row: ContactRow) {
  return {
    id: row.id,
    unitId: row.unitId,
    name: row.name,
    email: row.email,
    phone: row.phone,
    robot: row.robotKind === null || row.robotUrl === null ? null : { kind: row.robotKind, url: maskedRobotUrl(row.robotKind, row.robotUrl) },
    createdAt: row.createdAt,
  };
}

/** What the audit trail keeps of a contact: who and how reached, not the address itself (personal data). */
function audited(row: ContactRow) {
  return { id: row.id, unit: { id: row.unitId }, name: row.name, email: row.email === null ? null : maskedEmail(row.email), robot: row.robotKind };
}

/**
 * Who in a unit hears of its obligations. Admins and coordinators keep every unit's contacts; a unit's reporter keeps
 * its own unit's (it knows who answers there); readers and other units see none: contacts are personal data.
 */
export function createContactService(deps: ContactDeps) {
  const { transaction, contacts, units, audit, now, robotOrigins } = deps;

  function unitFor(principal: Principal, unitId: number): UnitRef {
    const unit = units.ref(unitId);
    if (!unit) throw notFound(said('单位', 'unit'), unitId);
    if (principal.role === 'admin' || principal.role === 'coordinator') return unit;
    if (principal.role === 'reporter' && principal.unitId === unit.id) return unit;
    throw forbidden(
      said(
        `只有管理员、统筹部门或${unit.name}本单位的填报人可以查看和维护其联系人。`,
        `Only an admin, a coordinator or ${unit.name}'s own reporter may read and keep its contacts.`,
      ),
    );
  }

  function checkInput(input: ContactInput): void {
    const problems: FieldError[] = [];
    if (input.name.trim() === '') {
      problems.push({ field: '/body/name', message: said('姓名不能为空白：请填写联系人或办公室的名称', 'must not be blank: name the person or office') });
    }
    if (input.email === undefined && input.robot === undefined) {
      problems.push({
        field: '/body',
        message: said('须至少给出电子邮箱（email）或群机器人（robot）之一，提醒才能送达', 'needs an e-mail address (email) or a group robot (robot), or reminders reach no one'),
      });
    }
    if (input.email !== undefined && !isEmailAddress(input.email)) {
      problems.push({
        field: '/body/email',
        message: said(`“${input.email}”不是有效的电子邮箱地址（形如 zhangsan@example.gov.cn）`, `is not a valid e-mail address (like zhangsan@example.gov.cn): "${input.email}"`),
      });
    }
    const robotProblem = input.robot && robotUrlProblem(input.robot.kind, input.robot.url, robotOrigins[input.robot.kind]);
    if (robotProblem) problems.push({ field: '/body/robot/url', message: robotProblem });
    if (problems.length > 0) throw invalidFields(problems);
  }

  return {
    /** The contacts a unit has now. */
    list(principal: Principal, unitId: number) {
      unitFor(principal, unitId);
      return contacts.ofUnit(unitId).map(contactView);
    },

    add(principal: Principal, requestId: string | null, unitId: number, input: ContactInput) {
      const unit = unitFor(principal, unitId);
      checkInput(input);
      if (unit.kind === 'collective') {
        throw unprocessable(
          '/params/id',
          said(`“${unit.name}”是统称，义务由其成员单位各自承担：请为成员单位登记联系人`, `names a collective, ${unit.name}: its member units owe the work; add contacts to them`),
        );
      }
      checkStanding(units, unit, '/params/id');
      const robot = input.robot && { kind: input.robot.kind, url: normalisedRobotUrl(input.robot.url) };
      const email = (address: string | null | undefined) => (address == null ? null : recipientKey('email', address));
      const robotUrl = (kind: RobotKind | null | undefined, url: string | null | undefined) => (kind == null || url == null ? null : recipientKey(kind, url));
      return transaction(() => {
        // A retried POST (the answer was lost) finds the contact it made: no twin, so no reminder goes out twice. The
        // address compared as mail servers and robots take it: Wang@MZJ.gov.cn is wang@mzj.gov.cn.
        const current = contacts.ofUnit(unitId);
        const same = current.find(
          (c) =>
            c.name === input.name &&
            email(c.email) === email(input.email) &&
            c.phone === (input.phone ?? null) &&
            robotUrl(c.robotKind, c.robotUrl) === robotUrl(robot?.kind, robot?.url),
        );
        if (same) return { created: false, contact: contactView(same) };
        if (current.length >= MAX_CONTACTS) {
          throw conflict(
            said(
              `${unit.name}已有 ${MAX_CONTACTS} 个联系人（上限）：请先删除不再需要的联系人。`,
              `${unit.name} already has ${MAX_CONTACTS} contacts, the most a unit may have: remove one no longer needed first.`,
            ),
          );
        }
        const at = now();
        const row = contacts.add({ unitId, name: input.name, email: input.email ?? null, phone: input.phone ?? null, robot: robot ?? null }, at);
        audit.record({ at, principal, action: 'unit_contact.add', entityType: 'unit_contact', entityId: row.id, before: null, after: audited(row), requestId });
        return { created: true, contact: contactView(row) };
      });
    },

    /** Removes a contact: no new reminder reaches it; what was sent to it stays on record. */
    remove(principal: Principal, requestId: string | null, unitId: number, contactId: number) {
      unitFor(principal, unitId);
      return transaction(() => {
        const row = contacts.get(contactId);
        if (!row || row.unitId !== unitId || row.removedAt !== null) throw notFound(CONTACT, contactId);
        const at = now();
        contacts.remove(contactId, at);
        audit.record({ at, principal, action: 'unit_contact.remove', entityType: 'unit_contact', entityId: row.id, before: audited(row), after: null, requestId });
        return { ...contactView(row), removedAt: at.toISOString() };
      });
    },
  };
}

export type ContactService = ReturnType<typeof createContactService>;
