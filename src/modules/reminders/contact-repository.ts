import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { RobotKind } from '../../config.js';
import type { Db } from '../../db/client.js';
import { unitContacts } from '../../db/schema.js';
import { param } from '../../db/sql.js';

export interface NewContact {
  unitId: number;
  name: string;
  email: string | null;
  phone: string | null;
  robot: { kind: RobotKind; url: string } | null;
}

export type ContactRow = typeof unitContacts.$inferSelect;

/** A unit's contacts (personal data: read by those who manage them and by the sender, never put in the feed). */
export function createContactRepository(db: Db) {
  const insert = db
    .insert(unitContacts)
    .values({
      unitId: param('unitId'),
      name: param('name'),
      email: param('email'),
      phone: param('phone'),
      robotKind: param('robotKind'),
      robotUrl: param('robotUrl'),
      createdAt: param('createdAt'),
    })
    .returning()
    .prepare();
  const ofUnit = db
    .select()
    .from(unitContacts)
    .where(and(eq(unitContacts.unitId, param('unitId')), isNull(unitContacts.removedAt)))
    .orderBy(asc(unitContacts.id))
    .prepare();
  const byId = db
    .select()
    .from(unitContacts)
    .where(eq(unitContacts.id, param('id')))
    .prepare();
  const remove = db
    .update(unitContacts)
    .set({ removedAt: sql`${param('at')}` })
    .where(and(eq(unitContacts.id, param('id')), isNull(unitContacts.removedAt)))
    .prepare();

  return {
    add(contact: NewContact, at: Date): ContactRow {
      const { robot, ...rest } = contact;
      return insert.get({ ...rest, robotKind: robot?.kind ?? null, robotUrl: robot?.url ?? null, createdAt: at.toISOString() })!;
    },
    /** The contacts a unit has now, oldest first. */
    ofUnit: (unitId: number): ContactRow[] => ofUnit.all({ unitId }),
    get: (id: number): ContactRow | undefined => byId.get({ id }),
    /** Marks a contact removed (kept: messages sent to it still name it). */
    remove(id: number, at: Date): void {
      remove.run({ id, at: at.toISOString() });
    },
  };
}

export type ContactRepository = ReturnType<typeof createContactRepository>;
