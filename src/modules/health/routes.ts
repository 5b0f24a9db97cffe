import { Type } from '@sinclair/typebox';
import type { Db } from '../../db/client.js';
import type { ApiInstance } from '../../http/app-types.js';
import { HttpProblem, problemResponses } from '../../http/problem.js';
import { said } from '../../domain/said.js';

const HealthSchema = Type.Object(
  {
    status: Type.Literal('ok'),
    database: Type.Literal('ok', { description: 'The database answered a query.' }),
  },
  { description: 'The service is up and its database answers.', examples: [{ status: 'ok', database: 'ok' }] },
);

export function registerHealthRoutes(app: ApiInstance, db: Db): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getHealth',
        summary: 'Health check',
        description: 'Answers 200 when the server can query its database, 503 otherwise. Used by load balancers and the Docker HEALTHCHECK.',
        response: { 200: HealthSchema, ...problemResponses(503) },
      },
    },
    async () => {
      try {
        db.$client.prepare('SELECT 1').get();
      } catch (error) {
        app.log.error({ err: error }, 'health check: database query failed');
        throw new HttpProblem(503, 'unavailable', said('数据库没有响应。', 'The database does not answer.'));
      }
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );
}
