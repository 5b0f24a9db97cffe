import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/client.js';
import { addSharedSchemas } from './http/shared-schemas.js';
import { registerHealthRoutes } from './modules/health/routes.js';
import { createIndicatorRepository } from './modules/indicators/repository.js';
import { registerIndicatorRoutes } from './modules/indicators/routes.js';
import { createMeasureRepository } from './modules/measures/repository.js';
import { registerMeasureRoutes } from './modules/measures/routes.js';
import { createMilestoneRepository } from './modules/milestones/repository.js';
import { registerMilestoneRoutes } from './modules/milestones/routes.js';
import { createPlanRepository } from './modules/plans/repository.js';
import { registerPlanRoutes } from './modules/plans/routes.js';
import { createTaskRepository } from './modules/tasks/repository.js';
import { registerTaskRoutes } from './modules/tasks/routes.js';
import { createUnitRepository } from './modules/units/repository.js';
import { createUnitResolver } from './modules/units/resolve-filter.js';
import { registerUnitRoutes } from './modules/units/routes.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerSwagger } from './plugins/swagger.js';
import { loadSeed } from './seed/load-seed.js';

export type AppConfig = Pick<Config, 'databasePath' | 'logLevel'>;

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * Builds the whole application: opens (and migrates) the database, loads the seed plan if it is missing,
 * and registers every plugin and module explicitly, so this file is the map of the app.
 */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const db: Db = openDatabase(config.databasePath);
  const seed = loadSeed(db);

  const app = Fastify({
    logger: { level: config.logLevel },
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.log.info({ planId: seed.planId, loaded: seed.loaded }, seed.loaded ? 'seed plan loaded' : 'seed plan already present');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onClose', async () => {
    db.$client.close();
  });

  registerErrorHandling(app);
  addSharedSchemas(app);
  await registerSwagger(app);

  const units = createUnitRepository(db);
  const unitResolver = createUnitResolver(units);
  const measures = createMeasureRepository(db);
  const indicators = createIndicatorRepository(db);

  registerHealthRoutes(app, db);
  await app.register(
    async (api) => {
      const v1 = api.withTypeProvider<TypeBoxTypeProvider>();
      registerPlanRoutes(v1, createPlanRepository(db));
      registerTaskRoutes(v1, { tasks: createTaskRepository(db), measures, indicators, units: unitResolver });
      registerMeasureRoutes(v1, measures, unitResolver);
      registerMilestoneRoutes(v1, createMilestoneRepository(db, measures), unitResolver);
      registerIndicatorRoutes(v1, indicators);
      registerUnitRoutes(v1, units);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
