import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { UnitRepository } from '../units/repository.js';
import { resolveStanding } from '../units/standing.js';
import type { AmendableKind, Documents } from './documents.js';
import {
  AmendmentResultSchema,
  ChapterChange,
  ChapterCreate,
  IndicatorChange,
  IndicatorCreate,
  MeasureChange,
  MeasureCreate,
  MilestoneChange,
  MilestoneCreate,
  ReasonBody,
  TaskChange,
  TaskCreate,
} from './schemas.js';
import type { AmendmentOutcome, AmendmentService, AmendmentTerms } from './service.js';

const tags = ['administration'];
const security = [{ bearerAuth: [] }];
const EDITORS = ['admin', 'coordinator'] as const;
const PATHS: Record<AmendableKind, string> = { chapter: 'chapters', task: 'tasks', measure: 'measures', milestone: 'milestones', indicator: 'indicators' };
const responses = { 200: Type.Ref(AmendmentResultSchema), ...problemResponses(400, 403, 404, 409, 412, 413, 415, 422) };
const IfMatchHeaders = {
  type: 'object',
  properties: {
    'if-match': {
      type: 'string',
      description:
        'The ETag of the version you read (required): `GET /tasks/{id}` and `GET /measures/{id}` send it, and every amendment answers the new one. `*` amends whatever version is current.',
      examples: ['*'],
    },
  },
  // Required, as on PATCH /reports/{id}: a change without it is a 400 naming the header.
  required: ['if-match'],
} as unknown as TSchema;

type Body = Record<string, unknown> & { reason: string; effectiveOn?: string };

const actorOf = (request: FastifyRequest) => ({ principal: callerOf(request), requestId: request.id });
const termsOf = (request: FastifyRequest, body: Body): AmendmentTerms => ({ ifMatch: request.headers['if-match'], reason: body.reason, effectiveOn: body.effectiveOn });

function answer(reply: FastifyReply, id: number, result: { outcome: AmendmentOutcome; etag: string; revisionId: number | null }) {
  reply.header('etag', result.etag);
  return { outcome: result.outcome, id, revisionId: result.revisionId, etag: result.etag };
}

/**
 * Amending the plan (admin and coordinator keys): change, retire and restore chapters, tasks, measures, milestones
 * and indicators, and add measures. Every change names the version it was made against (If-Match) and a reason.
 */
