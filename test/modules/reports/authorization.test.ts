/**
 * Who may do what: one row per endpoint × role × target, each run against fresh state.
 *
 * Roles: admin, coordinator, reporter-own (市民政局), reporter-other (市市场监管局, a direct lead of task 4, whose leads
 * each lead their own part: 市民政局's measure is not its part), county (北林区人民政府, a member of
 * 各县(市、区)人民政府), responsible (市经开区, named directly as a responsible unit of task 4 but not a lead; task 4's
 * measures name their owners, so it owes none of them), task-2 lead (市营商环境局), reader, anonymous, and broken credentials (revoked, expired,
 * malformed, unknown).
 *
 * Targets: measures (own = 市民政局's measure of task 4; other = task 2's measure, which 市民政局 does not carry;
 * collective = task 23's measure, owned by 中省市直各有关单位, which 市民政局 carries as a member) and reports
 * (own = 市民政局's report on the own measure; other = 北林区's report on the other measure; collective = 市民政局's
 * report on the collective measure) in a given state. Every report a row touches is created for that row alone.
 *
 * Every refused request must be problem+json with the same `status`, and must write nothing (the write tables'
 * fingerprint is unchanged); every allowed write must have its effect.
 */
import t from 'tap';
import type { Test } from 'tap';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildTestAppWithDatabase } from '../../helpers/app.js';
import { writeFingerprint } from '../../helpers/db.js';
import { issueKey } from '../../helpers/keys.js';

const OWN_UNIT = '市民政局';
const OTHER_UNIT = '市市场监管局';
const COUNTY = '北林区人民政府';
const RESPONSIBLE_UNIT = '市经开区';
const TASK2_LEAD = '市营商环境局';

const main = await buildTestAppWithDatabase(t);
const strict = await buildTestAppWithDatabase(t, { requireAuthForReads: true });

type Issued = ReturnType<typeof issueKey>;
const keys = {
  admin: issueKey(main.databasePath, 'admin'),
  coordinator: issueKey(main.databasePath, 'coordinator'),
  'reporter-own': issueKey(main.databasePath, 'reporter', OWN_UNIT),
  'reporter-other': issueKey(main.databasePath, 'reporter', OTHER_UNIT),
  county: issueKey(main.databasePath, 'reporter', COUNTY),
  responsible: issueKey(main.databasePath, 'reporter', RESPONSIBLE_UNIT),
  'task-2 lead': issueKey(main.databasePath, 'reporter', TASK2_LEAD),
  reader: issueKey(main.databasePath, 'reader'),
  // Broken credentials are admin keys: not even an admin's key works once revoked or expired.
  revoked: issueKey(main.databasePath, 'admin'),
  expired: issueKey(main.databasePath, 'admin', undefined, '2000-01-01T00:00:00.000Z'),
} satisfies Record<string, Issued>;
const strictKeys: Partial<Record<Role, Issued>> = {
  admin: issueKey(strict.databasePath, 'admin'),
  coordinator: issueKey(strict.databasePath, 'coordinator'),
  'reporter-own': issueKey(strict.databasePath, 'reporter', OWN_UNIT),
  reader: issueKey(strict.databasePath, 'reader'),
};

type KeyRole = keyof typeof keys;
type Role = KeyRole | 'anonymous' | 'malformed' | 'unknown';
/** The unit each reporter key writes for. */
const UNIT_OF: Partial<Record<Role, string>> = { 'reporter-own': OWN_UNIT, 'reporter-other': OTHER_UNIT, county: COUNTY, responsible: RESPONSIBLE_UNIT, 'task-2 lead': TASK2_LEAD };

function authHeaders(role: Role, from: Partial<Record<Role, Issued>> = keys): Record<string, string> {
  if (role === 'anonymous') return {};
  if (role === 'malformed') return { authorization: 'Bearer not a token!' };
  if (role === 'unknown') return { authorization: `Bearer pt_${'A'.repeat(43)}` };
  const key = from[role];
  if (!key) throw new Error(`no ${role} key for this app`);
  return key.headers;
}

const revoke = await main.app.inject({ method: 'POST', url: `/api/v1/api-keys/${keys.revoked.id}/revoke`, headers: keys.admin.headers });
if (revoke.statusCode !== 200) throw new Error(`setup: revoking a key answered ${revoke.statusCode}: ${revoke.body}`);

// --- The measures -------------------------------------------------------------------------------------------

