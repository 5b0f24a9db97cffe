import t from 'tap';
import { openDatabase } from '../../../src/db/client.js';
import { createGroupCommit } from '../../../src/db/group-commit.js';
import { createAuditRepository } from '../../../src/modules/audit/repository.js';
import type { Principal } from '../../../src/modules/auth/principal.js';
import { createApiKeyRepository } from '../../../src/modules/auth/repository.js';
import { createReportRepository } from '../../../src/modules/reports/repository.js';
import { createReportService } from '../../../src/modules/reports/service.js';
import { etagOf, ifMatchHolds } from '../../../src/modules/reports/etag.js';
import { titleOf } from '../../../src/http/problem.js';
import { createUnitRepository } from '../../../src/modules/units/repository.js';
import { DomainError } from '../../../src/domain/errors.js';
import { problemOfDomainError } from '../../../src/plugins/errors.js';
import { loadSeed } from '../../../src/seed/load-seed.js';
import { tempDatabasePath } from '../../helpers/app.js';

const db = openDatabase(tempDatabasePath(t));
loadSeed(db);
const groupCommit = createGroupCommit(db.$client);
t.teardown(() => {
  groupCommit.flush();
  db.$client.close();
});
const units = createUnitRepository(db);
const keys = createApiKeyRepository(db);
let clock = new Date('2024-10-08T02:00:00Z');
const service = createReportService({ transaction: groupCommit.transaction, reports: createReportRepository(db), units, audit: createAuditRepository(db), now: () => clock });

/** A principal backed by a real key row (reports reference the key that wrote them). */
function principal(role: Principal['role'], unitName?: string): Principal {
  const unitId = unitName === undefined ? null : units.resolve(unitName)!.id;
  const { key } = keys.create({ name: `${role} ${unitName ?? ''}`, role, unitId, expiresAt: null }, clock);
  return { keyId: key.id, name: key.name, role, unitId };
}
const actor = (p: Principal) => ({ principal: p, requestId: null });
const status = (work: () => unknown) => {
  try {
    work();
    return 200;
  } catch (error) {
    if (error instanceof DomainError) return problemOfDomainError(error).status;
    throw error;
  }
};

/** The problem a refused call throws, as the API would send it: status, detail and the fields named. */
const problem = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) {
      // Told in English, as a client asking for it reads it.
      const answered = problemOfDomainError(error);
      const errors = answered.errors?.map(({ field, message }) => ({ field, message: message.en }));
      return { status: answered.status, title: titleOf(answered.status).en, detail: answered.detail.en, errors };
    }
    throw error;
  }
  return undefined;
};

const task4 = db.$client.prepare('SELECT m.id FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.no = 4 ORDER BY m.position').pluck().all() as number[];
const [civilAffairsMeasure, marketMeasure] = task4; // owned by 市民政局 and 市市场监管局; task 4 is led by both

const task1Measure = db.$client.prepare('SELECT m.id FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.no = 1').pluck().get() as number;
const task21Measure = db.$client.prepare('SELECT m.id FROM measures m JOIN tasks t ON t.id = m.task_id WHERE t.no = 21').pluck().get() as number;

