import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookSettings } from '../../config.js';
import type { WebhookOutcome } from '../../plugins/metrics.js';
import { afterFailure } from './backoff.js';
import type { ClaimedMessage, DeliveryRepository } from './deliveries.js';
import { Agent } from 'undici';
import { attemptDelivery } from './sender.js';
import { connectLookup, type Lookup } from './url-guard.js';

export interface DispatcherDeps {
  deliveries: DeliveryRepository;
  /** Runs `work` in a write transaction and resolves once it is durable (group commit). */
  write: <T>(work: () => T) => Promise<T>;
  now: () => Date;
  settings: WebhookSettings;
  log: FastifyBaseLogger;
  lookup?: Lookup | undefined;
  /** Told of each attempt's outcome (metrics). */
  onOutcome?: (outcome: WebhookOutcome) => void;
}

/** A claim outlives the attempt it covers: the timeout, the address check and recording the outcome. */
const CLAIM_MARGIN_MS = 60_000;
/** How often, and how long apart, recording an outcome is retried when the database is busy (another process writes). */
const RECORD_RETRIES = 20;
const RECORD_RETRY_MS = 50;

/**
 * After a claim that took t ms, the next waits at least this many times t: claiming (a pass over the outbox, on the
 * event loop) never takes more than about a tenth of the server's time, however deep the outbox.
 */
const CLAIM_SPACING = 10;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the outbox's messages from this server process: every poll interval it claims the due ones for free slots
 * (at most `concurrency` in flight), sends each, records the attempt and its outcome. A receiver that hangs holds a
 * slot until the timeout and nothing else: requests never wait on a receiver. Processes sharing the database claim
 * with conditional updates, so a message is never sent by two at once; one that dies leaves claims that lapse.
 */
export function startDispatcher(deps: DispatcherDeps) {
  const { deliveries, settings, now, log } = deps;
  const claimer = `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  // The deliveries this process is sending: a claim judged lapsed by a clock that jumped ahead is never sent twice here.
  const sending = new Set<number>();
  const connections = new Agent({ connect: { lookup: connectLookup(settings, deps.lookup) } });
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  let nextClaimAt = 0;

  async function record(message: ClaimedMessage, work: () => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.write(work);
        return;
      } catch (error) {
        if (stopping.signal.aborted || attempt >= RECORD_RETRIES) {
          log.warn({ err: error, deliveryId: message.deliveryId }, 'webhook attempt not recorded; the message will be sent again when its claim lapses');
          return;
        }
        await pause(RECORD_RETRY_MS * attempt);
      }
    }
  }

  async function send(message: ClaimedMessage): Promise<void> {
    const outcome = await attemptDelivery(message, { policy: settings, timeoutMs: settings.timeoutMs, lookup: deps.lookup, connections, stopping: stopping.signal, now });
    if (stopping.signal.aborted) return;
    const delivered = outcome.error === null;
    const result = delivered ? ({ state: 'delivered' } as const) : afterFailure(settings, new Date(message.createdAt), message.attempts, now());
    await record(message, () => deliveries.settle(claimer, message.deliveryId, outcome, result));
    deps.onOutcome?.(delivered ? 'delivered' : result.state === 'failed' ? 'gave_up' : 'failed_attempt');
    if (!delivered) log.info({ deliveryId: message.deliveryId, status: outcome.status, error: outcome.error, next: result.state }, 'webhook attempt failed');
  }

  function schedule(delayMs: number): void {
    if (stopping.signal.aborted) return;
    clearTimeout(timer);
    // Unref'd: the dispatcher alone never keeps a process alive (an attempt in flight does, until its timeout).
    timer = setTimeout(() => void tick(), Math.max(delayMs, nextClaimAt - performance.now())).unref();
  }

  async function tick(): Promise<void> {
    if (ticking || stopping.signal.aborted) return;
    ticking = true;
    try {
      const free = settings.concurrency - inFlight.size;
      if (free <= 0) return;
      const at = now();
      // A read first: no write transaction (no lock taken) when nothing is due, which is most polls.
      if (!deliveries.anyDue(at)) return;
      const claimed = await deps.write(() => {
        const started = performance.now();
        const messages = deliveries.claim(claimer, at, new Date(at.getTime() + settings.timeoutMs + CLAIM_MARGIN_MS), free);
        nextClaimAt = started + CLAIM_SPACING * (performance.now() - started);
        return messages;
      });
      // Stopped meanwhile: what was just claimed is left for its claim to lapse.
      if (stopping.signal.aborted) return;
      for (const message of claimed.filter((m) => !sending.has(m.deliveryId))) {
        sending.add(message.deliveryId);
        const attempt = send(message).finally(() => {
          inFlight.delete(attempt);
          sending.delete(message.deliveryId);
          // A slot came free: look again at once rather than a poll interval later.
          schedule(0);
        });
        inFlight.add(attempt);
      }
    } catch (error) {
      // The database is busy (another process writes) or closing: try again at the next poll.
      if (!stopping.signal.aborted) log.debug({ err: error }, 'webhook dispatcher could not claim messages');
    } finally {
      ticking = false;
      schedule(settings.pollIntervalMs);
    }
  }

  schedule(settings.pollIntervalMs);
  return {
    claimer,
    /** Stops claiming, aborts the attempts in flight (their claims lapse: sent again later) and waits for them. */
    async stop(): Promise<void> {
      stopping.abort();
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
      await connections.destroy();
    },
  };
}

export type Dispatcher = ReturnType<typeof startDispatcher>;