interface MeasureItem {
  id: number;
  taskId: number;
  taskNo: number;
  ownerUnits: { name: string }[];
}
const carriedByOwnUnit = (await main.app.inject(`/api/v1/measures?unit=${encodeURIComponent(OWN_UNIT)}&limit=500`)).json().items as MeasureItem[];
const ownMeasure = carriedByOwnUnit.find((m) => m.taskNo === 4 && m.ownerUnits.some((u) => u.name === OWN_UNIT));
const collectiveMeasure = carriedByOwnUnit.find((m) => m.taskNo === 23);
const otherMeasure = ((await main.app.inject('/api/v1/measures?task=2')).json().items as MeasureItem[])[0];
if (!ownMeasure || !collectiveMeasure || !otherMeasure) throw new Error('setup: the seed plan lacks the measures of tasks 2, 4 and 23');
if (collectiveMeasure.ownerUnits.some((u) => u.name === OWN_UNIT)) throw new Error('setup: task 23’s measure must be carried only through a collective');
if (otherMeasure.ownerUnits.some((u) => u.name === OWN_UNIT)) throw new Error('setup: task 2’s measure must not be 市民政局’s');
const task4 = (await main.app.inject(`/api/v1/tasks/${ownMeasure.taskId}`)).json() as { leadUnits: { name: string }[]; responsibleUnits: { name: string }[] };
if (!task4.responsibleUnits.some((u) => u.name === RESPONSIBLE_UNIT) || task4.leadUnits.some((u) => u.name === RESPONSIBLE_UNIT)) {
  throw new Error('setup: 市经开区 must be a responsible unit of task 4, and not one of its leads');
}
const MEASURES = { 'own measure': ownMeasure.id, 'other measure': otherMeasure.id, 'collective measure': collectiveMeasure.id } as const;

// --- Fresh periods: every report a row writes gets its own (measure, unit, period) ------------------------------

const YEARS = [2021, 2022, 2023, 2024, 2025];
const PERIODS = [
  ...YEARS.map(String),
  ...YEARS.flatMap((y) => [1, 2, 3, 4].map((q) => `${y}-Q${q}`)),
  ...YEARS.flatMap((y) => Array.from({ length: 12 }, (_, m) => `${y}-${String(m + 1).padStart(2, '0')}`)),
];
const periodsUsed = new Map<string, number>();
function freshPeriod(measureId: number, writer: string): string {
  const slot = `${measureId}/${writer}`;
  const n = periodsUsed.get(slot) ?? 0;
  const period = PERIODS[n];
  if (period === undefined) throw new Error(`setup: no fresh period left for ${slot}`);
  periodsUsed.set(slot, n + 1);
  return period;
}

// --- Reports in the state a row needs ---------------------------------------------------------------------------

interface Report {
  id: number;
  measureId: number;
  period: string;
  state: string;
  version: number;
  etag: string;
  narrative: string;
  unit: { name: string };
  reviewedByKeyId: number | null;
  reviewNote: string | null;
}
type ReportOwner = 'own' | 'other' | 'collective';
type ReportState = 'draft' | 'submitted' | 'returned' | 'approved';
const REPORT_OWNERS: Record<ReportOwner, { author: KeyRole; unit: string; measureId: number }> = {
  own: { author: 'reporter-own', unit: OWN_UNIT, measureId: ownMeasure.id },
  other: { author: 'county', unit: COUNTY, measureId: otherMeasure.id },
  collective: { author: 'reporter-own', unit: OWN_UNIT, measureId: collectiveMeasure.id },
};

async function setupCall(options: InjectOptions, status: number): Promise<Report> {
  const res = await main.app.inject(options);
  if (res.statusCode !== status) throw new Error(`setup: ${options.method} ${options.url} answered ${res.statusCode}: ${res.body}`);
  return res.json() as Report;
}

/** A new report of `owner`, brought to `state` through the API by its own unit's reporter and a coordinator. */
async function makeReport(owner: ReportOwner, state: ReportState): Promise<Report> {
  const { author, unit, measureId } = REPORT_OWNERS[owner];
  let report = await setupCall(
    {
      method: 'POST',
      url: '/api/v1/reports',
      headers: keys[author].headers,
      payload: { measureId, period: freshPeriod(measureId, unit), status: 'in_progress', narrative: `setup: ${owner} ${state}`, submit: state !== 'draft' },
    },
    201,
  );
  if (state === 'approved' || state === 'returned') {
    report = await setupCall(
      {
        method: 'POST',
        url: `/api/v1/reports/${report.id}/${state === 'approved' ? 'approve' : 'return'}`,
        headers: keys.coordinator.headers,
        payload: { note: `setup: ${state}` },
      },
      200,
    );
  }
  if (report.state !== state) throw new Error(`setup: report ${report.id} is ${report.state}, not ${state}`);
  return report;
}

// --- Endpoints ------------------------------------------------------------------------------------------------

type Target = '-' | 'fresh key' | keyof typeof MEASURES | `${ReportOwner} ${ReportState}`;

interface Context {
  row: Row;
  measureId: number;
  period: string;
  /** The unit a report write should land on, when it is allowed. */
  writer: string;
  report: Report;
  victim: Issued;
}