t.test('who may report: the units a measure is assigned to, and no other', async (t) => {
  const civil = principal('reporter', '市民政局');
  const county = principal('reporter', '海伦市');
  const zone = principal('reporter', '市经开区');
  const police = principal('reporter', '市公安局');
  const input = (measureId: number) => ({ measureId, period: '2024', status: 'in_progress' as const });
  t.equal(status(() => service.resolveTarget(civil, input(civilAffairsMeasure!), '/body')), 200, 'the owner the measure names');
  t.equal(status(() => service.resolveTarget(county, input(civilAffairsMeasure!), '/body')), 403, 'a measure naming its owner is not owed by the task’s responsible collective');
  t.equal(status(() => service.resolveTarget(zone, input(civilAffairsMeasure!), '/body')), 403, 'nor by a responsible unit named directly');
  t.equal(status(() => service.resolveTarget(police, input(civilAffairsMeasure!), '/body')), 403, 'neither owner nor responsible');
  // Task 1's measure names no owner: the task's responsible units owe it, collectives expanded to their members.
  t.equal(status(() => service.resolveTarget(county, input(task1Measure), '/body')), 200, 'a member of 各县(市、区)人民政府, a responsible unit');
  t.equal(status(() => service.resolveTarget(zone, input(task1Measure), '/body')), 200, 'a responsible unit named directly');
  t.equal(status(() => service.resolveTarget(police, input(task1Measure), '/body')), 200, 'a member of 中省市直各有关单位');
  t.equal(status(() => service.resolveTarget(principal('coordinator'), input(civilAffairsMeasure!), '/body')), 403, 'coordinators review, they do not report');
  // A withdrawn assignment no longer lets its unit report.
  const helun = db.$client.prepare("SELECT id FROM units WHERE name = '海伦市人民政府'").pluck().get() as number;
  db.$client.prepare("UPDATE assignments SET withdrawn_at = '2024-01-01T00:00:00.000Z', withdrawn_reason = 'test' WHERE measure_id = ? AND unit_id = ?").run(task1Measure, helun);
  t.equal(status(() => service.resolveTarget(county, input(task1Measure), '/body')), 403, 'withdrawn');
  db.$client.prepare('UPDATE assignments SET withdrawn_at = NULL, withdrawn_reason = NULL WHERE measure_id = ? AND unit_id = ?').run(task1Measure, helun);
});

t.test('reviewers: coordinators, admins, and a lead unit reviewing another unit on the part it leads', async (t) => {
  const civil = principal('reporter', '市民政局');
  const market = principal('reporter', '市市场监管局');
  const reform = principal('reporter', '市发改委');
  const reader = principal('reader');
  const submitted = (measureId: number, by: Principal, period: string) =>
    service.write(actor(by), { measureId, period, status: 'completed', submit: true }).report;

  const civilReport = submitted(civilAffairsMeasure!, civil, '2023');
  t.equal(status(() => service.approve(actor(civil), civilReport.id, null, undefined)), 403, 'no unit approves its own report');
  t.equal(status(() => service.approve(actor(reader), civilReport.id, null, undefined)), 403);
  const zone = principal('reporter', '市经开区');
  t.equal(status(() => service.approve(actor(zone), civilReport.id, null, undefined)), 403, 'a responsible unit of task 4, named directly, does not approve');
  t.equal(status(() => service.return(actor(zone), civilReport.id, '退回', undefined)), 403, 'nor return');
  // Task 4's leads each lead their own part (按职责分别牵头): 市民政局's measure is not 市市场监管局's part.
  t.equal(status(() => service.approve(actor(market), civilReport.id, '牵头单位审核通过', undefined)), 403, 'a co-lead does not review another lead’s part');
  t.equal(status(() => service.approve(actor(principal('coordinator')), civilReport.id, null, undefined)), 200);
  t.equal(service.get(civil, civilReport.id).state, 'approved');
  // Task 21's one measure names no owner: its leads lead it all (each its sector), the counties and the zone owe it.
  const county21 = submitted(task21Measure, principal('reporter', '海伦市'), '2023');
  t.equal(status(() => service.approve(actor(reform), county21.id, '牵头单位审核通过', undefined)), 200, 'a lead of the measure reviews a county’s report on it');

  const marketReport = submitted(marketMeasure!, market, '2023');
  t.equal(status(() => service.return(actor(principal('coordinator')), marketReport.id, '缺少台账', undefined)), 200);
  t.match(service.history(market, marketReport.id).map((e) => [e.action, e.note]), [
    ['created', null],
    ['submitted', null],
    ['returned', '缺少台账'],
  ]);
});

