import { said } from '../../domain/said.js';

export const WEBHOOK = said('推送订阅', 'webhook');
export const DELIVERY = said('推送消息', 'webhook delivery');

export const disabledSubscription = (id: number) =>
  said(`推送订阅 ${id} 已停用，不再发送消息；如需继续推送，请新建订阅`, `webhook ${id} is disabled and sends nothing; create a new subscription to resume`);
