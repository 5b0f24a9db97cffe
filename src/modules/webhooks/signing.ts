import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets: `whsec_` and the base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The message id a receiver deduplicates by: the same on every retry and redelivery of one delivery. */
export const messageId = (deliveryId: number) => `msg_${deliveryId}`;

/** `v1,` and the base64 HMAC-SHA256, keyed with the secret's bytes, of `${id}.${timestamp}.${body}` (Standard Webhooks 1.0). */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The headers of one attempt: its own timestamp (unix seconds), so a receiver can refuse replays. */
export function signedHeaders(secret: string, id: string, body: string, at: Date, userAgent: string): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature(secret, id, timestamp, body),
  };
}