t.test('approval supersedes the earlier approved report of the same key, inside one transaction', async (t) => {
  const civil = principal('reporter', '市民政局');
  const coordinator = principal('coordinator');
  const first = service.write(actor(civil), { measureId: civilAffairsMeasure!, period: '2022-Q2', status: 'in_progress', submit: true }).report;
  service.approve(actor(coordinator), first.id, null, undefined);
  clock = new Date(clock.getTime() + 60_000);
  const second = service.write(actor(civil), { measureId: civilAffairsMeasure!, period: '2022-Q2', status: 'completed', submit: true });
  t.equal(second.outcome, 'created');
  service.approve(actor(coordinator), second.report.id, null, undefined);
  t.match(service.get(coordinator, first.id), { state: 'superseded', supersededById: second.report.id });
  t.equal(service.get(coordinator, second.report.id).state, 'approved');
  const approvedCount = db.$client
    .prepare("SELECT count(*) FROM progress_reports WHERE measure_id = ? AND period = '2022-Q2' AND state = 'approved'")
    .pluck()
    .get(civilAffairsMeasure);
  t.equal(approvedCount, 1);

  // Every step is kept, with the states it moved between, and audited under its own action.
  t.same(
    service.history(coordinator, first.id).map((e) => [e.action, e.fromState, e.toState, e.note]),
    [
      ['created', null, 'draft', null],
      ['submitted', 'draft', 'submitted', null],
      ['approved', 'submitted', 'approved', null],
      ['superseded', 'approved', 'superseded', `superseded by report ${second.report.id}`],
    ],
  );
  const audited = db.$client.prepare("SELECT action FROM audit_events WHERE entity_type = 'report' AND entity_id = ? ORDER BY id").pluck().all(first.id);
  t.same(audited, ['report.create', 'report.submit', 'report.approve', 'report.supersede']);
});

