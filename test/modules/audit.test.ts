import Database from 'better-sqlite3';
import t from 'tap';
import { buildTestAppWithDatabase } from '../helpers/app.js';
import { issueKey } from '../helpers/keys.js';

const { app, databasePath } = await buildTestAppWithDatabase(t);
const reporter = issueKey(databasePath, 'reporter', '市民政局');
const coordinator = issueKey(databasePath, 'coordinator');
const admin = issueKey(databasePath, 'admin');
const measure = (await app.inject('/api/v1/measures?unit=市民政局&limit=1')).json().items[0] as { id: number };

interface AuditEvent {
  id: number;
  action: string;
  keyId: number | null;
  unitId: number | null;
  role: string | null;
  entityId: number | null;
  before: { state?: string; status?: string } | null;
  after: { state?: string; status?: string } | null;
  requestId: string | null;
}
const audit = async (query = '&limit=500') => (await app.inject({ url: `/api/v1/audit-events?${query}`, headers: coordinator.headers })).json();

t.test('every write leaves who, what, when and before/after', async (t) => {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { ...reporter.headers, 'x-request-id': 'audit-test-1' },
    payload: { measureId: measure.id, period: '2024', status: 'in_progress' },
  });
  const report = created.json() as { id: number; etag: string };
  await app.inject({ method: 'PATCH', url: `/api/v1/reports/${report.id}`, headers: { ...reporter.headers, 'if-match': report.etag }, payload: { status: 'completed' } });
  await app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/submit`, headers: reporter.headers });
  await app.inject({ method: 'POST', url: `/api/v1/reports/${report.id}/return`, headers: coordinator.headers, payload: { note: '补充' } });
  await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin.headers, payload: { name: '只读', role: 'reader' } });

  const events = (await audit()).items as AuditEvent[];
  const forReport = events.filter((e) => e.entityId === report.id && e.action.startsWith('report.'));
  t.same(
    forReport.map((e) => e.action),
    ['report.create', 'report.update', 'report.submit', 'report.return'],
  );
  t.match(forReport[0], { keyId: reporter.id, unitId: reporter.unitId, role: 'reporter', before: null, after: { state: 'draft' }, requestId: 'audit-test-1' });
  t.match(forReport[1], { before: { status: 'in_progress' }, after: { status: 'completed' } });
  t.match(forReport[3], { keyId: coordinator.id, role: 'coordinator', before: { state: 'submitted' }, after: { state: 'returned' } });
  t.ok(events.some((e) => e.action === 'apikey.create' && e.keyId === admin.id));

  const filtered = (await audit(`entityType=report&entityId=${report.id}&action=report.submit`)).items as AuditEvent[];
  t.same(
    filtered.map((e) => e.action),
    ['report.submit'],
  );
  const byUnit = (await audit('unit=市民政局&limit=500')).items as AuditEvent[];
  t.ok(byUnit.length >= 3 && byUnit.every((e) => e.unitId === reporter.unitId));
});

t.test('pages follow the id cursor', async (t) => {
  const all = (await audit()).items as AuditEvent[];
  const seen: number[] = [];
  let after: number | null = 0;
  while (after !== null) {
    const page: { items: AuditEvent[]; nextCursor: number | null } = await audit(`limit=2&after=${after}`);
    seen.push(...page.items.map((e) => e.id));
    after = page.nextCursor;
  }
  t.same(
    seen,
    all.map((e) => e.id),
  );
});

t.test('a refused write leaves no audit event', async (t) => {
  const before = (await audit()).total;
  await app.inject({ method: 'POST', url: '/api/v1/reports', headers: reporter.headers, payload: { measureId: measure.id, period: '1999', status: 'in_progress' } });
  t.equal((await audit()).total, before);
});

t.test('audit rows are append-only in the database itself', async (t) => {
  const db = new Database(databasePath);
  t.teardown(() => db.close());
  t.throws(() => db.prepare("UPDATE audit_events SET action = 'forged'").run(), /append-only/);
  t.throws(() => db.prepare('DELETE FROM audit_events').run(), /append-only/);
});

t.test('only admins and coordinators read the audit trail', async (t) => {
  t.equal((await app.inject({ url: '/api/v1/audit-events', headers: reporter.headers })).statusCode, 403);
  t.equal((await app.inject({ url: '/api/v1/audit-events', headers: admin.headers })).statusCode, 200);
  t.equal((await app.inject('/api/v1/audit-events')).statusCode, 401);
  t.equal((await app.inject({ url: '/api/v1/audit-events?since=yesterday', headers: admin.headers })).statusCode, 400);
});