interface Endpoint {
  /** Writes when allowed; a read must never change the write tables. */
  write: boolean;
  /** The app the row runs against: the default one, or the one with `requireAuthForReads`. */
  strict?: boolean;
  request(ctx: Context): InjectOptions;
  /** What an allowed request must have done. */
  verify?(t: Test, res: LightMyRequestResponse, ctx: Context): Promise<void> | void;
}

const reportBody = (ctx: Context, unit?: string) => ({
  measureId: ctx.measureId,
  period: ctx.period,
  status: 'in_progress',
  narrative: `row: ${label(ctx.row)}`,
  ...(unit === undefined ? {} : { unit }),
});

async function asAdmin(url: string) {
  const res = await main.app.inject({ url, headers: keys.admin.headers });
  return { status: res.statusCode, body: res.json() as Report };
}

async function verifyCreated(t: Test, report: Report, ctx: Context) {
  t.match(report, { measureId: ctx.measureId, period: ctx.period, state: 'draft', unit: { name: ctx.writer } }, 'a draft of the writing unit');
  const stored = await asAdmin(`/api/v1/reports/${report.id}`);
  t.equal(stored.status, 200, 'the report exists');
  t.equal(stored.body.unit.name, ctx.writer, 'stored for the writing unit');
}

const verifyPost: Endpoint['verify'] = (t, res, ctx) => verifyCreated(t, res.json() as Report, ctx);
const verifyBulk: Endpoint['verify'] = async (t, res, ctx) => {
  const summary = res.json() as { status: string; counts: Record<string, number>; rows: { reportId: number | null }[] };
  t.match(summary, { status: 'imported', written: true, counts: { rows: 1, created: 1, rejected: 0 } }, 'one row imported');
  const id = summary.rows[0]?.reportId;
  if (typeof id !== 'number') return void t.fail('the summary names the report written');
  await verifyCreated(t, (await asAdmin(`/api/v1/reports/${id}`)).body, ctx);
};

async function tokenWorks(token: string): Promise<number> {
  return (await main.app.inject({ url: '/api/v1/api-keys/current', headers: { authorization: `Bearer ${token}` } })).statusCode;
}

