import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { units, webhookSubscriptions } from '../../db/schema.js';
import { param } from '../../db/sql.js';

export interface NewSubscription {
  url: string;
  types: string[];
  unitId: number | null;
  description: string | null;
  secret: string;
  createdByKeyId: number | null;
}

/** Everything but the secret: what every answer and audit entry shows. */
const shownColumns = {
  id: webhookSubscriptions.id,
  url: webhookSubscriptions.url,
  types: webhookSubscriptions.types,
  unitId: webhookSubscriptions.unitId,
  unitName: units.name,
  description: webhookSubscriptions.description,
  createdAt: webhookSubscriptions.createdAt,
  disabledAt: webhookSubscriptions.disabledAt,
};

type Row = { types: string } & Omit<typeof webhookSubscriptions.$inferSelect, 'secret' | 'types' | 'createdByKeyId' | 'version'> & { unitName: string | null };

const subscriptionOf = (row: Row) => ({ ...row, types: JSON.parse(row.types) as string[], active: row.disabledAt === null });
export type Subscription = ReturnType<typeof subscriptionOf>;

/** Webhook subscriptions. The secret goes in once and never comes out here: the dispatcher reads it with the message. */
export function createSubscriptionRepository(db: Db) {
  const selectShown = () => db.select(shownColumns).from(webhookSubscriptions).leftJoin(units, eq(units.id, webhookSubscriptions.unitId));
  const byId = selectShown()
    .where(eq(webhookSubscriptions.id, param('id')))
    .prepare();
  const page = selectShown().orderBy(asc(webhookSubscriptions.id)).limit(param('limit')).offset(param('offset')).prepare();
  const total = db.select({ n: count() }).from(webhookSubscriptions).prepare();
  const insert = db
    .insert(webhookSubscriptions)
    .values({
      url: param('url'),
      types: param('types'),
      unitId: param('unitId'),
      description: param('description'),
      secret: param('secret'),
      createdAt: param('createdAt'),
      createdByKeyId: param('createdByKeyId'),
    })
    .returning({ id: webhookSubscriptions.id })
    .prepare();
  const activeAt = selectShown()
    .where(and(eq(webhookSubscriptions.url, param('url')), isNull(webhookSubscriptions.disabledAt)))
    .orderBy(asc(webhookSubscriptions.id))
    .prepare();
  const secret = db
    .select({ secret: webhookSubscriptions.secret })
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.id, param('id')))
    .prepare();
  const disable = db
    .update(webhookSubscriptions)
    .set({ disabledAt: sql`${param('at')}`, version: sql`${webhookSubscriptions.version} + 1` })
    .where(sql`${webhookSubscriptions.id} = ${param('id')} AND ${webhookSubscriptions.disabledAt} IS NULL`)
    .prepare();

  return {
    create(subscription: NewSubscription, at: Date): Subscription {
      const { id } = insert.get({ ...subscription, types: JSON.stringify(subscription.types), createdAt: at.toISOString() })!;
      return subscriptionOf(byId.get({ id })!);
    },

    get(id: number): Subscription | undefined {
      const row = byId.get({ id });
      return row && subscriptionOf(row);
    },

    list(options: { limit: number; offset: number }) {
      return { items: page.all(options).map(subscriptionOf), total: total.get()!.n };
    },

    /** The active subscription sending the same types (in any order) of the same unit to `url`, if there is one. */
    activeTwin(url: string, types: string[], unitId: number | null): Subscription | undefined {
      const same = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
      return activeAt
        .all({ url })
        .map(subscriptionOf)
        .find((s) => s.unitId === unitId && same(s.types, types));
    },

    /** The signing secret, for an Idempotency-Key replay of the answer that first showed it. */
    secretOf(id: number): string | undefined {
      return secret.get({ id })?.secret;
    },

    /** Stops the subscription (its pending messages are no longer sent); true if it was active. */
    disable(id: number, at: Date): boolean {
      return disable.run({ id, at: at.toISOString() }).changes === 1;
    },
  };
}

export type SubscriptionRepository = ReturnType<typeof createSubscriptionRepository>;
