import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HTTP_TIMEOUT_DEFAULTS, REMINDER_DEFAULTS, SUPERVISION_DEFAULTS, WEBHOOK_DEFAULTS, type Config, type Reminders, type WebhookSettings } from './config.js';
import { drizzleOf, openConnection, openDatabase, projectRoot, type Db } from './db/client.js';
import { BACKSTOP_CHECKPOINT_PAGES, startCheckpointer } from './db/checkpointer.js';
import { createGroupCommit } from './db/group-commit.js';
import { createLongWrites } from './db/long-write.js';
import type { ApiInstance } from './http/app-types.js';
import { addSharedSchemas } from './http/shared-schemas.js';
import { assignPlan } from './modules/assignments/build.js';
import { createAssignmentRepository } from './modules/assignments/repository.js';
import { createObligationRepository } from './modules/assignments/obligation-repository.js';
import { registerAssignmentReads, registerAssignmentWrites } from './modules/assignments/routes.js';
import { createAssignmentService } from './modules/assignments/service.js';
import { createAuditRepository } from './modules/audit/repository.js';
import { registerAuditRoutes } from './modules/audit/routes.js';
import { changesFromAudit } from './modules/changes/from-audit.js';
import { createChangeRepository } from './modules/changes/repository.js';
import { ChangeSchema, registerChangeRoutes } from './modules/changes/routes.js';
import { createApiKeyRepository } from './modules/auth/repository.js';
import { registerApiKeyRoutes } from './modules/auth/routes.js';
import { createExportRepository } from './modules/exports/repository.js';
import { registerExportRoutes } from './modules/exports/routes.js';
import { createExportService } from './modules/exports/service.js';
import { registerHealthRoutes } from './modules/health/routes.js';
import { createIdempotencyStore } from './modules/idempotency/store.js';
import { createIndicatorRepository } from './modules/indicators/repository.js';
import { registerIndicatorRoutes } from './modules/indicators/routes.js';
import { createMeasureRepository } from './modules/measures/repository.js';
import { createMonitoringRepository } from './modules/monitoring/repository.js';
import { createLightsAt } from './modules/monitoring/lights-at.js';
import { registerMonitoringRoutes } from './modules/monitoring/routes.js';
import { createMonitoringService } from './modules/monitoring/service.js';
import { registerMeasureRoutes } from './modules/measures/routes.js';
import { createMilestoneRepository } from './modules/milestones/repository.js';
import { registerMilestoneRoutes } from './modules/milestones/routes.js';
import { createPlanRepository } from './modules/plans/repository.js';
import { registerPlanRoutes } from './modules/plans/routes.js';
import { createPlanImportRepository } from './modules/plans/import/repository.js';
import { registerPlanImportRoute } from './modules/plans/import/routes.js';
import { PlanImportReportSchema } from './modules/plans/import/schemas.js';
import { createPlanImportService } from './modules/plans/import/service.js';
import { registerBulkImportRoutes } from './modules/reports/bulk-routes.js';
import { createBulkImporter } from './modules/reports/bulk.js';
import { createDocumentRepository } from './modules/amendments/documents.js';
import { registerAmendmentRoutes } from './modules/amendments/routes.js';
import { createAmendmentService } from './modules/amendments/service.js';
import { createPlanHistory } from './modules/amendments/history.js';
import { registerRecordReads } from './modules/amendments/record-reads.js';
import { createContactRepository } from './modules/reminders/contact-repository.js';
import { registerContactRoutes } from './modules/reminders/contact-routes.js';
import { createContactService } from './modules/reminders/contacts.js';
import { createReminders } from './modules/reminders/reminders.js';
import { createReminderRepository } from './modules/reminders/repository.js';
import { registerReminderRoutes } from './modules/reminders/routes.js';
import { createRevisionRepository } from './modules/revisions/repository.js';
import { REVISION_SCHEMAS, registerRevisionRoutes } from './modules/revisions/routes.js';
import { AmendmentResultSchema } from './modules/amendments/schemas.js';
import { createMeasureNumbers } from './modules/reports/measure-numbers.js';
import { registerReportTemplateRoute } from './modules/reports/template-routes.js';
import { createReportTemplates } from './modules/reports/template.js';
import { createReportRepository } from './modules/reports/repository.js';
import { registerReportRoutes } from './modules/reports/routes.js';
import { createReportService } from './modules/reports/service.js';
import { createSearchRepository } from './modules/search/repository.js';
import { registerSearchRoutes } from './modules/search/routes.js';
import { createTaskRepository } from './modules/tasks/repository.js';
import { registerTaskRoutes } from './modules/tasks/routes.js';
import { createUnitAdministration } from './modules/units/administration.js';
import { createUnitChangeRepository } from './modules/units/change-repository.js';
import { registerUnitChangeRoutes } from './modules/units/change-routes.js';
import { createUnitRepository } from './modules/units/repository.js';
import { createUnitResolver } from './modules/units/resolve-filter.js';
import { registerUnitRoutes } from './modules/units/routes.js';
import { registerUnitUpkeepRoutes } from './modules/units/upkeep-routes.js';
import { createDeliveryRepository } from './modules/webhooks/deliveries.js';
import { createDeliveryLog } from './modules/webhooks/delivery-log.js';
import { startDispatcher } from './modules/webhooks/dispatcher.js';
import { createOutbox } from './modules/webhooks/outbox.js';
import { createSubscriptionRepository } from './modules/webhooks/repository.js';
import { registerWebhookRoutes } from './modules/webhooks/routes.js';
import { DeliverySchema, WebhookSchema } from './modules/webhooks/schemas.js';
import { createWebhookService } from './modules/webhooks/service.js';
import type { Lookup } from './modules/webhooks/url-guard.js';
import { allow, ANY_ROLE, registerAuthentication } from './plugins/auth.js';
import { registerCatalogueCache, type CatalogueCacheBounds } from './plugins/catalogue-cache.js';
import { registerDurableResponses } from './plugins/durability.js';
import { clientErrorHandler, registerErrorHandling } from './plugins/errors.js';
import { BODY_LIMIT, MAX_PARAM_LENGTH } from './http/limits.js';
import { connectionLimits, registerRequestLimits, routerErrors } from './plugins/limits.js';
import { registerKeyRateLimit, registerSecurity } from './plugins/security.js';
import { createAppMetrics, registerMetricsRoute, registerRequestMetrics } from './plugins/metrics.js';
import { registerShutdownRefusal } from './plugins/shutdown.js';
import { registerSwagger } from './plugins/swagger.js';
import { registerListLinks } from './plugins/list-links.js';
import { ajvOptions, registerStrictUrlIntegers } from './plugins/validation.js';
import { loadSeed, readSeedFiles } from './seed/load-seed.js';
import { readCorrections } from './seed/read/build.js';
import { IndicatorSchema } from './modules/indicators/schemas.js';
import { DeadlineSchema, MeasureSchema, MilestoneSchema } from './modules/measures/schemas.js';
import { MilestoneListItemSchema } from './modules/milestones/schemas.js';
import { ChapterSchema, PlanSchema } from './modules/plans/schemas.js';
import { TaskDetailSchema, TaskSummarySchema } from './modules/tasks/schemas.js';
import { UnitDetailSchema, UnitRefSchema, UnitSchema } from './modules/units/schemas.js';
import { AuditEventSchema } from './modules/audit/routes.js';
import { ApiKeySchema } from './modules/auth/schemas.js';
import { AssignmentDetailSchema, AssignmentSchema, LightSchema, ObligationSchema } from './modules/assignments/schemas.js';
import { FollowUpSchema } from './modules/monitoring/schemas.js';
import { ImportSummarySchema } from './modules/reports/bulk-routes.js';
import { ReportEventSchema, ReportInputSchema, ReportPatchSchema, ReportSchema } from './modules/reports/schemas.js';
import { SearchHitSchema } from './modules/search/schemas.js';

