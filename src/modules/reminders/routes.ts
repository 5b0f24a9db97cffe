import type { ApiInstance } from '../../http/app-types.js';
import { parseInstant } from '../../http/calendar.js';
import { problemResponses } from '../../http/problem.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { UnitResolver } from '../units/resolve-filter.js';
import type { ReminderService } from './reminders.js';
import { ReminderPageSchema, RemindersQuery } from './schemas.js';

/** What was sent to whom: every reminder the sweep made, with each message's delivery. */
export function registerReminderRoutes(app: ApiInstance, { reminders, units }: { reminders: ReminderService; units: UnitResolver }): void {
  app.get(
    '/reminders',
    {
      onRequest: allow(['admin', 'coordinator', 'reporter']),
      schema: {
        tags: ['reminders'],
        operationId: 'listReminders',
        summary: 'Reminders sent (提醒 / 催办)',
        description:
          'Every reminder the supervision sweep made, oldest first: the stage an obligation reached (due_soon 临近提醒, overdue 到期催办, still_overdue 逾期第N周催办, returned 报告被退回), the obligation and unit, the text, and each message to the unit’s contacts with its delivery (pending, sent, failed; attempts and the last error). Keep `nextCursor` and pass it as `after` next time. Admins and coordinators see every unit’s, a reporter its own unit’s (naming another unit is a 403); e-mail addresses are masked except for admins, robot tokens always.',
        security: [{ bearerAuth: [] }],
        querystring: RemindersQuery,
        response: { 200: ReminderPageSchema, ...problemResponses(400, 403) },
      },
    },
    async (request) => {
      const { unit, stage, since, after, limit } = request.query;
      const filters = { unitIds: units.owingUnits('unit', unit), stage, since: since === undefined ? undefined : parseInstant(since, 'day-start').toISOString() };
      const page = reminders.list(callerOf(request), filters, { after, limit });
      return { items: page.items, limit, nextCursor: page.items.at(-1)?.id ?? after, hasMore: page.hasMore };
    },
  );
}
