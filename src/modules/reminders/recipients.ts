import type { Channel } from './channels.js';
import { normalisedRobotUrl } from './robot-url.js';

/**
 * Who a message reaches, as compared to tell one recipient from another: an e-mail address lower-cased whole (domains
 * are case-insensitive, and no office mail server tells `Wang@` from `wang@`), a robot by its normalised address.
 */
export function recipientKey(channel: Channel, recipient: string): string {
  return `${channel} ${channel === 'email' ? recipient.toLowerCase() : normalisedRobotUrl(recipient)}`;
}