/** Schemas the routes refer to by `$ref`, in the order the contract lists them. */
const SHARED_SCHEMAS = [
  ...REVISION_SCHEMAS,
  AmendmentResultSchema,
  PlanSchema,
  ChapterSchema,
  UnitRefSchema,
  UnitSchema,
  UnitDetailSchema,
  DeadlineSchema,
  MilestoneSchema,
  MilestoneListItemSchema,
  MeasureSchema,
  IndicatorSchema,
  TaskSummarySchema,
  TaskDetailSchema,
  SearchHitSchema,
  ReportInputSchema,
  ReportPatchSchema,
  ReportSchema,
  ReportEventSchema,
  ApiKeySchema,
  AuditEventSchema,
  ImportSummarySchema,
  PlanImportReportSchema,
  FollowUpSchema,
  LightSchema,
  ObligationSchema,
  AssignmentSchema,
  AssignmentDetailSchema,
  ChangeSchema,
  WebhookSchema,
  DeliverySchema,
];

export type AppConfig = Pick<Config, 'databasePath' | 'logLevel'> &
  Partial<Pick<Config, 'requireAuthForReads' | 'metricsRequireKey' | 'corsOrigins' | 'rateLimit' | 'databaseBusyTimeoutMs' | 'httpTimeouts' | 'supervision' | 'publicBaseUrl'>> & {
    /** The clock the rules read (key expiry, timestamps); tests pass a fixed one. */
    now?: () => Date;
    /** Sees the SQLite connection once it is open; the storage fault tests cap its size with it (max_page_count). */
    onDatabaseOpen?: (connection: Db['$client']) => void;
    /** Bounds of the in-memory plan-catalogue answers; tests pass small ones to see eviction. */
    catalogueCache?: CatalogueCacheBounds;
    /**
     * Reminders: without them (tests, embedding) no timer runs — `app.reminders.sweep()` and `.deliver()` run on
     * demand — and no e-mail is configured; the server passes the configured ones. Tests point robots at a loopback fake
     * with `robotOrigins`.
     */
    reminders?: Partial<Reminders>;
    /** How webhooks are sent; tests allow loopback receivers and pass short timeouts and backoff. */
    webhooks?: Partial<WebhookSettings>;
    /** Resolves receivers' host names (default: the system's resolver); tests make a name resolve where they like. */
    webhookLookup?: Lookup;
  };

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * One access-log line per request, when it completes, instead of Fastify's two: half the logging cost. At trace
 * level the headers a client sent are logged as the request arrives (keys redacted), to debug integrations.
 */
