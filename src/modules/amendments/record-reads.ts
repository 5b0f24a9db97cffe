import { Type, type TSchema } from '@sinclair/typebox';
import { notFound, THINGS } from '../../domain/errors.js';
import type { ApiInstance } from '../../http/app-types.js';
import { revalidatedResponses } from '../../http/caching.js';
import { IdParams } from '../../http/params.js';
import { problemResponses } from '../../http/problem.js';
import { IndicatorSchema } from '../indicators/schemas.js';
import { MilestoneListItemSchema } from '../milestones/schemas.js';
import { ChapterSchema } from '../plans/schemas.js';
import type { AmendableKind } from './documents.js';

type ReadableKind = Extract<AmendableKind, 'chapter' | 'milestone' | 'indicator'>;

const RECORDS: Record<ReadableKind, { path: string; tag: string; schema: TSchema }> = {
  chapter: { path: '/chapters/:id', tag: 'plans', schema: ChapterSchema },
  milestone: { path: '/milestones/:id', tag: 'milestones', schema: MilestoneListItemSchema },
  indicator: { path: '/indicators/:id', tag: 'indicators', schema: IndicatorSchema },
};

/**
 * One chapter, milestone or indicator by id, retired or not, with its version as `ETag` (what an amendment's If-Match
 * names). Tasks and measures have their own, richer reads.
 */
export function registerRecordReads(app: ApiInstance, deps: { read: { [K in ReadableKind]: (id: number) => unknown }; etagOf: (kind: AmendableKind, id: number) => string }): void {
  for (const kind of Object.keys(RECORDS) as ReadableKind[]) {
    const { path, tag, schema } = RECORDS[kind];
    app.get(
      path,
      {
        schema: {
          tags: [tag],
          operationId: `get${kind[0]!.toUpperCase()}${kind.slice(1)}`,
          summary: `Get a ${kind}`,
          description: `One ${kind} by id, also when retired (\`retiredAt\`), with its version as \`ETag\`: what an amendment’s \`If-Match\` names.`,
          params: IdParams,
          response: { ...revalidatedResponses(Type.Ref(schema)), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: number };
        const record = deps.read[kind](id);
        if (!record) throw notFound(THINGS[kind], id);
        reply.header('etag', deps.etagOf(kind, id));
        return record;
      },
    );
  }
}
