import { conflict, invalidField, notFound, unprocessable } from '../../domain/errors.js';
import type { AuditRepository } from '../audit/repository.js';
import { requestHashOf, type IdempotencyStore, type StoredResponse } from '../idempotency/store.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRepository } from '../units/repository.js';
import { resolveStanding } from '../units/standing.js';
import type { DeliveryRepository, DeliveryState } from './deliveries.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Subscription, SubscriptionRepository } from './repository.js';
import { collectiveSubscription, DELIVERY, disabledSubscription, twinSubscription, WEBHOOK } from './said.js';
import { newSecret } from './signing.js';
import { subscribedTypes } from './types.js';
import { destinationProblem, normalUrl, urlFormProblem, type AddressPolicy, type Lookup } from './url-guard.js';

export interface WebhookServiceDeps {
  transaction: <T>(work: () => T) => T;
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  log: DeliveryLog;
  units: UnitRepository;
  audit: AuditRepository;
  idempotency: IdempotencyStore;
  now: () => Date;
  policy: AddressPolicy;
  lookup?: Lookup | undefined;
}

export interface NewWebhook {
  url: string;
  types: string[];
  unit?: string | undefined;
  description?: string | undefined;
}

interface Caller {
  principal: Principal;
  requestId: string;
}

/** What `subscribe` answers: the subscription, its secret, and whether this is the replay of an earlier answer. */
export interface Subscribed {
  webhook: Subscription;
  secret: string;
  replayed: boolean;
}

const ROUTE = 'POST /webhooks';

/** Subscriptions and their deliveries, as admins manage them; the secret is made here and shown once. */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { transaction, subscriptions, audit, now } = deps;

  /** The first answer to a request repeated under its Idempotency-Key. */
  function replayOf(stored: StoredResponse): Subscribed {
    const { webhook } = stored.body as { webhook: Subscription };
    return { webhook, secret: subscriptions.secretOf(webhook.id)!, replayed: true };
  }

  function existing(id: number) {
    const subscription = subscriptions.get(id);
    if (!subscription) throw notFound(WEBHOOK, id);
    return subscription;
  }

  return {
    /**
     * Checks everything before anything is stored: types, the URL's form, the unit, then where the URL leads. A retry
     * under the same Idempotency-Key answers the first answer again (its secret read back from the subscription); an
     * active subscription sending the same types of the same unit to the same URL is a 409, not a twin that would
     * deliver every message twice.
     */
    async subscribe(input: NewWebhook, { principal, requestId }: Caller, idempotencyKey?: string): Promise<Subscribed> {
      const request = idempotencyKey === undefined ? undefined : { keyId: principal.keyId, idempotencyKey, route: ROUTE, requestHash: requestHashOf(ROUTE, input), now: now() };
      // A replay answers at once, before the DNS lookup: nothing new is made.
      const early = request && deps.idempotency.begin(request).replay;
      if (early) return replayOf(early);
      const types = subscribedTypes(input.types);
      const form = urlFormProblem(input.url);
      if (form) throw invalidField('/body/url', form);
      const unit = input.unit === undefined ? undefined : resolveStanding(deps.units, input.unit, '/body/unit');
      if (unit?.kind === 'collective') throw unprocessable('/body/unit', collectiveSubscription(unit.name));
      // Stored as it is called: a receiver's owner reading the subscription sees the address the messages go to.
      const url = normalUrl(input.url);
      const destination = await destinationProblem(url, deps.policy, deps.lookup);
      if (destination) throw unprocessable('/body/url', destination);
      return transaction(() => {
        // Asked again in the transaction: the same request, retried while this one awaited DNS, may have finished.
        const pending = request && deps.idempotency.begin(request);
        if (pending?.replay) return replayOf(pending.replay);
        const unitId = unit?.id ?? null;
        const twin = subscriptions.activeTwin(url, types, unitId);
        if (twin) throw conflict(twinSubscription(twin.id));
        const secret = newSecret();
        const webhook = subscriptions.create({ url, types, unitId, description: input.description ?? null, secret, createdByKeyId: principal.keyId }, now());
        // The audit trail records the subscription as every later answer shows it: without the secret.
        audit.record({ at: now(), principal, action: 'webhook.create', entityType: 'webhook', entityId: webhook.id, before: null, after: webhook, requestId });
        // Kept without the secret too: a replay reads it back from the subscription, its one home.
        pending?.remember({ status: 201, body: { webhook } });
        return { webhook, secret, replayed: false };
      });
    },

    get: existing,

    list: (page: { limit: number; offset: number }) => subscriptions.list(page),

    /** Stops sending (pending messages fail unsent); disabling a disabled subscription changes nothing. */
    disable(id: number, { principal, requestId }: Caller) {
      return transaction(() => {
        const before = existing(id);
        if (subscriptions.disable(id, now())) {
          deps.deliveries.abandon(id);
          const after = existing(id);
          audit.record({ at: now(), principal, action: 'webhook.disable', entityType: 'webhook', entityId: id, before, after, requestId });
          return after;
        }
        return before;
      });
    },

    deliveries(id: number, filters: { state?: DeliveryState | undefined }, page: { after: number; limit: number }) {
      existing(id);
      return deps.log.page(id, filters, page);
    },

    /** Queues a delivery again, due now, with the same webhook-id (receivers deduplicate by it). */
    redeliver(id: number, deliveryId: number, { principal, requestId }: Caller) {
      return transaction(() => {
        const subscription = existing(id);
        if (!subscription.active) throw conflict(disabledSubscription(id));
        if (!deps.log.get(id, deliveryId)) throw notFound(DELIVERY, deliveryId);
        deps.deliveries.redeliver(deliveryId, now());
        audit.record({ at: now(), principal, action: 'webhook.redeliver', entityType: 'webhook', entityId: id, before: null, after: { deliveryId }, requestId });
        return deps.log.shown(id, deliveryId)!;
      });
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
