import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiInstance } from '../../http/app-types.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { unprocessable } from '../../domain/errors.js';
import { allow, callerOf } from '../../plugins/auth.js';
import type { UnitRepository } from '../units/repository.js';
import { unknownUnit } from '../units/said.js';
import type { AmendableKind, Documents } from './documents.js';
import { AmendmentResultSchema, ChapterChange, IndicatorChange, MeasureChange, MeasureCreate, MilestoneChange, ReasonBody, TaskChange } from './schemas.js';
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
  /** Unit references (ids, names, aliases) as ids; an unknown one is a 422 naming its place. */
  const unitIds = (field: string, refs: unknown) =>
    refs === undefined
      ? undefined
      : (refs as string[]).map((ref, i) => {
          const unit = units.resolve(ref);
          if (!unit) throw unprocessable(`${field}/${i}`, unknownUnit(ref));
          return unit.id;
        });

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
    app.delete(
      path,
      {
        ...common,
        schema: {
          tags,
          operationId: `retire${capital(kind)}`,
          summary: `Retire a ${kind}`,
          description: `Takes the ${kind} out of the plan (nothing is deleted): it leaves default lists, stays readable by id with \`retiredAt\`, and keeps its reports and history. With \`If-Match\` and a reason. Retiring again is \`unchanged\`.`,
          security,
          params: IdParams,
          headers: IfMatchHeaders,
          body: ReasonBody,
          response: responses,
        },
      },
      async (request, reply) => {
        const id = (request.params as { id: number }).id;
        return answer(reply, id, service.retire(actorOf(request), kind, id, termsOf(request, request.body as Body)));
      },
    );
    app.post(
      `${path}/restore`,
      {
        ...common,
        schema: {
          tags,
          operationId: `restore${capital(kind)}`,
          summary: `Restore a retired ${kind}`,
          description: `Puts a retired ${kind} back into the plan, with \`If-Match\` and a reason.`,
          security,
          params: IdParams,
          headers: IfMatchHeaders,
          body: ReasonBody,
          response: responses,
        },
      },
      async (request, reply) => {
        const id = (request.params as { id: number }).id;
        return answer(reply, id, service.restore(actorOf(request), kind, id, termsOf(request, request.body as Body)));
      },
    );
  }

  app.post(
    '/measures',
    {
      onRequest: allow(EDITORS),
      schema: {
        tags,
        operationId: 'createMeasure',
        summary: 'Add a measure to a task',
        description:
          'A new implementation measure at the end of its task, owed from `effectiveOn` by its owners (or, naming none, the task’s responsible units): its assignments and obligations are made at once. Recorded as a plan revision.',
        security,
        body: MeasureCreate,
        response: { 201: Type.Ref(AmendmentResultSchema), ...problemResponses(400, 403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { taskId, reason, effectiveOn, ...rest } = request.body;
      const fields = fieldsOf.measure({ ...rest, reason }) as Documents['measure'];
      const result = service.createMeasure(
        actorOf(request),
        taskId,
        {
          no: fields.no ?? null,
          text: rest.text,
          targetsText: fields.targetsText ?? '',
          deadline: fields.deadline ?? { kind: null, date: null, text: null },
          ownerUnitIds: fields.ownerUnitIds ?? [],
          schedule: fields.schedule ?? [],
        },
        { reason, effectiveOn },
      );
      reply.code(201).header('location', `/api/v1/measures/${result.id}`);
      return answer(reply, result.id, result);
    },
  );
}

const capital = (word: string) => word[0]!.toUpperCase() + word.slice(1);

function pick(body: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, body[name]]));
}

/** Only the fields the request gave: an absent field leaves the document's value as it is. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
