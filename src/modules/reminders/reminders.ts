import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Reminders as ReminderConfig } from '../../config.js';
import { forbidden } from '../../domain/errors.js';
import { maskedEmail } from '../../domain/email.js';
import { said } from '../../domain/said.js';
import type { Principal } from '../auth/principal.js';
import type { UnitRepository } from '../units/repository.js';
import { createChannels, type Channel, type Channels } from './channels.js';
import { createDelivery, type DeliveryOutcome, type DeliveryResult } from './delivery.js';
import type { ReminderListFilters } from './repository.js';
import { maskedRobotUrl } from './robot-url.js';
import { startScheduler } from './scheduler.js';
import type { Stage } from './stages.js';
import { createSweep, type SweepDeps, type SweepResult } from './sweep.js';

/** What the sweep needs (its catch-up window comes from `config`), and what sending and listing need besides. */
export interface ReminderDeps extends Omit<SweepDeps, 'catchUpDays'> {
  units: UnitRepository;
  config: ReminderConfig;
  /** Tests may send through channels of their own; by default SMTP and the robots as configured. */
  channels?: Channels;
  onOutcome?: (channel: Channel, stage: Stage, outcome: DeliveryOutcome) => void;
  /** Told how long each sweep took, in seconds (metrics). */
  onSwept?: (seconds: number) => void;
  /** Told what each timer tick did (the log): counts only, never an address. */
  onTicked?: (swept: SweepResult, sent: DeliveryResult) => void;
  onError: (error: unknown) => void;
}

/**
 * Reminders that reach people: the supervision sweep and the sender, run by a timer inside the server every
 * `intervalSeconds` (each tick sweeps, then sends what is due), and the list of what was sent.
 */
export function createReminders(deps: ReminderDeps) {
  const { reminders, config } = deps;
  const channels = deps.channels ?? createChannels({ smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom, timeoutMs: config.sendTimeoutMs });
  const sweep = createSweep({ ...deps, catchUpDays: config.catchUpDays });
  const delivery = createDelivery({
    ...deps,
    channels,
    claimant: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    // A claim outlives the slowest send (the timeout) with room to record the outcome.
    leaseMs: 2 * config.sendTimeoutMs + 60_000,
  });
  async function timedSweep() {
    const start = performance.now();
    const result = await sweep.sweep();
    deps.onSwept?.((performance.now() - start) / 1000);
    return result;
  }
  const scheduler = startScheduler(
    config.intervalSeconds,
    async () => {
      const swept = await timedSweep();
      deps.onTicked?.(swept, await delivery.deliver());
    },
    deps.onError,
  );

  /** Whose reminders a caller reads: everyone's, or a reporter's own unit's (a `unit` naming another is refused). */
  function unitsReadBy(principal: Principal, unitIds: number[] | undefined): number[] | undefined {
    if (principal.role === 'admin' || principal.role === 'coordinator') return unitIds;
    const own = principal.role === 'reporter' ? principal.unitId : null;
    if (own === null || (unitIds !== undefined && !unitIds.includes(own))) {
      throw forbidden(said('填报密钥只能查看本单位收到的提醒。', 'A reporter key reads only the reminders of its own unit.'));
    }
    return [own];
  }

  return {
    sweep: timedSweep,
    deliver: delivery.deliver,
    /** One scheduler tick now: sweep, then send. */
    tick: scheduler.run,
    /** Stops the timer and waits for a running tick; then closes the SMTP transport. */
    async stop(): Promise<void> {
      await scheduler.stop();
      channels.close();
    },

    /** Reminders after `after`, with their messages; e-mail addresses masked for anyone but an admin. */
    list(principal: Principal, filters: ReminderListFilters, options: { after: number; limit: number }) {
      const page = reminders.page({ ...filters, unitIds: unitsReadBy(principal, filters.unitIds) }, options);
      const messages = reminders.messagesOf(page.rows.map((r) => r.id));
      const items = page.rows.map((r) => ({
        id: r.id,
        stage: r.stage,
        stageKey: r.stageKey,
        week: r.stage === 'still_overdue' ? Number(r.stageKey.split(':')[1]) : null,
        createdAt: r.createdAt,
        obligation: {
          id: r.obligationId,
          assignmentId: r.assignmentId,
          period: r.period,
          dueDate: r.dueDate,
          measure: { id: r.measureId, taskNo: r.taskNo, no: r.measureNo, text: r.measureText },
        },
        unit: deps.units.ref(r.unitId)!,
        report: r.reportId === null ? null : { id: r.reportId, note: reminders.returnNote(r.reportId, Number(r.stageKey.split(':')[2])) },
        subject: r.subject,
        text: r.body,
        messages: messages
          .filter((m) => m.reminderId === r.id)
          .map((m) => ({
            id: m.id,
            channel: m.channel,
            contact: { id: m.contactId, name: m.contactName },
            recipient: m.channel === 'email' ? (principal.role === 'admin' ? m.recipient : maskedEmail(m.recipient)) : maskedRobotUrl(m.channel, m.recipient),
            state: m.state,
            attempts: m.attempts,
            nextAttemptAt: m.nextAttemptAt,
            sentAt: m.sentAt,
            lastError: m.lastError,
          })),
      }));
      return { items, hasMore: page.hasMore };
    },
  };
}

export type ReminderService = ReturnType<typeof createReminders>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The reminders' sweep and sender (buildApp runs them on a timer; tests call them at the instants they choose). */
    reminders: ReminderService;
  }
}
