/**
 * Obligations coming due and overdue are changes the supervision sweep appends (src/modules/reminders): they queue
 * webhook messages in the sweep's transaction like any other change, for the unit's subscription.
 */
import t from 'tap';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { rows } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';
import { eventually, QUICK_WEBHOOKS, startReceiver } from '../../helpers/webhook-receiver.js';

let clock = new Date('2024-06-01T09:00:00+08:00');
const { app, databasePath } = await buildTestAppWithDatabase(t, { now: () => clock, webhooks: QUICK_WEBHOOKS });
const admin = issueKey(databasePath, 'admin');

t.test('the sweep’s obligation.due_soon and obligation.overdue reach the unit’s subscription', async (t) => {
  const receiver = await startReceiver(t, () => 204);
  const created = await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: admin.headers, payload: { url: receiver.url, types: ['obligation'], unit: '市财政局' } });
  t.equal(created.statusCode, 201);
  await app.reminders.sweep();
  clock = new Date('2024-07-01T09:00:00+08:00');
  await app.reminders.sweep();
  const owed = rows<{ type: string }>(databasePath, 'SELECT c.type FROM webhook_deliveries d JOIN changes c ON c.id = d.change_id ORDER BY d.id');
  t.ok(
    owed.some((d) => d.type === 'obligation.due_soon'),
    'due soon',
  );
  t.ok(
    owed.some((d) => d.type === 'obligation.overdue'),
    'overdue',
  );
  await eventually(() => rows(databasePath, "SELECT id FROM webhook_deliveries WHERE state = 'delivered'").length === owed.length);
  // The clock jumped a month while the first message was in flight: its claim looked lapsed, yet it went once.
  t.equal(receiver.accepted().length, owed.length, 'each sent once');
  const message = JSON.parse(receiver.accepted()[0]!.body) as { type: string; data: { resource: { type: string; href: string } } };
  t.match(message, { type: /^obligation\./, data: { resource: { type: 'obligation', href: /^\/api\/v1\/assignments\/\d+$/ } } }, 'an obligation links to its assignment');
});