t.test('a refused write says why and names the field', async (t) => {
  const civil = principal('reporter', '市民政局');
  const admin = principal('admin');
  const good = { measureId: civilAffairsMeasure!, period: '2023-01', status: 'in_progress' as const };
  const [indicator, otherIndicator] = [4, 1].map(
    (no) => db.$client.prepare('SELECT i.id FROM indicators i JOIN tasks t ON t.id = i.task_id WHERE t.no = ? ORDER BY i.id').pluck().get(no) as number,
  );
  const otherTask = db.$client.prepare('SELECT id FROM tasks WHERE no = 1').pluck().get() as number;
  const thisTask = db.$client.prepare('SELECT id FROM tasks WHERE no = 4').pluck().get() as number;
  const cases: [string, Principal, Record<string, unknown>, { status: number; detail: RegExp; errors?: { field: string; message: RegExp }[] }][] = [
    ['another unit named', civil, { unit: '市公安局' }, { status: 403, detail: /writes only for its own unit \(市民政局\)/, errors: [{ field: '/body/unit', message: /^is not 市民政局$/ }] }],
    ['an unknown unit named by a reporter', civil, { unit: '无此单位' }, { status: 403, detail: /writes only for its own unit/ }],
    ['a reporter key bound to no unit', principal('reporter'), {}, { status: 403, detail: /bound to no unit/ }],
    ['a coordinator', principal('coordinator'), {}, { status: 403, detail: /^A coordinator key cannot write progress reports/ }],
    ['an admin naming no unit', admin, {}, { status: 422, detail: /unit is required/, errors: [{ field: '/body/unit', message: /^is required/ }] }],
    ['an admin naming an unknown unit', admin, { unit: '无此单位' }, { status: 422, detail: /names no known unit \(id, name or alias\): "无此单位"/ }],
    ['an admin naming a collective', admin, { unit: '各县(市、区)人民政府' }, { status: 422, detail: /names a collective, 各县\(市、区\)人民政府/ }],
    ['an unknown measure', civil, { measureId: 999999 }, { status: 422, errors: [{ field: '/body/measureId', message: /^names no measure: 999999$/ }], detail: /measureId/ }],
    ['a measure the unit does not carry', principal('reporter', '市公安局'), {}, { status: 403, detail: /^市公安局 has no assignment on measure/, errors: [{ field: '/body/measureId', message: /^is not assigned to 市公安局$/ }] }],
    ['not a period', civil, { period: 'bogus' }, { status: 422, detail: /period/, errors: [{ field: '/body/period', message: /^is not a period: "bogus"$/ }] }],
    ['a period outside the plan', civil, { period: '2030' }, { status: 422, detail: /period/, errors: [{ field: '/body/period', message: /^falls outside the plan's years 2021–2025$/ }] }],
    ['an indicator twice', civil, { indicatorValues: [{ indicatorId: indicator, value: 1 }, { indicatorId: indicator, value: 2 }] }, { status: 422, detail: /indicatorValues/, errors: [{ field: '/body/indicatorValues/1/indicatorId', message: new RegExp(`^repeats indicator ${indicator}$`) }] }],
    ['an unknown indicator', civil, { indicatorValues: [{ indicatorId: 99999, value: 1 }] }, { status: 422, detail: /indicatorValues/, errors: [{ field: '/body/indicatorValues/0/indicatorId', message: /^names no indicator: 99999$/ }] }],
    ['an indicator of another task', civil, { indicatorValues: [{ indicatorId: otherIndicator, value: 1 }] }, { status: 422, detail: /indicatorValues/, errors: [{ field: '/body/indicatorValues/0/indicatorId', message: new RegExp(`^indicator ${otherIndicator} belongs to task ${otherTask}, not to this measure's task ${thisTask}$`) }] }],
  ];
  for (const [name, who, change, expected] of cases) t.match(problem(() => service.write(actor(who), { ...good, ...change })), expected, name);
});

t.test('the workflow refuses what its state does not allow, saying why', async (t) => {
  const civil = principal('reporter', '市民政局');
  const coordinator = principal('coordinator');
  const draft = service.write(actor(civil), { measureId: civilAffairsMeasure!, period: '2023-02', status: 'in_progress' }).report;
  t.match(problem(() => service.approve(actor(coordinator), draft.id, null, undefined)), { status: 409, detail: `Report ${draft.id} is draft; only a submitted report can be approved.` });
  t.match(problem(() => service.return(actor(coordinator), draft.id, '退回', undefined)), { status: 409, detail: /only a submitted report can be returned/ });
  t.match(problem(() => service.update(actor(civil), draft.id, { narrative: 'x' }, undefined)), { status: 428, title: 'Precondition required' }, 'a change must name the version it read');
  t.match(problem(() => service.update(actor(civil), draft.id, { narrative: 'x' }, '"0.0"')), { status: 412, title: 'Precondition failed', detail: `Report ${draft.id} is now at ${draft.etag}; read it again and retry.` });
  t.match(problem(() => service.update(actor(principal('reporter', '市市场监管局')), draft.id, { narrative: 'x' }, draft.etag)), { status: 404, detail: `report ${draft.id} does not exist` }, 'another unit’s draft is not there for it');
  t.match(problem(() => service.get(coordinator, 999999)), { status: 404, detail: 'report 999999 does not exist' });

  const submitted = service.submit(actor(civil), draft.id, undefined);
  t.match(problem(() => service.submit(actor(civil), draft.id, undefined)), { status: 409, detail: /only a draft or returned report can be submitted/ });
  t.match(problem(() => service.update(actor(civil), draft.id, { narrative: 'x' }, submitted.etag)), { status: 409, detail: /only a draft or returned report can be changed/ });
  t.match(problem(() => service.write(actor(civil), { measureId: civilAffairsMeasure!, period: '2023-02', status: 'completed' })), {
    status: 409,
    detail: /awaits review with other content: ask the reviewer to return it/,
  });
  for (const submit of [true, false, undefined]) {
    const again = service.write(actor(civil), { measureId: civilAffairsMeasure!, period: '2023-02', status: 'in_progress', submit });
    t.match(again, { outcome: 'unchanged', report: { id: draft.id, state: 'submitted', version: submitted.version } }, `the same content again (submit: ${submit}) is unchanged`);
  }
  t.match(problem(() => service.update(actor(principal('reporter', '市市场监管局')), draft.id, { narrative: 'x' }, submitted.etag)), { status: 403, detail: `Only 市民政局's reporter (or an admin) may change report ${draft.id}.` });
  t.match(problem(() => service.approve(actor(civil), draft.id, null, undefined)), { status: 403, detail: /^Only a coordinator, an admin or a lead unit of task \d+/ });
});

t.test('what a write stores, and how its outcome is told', async (t) => {
  const civil = principal('reporter', '市民政局');
  const indicator = db.$client.prepare('SELECT i.id FROM indicators i JOIN tasks t ON t.id = i.task_id WHERE t.no = 4 ORDER BY i.id').pluck().get() as number;
  const input = { measureId: civilAffairsMeasure!, period: '2023-03', status: 'in_progress' as const };
  const evidence = [{ title: '台账', url: 'https://example.gov.cn/a', note: '第二页' }, { title: '照片' }];
  const created = service.write(actor(civil), { ...input, evidence, indicatorValues: [{ indicatorId: indicator, value: 5 }] }).report;
  t.match(created, { narrative: '', percentComplete: null, evidence }, 'no narrative is an empty one; evidence keeps its link and note');
  t.same(service.get(civil, created.id).evidence, evidence, 'as stored');

  const patched = service.update(actor(civil), created.id, { narrative: '进展' }, created.etag);
  t.same(patched.indicatorValues, [{ indicatorId: indicator, value: 5 }], 'a PATCH of the narrative keeps the indicator values');
  t.same(service.update(actor(civil), created.id, { narrative: '进展' }, patched.etag).version, patched.version, 'a PATCH that changes nothing makes no new version');

  const reposted = service.write(actor(civil), { ...input, narrative: '再报', indicatorValues: [{ indicatorId: indicator, value: 5 }] });
  t.equal(reposted.outcome, 'updated');
  const submitted = service.write(actor(civil), { ...input, narrative: '再报', indicatorValues: [{ indicatorId: indicator, value: 5 }], submit: true });
  t.match(submitted, { outcome: 'updated', report: { state: 'submitted' } }, 'the same content, submitted: the report changed state, so it is updated');
  const audited = db.$client.prepare("SELECT action FROM audit_events WHERE entity_type = 'report' AND entity_id = ? ORDER BY id").pluck().all(created.id);
  t.same(audited, ['report.create', 'report.update', 'report.update', 'report.submit'], 'a re-post is audited as an update, not a creation');
});

t.test('a failed write inside a transaction leaves nothing behind', async (t) => {
  const civil = principal('reporter', '市民政局');
  const count = () => db.$client.prepare('SELECT count(*) FROM progress_reports').pluck().get();
  const before = count();
  t.throws(() =>
    service.transaction(() => {
      service.write(actor(civil), { measureId: civilAffairsMeasure!, period: '2021', status: 'in_progress' });
      throw new Error('crash after the write');
    }),
    { message: 'crash after the write' },
  );
  t.equal(count(), before);
});

t.test('ETags and If-Match', async (t) => {
  const report = { id: 7, version: 3 };
  t.equal(etagOf(report), '"7.3"');
  t.ok(ifMatchHolds('"7.3"', report));
  t.notOk(ifMatchHolds('W/"7.3"', report), 'a weak tag never holds: If-Match uses the strong comparison (RFC 9110)');
  t.ok(ifMatchHolds('"1.1", "7.3"', report), 'a list');
  t.ok(ifMatchHolds('*', report));
  t.notOk(ifMatchHolds('"7.2"', report));
  t.notOk(ifMatchHolds('7.3', report), 'unquoted is not an entity tag');
});
