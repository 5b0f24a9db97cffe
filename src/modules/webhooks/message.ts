import { shown } from '../changes/shown.js';
import type { Change } from '../changes/repository.js';

/**
 * The body of a webhook (Standard Webhooks' payload shape): the change's type, when it happened, and the change as
 * the feed shows it. The same bytes on every attempt, so a receiver may compare retries.
 */
export function messageBody(change: Change): string {
  return JSON.stringify({ type: change.type, timestamp: change.at, data: shown(change) });
}