class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (request.log.level === 'trace') request.log.trace({ req: request, headers: request.headers }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    // Fastify's serializers turn the request and reply into method, url, address and status.
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * Builds the whole application: opens (and migrates) the database, loads the seed plan if it is missing,
 * and registers every plugin and module explicitly, so this file is the map of the app.
 */
export async function buildApp(config: AppConfig): Promise<FastifyInstance> {
  const db: Db = openDatabase(config.databasePath, { busyTimeoutMs: config.databaseBusyTimeoutMs });
  config.onDatabaseOpen?.(db.$client);
  const seed = loadSeed(db);
  const deliveries = createDeliveryRepository(db);
  const metrics = createAppMetrics(config.databasePath, { webhookOutboxDepth: () => deliveries.pending() });
  const groupCommit = createGroupCommit(db.$client, { onCommit: metrics.groupCommitted });
  // Checkpoints run on a worker thread; a connection checkpoints itself only if the worker falls far behind.
  const fileBacked = config.databasePath !== ':memory:';
  if (fileBacked) db.$client.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  // Bulk imports write on a connection of their own, in slices, while other requests are served (src/db/long-write.ts).
  const bulkImports = createLongWrites(groupCommit, () => {
    if (!fileBacked) throw new Error('bulk imports need a database file: a second connection to :memory: is another database');
    const sqlite = openConnection(config.databasePath, { busyTimeoutMs: config.databaseBusyTimeoutMs });
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    sqlite.pragma('wal_autocheckpoint = 0');
    const importDb = drizzleOf(sqlite);
    const service = createReportService({
      transaction: sqlite.transaction((work: () => unknown) => work()) as <T>(work: () => T) => T,
      reports: createReportRepository(importDb),
      units: createUnitRepository(importDb),
      // The import's changes owe webhook messages too, queued in the import's own transaction.
      audit: createAuditRepository(importDb, { onRecorded: changesFromAudit(createChangeRepository(importDb, { onAppended: createOutbox(importDb) })) }),
      now,
    });
    return { sqlite, context: { importRows: createBulkImporter(service, createMeasureNumbers(importDb)), idempotency: createIdempotencyStore(importDb) } };
  });
  const now = config.now ?? (() => new Date());
  const timeouts = config.httpTimeouts ?? HTTP_TIMEOUT_DEFAULTS;

  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Keys are secrets wherever they appear: a request's headers, a key being issued, a token in an error.
      // Webhook secrets likewise: a subscription as created, or a message being sent.
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token', '*.token', 'secret', '*.secret', '*.*.secret'], censor: '[redacted]' },
    },
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ...connectionLimits(timeouts),
    bodyLimit: BODY_LIMIT,
    // `/health/` and `/api/v1/tasks/` are what a person types for `/health` and `/api/v1/tasks`.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    frameworkErrors: routerErrors,
    ajv: ajvOptions,
    clientErrorHandler,
    // Our shutdown plugin answers requests that arrive while closing, with problem+json.
    return503OnClosing: false,
    logController: new AccessLog(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.log.info({ planId: seed.planId, loaded: seed.loaded, assigned: seed.assigned }, seed.loaded ? 'seed plan loaded' : 'seed plan already present');
  const checkpointer = fileBacked ? startCheckpointer(config.databasePath, { onError: (message) => app.log.warn({ message }, 'WAL checkpoint failed') }) : undefined;
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Keeps the query planner's statistics current as reports accumulate (SQLite's advice for long-lived connections:
  // PRAGMA optimize now and then; cheap, SQLite decides what needs analysing, analysis_limit bounds it).
  const plannerStatistics = setInterval(() => db.$client.pragma('optimize'), 60 * 60 * 1000).unref();
  app.addHook('onClose', async () => {
    clearInterval(plannerStatistics);
    groupCommit.flush();
    bulkImports.close();
    await checkpointer?.stop();
    db.$client.pragma('optimize');
    db.$client.close();
  });

  const units = createUnitRepository(db);
  const unitResolver = createUnitResolver(units);
  const measures = createMeasureRepository(db);
  const indicators = createIndicatorRepository(db);
  const tasks = createTaskRepository(db);
  const keys = createApiKeyRepository(db);
  // Each change appended also queues its webhook messages, in the same transaction (the outbox).
  const changes = createChangeRepository(db, { onAppended: createOutbox(db) });
  // Every audited write that others may follow is also a change in the feed, appended in the same transaction.
  const audit = createAuditRepository(db, { onRecorded: changesFromAudit(changes) });
  const reportService = createReportService({ transaction: groupCommit.transaction, reports: createReportRepository(db), units, audit, now });
  // Assignment writes change what `?unit=` answers in the catalogue: they drop its cached answers.
  let clearCatalogueCache = () => {};
  const assignments = createAssignmentService({
    transaction: groupCommit.transaction,
    assignments: createAssignmentRepository(db),
    obligations: createObligationRepository(db),
    units,
    audit,
    now,
    supervision: config.supervision ?? SUPERVISION_DEFAULTS,
    onAssignmentsChanged: () => clearCatalogueCache(),
    // Monitoring judges indicators from the obligations' reports, and its judgements colour the obligations.
    indicatorSignals: () => monitoring.indicatorSignals,
  });
  const monitoring = createMonitoringService(createMonitoringRepository(db), assignments, units, config.supervision ?? SUPERVISION_DEFAULTS);
  const catalogueLights = createLightsAt(monitoring.lights, now);
  const revisions = createRevisionRepository(db);
  // A changed plan is read afresh: kept answers are dropped, what was built from its catalogue is built again.
  const planChanged = (planId: number) => {
    clearCatalogueCache();
    monitoring.planChanged(planId);
    assignments.planChanged(planId);
  };
  const amendments = createAmendmentService({
    transaction: groupCommit.transaction,
    documents: createDocumentRepository(db),
    revisions,
    assignments: createAssignmentRepository(db),
    units,
    audit,
    now,
    onPlanChanged: planChanged,
    onAssignmentsMoved: assignments.recordMoved,
  });
  const unitAdministration = createUnitAdministration({
    transaction: groupCommit.transaction,
    units,
    changes: createUnitChangeRepository(db),
    revisions,
    assignments: createAssignmentRepository(db),
    audit,
    now,
    // A rename changes names (kept answers); a merge, or a collective's new members, also move who owes what in the plans named.
    onUnitsChanged: (planIds) => {
      clearCatalogueCache();
      planIds.forEach(planChanged);
    },
    onAssignmentsMoved: assignments.recordMoved,
  });
  // A table is read as the seed is: with its curated readings and indicators.
  const planImports = createPlanImportService({
    transaction: groupCommit.transaction,
    imports: createPlanImportRepository(db),
    describePlan: (planId) => createPlanRepository(db).get(planId),
    assign: (planId) => assignPlan(createAssignmentRepository(db), planId),
    revisions,
    audit,
    curated: { corrections: readCorrections(projectRoot), indicators: readSeedFiles().indicators },
    now,
    onPlanChanged: planChanged,
  });
  const contacts = createContactRepository(db);
  const reminders = createReminders({
    transaction: groupCommit.transaction,
    settled: () => groupCommit.settled(),
    // A bulk import holds the write lock on its own connection: writing meanwhile would wait for it on the event loop.
    idle: () => bulkImports.idle(),
    reminders: createReminderRepository(db),
    contacts,
    changes,
    assignments,
    units,
    now,
    warningDays: (config.supervision ?? SUPERVISION_DEFAULTS).warningDays,
    publicBaseUrl: config.publicBaseUrl ?? null,
    config: { ...REMINDER_DEFAULTS, intervalSeconds: 0, ...config.reminders },
    onOutcome: metrics.reminderMessage,
    onSwept: metrics.reminderSweep,
    onTicked: (swept, sent) => {
      if (swept.reminders + sent.sent + sent.retried + sent.failed > 0) app.log.info({ swept, sent }, 'reminders swept and sent');
    },
    onError: (err) => app.log.warn({ err }, 'reminder sweep or sending failed; the next tick tries again'),
  });
  const webhookSettings: WebhookSettings = { ...WEBHOOK_DEFAULTS, ...config.webhooks };
  const webhooks = createWebhookService({
    transaction: groupCommit.transaction,
    subscriptions: createSubscriptionRepository(db),
    deliveries,
    log: createDeliveryLog(db),
    units,
    audit,
    idempotency: createIdempotencyStore(db),
    now,
    policy: webhookSettings,
    lookup: config.webhookLookup,
  });
  const amended = { history: createPlanHistory({ documents: createDocumentRepository(db), revisions, units }), etagOf: amendments.etagOf };
  const assignmentDeps = { service: assignments, unitResolver, defaultPlanId: () => seed.planId, now };

  app.decorate('reminders', reminders);
  // Before the database closes (onClose): a tick sending messages finishes and records what it sent.
  app.addHook('preClose', () => reminders.stop());

  // First: requests refused by any later hook are timed and counted too.
  await registerRequestMetrics(app, metrics);
  registerErrorHandling(app);
  registerDurableResponses(app, groupCommit, bulkImports);
  registerShutdownRefusal(app, timeouts.shutdownDrainMs);
  // Without explicit limits (tests, embedding) nothing is throttled; the server passes the configured ones.
  const security = { corsOrigins: config.corsOrigins ?? [], rateLimit: config.rateLimit ?? { perAddress: 0, perKey: 0 } };
  await registerSecurity(app, security);
  registerRequestLimits(app);
  registerListLinks(app);
  registerStrictUrlIntegers(app);
  registerAuthentication(app, keys, now);
  registerKeyRateLimit(app, security);
  addSharedSchemas(app, SHARED_SCHEMAS);
  await registerSwagger(app);

  registerHealthRoutes(app, db);
  registerMetricsRoute(app, metrics, { requireKey: config.metricsRequireKey ?? false });
  // The plan catalogue changes only by amendment: its answers are kept in memory, and an amendment drops them.
  await app.register(
    async (scope) => {
      const catalogue = scope.withTypeProvider<TypeBoxTypeProvider>() as ApiInstance;
      if (config.requireAuthForReads) {
        catalogue.addHook('onRequest', allow(ANY_ROLE));
      }
      // After the authorisation hook: a cached answer is only given to a caller who may read it.
      clearCatalogueCache = registerCatalogueCache(catalogue, config.catalogueCache).clear;
      const planRepository = createPlanRepository(db);
      registerPlanRoutes(catalogue, planRepository);
      registerTaskRoutes(catalogue, { tasks, measures, indicators, units: unitResolver, lights: catalogueLights, amended });
      registerMeasureRoutes(catalogue, measures, unitResolver, catalogueLights, amended);
      const milestoneRepository = createMilestoneRepository(db, measures);
      registerMilestoneRoutes(catalogue, milestoneRepository, unitResolver);
      registerIndicatorRoutes(catalogue, indicators);
      registerRecordReads(catalogue, { read: { chapter: planRepository.chapter, milestone: milestoneRepository.get, indicator: indicators.get }, etagOf: amended.etagOf });
      registerUnitRoutes(catalogue, units);
      registerSearchRoutes(catalogue, createSearchRepository(db));
    },
    { prefix: '/api/v1' },
  );
  // Monitoring and exports judge the plan against reports and the clock: answered afresh every time.
  await app.register(
    async (scope) => {
      const monitoringAndExports = scope.withTypeProvider<TypeBoxTypeProvider>() as ApiInstance;
      if (config.requireAuthForReads) {
        monitoringAndExports.addHook('onRequest', allow(ANY_ROLE));
      }
      registerExportRoutes(monitoringAndExports, {
        service: createExportService({ exports: createExportRepository(db), monitoring, assignments, tasks }),
        unitResolver,
        now,
        publicBaseUrl: config.publicBaseUrl ?? null,
      });
      registerMonitoringRoutes(monitoringAndExports, { monitoring, unitResolver, now });
      registerRevisionRoutes(monitoringAndExports, { revisions, units: unitResolver, plans: createPlanRepository(db) });
      registerAssignmentReads(monitoringAndExports, assignmentDeps);
      registerChangeRoutes(monitoringAndExports, { changes, units: unitResolver });
    },
    { prefix: '/api/v1' },
  );
  await app.register(
    async (scope) => {
      const reporting = scope.withTypeProvider<TypeBoxTypeProvider>() as ApiInstance;
      // Everything here needs a key; routes that need a particular role say so with their own hook.
      reporting.addHook('onRequest', allow(ANY_ROLE));
      const idempotency = createIdempotencyStore(db);
      registerReportRoutes(reporting, { service: reportService, units, idempotency, now });
      await registerBulkImportRoutes(reporting, { imports: bulkImports, now });
      registerReportTemplateRoute(reporting, { templates: createReportTemplates({ units, assignments, monitoring, measures: createMeasureNumbers(db) }), now });
      registerAssignmentWrites(reporting, { service: assignments, units });
      registerUnitChangeRoutes(reporting, unitAdministration);
      registerUnitUpkeepRoutes(reporting, unitAdministration);
      registerApiKeyRoutes(reporting, { keys, units, audit, now, transaction: reportService.transaction });
      registerWebhookRoutes(reporting, webhooks);
      registerAuditRoutes(reporting, { audit, units });
      await registerPlanImportRoute(reporting, { imports: planImports });
      registerContactRoutes(
        reporting,
        createContactService({
          transaction: groupCommit.transaction,
          contacts,
          units,
          audit,
          now,
          robotOrigins: { ...REMINDER_DEFAULTS.robotOrigins, ...config.reminders?.robotOrigins },
        }),
      );
      registerReminderRoutes(reporting, { reminders, units: unitResolver });
      // Last: contract tests generated from the document run its operations in order, and amendments change the plan.
      registerAmendmentRoutes(reporting, { service: amendments, units });
    },
    { prefix: '/api/v1' },
  );
  // Sends the outbox from this process; its writes wait for a bulk import like any other, and are durable before it sends.
  const dispatcher = startDispatcher({
    deliveries,
    write: async (work) => {
      await bulkImports.idle();
      const result = groupCommit.transaction(work);
      await groupCommit.settled();
      return result;
    },
    now,
    settings: webhookSettings,
    lookup: config.webhookLookup,
    log: app.log.child({ module: 'webhooks' }),
    onOutcome: metrics.webhookAttempted,
  });
  // Before onClose closes the database it writes to.
  app.addHook('preClose', () => dispatcher.stop());
  return app;
}