const ENDPOINTS = {
  'POST /reports': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: '/api/v1/reports', payload: reportBody(ctx) }),
    verify: verifyPost,
  },
  'POST /reports naming 市民政局': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: '/api/v1/reports', payload: reportBody(ctx, OWN_UNIT) }),
    verify: verifyPost,
  },
  'POST /reports/bulk': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: '/api/v1/reports/bulk', payload: { reports: [reportBody(ctx)] } }),
    verify: verifyBulk,
  },
  'POST /reports/bulk naming 市民政局': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: '/api/v1/reports/bulk', payload: { reports: [reportBody(ctx, OWN_UNIT)] } }),
    verify: verifyBulk,
  },
  'GET /reports/{id}': {
    write: false,
    request: (ctx) => ({ method: 'GET', url: `/api/v1/reports/${ctx.report.id}` }),
    verify: (t, res, ctx) => void t.match(res.json(), { id: ctx.report.id, state: ctx.report.state }, 'the report'),
  },
  'GET /reports': {
    write: false,
    request: (ctx) => ({ method: 'GET', url: `/api/v1/reports?measure=${ctx.report.measureId}&period=${ctx.report.period}&limit=500` }),
    verify: (t, res, ctx) => {
      const page = res.json() as { items: Report[]; total: number };
      t.equal(page.items.some((r) => r.id === ctx.report.id), ctx.row.listed, ctx.row.listed ? 'the report is listed' : 'the report is not listed');
      t.equal(page.total, page.items.length, 'total counts what is listed');
    },
  },
  'GET /reports/{id}/history': {
    write: false,
    request: (ctx) => ({ method: 'GET', url: `/api/v1/reports/${ctx.report.id}/history` }),
    verify: (t, res) => void t.match(res.json(), { items: [{ action: 'created' }] }, 'the history, from its creation'),
  },
  'PATCH /reports/{id}': {
    write: true,
    request: (ctx) => ({
      method: 'PATCH',
      url: `/api/v1/reports/${ctx.report.id}`,
      headers: { 'if-match': ctx.report.etag },
      payload: { narrative: `changed by: ${label(ctx.row)}` },
    }),
    verify: (t, res, ctx) =>
      void t.match(res.json(), { id: ctx.report.id, state: ctx.report.state, version: ctx.report.version + 1, narrative: `changed by: ${label(ctx.row)}` }, 'changed in place'),
  },
  'POST /reports/{id}/submit': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: `/api/v1/reports/${ctx.report.id}/submit` }),
    verify: (t, res, ctx) => void t.match(res.json(), { id: ctx.report.id, state: 'submitted', version: ctx.report.version + 1 }, 'submitted'),
  },
  'POST /reports/{id}/approve': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: `/api/v1/reports/${ctx.report.id}/approve`, payload: { note: '通过' } }),
    verify: (t, res, ctx) =>
      void t.match(res.json(), { id: ctx.report.id, state: 'approved', reviewNote: '通过', reviewedByKeyId: keys[ctx.row.role as KeyRole].id }, 'approved by the caller'),
  },
  'POST /reports/{id}/return': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: `/api/v1/reports/${ctx.report.id}/return`, payload: { note: '请补充台账' } }),
    verify: (t, res, ctx) =>
      void t.match(res.json(), { id: ctx.report.id, state: 'returned', reviewNote: '请补充台账', reviewedByKeyId: keys[ctx.row.role as KeyRole].id }, 'returned by the caller'),
  },
  'POST /api-keys': {
    write: true,
    request: () => ({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'matrix reader', role: 'reader' } }),
    verify: async (t, res) => {
      const created = res.json() as { key: { role: string; revokedAt: string | null }; token: string };
      t.match(created, { key: { role: 'reader', revokedAt: null }, token: String }, 'a reader key and its token');
      t.equal(await tokenWorks(created.token), 200, 'the new token works');
    },
  },
  'GET /api-keys': {
    write: false,
    request: () => ({ method: 'GET', url: '/api/v1/api-keys' }),
    verify: (t, res) => {
      const { items } = res.json() as { items: Record<string, unknown>[] };
      t.ok(items.some((k) => k.id === keys.admin.id), 'lists the keys');
      t.ok(items.every((k) => !('token' in k) && !('tokenHash' in k)), 'never a token or its hash');
    },
  },
  'POST /api-keys/{id}/revoke': {
    write: true,
    request: (ctx) => ({ method: 'POST', url: `/api/v1/api-keys/${ctx.victim.id}/revoke` }),
    verify: async (t, res, ctx) => {
      t.match(res.json(), { id: ctx.victim.id, revokedAt: String }, 'revoked');
      t.equal(await tokenWorks(ctx.victim.token), 401, 'the revoked token stops working');
    },
  },
  'GET /api-keys/current': {
    write: false,
    request: () => ({ method: 'GET', url: '/api/v1/api-keys/current' }),
    verify: (t, res, ctx) => {
      const key = keys[ctx.row.role as KeyRole];
      t.match(res.json(), { keyId: key.id, unitId: key.unitId }, 'the calling key');
    },
  },
  'GET /audit-events': {
    write: false,
    request: () => ({ method: 'GET', url: '/api/v1/audit-events' }),
    verify: (t, res) => void t.ok((res.json() as { items: unknown[] }).items.length > 0, 'the audit trail'),
  },
  'GET /tasks': {
    write: false,
    request: () => ({ method: 'GET', url: '/api/v1/tasks' }),
    verify: (t, res) => void t.ok((res.json() as { items: unknown[] }).items.length > 0, 'the tasks'),
  },
  'GET /tasks (requireAuthForReads)': {
    write: false,
    strict: true,
    request: () => ({ method: 'GET', url: '/api/v1/tasks' }),
    verify: (t, res) => void t.ok((res.json() as { items: unknown[] }).items.length > 0, 'the tasks'),
  },
  'GET /health': {
    write: false,
    request: () => ({ method: 'GET', url: '/health' }),
    verify: (t, res) => void t.same(res.json(), { status: 'ok', database: 'ok' }),
  },
} satisfies Record<string, Endpoint>;

// --- The matrix -----------------------------------------------------------------------------------------------

interface Row {
  endpoint: keyof typeof ENDPOINTS;
  role: Role;
  target: Target;
  expect: number;
  /** GET /reports only: whether the target report is in the caller's list. */
  listed?: boolean;
}

