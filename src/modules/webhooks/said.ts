import { said } from '../../domain/said.js';

export const WEBHOOK = said('推送订阅', 'webhook');
export const DELIVERY = said('推送消息', 'webhook delivery');

export const disabledSubscription = (id: number) =>
  said(`推送订阅 ${id} 已停用，不再发送消息；如需继续推送，请新建订阅`, `webhook ${id} is disabled and sends nothing; create a new subscription to resume`);

/** Changes carry the member units that do the work, never the collective: a subscription to it would receive nothing. */
export const collectiveSubscription = (name: string) =>
  said(
    `“${name}”是统称，变更都记在其成员单位名下，按统称订阅收不到任何消息：请为成员单位分别订阅，或不指定单位`,
    `names a collective, ${name}: changes are recorded under its member units, so it would receive nothing; subscribe its member units, each for itself, or leave out the unit`,
  );

/** A second active subscription like this one would deliver every message twice, under different webhook-ids. */
export const twinSubscription = (id: number) =>
  said(
    `已有推送订阅 ${id} 以相同的类型和单位推送到这个网址，仍在使用；再建一个会使每条消息送达两次。如需新的密钥，请先停用订阅 ${id}（DELETE /api/v1/webhooks/${id}），再重新订阅`,
    `webhook ${id} already sends the same types of the same unit to this URL and is active; a second one would deliver every message twice. To get a new secret, disable webhook ${id} (DELETE /api/v1/webhooks/${id}) and subscribe again`,
  );
