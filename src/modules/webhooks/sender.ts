import { performance } from 'node:perf_hooks';
import { fetch, type Dispatcher } from 'undici';
import type { AttemptOutcome, ClaimedMessage } from './deliveries.js';
import { messageBody } from './message.js';
import { messageId, signedHeaders } from './signing.js';
import { destinationProblem, type AddressPolicy, type Lookup } from './url-guard.js';

export const USER_AGENT = 'plan-tracker-webhooks/1.0 (Standard Webhooks 1.0)';

export interface SendOptions {
  policy: AddressPolicy;
  timeoutMs: number;
  lookup?: Lookup | undefined;
  /** Connects through `connectLookup`: the address connected to is checked, not only the one seen before. */
  connections: Dispatcher;
  /** Aborted when the server stops: the attempt ends unrecorded and the claim lapses. */
  stopping: AbortSignal;
  now: () => Date;
}

/** What a failed fetch says, without the URL (it may carry a receiver's token). */
function describe(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const text = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return text.slice(0, 500);
}

/**
 * One attempt: check the destination again (the name may resolve elsewhere now), POST the signed message, and say
 * what came of it. Redirects are not followed (a 3xx is a failure): one could point inside the network.
 */
export async function attemptDelivery(message: ClaimedMessage, options: SendOptions): Promise<AttemptOutcome> {
  const at = options.now();
  const started = performance.now();
  const outcome = (status: number | null, error: string | null): AttemptOutcome => ({ at: at.toISOString(), status, error, durationMs: Math.round(performance.now() - started) });
  const refused = await destinationProblem(message.url, options.policy, options.lookup);
  if (refused) return outcome(null, `refused: ${refused.en}`);
  const body = messageBody(message.change);
  // A timer of our own, not AbortSignal.timeout/any: on Node 20 those signals may be garbage-collected under load
  // before they fire, and a hanging receiver would then hold its slot for ever.
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, options.timeoutMs);
  const stop = () => abort.abort();
  options.stopping.addEventListener('abort', stop, { once: true });
  try {
    const response = await fetch(message.url, {
      method: 'POST',
      body,
      headers: signedHeaders(message.secret, messageId(message.deliveryId), body, at, USER_AGENT),
      redirect: 'manual',
      signal: abort.signal,
      dispatcher: options.connections,
    });
    // The status is the answer; the body is not read (a receiver's large or endless body must not hold the slot).
    try {
      await response.body?.cancel();
    } catch {
      // Nothing to learn from a body that cannot be cancelled: the status is the answer.
    }
    const ok = response.status >= 200 && response.status < 300;
    return outcome(response.status, ok ? null : `HTTP ${response.status}`);
  } catch (error) {
    return outcome(null, timedOut ? `timed out after ${options.timeoutMs} ms` : describe(error));
  } finally {
    clearTimeout(timer);
    options.stopping.removeEventListener('abort', stop);
  }
}
