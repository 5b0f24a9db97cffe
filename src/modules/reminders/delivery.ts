import { maskedEmail } from '../../domain/email.js';
import type { Channel, Channels, SendOutcome } from './channels.js';
import type { ClaimedMessage, ReminderRepository } from './repository.js';
import { maskedRobotUrl } from './robot-url.js';
import type { Stage } from './stages.js';

/** Attempts before a message is given up (failed): the first and four retries, 1, 4, 16 and 64 minutes apart. */
export const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 60_000;
/** Messages claimed and sent at once; a tick sends at most ROUNDS of them, the rest at the next tick. */
const CLAIM_BATCH = 20;
const ROUNDS = 50;

export type DeliveryOutcome = 'sent' | 'retry' | 'failed';

export interface DeliveryDeps {
  transaction: <T>(work: () => T) => T;
  settled: () => Promise<void>;
  /** Resolves when no long write (a bulk import) holds the database: awaited before each write. */
  idle: () => Promise<void>;
  reminders: ReminderRepository;
  channels: Pick<Channels, 'send'>;
  now: () => Date;
  /** Who claims: unique per running app, so that two processes on one database never send one message both. */
  claimant: string;
  /** How long a claim holds: past it (the claimant died mid-send), another process may send the message. */
  leaseMs: number;
  /** Told of each message's outcome (metrics). */
  onOutcome?: (channel: Channel, stage: Stage, outcome: DeliveryOutcome) => void;
}

export interface DeliveryResult {
  sent: number;
  retried: number;
  failed: number;
}

/** An error as it is kept and shown: a mail server quoting the address, or a robot's token, shown masked as the recipient is. */
function withoutAddress(error: string, message: ClaimedMessage): string {
  const masked = message.channel === 'email' ? maskedEmail(message.recipient) : maskedRobotUrl(message.channel, message.recipient);
  return error.split(message.recipient).join(masked);
}

/** The wait before attempt `attempts + 1`: 1, 4, 16, 64 minutes. */
export const retryDelayMs = (attempts: number) => FIRST_RETRY_MS * 4 ** (attempts - 1);

/**
 * Sends what is due: claims pending messages (a conditional UPDATE, committed before anything is sent), sends them
 * concurrently — each bounded by the channel's timeout, never on a request's path — and records each outcome: sent,
 * retried later with backoff, or failed (a final answer such as an unknown mailbox, a wrong robot token, no SMTP
 * configured, the contact removed, or the last attempt).
 */
export function createDelivery(deps: DeliveryDeps) {
  const { transaction, settled, reminders, channels, now, claimant, leaseMs } = deps;

  function send(message: ClaimedMessage): Promise<SendOutcome> {
    if (message.contactRemovedAt !== null) return Promise.resolve({ ok: false, error: `contact removed at ${message.contactRemovedAt}`, permanent: true });
    return channels.send({ channel: message.channel, recipient: message.recipient, subject: message.subject, text: message.body });
  }

  function recordOutcome(message: ClaimedMessage, sent: SendOutcome, at: Date): DeliveryOutcome | undefined {
    if (sent.ok) return reminders.sent(message.id, claimant, at.toISOString()) ? 'sent' : undefined;
    const outcome = { ...sent, error: withoutAddress(sent.error, message) };
    if (outcome.permanent || message.attempts >= MAX_ATTEMPTS) return reminders.failed(message.id, claimant, outcome.error) ? 'failed' : undefined;
    const next = new Date(at.getTime() + retryDelayMs(message.attempts)).toISOString();
    return reminders.retryAt(message.id, claimant, next, outcome.error) ? 'retry' : undefined;
  }

  return {
    async deliver(): Promise<DeliveryResult> {
      const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        await deps.idle();
        const at = now();
        const ids = transaction(() => reminders.claim(claimant, at.toISOString(), new Date(at.getTime() + leaseMs).toISOString(), CLAIM_BATCH));
        await settled(); // the claim is on disk before anything is sent (and the write lock is let go)
        if (ids.length === 0) break;
        const claimed = reminders.claimed(ids);
        const outcomes = await Promise.all(claimed.map(send));
        await deps.idle();
        const done = now();
        const recorded = transaction(() => claimed.map((message, i) => recordOutcome(message, outcomes[i]!, done)));
        await settled();
        recorded.forEach((outcome, i) => {
          if (outcome === undefined) return; // the claim had lapsed and another process took the message over
          result[outcome === 'retry' ? 'retried' : outcome]++;
          deps.onOutcome?.(claimed[i]!.channel, claimed[i]!.stage, outcome);
        });
      }
      return result;
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;
