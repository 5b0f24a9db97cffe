import type { WebhookSettings } from '../../config.js';

/** What a failed attempt leads to: another try, or giving up once the message is older than the give-up time. */
export function afterFailure(
  settings: Pick<WebhookSettings, 'backoffBaseMs' | 'backoffMaxMs' | 'giveUpAfterMs'>,
  createdAt: Date,
  attemptsBefore: number,
  now: Date,
  random: () => number = Math.random,
): { state: 'pending'; next: Date } | { state: 'failed' } {
  const deadline = createdAt.getTime() + settings.giveUpAfterMs;
  if (now.getTime() >= deadline) return { state: 'failed' };
  // Exponential backoff with full jitter (a random wait up to the cap), so receivers coming back are not stampeded;
  // never past the deadline, so the last try is made at the give-up time.
  const cap = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.min(attemptsBefore, 30));
  return { state: 'pending', next: new Date(Math.min(now.getTime() + Math.floor(random() * cap), deadline)) };
}