export function registerAmendmentRoutes(app: ApiInstance, { service, units }: { service: AmendmentService; units: UnitRepository }): void {
  /** Unit references (ids, names, aliases) as ids; an unknown or retired one is a 422 naming its place. */
  const unitIds = (field: string, refs: unknown) => (refs === undefined ? undefined : (refs as string[]).map((ref, i) => resolveStanding(units, ref, `${field}/${i}`).id));

  /** The body's fields as the kind's document fields (unit names become ids). */
  const fieldsOf: { [K in AmendableKind]: (body: Body) => Partial<Documents[K]> } = {
    chapter: ({ title }) => defined({ title }) as Partial<Documents['chapter']>,
    task: ({ leadUnits, responsibleUnits, ...rest }) =>
      defined({
        ...pick(rest, 'title', 'leadsEachOwnPart', 'deadline'),
        leadUnitIds: unitIds('/body/leadUnits', leadUnits),
        responsibleUnitIds: unitIds('/body/responsibleUnits', responsibleUnits),
      }),
    measure: ({ owners, ...rest }) => defined({ ...pick(rest, 'no', 'text', 'targetsText', 'schedule', 'deadline'), ownerUnitIds: unitIds('/body/owners', owners) }),
    milestone: (body) => defined(pick(body, 'text', 'kind', 'year', 'dueDate')),
    indicator: (body) => defined(pick(body, 'name', 'targets')),
  };
  const changes: Record<AmendableKind, TSchema> = { chapter: ChapterChange, task: TaskChange, measure: MeasureChange, milestone: MilestoneChange, indicator: IndicatorChange };

  for (const kind of Object.keys(PATHS) as AmendableKind[]) {
    const path = `/${PATHS[kind]}/:id`;
    const common = { onRequest: allow(EDITORS) };
    app.patch(
      path,
      {
        ...common,
        schema: {
          tags,
          operationId: `amend${capital(kind)}`,
          summary: `Amend a ${kind}`,
          description: `Changes the given fields, with \`If-Match\` (the ETag of the ${kind} as read; 428 without, 412 when stale) and a reason, as one plan revision (\`GET /plans/{id}/revisions\`). ${kind === 'measure' || kind === 'task' ? 'A change of owners, responsible units or schedule changes who owes the measure from `effectiveOn` on: units no longer owing it are withdrawn (their open obligations waived), new ones assigned; obligations due before that day stay as they were. ' : ''}${kind === 'indicator' ? 'Each target given replaces its year’s target from `effectiveOn` on; a year ending before that day is still judged against the target in force then. ' : ''}Sending what is already there is \`unchanged\`.`,
          security,
          params: IdParams,
          headers: IfMatchHeaders,
          body: changes[kind],
          response: responses,
        },
      },
      async (request, reply) => {
        const body = request.body as Body;
        const id = (request.params as { id: number }).id;
        return answer(reply, id, service.amend(actorOf(request), kind, id, fieldsOf[kind](body) as Partial<Documents[typeof kind]>, termsOf(request, body)));
      },
    );
    // Retiring and restoring take the same terms and answer the same way.
    const standings = [
      {
        method: 'DELETE' as const,
        url: path,
        verb: 'retire' as const,
        summary: `Retire a ${kind}`,
        description: `Takes the ${kind} out of the plan (nothing is deleted): it leaves default lists, stays readable by id with \`retiredAt\`, and keeps its reports and history. With \`If-Match\` and a reason. Retiring again is \`unchanged\`.`,
      },
      {
        method: 'POST' as const,
        url: `${path}/restore`,
        verb: 'restore' as const,
        summary: `Restore a retired ${kind}`,
        description: `Puts a retired ${kind} back into the plan, with \`If-Match\` and a reason.`,
      },
    ];
    for (const { method, url, verb, summary, description } of standings) {
      app.route({
        method,
        url,
        ...common,
        schema: { tags, operationId: `${verb}${capital(kind)}`, summary, description, security, params: IdParams, headers: IfMatchHeaders, body: ReasonBody, response: responses },
        handler: async (request, reply) => {
          const id = (request.params as { id: number }).id;
          return answer(reply, id, service[verb](actorOf(request), kind, id, termsOf(request, request.body as Body)));
        },
      });
    }
  }

  const noDeadline = { kind: null, date: null, text: null };
  /** The document of a new entity, from a create body (unit names become ids; what is left out starts empty). */
  const newDocument: { [K in AmendableKind]: (body: Body) => Documents[K] } = {
    chapter: (b) => ({ planId: b.planId as number, position: 0, title: b.title as string, retiredAt: null }),
    task: (b) => ({
      planId: 0,
      chapterId: b.chapterId as number,
      no: b.no as number,
      title: b.title as string,
      leadUnitIds: unitIds('/body/leadUnits', b.leadUnits) ?? [],
      responsibleUnitIds: unitIds('/body/responsibleUnits', b.responsibleUnits) ?? [],
      leadsEachOwnPart: (b.leadsEachOwnPart as boolean | undefined) ?? false,
      deadline: (b.deadline as Documents['task']['deadline'] | undefined) ?? noDeadline,
      retiredAt: null,
    }),
    measure: (b) => ({
      taskId: b.taskId as number,
      position: 0,
      no: (b.no as number | null | undefined) ?? null,
      text: b.text as string,
      targetsText: (b.targetsText as string | undefined) ?? '',
      deadline: (b.deadline as Documents['measure']['deadline'] | undefined) ?? noDeadline,
      ownerUnitIds: unitIds('/body/owners', b.owners) ?? [],
      schedule: (b.schedule as Documents['measure']['schedule'] | undefined) ?? [],
      retiredAt: null,
    }),
    milestone: (b) => ({
      measureId: b.measureId as number,
      position: 0,
      kind: b.kind as Documents['milestone']['kind'],
      year: (b.year as number | null | undefined) ?? null,
      dueDate: (b.dueDate as string | null | undefined) ?? null,
      text: b.text as string,
      retiredAt: null,
    }),
    indicator: (b) => ({
      taskId: b.taskId as number,
      measureId: (b.measureId as number | null | undefined) ?? null,
      name: b.name as string,
      comparator: b.comparator as Documents['indicator']['comparator'],
      value: b.value as number,
      unit: b.unit as string,
      targetYear: (b.targetYear as number | null | undefined) ?? null,
      targets: ((b.targets as Documents['indicator']['targets'] | undefined) ?? []).map((t) => ({
        ...t,
        sourceText: t.sourceText ?? `${t.comparator}${t.value}${b.unit as string}`,
      })),
      retiredAt: null,
    }),
  };
  const creates: Record<AmendableKind, TSchema> = { chapter: ChapterCreate, task: TaskCreate, measure: MeasureCreate, milestone: MilestoneCreate, indicator: IndicatorCreate };

  for (const kind of Object.keys(PATHS) as AmendableKind[]) {
    app.post(
      `/${PATHS[kind]}`,
      {
        onRequest: allow(EDITORS),
        schema: {
          tags,
          operationId: `create${capital(kind)}`,
          summary: `Add a ${kind} to the plan`,
          description: `A new ${kind} at the end of its parent, recorded as a plan revision (\`created\`) with a reason.${kind === 'measure' ? ' It is owed from `effectiveOn` by its owners (or, naming none, its task’s responsible units): its assignments and obligations are made at once.' : ''} A parent that does not exist is a 422, a retired one a 409.`,
          security,
          body: creates[kind],
          response: { 201: Type.Ref(AmendmentResultSchema), ...problemResponses(400, 403, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const body = request.body as Body;
        const result = service.create(
          actorOf(request),
          kind,
          newDocument[kind](body),
          { reason: body.reason, effectiveOn: body.effectiveOn },
          body.direction as 'increase' | 'decrease' | undefined,
        );
        reply.code(201).header('location', `/api/v1/${PATHS[kind]}/${result.id}`);
        return answer(reply, result.id, result);
      },
    );
  }
}

const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);

function pick(body: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, body[name]]));
}

/** Only the fields the request gave: an absent field leaves the document's value as it is. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