const ROWS: Row[] = [
  // Creating reports: a reporter for its own unit on a measure it carries; an admin naming the unit.
  { endpoint: 'POST /reports', role: 'reporter-own', target: 'own measure', expect: 201 },
  { endpoint: 'POST /reports', role: 'reporter-own', target: 'collective measure', expect: 201 },
  { endpoint: 'POST /reports', role: 'reporter-own', target: 'other measure', expect: 403 },
  { endpoint: 'POST /reports', role: 'reporter-other', target: 'own measure', expect: 403 },
  // A unit reports on what it owes: a measure that names its owner is not owed by the task's responsible units.
  { endpoint: 'POST /reports', role: 'county', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports', role: 'county', target: 'other measure', expect: 201 },
  { endpoint: 'POST /reports', role: 'responsible', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports', role: 'admin', target: 'own measure', expect: 422 },
  { endpoint: 'POST /reports', role: 'coordinator', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports', role: 'reader', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports', role: 'anonymous', target: 'own measure', expect: 401 },
  { endpoint: 'POST /reports', role: 'revoked', target: 'own measure', expect: 401 },
  { endpoint: 'POST /reports', role: 'expired', target: 'own measure', expect: 401 },
  { endpoint: 'POST /reports naming 市民政局', role: 'reporter-own', target: 'own measure', expect: 201 },
  { endpoint: 'POST /reports naming 市民政局', role: 'admin', target: 'own measure', expect: 201 },
  { endpoint: 'POST /reports naming 市民政局', role: 'admin', target: 'other measure', expect: 403 },
  { endpoint: 'POST /reports naming 市民政局', role: 'reporter-other', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports naming 市民政局', role: 'county', target: 'other measure', expect: 403 },
  { endpoint: 'POST /reports naming 市民政局', role: 'coordinator', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports naming 市民政局', role: 'reader', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports naming 市民政局', role: 'anonymous', target: 'own measure', expect: 401 },

  // Bulk import: who may import is checked first (403); whether each row may be written is reported per row,
  // so an atomic import with a row the unit may not write answers 422 naming that row.
  { endpoint: 'POST /reports/bulk', role: 'reporter-own', target: 'own measure', expect: 200 },
  { endpoint: 'POST /reports/bulk', role: 'county', target: 'other measure', expect: 200 },
  { endpoint: 'POST /reports/bulk', role: 'reporter-own', target: 'other measure', expect: 422 },
  { endpoint: 'POST /reports/bulk', role: 'reporter-other', target: 'own measure', expect: 422 },
  { endpoint: 'POST /reports/bulk', role: 'admin', target: 'own measure', expect: 422 },
  { endpoint: 'POST /reports/bulk', role: 'coordinator', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports/bulk', role: 'reader', target: 'own measure', expect: 403 },
  { endpoint: 'POST /reports/bulk', role: 'anonymous', target: 'own measure', expect: 401 },
  { endpoint: 'POST /reports/bulk', role: 'malformed', target: 'own measure', expect: 401 },
  { endpoint: 'POST /reports/bulk naming 市民政局', role: 'admin', target: 'own measure', expect: 200 },
  { endpoint: 'POST /reports/bulk naming 市民政局', role: 'reporter-own', target: 'own measure', expect: 200 },
  { endpoint: 'POST /reports/bulk naming 市民政局', role: 'reporter-other', target: 'own measure', expect: 422 },

  // Reading one report: drafts only for their unit's reporter, coordinators and admins; the rest for every key.
  { endpoint: 'GET /reports/{id}', role: 'admin', target: 'own draft', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'coordinator', target: 'own draft', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'reporter-own', target: 'own draft', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'reporter-other', target: 'own draft', expect: 404 },
  { endpoint: 'GET /reports/{id}', role: 'county', target: 'own draft', expect: 404 },
  { endpoint: 'GET /reports/{id}', role: 'reader', target: 'own draft', expect: 404 },
  { endpoint: 'GET /reports/{id}', role: 'anonymous', target: 'own draft', expect: 401 },
  { endpoint: 'GET /reports/{id}', role: 'reporter-own', target: 'other draft', expect: 404 },
  { endpoint: 'GET /reports/{id}', role: 'county', target: 'other draft', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'reporter-other', target: 'own submitted', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'reader', target: 'own submitted', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'county', target: 'own returned', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'reader', target: 'own approved', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'reporter-own', target: 'other submitted', expect: 200 },
  { endpoint: 'GET /reports/{id}', role: 'unknown', target: 'own approved', expect: 401 },

  // Listing: the same visibility, without telling that a hidden draft exists.
  { endpoint: 'GET /reports', role: 'admin', target: 'own draft', expect: 200, listed: true },
  { endpoint: 'GET /reports', role: 'coordinator', target: 'own draft', expect: 200, listed: true },
  { endpoint: 'GET /reports', role: 'reporter-own', target: 'own draft', expect: 200, listed: true },
  { endpoint: 'GET /reports', role: 'reporter-other', target: 'own draft', expect: 200, listed: false },
  { endpoint: 'GET /reports', role: 'county', target: 'own draft', expect: 200, listed: false },
  { endpoint: 'GET /reports', role: 'reader', target: 'own draft', expect: 200, listed: false },
  { endpoint: 'GET /reports', role: 'reporter-own', target: 'other draft', expect: 200, listed: false },
  { endpoint: 'GET /reports', role: 'reader', target: 'own submitted', expect: 200, listed: true },
  { endpoint: 'GET /reports', role: 'reporter-other', target: 'own returned', expect: 200, listed: true },
  { endpoint: 'GET /reports', role: 'anonymous', target: 'own submitted', expect: 401 },

  // History: like the report itself.
  { endpoint: 'GET /reports/{id}/history', role: 'coordinator', target: 'own draft', expect: 200 },
  { endpoint: 'GET /reports/{id}/history', role: 'reporter-own', target: 'own draft', expect: 200 },
  { endpoint: 'GET /reports/{id}/history', role: 'reporter-other', target: 'own draft', expect: 404 },
  { endpoint: 'GET /reports/{id}/history', role: 'reader', target: 'own draft', expect: 404 },
  { endpoint: 'GET /reports/{id}/history', role: 'reader', target: 'own approved', expect: 200 },
  { endpoint: 'GET /reports/{id}/history', role: 'anonymous', target: 'own approved', expect: 401 },

  // Changing a report: its unit's reporter or an admin; others 403 on what they can see, 404 on drafts they cannot.
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-own', target: 'own draft', expect: 200 },
  { endpoint: 'PATCH /reports/{id}', role: 'admin', target: 'own draft', expect: 200 },
  { endpoint: 'PATCH /reports/{id}', role: 'coordinator', target: 'own draft', expect: 403 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-other', target: 'own draft', expect: 404 },
  { endpoint: 'PATCH /reports/{id}', role: 'county', target: 'own draft', expect: 404 },
  { endpoint: 'PATCH /reports/{id}', role: 'reader', target: 'own draft', expect: 404 },
  { endpoint: 'PATCH /reports/{id}', role: 'anonymous', target: 'own draft', expect: 401 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-own', target: 'own returned', expect: 200 },
  { endpoint: 'PATCH /reports/{id}', role: 'coordinator', target: 'own returned', expect: 403 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-other', target: 'own returned', expect: 403 },
  { endpoint: 'PATCH /reports/{id}', role: 'reader', target: 'own returned', expect: 403 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-own', target: 'own submitted', expect: 409 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-other', target: 'own approved', expect: 403 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-own', target: 'other draft', expect: 404 },
  { endpoint: 'PATCH /reports/{id}', role: 'reporter-own', target: 'other returned', expect: 403 },
  { endpoint: 'PATCH /reports/{id}', role: 'county', target: 'other returned', expect: 200 },

  // Submitting: the same authors.
  { endpoint: 'POST /reports/{id}/submit', role: 'reporter-own', target: 'own draft', expect: 200 },
  { endpoint: 'POST /reports/{id}/submit', role: 'admin', target: 'own draft', expect: 200 },
  { endpoint: 'POST /reports/{id}/submit', role: 'coordinator', target: 'own draft', expect: 403 },
  { endpoint: 'POST /reports/{id}/submit', role: 'reporter-other', target: 'own draft', expect: 404 },
  { endpoint: 'POST /reports/{id}/submit', role: 'reader', target: 'own draft', expect: 404 },
  { endpoint: 'POST /reports/{id}/submit', role: 'anonymous', target: 'own draft', expect: 401 },
  { endpoint: 'POST /reports/{id}/submit', role: 'reporter-own', target: 'own returned', expect: 200 },
  { endpoint: 'POST /reports/{id}/submit', role: 'coordinator', target: 'own returned', expect: 403 },
  { endpoint: 'POST /reports/{id}/submit', role: 'reporter-other', target: 'own returned', expect: 403 },
  { endpoint: 'POST /reports/{id}/submit', role: 'reporter-own', target: 'own submitted', expect: 409 },
  { endpoint: 'POST /reports/{id}/submit', role: 'county', target: 'other draft', expect: 200 },

  // Approving: admin, coordinator, or a direct lead unit of the part (of the task, or — 按职责分别牵头 — of its own
  // measures) other than the reporting unit; a responsible unit (责任单位) carries the task but does not review it.
  { endpoint: 'POST /reports/{id}/approve', role: 'admin', target: 'own submitted', expect: 200 },
  { endpoint: 'POST /reports/{id}/approve', role: 'coordinator', target: 'own submitted', expect: 200 },
  { endpoint: 'POST /reports/{id}/approve', role: 'reporter-other', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'reporter-own', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'county', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'responsible', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'reader', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'anonymous', target: 'own submitted', expect: 401 },
  { endpoint: 'POST /reports/{id}/approve', role: 'expired', target: 'own submitted', expect: 401 },
  { endpoint: 'POST /reports/{id}/approve', role: 'reporter-other', target: 'own draft', expect: 404 },
  { endpoint: 'POST /reports/{id}/approve', role: 'coordinator', target: 'own draft', expect: 409 },
  { endpoint: 'POST /reports/{id}/approve', role: 'task-2 lead', target: 'other submitted', expect: 200 },
  { endpoint: 'POST /reports/{id}/approve', role: 'reporter-own', target: 'other submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'county', target: 'other submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'reporter-other', target: 'collective submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/approve', role: 'coordinator', target: 'collective submitted', expect: 200 },

  // Returning: the same reviewers.
  { endpoint: 'POST /reports/{id}/return', role: 'admin', target: 'own submitted', expect: 200 },
  { endpoint: 'POST /reports/{id}/return', role: 'coordinator', target: 'own submitted', expect: 200 },
  { endpoint: 'POST /reports/{id}/return', role: 'reporter-other', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/return', role: 'reporter-own', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/return', role: 'county', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/return', role: 'responsible', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/return', role: 'reader', target: 'own submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/return', role: 'anonymous', target: 'own submitted', expect: 401 },
  { endpoint: 'POST /reports/{id}/return', role: 'task-2 lead', target: 'other submitted', expect: 200 },
  { endpoint: 'POST /reports/{id}/return', role: 'reporter-own', target: 'other submitted', expect: 403 },
  { endpoint: 'POST /reports/{id}/return', role: 'coordinator', target: 'own approved', expect: 409 },

  // API keys: admin only, except the caller's own key.
  { endpoint: 'POST /api-keys', role: 'admin', target: '-', expect: 201 },
  { endpoint: 'POST /api-keys', role: 'coordinator', target: '-', expect: 403 },
  { endpoint: 'POST /api-keys', role: 'reporter-own', target: '-', expect: 403 },
  { endpoint: 'POST /api-keys', role: 'reader', target: '-', expect: 403 },
  { endpoint: 'POST /api-keys', role: 'anonymous', target: '-', expect: 401 },
  { endpoint: 'GET /api-keys', role: 'admin', target: '-', expect: 200 },
  { endpoint: 'GET /api-keys', role: 'coordinator', target: '-', expect: 403 },
  { endpoint: 'GET /api-keys', role: 'reporter-own', target: '-', expect: 403 },
  { endpoint: 'GET /api-keys', role: 'reader', target: '-', expect: 403 },
  { endpoint: 'GET /api-keys', role: 'anonymous', target: '-', expect: 401 },
  { endpoint: 'POST /api-keys/{id}/revoke', role: 'admin', target: 'fresh key', expect: 200 },
  { endpoint: 'POST /api-keys/{id}/revoke', role: 'coordinator', target: 'fresh key', expect: 403 },
  { endpoint: 'POST /api-keys/{id}/revoke', role: 'reporter-own', target: 'fresh key', expect: 403 },
  { endpoint: 'POST /api-keys/{id}/revoke', role: 'reader', target: 'fresh key', expect: 403 },
  { endpoint: 'POST /api-keys/{id}/revoke', role: 'anonymous', target: 'fresh key', expect: 401 },
  { endpoint: 'POST /api-keys/{id}/revoke', role: 'revoked', target: 'fresh key', expect: 401 },
  { endpoint: 'GET /api-keys/current', role: 'admin', target: '-', expect: 200 },
  { endpoint: 'GET /api-keys/current', role: 'coordinator', target: '-', expect: 200 },
  { endpoint: 'GET /api-keys/current', role: 'reporter-own', target: '-', expect: 200 },
  { endpoint: 'GET /api-keys/current', role: 'reader', target: '-', expect: 200 },
  { endpoint: 'GET /api-keys/current', role: 'anonymous', target: '-', expect: 401 },
  { endpoint: 'GET /api-keys/current', role: 'expired', target: '-', expect: 401 },

  // The audit trail: admins and coordinators.
  { endpoint: 'GET /audit-events', role: 'admin', target: '-', expect: 200 },
  { endpoint: 'GET /audit-events', role: 'coordinator', target: '-', expect: 200 },
  { endpoint: 'GET /audit-events', role: 'reporter-own', target: '-', expect: 403 },
  { endpoint: 'GET /audit-events', role: 'reader', target: '-', expect: 403 },
  { endpoint: 'GET /audit-events', role: 'anonymous', target: '-', expect: 401 },

  // The catalogue: public, unless requireAuthForReads; a bad key is refused even where none is needed.
  { endpoint: 'GET /tasks', role: 'anonymous', target: '-', expect: 200 },
  { endpoint: 'GET /tasks', role: 'reader', target: '-', expect: 200 },
  { endpoint: 'GET /tasks', role: 'revoked', target: '-', expect: 401 },
  { endpoint: 'GET /tasks', role: 'malformed', target: '-', expect: 401 },
  { endpoint: 'GET /tasks (requireAuthForReads)', role: 'anonymous', target: '-', expect: 401 },
  { endpoint: 'GET /tasks (requireAuthForReads)', role: 'admin', target: '-', expect: 200 },
  { endpoint: 'GET /tasks (requireAuthForReads)', role: 'coordinator', target: '-', expect: 200 },
  { endpoint: 'GET /tasks (requireAuthForReads)', role: 'reporter-own', target: '-', expect: 200 },
  { endpoint: 'GET /tasks (requireAuthForReads)', role: 'reader', target: '-', expect: 200 },
  { endpoint: 'GET /health', role: 'anonymous', target: '-', expect: 200 },
  { endpoint: 'GET /health', role: 'unknown', target: '-', expect: 401 },
];

function label(row: Row): string {
  const listed = row.listed === undefined ? '' : row.listed ? ' (listed)' : ' (not listed)';
  return `${row.endpoint} | ${row.role} | ${row.target} → ${row.expect}${listed}`;
}

/** The unit a report write by this row lands on when it is allowed (also the slot its fresh period comes from). */
function writerOf(row: Row): string {
  if (row.endpoint.includes('naming 市民政局')) return OWN_UNIT;
  return UNIT_OF[row.role] ?? row.role;
}

async function contextFor(row: Row): Promise<Context> {
  const ctx = { row, writer: writerOf(row) } as Context;
  if (row.target in MEASURES) {
    ctx.measureId = MEASURES[row.target as keyof typeof MEASURES];
    ctx.period = freshPeriod(ctx.measureId, ctx.writer);
  } else if (row.target === 'fresh key') {
    ctx.victim = issueKey(main.databasePath, 'reader', undefined);
  } else if (row.target !== '-') {
    const [owner, state] = row.target.split(' ') as [ReportOwner, ReportState];
    ctx.report = await makeReport(owner, state);
  }
  return ctx;
}

function parse(res: LightMyRequestResponse): Record<string, unknown> {
  try {
    return res.json() as Record<string, unknown>;
  } catch {
    return {};
  }
}

for (const row of ROWS) {
  t.test(label(row), async (t) => {
    const endpoint: Endpoint = ENDPOINTS[row.endpoint];
    const { app, databasePath }: { app: FastifyInstance; databasePath: string } = endpoint.strict ? strict : main;
    const ctx = await contextFor(row);
    const request = endpoint.request(ctx);
    const headers = { ...(request.headers as Record<string, string> | undefined), ...authHeaders(row.role, endpoint.strict ? strictKeys : keys) };

    const before = writeFingerprint(databasePath);
    const res = await app.inject({ ...request, headers });
    const after = writeFingerprint(databasePath);

    t.equal(res.statusCode, row.expect, `status (${res.body.slice(0, 300)})`);
    const refused = row.expect >= 400;
    if (refused) {
      t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem+json');
      t.equal(parse(res).status, row.expect, 'the problem names the status');
      if (row.expect === 401) t.equal(res.headers['www-authenticate'], 'Bearer', 'www-authenticate: Bearer');
    }
    if (refused || !endpoint.write) t.equal(after, before, 'nothing written');
    else t.not(after, before, 'the write is stored');
    if (!refused && res.statusCode === row.expect && endpoint.verify) await endpoint.verify(t, res, ctx);
  });
}

t.test('the matrix covers every endpoint and the roles it was written for', async (t) => {
  t.same(new Set(ROWS.map((r) => r.endpoint)), new Set(Object.keys(ENDPOINTS)), 'every endpoint has rows');
  t.equal(new Set(ROWS.map(label)).size, ROWS.length, 'no row is repeated');
  t.ok(ROWS.filter((r) => r.endpoint === 'GET /reports' && r.expect === 200).every((r) => r.listed !== undefined), 'every 200 list row says whether the report is listed');
  t.ok(ROWS.filter((r) => r.endpoint !== 'GET /reports').every((r) => r.listed === undefined), 'only list rows say so');
});

// Kept apart from the matrix: requests refused for who sends them must be refused whatever else is wrong with them.
t.test('who may call is decided before what is sent', async (t) => {
  const cases: { name: string; role: Role; request: InjectOptions; expect: number }[] = [
    { name: 'POST /reports, empty body | anonymous', role: 'anonymous', request: { method: 'POST', url: '/api/v1/reports', payload: {} }, expect: 401 },
    { name: 'POST /reports, empty body | reader', role: 'reader', request: { method: 'POST', url: '/api/v1/reports', payload: {} }, expect: 403 },
    { name: 'POST /api-keys, empty body | anonymous', role: 'anonymous', request: { method: 'POST', url: '/api/v1/api-keys', payload: {} }, expect: 401 },
    { name: 'POST /api-keys, empty body | coordinator', role: 'coordinator', request: { method: 'POST', url: '/api/v1/api-keys', payload: {} }, expect: 403 },
    {
      name: 'PATCH /reports/{id} without If-Match | anonymous',
      role: 'anonymous',
      request: { method: 'PATCH', url: `/api/v1/reports/${(await makeReport('own', 'draft')).id}`, payload: { narrative: 'x' } },
      expect: 401,
    },
  ];
  for (const c of cases) {
    const before = writeFingerprint(main.databasePath);
    const res = await main.app.inject({ ...c.request, headers: authHeaders(c.role) });
    t.equal(res.statusCode, c.expect, `${c.name} → ${c.expect} (${res.body.slice(0, 200)})`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${c.name}: problem+json`);
    t.equal(writeFingerprint(main.databasePath), before, `${c.name}: nothing written`);
  }
});
